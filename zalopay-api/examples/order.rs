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
use support::{client, run};
use zalopay_api::ids::AppTransId;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    use zalopay_api::order::{CancelOrder, CreateOrder, QueryOrder};
    let client = client(
        2553,
        "PcY4iZIKFCIdgZvA6ueMcMHHUbRLYjPL",
        "kLtgPl8HHhfvMuDHPwKfgfsY4Ydm9eIz",
    )?;
    let app_trans_id = AppTransId::random()?;
    let mut order = CreateOrder::builder()
        .app_trans_id(&app_trans_id)
        .app_user("user123")
        .amount(50_000)
        .description("Demo - Payment for the order")
        .build();
    order.bank_code = Some("zalopayapp".to_owned());
    run(&client, &order).await?;
    run(
        &client,
        &QueryOrder::builder().app_trans_id(&app_trans_id).build(),
    )
    .await?;
    run(
        &client,
        &CancelOrder::builder().app_trans_id(&app_trans_id).build(),
    )
    .await
}
