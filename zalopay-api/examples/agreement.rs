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
use support::{client, run};
use zalopay_api::ids::{AppTransId, PayToken, ZpTransToken};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    use zalopay_api::agreement::{AgreementBalance, AgreementBind, AgreementPay, AgreementQuery};
    use zalopay_api::order::CreateOrder;
    let client = client(
        2554,
        "sdngKKJmqEMzvh5QQcdD2A9XBSKUNaYn",
        "trMrHtvjo6myautxDUiAcYsVtaeQ8nhf",
    )?;
    let app_trans_id = AppTransId::random()?;
    let pay_token = PayToken::try_from(
        std::env::var("PAY_TOKEN")
            .unwrap_or_else(|_| "NJLHNTRLZDETZGQYZI0ZNTBKLTGWZJKTMTKXYJHLMWI5NTFI".to_owned()),
    )?;
    run(
        &client,
        &AgreementBind::builder()
            .app_trans_id(&app_trans_id)
            .identifier("demo-user")
            .build(),
    )
    .await?;
    run(
        &client,
        &AgreementQuery::builder()
            .app_trans_id(&app_trans_id)
            .build(),
    )
    .await?;
    run(
        &client,
        &AgreementBalance::builder()
            .identifier("demo-user")
            .pay_token(&pay_token)
            .amount(50_000)
            .build(),
    )
    .await?;
    // Agreement pay charges an order created for it: `product_code=AGREEMENT` (sent, not
    // signed); its answer's `zp_trans_token` is what `AgreementPay` takes.
    let order_id = AppTransId::random()?;
    run(
        &client,
        &CreateOrder::builder()
            .app_trans_id(&order_id)
            .app_user("demo-user")
            .amount(50_000)
            .description("Demo - subscription renewal")
            .build()
            .for_agreement_pay(),
    )
    .await?;
    run(
        &client,
        &AgreementPay::builder()
            .identifier("demo-user")
            .zp_trans_token(ZpTransToken::try_from("ACdrmzS_TGxHZyafUiHs3OjQ")?)
            .pay_token(&pay_token)
            .build(),
    )
    .await
}
