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
#[endpoint(method = POST, host = openapi, path = "/v2/query", encoding = form, response = Reply)]
#[mac(key = key1, fields = [app_id, tags])]
pub struct QueryOrder {
    pub app_id: i64,
    pub tags: Vec<String>,
}

fn main() {}
