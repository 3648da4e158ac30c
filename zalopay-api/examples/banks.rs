//! List the banks enabled for the app (gateway host, legacy field names; app 2553).
//!
//! Prints the signed request; pass `--send` to send it. `ZALOPAY_ENDPOINT` selects
//! `sandbox` (default), `production` or a base URL such as `http://127.0.0.1:8090`.
//!
//! ```sh
//! cargo run -p zalopay-api --example banks -- [--send]
//! ```

use std::time::{SystemTime, UNIX_EPOCH};

use zalopay_api::{Client, Config, Endpoint, Environment, GatewayResponse, Keys};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = client(
        2553,
        "PcY4iZIKFCIdgZvA6ueMcMHHUbRLYjPL",
        "kLtgPl8HHhfvMuDHPwKfgfsY4Ydm9eIz",
    )?;
    run(&client, &zalopay_api::banks::ListBanks::new(2553, now_ms())).await
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}

/// `yyMMdd` of today in Vietnam time (GMT+7), the prefix ZaloPay requires on ids.
#[allow(dead_code)]
fn vn_date() -> String {
    let now = time::OffsetDateTime::now_utc().to_offset(time::macros::offset!(+7));
    format!(
        "{:02}{:02}{:02}",
        now.year() % 100,
        u8::from(now.month()),
        now.day()
    )
}

fn client(app_id: i64, key1: &str, key2: &str) -> Result<Client, Box<dyn std::error::Error>> {
    let endpoint = std::env::var("ZALOPAY_ENDPOINT").unwrap_or_else(|_| "sandbox".to_owned());
    let environment = Environment::parse(&endpoint)?;
    Ok(Client::new(Config::new(
        app_id,
        Keys::new(key1, key2)?,
        environment,
    ))?)
}

/// Prints the prepared request, or sends it when `--send` was given.
async fn run<R>(client: &Client, request: &R) -> Result<(), Box<dyn std::error::Error>>
where
    R: Endpoint,
    R::Response: GatewayResponse + std::fmt::Debug,
{
    if std::env::args().any(|a| a == "--send") {
        match client.send(request).await {
            Ok(response) => println!("{response:#?}"),
            Err(error) => println!("error: {error}"),
        }
    } else {
        let prepared = client.prepare(request)?;
        println!("{} {}", prepared.method.as_str(), prepared.url);
        if let Some(content_type) = prepared.content_type {
            println!("content-type: {content_type}");
        }
        println!("{}\n", String::from_utf8_lossy(&prepared.body));
    }
    Ok(())
}
