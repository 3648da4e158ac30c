use zalopay_api::ZaloPayRequest;

#[derive(serde::Deserialize)]
pub struct Reply {
    pub return_code: i32,
}

#[derive(ZaloPayRequest)]
#[endpoint(method = POST, host = openapi, path = "/v2/quick_pay", encoding = form, response = Reply)]
#[mac(key = key1, fields = [app_id])]
pub struct QuickPay {
    pub app_id: i64,
    #[wire(skip)]
    pub payment_code_raw: String,
}

fn main() {}
