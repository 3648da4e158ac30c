use zalopay_api::ZaloPayRequest;

#[derive(serde::Deserialize)]
pub struct Reply {
    pub return_code: i32,
}

#[derive(ZaloPayRequest)]
#[endpoint(method = GET, host = zod, path = "/v2/zod/status", encoding = json, response = Reply)]
#[mac(key = key1, fields = [app_id])]
pub struct ZodStatus {
    pub app_id: i64,
}

fn main() {}
