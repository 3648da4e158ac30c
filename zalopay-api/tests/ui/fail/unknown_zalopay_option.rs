use zalopay_api::ZaloPayRequest;

#[derive(serde::Deserialize)]
pub struct Reply {
    pub return_code: i32,
}

#[derive(ZaloPayRequest)]
#[zalopay(krate = zalopay_api)]
#[endpoint(method = POST, host = openapi, path = "/v2/query", encoding = form, response = Reply)]
#[mac(key = key1, fields = [app_id])]
pub struct QueryOrder {
    pub app_id: i64,
}

fn main() {}
