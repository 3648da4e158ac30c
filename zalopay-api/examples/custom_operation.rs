//! Adding an operation ZaloPay documents tomorrow: one annotated struct in your own crate.
//!
//! Run: `cargo run -p zalopay-api --example custom_operation`

use serde::Deserialize;
use zalopay_api::{
    Config, GatewayError, GatewayResponse, ResultCodes, SignedRequest, ZaloPayRequest,
};

/// The response of the imaginary operation.
#[derive(Debug, Deserialize)]
pub struct VoucherResponse {
    /// Result codes.
    #[serde(flatten)]
    pub codes: ResultCodes,
    /// The voucher link.
    pub voucher_url: Option<String>,
}

impl GatewayResponse for VoucherResponse {
    fn rejection(&self) -> Option<GatewayError> {
        self.codes.rejection()
    }
}

/// An operation that does not exist (yet): issue a voucher to a user.
#[derive(Debug, ZaloPayRequest)]
#[endpoint(method = POST, host = openapi, path = "/v2/voucher/issue", encoding = form, response = VoucherResponse)]
#[mac(key = key1, fields = [app_id, identifier, amount, note?, req_date])]
pub struct IssueVoucher {
    /// The app id.
    pub app_id: i64,
    /// The user.
    pub identifier: String,
    /// Voucher value, VND.
    pub amount: i64,
    /// Optional note, left out of the MAC when absent.
    pub note: Option<String>,
    /// Request time, Unix ms.
    pub req_date: i64,
}

fn main() -> Result<(), zalopay_api::Error> {
    let config = Config::sandbox_demo()?;
    let request = IssueVoucher {
        app_id: config.app_id,
        identifier: "user123".into(),
        amount: 20_000,
        note: None,
        req_date: 1_704_067_200_000,
    };
    println!("MAC input: {}", request.mac_input(&config.keys));
    let client = zalopay_api::Client::new(config)?;
    let prepared = client.prepare(&request)?;
    println!("{} {}", prepared.method.as_str(), prepared.url);
    println!("{}", String::from_utf8_lossy(&prepared.body));
    Ok(())
}
