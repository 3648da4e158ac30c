// Client-filled fields: an `Option` each, one per kind, no builder default.
use zalopay_api::ZaloPayRequest;

#[derive(Clone, ZaloPayRequest)]
#[endpoint(method = POST, host = openapi, path = "/v2/query", encoding = form, response = zalopay_api::order::QueryOrderResponse)]
#[mac(key = key1, fields = [app_id, other_app, req_date, time])]
pub struct Query {
    #[zalopay(app_id)]
    pub app_id: i64,
    #[zalopay(app_id)]
    pub other_app: Option<i64>,
    #[zalopay(time, default)]
    pub req_date: Option<i64>,
    #[zalopay(time)]
    pub time: Option<i64>,
}

fn main() {}
