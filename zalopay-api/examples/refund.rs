//! Refund a paid transaction and query the refund (app 2553).
//!
//! Prints the signed request; pass `--send` to send it. `ZALOPAY_ENDPOINT` selects
//! `sandbox` (default), `production` or a base URL such as `http://127.0.0.1:8090`.
//!
//! ```sh
//! cargo run -p zalopay-api --example refund -- [--send]
//! ```

#[allow(dead_code)] // not every example uses every helper
mod support;
use support::{client, run};
use zalopay_api::ids::MRefundId;

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
    let m_refund_id = MRefundId::random(2553)?;
    run(
        &client,
        &RefundOrder::builder()
            .m_refund_id(&m_refund_id)
            .zp_trans_id(zp_trans_id)
            .amount(1_000)
            .description("Demo refund")
            .build(),
    )
    .await?;
    run(
        &client,
        &QueryRefund::builder().m_refund_id(&m_refund_id).build(),
    )
    .await
}
