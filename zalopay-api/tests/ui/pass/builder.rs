// A user's own operation gets the same builder as the crate's: named setters, required
// fields enforced, optional and defaulted fields, client-filled app id and time.
use zalopay_api::{FillContext, JsonString, SignedRequest, ZaloPayRequest};

#[derive(Debug, serde::Deserialize)]
pub struct GiftReply {
    pub return_code: i32,
}

impl zalopay_api::GatewayResponse for GiftReply {
    fn rejection(&self) -> Option<zalopay_api::GatewayError> {
        None
    }
}

#[derive(Debug, Clone, PartialEq, ZaloPayRequest)]
#[endpoint(id = "gift.create", confidence = "3P", method = POST, host = openapi, path = "/v2/gift/create", encoding = form, response = GiftReply)]
#[mac(key = key1, fields = [app_id, gift_id, amount, req_date, extra])]
pub struct CreateGift<'a> {
    /// The app id; the client's when unset.
    #[zalopay(app_id)]
    pub app_id: Option<i64>,
    pub gift_id: &'a str,
    #[check(positive)]
    pub amount: i64,
    #[zalopay(time)]
    pub req_date: Option<i64>,
    #[zalopay(default = JsonString::empty_object())]
    pub extra: JsonString,
    #[zalopay(default)]
    pub tags: Vec<String>,
    pub note: Option<String>,
}

fn main() {
    let gift = CreateGift::builder()
        .amount(500)
        .gift_id("g-1")
        .note("thanks")
        .build();
    assert_eq!(gift.app_id, None);
    assert_eq!(gift.extra, JsonString::empty_object());
    assert!(gift.tags.is_empty());
    assert_eq!(gift.note.as_deref(), Some("thanks"));

    // The client fills what was left unset, in a copy; a set value is kept.
    let ctx = FillContext::new(7, 1_726_200_000_000);
    let filled = gift.fill(&ctx).unwrap().unwrap();
    assert_eq!((filled.app_id, filled.req_date), (Some(7), Some(1_726_200_000_000)));
    assert!(filled.fill(&ctx).unwrap().is_none());
    // Another app's request is refused.
    let other = CreateGift::builder().amount(1).gift_id("g").app_id(8).build();
    assert!(other.fill(&ctx).is_err());

    assert_eq!(<CreateGift<'_> as zalopay_api::Operation>::ID, "gift.create");
}
