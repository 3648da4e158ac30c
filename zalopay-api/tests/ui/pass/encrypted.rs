// A request in a user's crate with a client-encrypted field: the builder has no setter for
// it, the client fills it from the plain field with its encryptor, and a filled request
// keeps its ciphertext.
use zalopay_api::fill::{Encryptor, FillContext};
use zalopay_api::quickpay::{EncryptedPaymentCode, PaymentCode};
use zalopay_api::{Error, SignedRequest, ZaloPayRequest};

#[derive(Debug, serde::Deserialize)]
pub struct Reply {
    pub return_code: i32,
}
impl zalopay_api::GatewayResponse for Reply {
    fn rejection(&self) -> Option<zalopay_api::GatewayError> {
        None
    }
}

#[derive(Debug, Clone, ZaloPayRequest)]
#[endpoint(method = POST, host = openapi, path = "/v2/till/charge", encoding = form, response = Reply)]
#[mac(key = key1, fields = [app_id, code_raw])]
pub struct TillCharge {
    #[zalopay(app_id)]
    pub app_id: Option<i64>,
    #[wire(skip)]
    pub code_raw: PaymentCode,
    #[zalopay(encrypt = code_raw)]
    pub code: Option<EncryptedPaymentCode>,
}

struct Reverse;

impl Encryptor for Reverse {
    fn encrypt(&self, _field: &'static str, plain: &[u8]) -> Result<String, Error> {
        Ok(plain.iter().rev().map(|b| char::from(*b)).collect())
    }
}

fn main() {
    let charge = TillCharge::builder()
        .code_raw(PaymentCode::new("1234").unwrap())
        .build();
    assert!(charge.code.is_none());
    // Without an encryptor the request cannot be filled (so it cannot be sent).
    assert!(matches!(charge.fill(&FillContext::new(7, 0)), Err(Error::Config(_))));
    let ctx = FillContext::new(7, 0).with_encryptor(&Reverse);
    let filled = charge.fill(&ctx).unwrap().unwrap();
    assert_eq!(filled.code.as_ref().map(EncryptedPaymentCode::as_str), Some("4321"));
    assert_eq!(filled.app_id, Some(7));
    assert!(filled.fill(&ctx).unwrap().is_none(), "nothing left to fill");
}
