use zalopay_api::ZaloPayRequest;
use zalopay_api::quickpay::{EncryptedPaymentCode, PaymentCode};

#[derive(serde::Deserialize)]
pub struct Reply {
    pub return_code: i32,
}

// The plain value is sent too: it must be `#[wire(skip)]`.
#[derive(Clone, ZaloPayRequest)]
#[endpoint(method = POST, host = openapi, path = "/v2/x", encoding = form, response = Reply)]
#[mac(key = key1, fields = [raw])]
pub struct SentPlain {
    pub raw: PaymentCode,
    #[zalopay(encrypt = raw)]
    pub code: Option<EncryptedPaymentCode>,
}

// The source is not a field.
#[derive(Clone, ZaloPayRequest)]
#[endpoint(method = POST, host = openapi, path = "/v2/x", encoding = form, response = Reply)]
#[mac(key = key1, fields = [raw])]
pub struct NoSource {
    #[wire(skip)]
    pub raw: PaymentCode,
    #[zalopay(encrypt = plain)]
    pub code: Option<EncryptedPaymentCode>,
}

// Not an `Option`: `None` is what says "the client encrypts it".
#[derive(Clone, ZaloPayRequest)]
#[endpoint(method = POST, host = openapi, path = "/v2/x", encoding = form, response = Reply)]
#[mac(key = key1, fields = [raw])]
pub struct NotOption {
    #[wire(skip)]
    pub raw: PaymentCode,
    #[zalopay(encrypt = raw)]
    pub code: EncryptedPaymentCode,
}

fn main() {}
