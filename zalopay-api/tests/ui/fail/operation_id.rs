// A catalogued operation: a `family.name` id, and a confidence from the legend.
use zalopay_api::ZaloPayRequest;

#[derive(ZaloPayRequest)]
#[endpoint(id = "Gift Create", confidence = "high", method = POST, host = openapi, path = "/v2/gift", encoding = form, response = zalopay_api::order::QueryOrderResponse)]
#[mac(key = key1, fields = [app_id])]
pub struct Gift {
    pub app_id: i64,
}

#[derive(ZaloPayRequest)]
#[endpoint(id = "gift.query", method = POST, host = openapi, path = "/v2/gift/query", encoding = form, response = zalopay_api::order::QueryOrderResponse)]
#[mac(key = key1, fields = [app_id])]
pub struct GiftQuery {
    pub app_id: i64,
}

fn main() {}
