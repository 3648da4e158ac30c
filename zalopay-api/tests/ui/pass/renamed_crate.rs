// The runtime crate reached through a re-export (as after a rename in Cargo.toml):
// `#[zalopay(crate = ...)]` makes the generated code name that path.
mod payments {
    pub use zalopay_api as zalopay;
}

use payments::zalopay::{Keys, SignedRequest, ZaloPayRequest};

#[derive(serde::Deserialize)]
pub struct Reply {
    pub return_code: i32,
}

impl payments::zalopay::GatewayResponse for Reply {
    fn rejection(&self) -> Option<payments::zalopay::GatewayError> {
        None
    }
}

#[derive(ZaloPayRequest)]
#[zalopay(crate = payments::zalopay)]
#[endpoint(method = POST, host = openapi, path = "/v2/query", encoding = form, response = Reply)]
#[mac(key = key1, fields = [app_id, app_trans_id, @key])]
pub struct QueryOrder {
    pub app_id: i64,
    pub app_trans_id: String,
}

fn main() {
    let keys = Keys::new("k1", "k2").unwrap();
    let query = QueryOrder {
        app_id: 2554,
        app_trans_id: "230407_1".into(),
    };
    assert_eq!(query.mac_input(&keys), "2554|230407_1|k1");
}
