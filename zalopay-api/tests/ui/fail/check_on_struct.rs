use zalopay_api::ZaloPayRequest;

#[derive(serde::Deserialize)]
pub struct Reply {
    pub return_code: i32,
}

#[derive(ZaloPayRequest)]
#[endpoint(method = POST, host = openapi, path = "/v2/query", encoding = form, response = Reply)]
#[mac(key = key1, fields = [app_id])]
#[check(positive)]
pub struct Query {
    pub app_id: i64,
}

fn main() {}
