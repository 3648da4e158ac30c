// The response type lacks `GatewayResponse`: reported on the annotation, not at `send`.
use zalopay_api::ZaloPayRequest;

#[derive(serde::Deserialize)]
pub struct Reply {
    pub return_code: i32,
}

#[derive(ZaloPayRequest)]
#[endpoint(method = POST, host = openapi, path = "/v2/query", encoding = form, response = Reply)]
#[mac(key = key1, fields = [app_id])]
pub struct Query {
    pub app_id: i64,
}

fn main() {}
