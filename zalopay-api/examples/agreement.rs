//! Wallet binding and token payment (app 2554, the tokenization sample app).
//!
//! Prints the signed request; pass `--send` to send it. `ZALOPAY_ENDPOINT` selects
//! `sandbox` (default), `production` or a base URL such as `http://127.0.0.1:8090`.
//!
//! ```sh
//! cargo run -p zalopay-api --example agreement -- [--send]
//! ```

#[allow(dead_code)] // not every example uses every helper
mod support;
use support::{client, now_ms, run};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    use zalopay_api::agreement::{AgreementBalance, AgreementBind, AgreementPay, AgreementQuery};
    use zalopay_api::order::CreateOrder;
    let client = client(
        2554,
        "sdngKKJmqEMzvh5QQcdD2A9XBSKUNaYn",
        "trMrHtvjo6myautxDUiAcYsVtaeQ8nhf",
    )?;
    let app_trans_id = zalopay_api::ids::AppTransId::random()?.into_string();
    let pay_token = std::env::var("PAY_TOKEN")
        .unwrap_or_else(|_| "NJLHNTRLZDETZGQYZI0ZNTBKLTGWZJKTMTKXYJHLMWI5NTFI".to_owned());
    run(
        &client,
        &AgreementBind::new(2554, &app_trans_id, "demo-user", now_ms()),
    )
    .await?;
    run(&client, &AgreementQuery::new(2554, &app_trans_id, now_ms())).await?;
    run(
        &client,
        &AgreementBalance::new(2554, "demo-user", &pay_token, 50_000, now_ms()),
    )
    .await?;
    // Agreement pay charges an order created for it: `product_code=AGREEMENT` (sent, not
    // signed); its answer's `zp_trans_token` is what `AgreementPay` takes.
    let order_id = zalopay_api::ids::AppTransId::random()?.into_string();
    run(
        &client,
        &CreateOrder::new(
            2554,
            &order_id,
            "demo-user",
            50_000,
            now_ms(),
            "Demo - subscription renewal",
        )
        .for_agreement_pay(),
    )
    .await?;
    run(
        &client,
        &AgreementPay::new(
            2554,
            "demo-user",
            "ACdrmzS_TGxHZyafUiHs3OjQ",
            &pay_token,
            now_ms(),
        ),
    )
    .await
}
