// An operation ZaloPay might document tomorrow, added by a user in their own crate:
// one annotated struct, nothing else.
use zalopay_api::{Config, Environment, JsonString, Keys, SignedRequest, ZaloPayRequest};

#[derive(Debug, serde::Deserialize)]
pub struct GiftReply {
    pub return_code: i32,
    pub gift_url: Option<String>,
}

impl zalopay_api::GatewayResponse for GiftReply {
    fn rejection(&self) -> Option<zalopay_api::GatewayError> {
        None
    }
}

#[derive(ZaloPayRequest)]
#[endpoint(method = POST, host = openapi, path = "/v2/gift/create", encoding = json, response = GiftReply)]
#[mac(key = key1, fields = [app_id, gift_id, amount, note?, extra, secret_salt, @key])]
pub struct CreateGift<'a> {
    #[wire(rename = "appId")]
    pub app_id: i64,
    pub gift_id: &'a str,
    pub amount: u64,
    pub note: Option<String>,
    pub extra: JsonString,
    #[wire(skip)]
    pub secret_salt: Option<String>,
}

fn main() {
    let keys = Keys::new("k1", "k2").unwrap();
    let gift = CreateGift {
        app_id: 7,
        gift_id: "g-1",
        amount: 500,
        note: None,
        extra: JsonString::empty_object(),
        secret_salt: None,
    };
    assert_eq!(gift.mac_input(&keys), "7|g-1|500|{}||k1");
    let config = Config::new(7, keys, Environment::Custom("http://127.0.0.1:1".into()));
    let client = zalopay_api::Client::new(config).unwrap();
    let prepared = client.prepare(&gift).unwrap();
    assert_eq!(prepared.url, "http://127.0.0.1:1/v2/gift/create");
    let body = String::from_utf8(prepared.body).unwrap();
    assert!(body.starts_with(r#"{"appId":7,"gift_id":"g-1","amount":500,"extra":"{}","mac":""#), "{body}");
}
