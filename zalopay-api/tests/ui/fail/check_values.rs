use zalopay_api::ZaloPayRequest;

#[derive(serde::Deserialize)]
pub struct Reply {
    pub return_code: i32,
}

#[derive(ZaloPayRequest)]
#[endpoint(method = POST, host = openapi, path = "/v2/refund", encoding = form, response = Reply, retry = twice)]
#[mac(key = key1, fields = [m_refund_id, description, amount])]
pub struct Refund {
    #[check(m_refund_id)]
    pub m_refund_id: String,
    #[check(max_len, non_empty = true, non_empty)]
    pub description: String,
    #[check(max_len = "40", positive, positive)]
    pub amount: i64,
}

fn main() {}
