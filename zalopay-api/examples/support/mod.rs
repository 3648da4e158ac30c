//! Helpers shared by the examples (not an example itself).

use zalopay_api::clock::{Clock, SystemClock};
use zalopay_api::{Client, Config, Endpoint, Environment, GatewayResponse, Keys};

/// Now, Unix milliseconds.
pub fn now_ms() -> i64 {
    SystemClock.now_ms()
}

/// A client for `ZALOPAY_ENDPOINT` (`sandbox` when unset, or a base URL such as the emulator's).
pub fn client(app_id: i64, key1: &str, key2: &str) -> Result<Client, Box<dyn std::error::Error>> {
    let endpoint = std::env::var("ZALOPAY_ENDPOINT").unwrap_or_else(|_| "sandbox".to_owned());
    let environment = Environment::parse(&endpoint)?;
    Ok(Client::new(Config::new(
        app_id,
        Keys::new(key1, key2)?,
        environment,
    ))?)
}

/// Prints the prepared request, or sends it when `--send` was given.
pub async fn run<R>(client: &Client, request: &R) -> Result<(), Box<dyn std::error::Error>>
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
