//! The README's quick start, compiled: create an order, query it, verify a callback.
//!
//! `cargo run -p zalopay-api --example quickstart` prints the signed requests (sandbox demo
//! app 2553) and verifies ZaloPay's published sample callback. Add `--send` to send them, and
//! point `ZALOPAY_ENDPOINT` at a base URL (e.g. `zalopay emulator`'s http://127.0.0.1:8090) to
//! use another gateway.

use zalopay_api::ids::AppTransId;
use zalopay_api::order::{CreateOrder, QueryOrder};
use zalopay_api::{CallbackReply, Client, Config, Environment};

/// ZaloPay's published sample callback for app 2553 (api-facts §19.2 (1)).
const SAMPLE_CALLBACK: &str = r#"{"data":"{\"app_id\":2553,\"app_trans_id\":\"200904_2553_1598435687208\",\"app_time\":1599189392817,\"app_user\":\"demo\",\"amount\":10000,\"embed_data\":\"{\\\"merchantinfo\\\":\\\"embeddata123\\\",\\\"promotioninfo\\\":\\\"\\\"}\",\"item\":\"[{\\\"itemid\\\":\\\"knb\\\",\\\"itemname\\\":\\\"kim nguyen bao\\\",\\\"itemprice\\\":198400,\\\"itemquantity\\\":1}]\",\"zp_trans_id\":200904000000389,\"server_time\":1599189413498,\"channel\":38,\"merchant_user_id\":\"7ZMSl3nEg5sOUJzOLSoUFT8xKNQVaLOLXHB--8Eytqc\",\"user_fee_amount\":0,\"discount_amount\":0}","mac":"d8d33baf449b31d7f9b94fa50d7c942c08cd4d83f28fa185557da21acb104f67","type":1}"#;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut config = Config::sandbox_demo()?; // or Config::new(app_id, keys, environment)
    if let Ok(endpoint) = std::env::var("ZALOPAY_ENDPOINT") {
        config.environment = Environment::parse(&endpoint)?;
    }
    let client = Client::new(config)?;
    let id = AppTransId::random()?; // yyMMdd_… in Vietnam time
    // Named setters; app_id and app_time are left to the client (its Config and clock).
    let order = CreateOrder::builder()
        .app_trans_id(&id)
        .app_user("user123")
        .amount(50_000)
        .description("Shop - Payment for the order #123")
        .build();
    let query = QueryOrder::builder().app_trans_id(&id).build();

    if std::env::args().any(|a| a == "--send") {
        let created = client.send(&order).await?; // validated, signed, sent, decoded
        println!("pay here: {:?}", created.order_url);
        let status = client.send(&query).await?.status();
        println!("status: {status:?}");
    } else {
        for prepared in [client.prepare(&order)?, client.prepare(&query)?] {
            println!("{} {}", prepared.method.as_str(), prepared.url);
            println!("{}\n", String::from_utf8_lossy(&prepared.body));
        }
    }

    // A callback route: verify against key2 before trusting anything; answer in ZaloPay's shape.
    let raw_body = SAMPLE_CALLBACK.as_bytes();
    let reply = match zalopay_api::verify_callback(&client.config().keys, Some(2553), raw_body) {
        Ok(callback) => {
            println!("verified callback for {:?}", callback.app_trans_id());
            CallbackReply::success()
        }
        Err(error) => CallbackReply::for_error(&error),
    };
    println!("reply to ZaloPay: {}", serde_json::to_string(&reply)?);
    Ok(())
}
