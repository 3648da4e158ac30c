//! Every check on every type it accepts, and every retry class.
use zalopay_api::{Endpoint, JsonString, RetryClass, SignedRequest, ValidationContext, ZaloPayRequest};

#[derive(serde::Deserialize)]
pub struct Reply {
    pub return_code: i32,
}

impl zalopay_api::GatewayResponse for Reply {
    fn rejection(&self) -> Option<zalopay_api::GatewayError> {
        None
    }
}

#[derive(ZaloPayRequest)]
#[endpoint(method = POST, host = openapi, path = "/v2/create", encoding = form, response = Reply, retry = same_id)]
#[mac(key = key1, fields = [app_id, app_trans_id, m_refund_id, amount, fee, app_time, reqtime, note, data, extra])]
pub struct Everything<'a> {
    #[check(positive)]
    pub app_id: i64,
    #[check(app_trans_id, max_len = 40, non_empty)]
    pub app_trans_id: &'a str,
    #[check(m_refund_id)]
    pub m_refund_id: Option<String>,
    #[check(positive)]
    pub amount: u32,
    #[check(positive)]
    pub fee: Option<i64>,
    #[check(recent_ms)]
    pub app_time: i64,
    #[check(recent_ms)]
    pub reqtime: String,
    #[check(json, max_len = 100)]
    pub note: String,
    #[check(max_len = 2048)]
    pub data: JsonString,
    #[check(non_empty)]
    #[wire(skip)]
    pub extra: Option<&'a str>,
}

#[derive(ZaloPayRequest)]
#[endpoint(method = POST, host = openapi, path = "/v2/query", encoding = form, response = Reply, retry = safe)]
#[mac(key = key1, fields = [app_id])]
pub struct Query {
    pub app_id: i64,
}

#[derive(ZaloPayRequest)]
#[endpoint(method = POST, host = openapi, path = "/v2/refund", encoding = form, response = Reply, retry = never)]
#[mac(key = key1, fields = [app_id])]
pub struct Refund {
    pub app_id: i64,
}

fn main() {
    let now = 1_726_200_000_000;
    let request = Everything {
        app_id: 2553,
        app_trans_id: "240913_1",
        m_refund_id: Some("240913_2553_1".to_owned()),
        amount: 1,
        fee: None,
        app_time: now,
        reqtime: now.to_string(),
        note: "{}".to_owned(),
        data: JsonString::empty_object(),
        extra: Some("x"),
    };
    assert!(request.validate(&ValidationContext::at(now)).is_ok());
    assert_eq!(<Everything<'_> as Endpoint>::RETRY, RetryClass::SameId);
    assert_eq!(<Query as Endpoint>::RETRY, RetryClass::Safe);
    assert_eq!(<Refund as Endpoint>::RETRY, RetryClass::Never);
    // No checks: the default accepts.
    assert!(Query { app_id: 0 }.validate(&ValidationContext::at(0)).is_ok());
}
