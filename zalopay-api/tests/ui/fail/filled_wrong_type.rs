// A client-filled time must be able to hold Unix milliseconds.
use zalopay_api::ZaloPayRequest;

#[derive(Clone, ZaloPayRequest)]
#[endpoint(method = POST, host = openapi, path = "/v2/query", encoding = form, response = zalopay_api::order::QueryOrderResponse)]
#[mac(key = key1, fields = [app_id, req_date])]
pub struct Query {
    #[zalopay(app_id)]
    pub app_id: Option<i64>,
    #[zalopay(time)]
    pub req_date: Option<bool>,
}

fn main() {}
