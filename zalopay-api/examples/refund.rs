//! Refund a paid transaction and query the refund (app 2553).
//!
//! Prints the signed request; pass `--send` to send it. `ZALOPAY_ENDPOINT` selects
//! `sandbox` (default), `production` or a base URL such as `http://127.0.0.1:8090`.
//!
//! ```sh
//! cargo run -p zalopay-api --example refund -- [--send]
//! ```

use std::time::{SystemTime, UNIX_EPOCH};

use zalopay_api::{Client, Config, Endpoint, Environment, GatewayResponse, Keys};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    use zalopay_api::refund::{QueryRefund, RefundOrder};
    let client = client(
        2553,
        "PcY4iZIKFCIdgZvA6ueMcMHHUbRLYjPL",
        "kLtgPl8HHhfvMuDHPwKfgfsY4Ydm9eIz",
    )?;
    let zp_trans_id: i64 = std::env::var("ZP_TRANS_ID")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(240_913_000_002_388);
    let m_refund_id = format!("{}_2553_{}", vn_date(), now_ms());
    run(
        &client,
        &RefundOrder::new(
            2553,
            &m_refund_id,
            zp_trans_id,
            1_000,
            now_ms(),
            "Demo refund",
        ),
    )
    .await?;
    run(&client, &QueryRefund::new(2553, &m_refund_id, now_ms())).await
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
