//! ZaloPay on Delivery: create an invoice and query it (app 553, ZOD sample app).
//!
//! Prints the signed request; pass `--send` to send it. `ZALOPAY_ENDPOINT` selects
//! `sandbox` (default), `production` or a base URL such as `http://127.0.0.1:8090`.
//!
//! ```sh
//! cargo run -p zalopay-api --example zod -- [--send]
//! ```

#[allow(dead_code)] // not every example uses every helper
mod support;
use support::{client, now_ms, run};
use zalopay_api::zod::ZodReceiver;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    use zalopay_api::zod::{ZodCreateInvoice, ZodOrderInfo, ZodQueryInvoice, ZodQueryStatus};
    let client = client(
        553,
        "9phuAOYhan4urywHTh0ndEXiV3pKHr5Q",
        "A53q3asfJ9qQMEVDUuruW86nIloLoAUq",
    )?;
    let mc_ref_id = format!("ZOD_{}", now_ms());
    let parcel = ZodOrderInfo {
        tracking_number: "TRACK_001".to_owned(),
        description: "Parcel".to_owned(),
        amount: 430_000,
    };
    run(
        &client,
        &ZodCreateInvoice::builder()
            .mc_ref_id(&mc_ref_id)
            .amount(430_000)
            .receiver(ZodReceiver {
                contact: "0904123456".into(),
            })
            .order_info(vec![parcel])
            .build(),
    )
    .await?;
    run(
        &client,
        &ZodQueryInvoice::builder().mc_ref_id(&mc_ref_id).build(),
    )
    .await?;
    run(
        &client,
        &ZodQueryStatus::builder().mc_ref_id(&mc_ref_id).build(),
    )
    .await
}
