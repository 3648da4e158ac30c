//! Create, query and cancel an order (app 2553, the public sandbox demo app).
//!
//! Prints the signed request; pass `--send` to send it. `ZALOPAY_ENDPOINT` selects
//! `sandbox` (default), `production` or a base URL such as `http://127.0.0.1:8090`.
//!
//! ```sh
//! cargo run -p zalopay-api --example order -- [--send]
//! ```

#[allow(dead_code)] // not every example uses every helper
mod support;
use support::{client, now_ms, run};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    use zalopay_api::order::{CancelOrder, CreateOrder, QueryOrder};
    let client = client(
        2553,
        "PcY4iZIKFCIdgZvA6ueMcMHHUbRLYjPL",
        "kLtgPl8HHhfvMuDHPwKfgfsY4Ydm9eIz",
    )?;
    let app_trans_id = zalopay_api::ids::AppTransId::random()?.into_string();
    let mut order = CreateOrder::new(
        2553,
        &app_trans_id,
        "user123",
        50_000,
        now_ms(),
        "Demo - Payment for the order",
    );
    order.bank_code = Some("zalopayapp".to_owned());
    run(&client, &order).await?;
    run(&client, &QueryOrder::new(2553, &app_trans_id)).await?;
    run(&client, &CancelOrder::new(2553, &app_trans_id)).await
}
