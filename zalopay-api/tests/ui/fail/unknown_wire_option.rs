use zalopay_api::ZaloPayRequest;

#[derive(serde::Deserialize)]
pub struct Reply {
    pub return_code: i32,
}

#[derive(ZaloPayRequest)]
#[endpoint(method = POST, host = zod, path = "/v2/zod", encoding = json, response = Reply)]
#[mac(key = key1, fields = [app_id])]
pub struct ZodCreate {
    #[wire(name = "appId")]
    pub app_id: String,
}

fn main() {}
