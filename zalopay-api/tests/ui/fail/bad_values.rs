use zalopay_api::ZaloPayRequest;

#[derive(serde::Deserialize)]
pub struct Reply {
    pub return_code: i32,
}

#[derive(ZaloPayRequest)]
#[endpoint(method = PUT, host = openapi2, path = "v2/query", encoding = xml, response = Reply)]
#[mac(key = key1, fields = [app_id], then = md5)]
pub struct QueryOrder {
    pub app_id: i64,
}

fn main() {}
