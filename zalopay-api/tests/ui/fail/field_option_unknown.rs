// An unknown `#[zalopay(...)]` on a field is an error, not silently ignored.
use zalopay_api::ZaloPayRequest;

#[derive(ZaloPayRequest)]
#[endpoint(method = POST, host = openapi, path = "/v2/query", encoding = form, response = zalopay_api::order::QueryOrderResponse)]
#[mac(key = key1, fields = [app_id, app_trans_id])]
pub struct Query {
    #[zalopay(app_idd)]
    pub app_id: Option<i64>,
    #[zalopay(skip)]
    pub app_trans_id: String,
}

fn main() {}
