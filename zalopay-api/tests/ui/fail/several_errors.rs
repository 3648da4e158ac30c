use zalopay_api::ZaloPayRequest;

#[derive(serde::Deserialize)]
pub struct Reply {
    pub return_code: i32,
}

#[derive(ZaloPayRequest)]
#[endpoint(method = POST, host = openapi, path = "/v2/create", encoding = form, response = Reply)]
#[mac(key = key1, fields = [app_id, app_user, app_usr, amount, app_id, mac])]
pub struct CreateOrder {
    pub app_id: i64,
    pub app_user: String,
    pub amount: i64,
}

fn main() {}
