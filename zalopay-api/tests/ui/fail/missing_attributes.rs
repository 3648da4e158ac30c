use zalopay_api::ZaloPayRequest;

#[derive(serde::Deserialize)]
pub struct Reply {
    pub return_code: i32,
}

#[derive(ZaloPayRequest)]
pub struct QueryOrder {
    pub app_id: i64,
}

fn main() {}
