use zalopay_api::ZaloPayRequest;

#[derive(serde::Deserialize)]
pub struct Reply {
    pub return_code: i32,
}

impl zalopay_api::GatewayResponse for Reply {
    fn rejection(&self) -> Option<zalopay_api::GatewayError> {
        None
    }
}

#[derive(ZaloPayRequest)]
#[endpoint(method = POST, host = openapi, path = "/v2/create", encoding = form, response = Reply)]
#[mac(key = key1, fields = [app_id, app_user, amount])]
pub struct CreateOrder {
    pub app_id: i64,
    #[check(positive)]
    pub app_user: String,
    #[check(max_len = 10)]
    pub amount: i64,
}

fn main() {}
