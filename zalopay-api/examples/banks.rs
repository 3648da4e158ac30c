//! List the banks enabled for the app (gateway host, legacy field names; app 2553).
//!
//! Prints the signed request; pass `--send` to send it. `ZALOPAY_ENDPOINT` selects
//! `sandbox` (default), `production` or a base URL such as `http://127.0.0.1:8090`.
//!
//! ```sh
//! cargo run -p zalopay-api --example banks -- [--send]
//! ```

#[allow(dead_code)] // not every example uses every helper
mod support;
use support::{client, run};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = client(
        2553,
        "PcY4iZIKFCIdgZvA6ueMcMHHUbRLYjPL",
        "kLtgPl8HHhfvMuDHPwKfgfsY4Ydm9eIz",
    )?;
    run(&client, &zalopay_api::banks::ListBanks::builder().build()).await
}
