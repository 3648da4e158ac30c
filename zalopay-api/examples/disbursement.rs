//! Disbursement: balance, wallet lookup, RSA-signed top-up, top-up query (app 15555).
//! Needs the `rsa` feature; the private key comes from `ZALOPAY_RSA_KEY` (PKCS#8 base64 DER).
//!
//! Prints the signed request; pass `--send` to send it. `ZALOPAY_ENDPOINT` selects
//! `sandbox` (default), `production` or a base URL such as `http://127.0.0.1:8090`.
//!
//! ```sh
//! cargo run -p zalopay-api --example disbursement --features rsa -- [--send]
//! ```

#[allow(dead_code)] // not every example uses every helper
mod support;
use support::run;
use zalopay_api::ids::PartnerOrderId;
use zalopay_api::{Client, Config, Environment, Keys};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    use zalopay_api::disbursement::{
        DisbursementBalance, DisbursementTopup, DisbursementTxn, DisbursementUser,
    };
    let endpoint = std::env::var("ZALOPAY_ENDPOINT").unwrap_or_else(|_| "sandbox".to_owned());
    let keys = Keys::new("2uFWRt7qFGdUNjwBQb4DtEia3QOHJmoO", "unused-key2")?;
    let mut config = Config::new(15555, keys, Environment::parse(&endpoint)?);
    // The public 512-bit test key of the official samples, unless ZALOPAY_RSA_KEY is set.
    let rsa_key = std::env::var("ZALOPAY_RSA_KEY").unwrap_or_else(|_| TEST_RSA_KEY.to_owned());
    config = config.with_rsa_key(zalopay_api::rsa::MerchantRsaKey::from_pkcs8_base64(
        &rsa_key,
    )?);
    let client = Client::new(config)?;
    let order_id = PartnerOrderId::random()?; // yyMMdd_… in Vietnam time
    run(
        &client,
        &DisbursementBalance::builder().payment_id("CASHIN").build(),
    )
    .await?;
    run(
        &client,
        &DisbursementUser::builder().phone("0904123456").build(),
    )
    .await?;
    run(
        &client,
        &DisbursementTopup::builder()
            .payment_id("CASHIN")
            .partner_order_id(&order_id)
            .m_u_id("m_u_id-from-user-lookup")
            .amount(1_000)
            .description("Topup")
            .build(),
    )
    .await?;
    run(
        &client,
        &DisbursementTxn::builder()
            .partner_order_id(&order_id)
            .build(),
    )
    .await
}

const TEST_RSA_KEY: &str = "MIIBVQIBADANBgkqhkiG9w0BAQEFAASCAT8wggE7AgEAAkEAuhr9fssauZOaef4HCEJ4OAJQ6g8yO8de5KwB1LM/fIlRZGsnD0VO+YBGrdttnKsieErQPujmyV7Tnw19yLVGGwIDAQABAkEAgpPzbyZUrwbIqXW6O2pf7XR6j29wII9nnmytsC7AicCd2uGAd+yHKEOQGEHBN+rm/IZ8F5WWT2OpnOTY3DZTgQIhAPyzS24ahh0ogYuDy4VXsiLscEAngrAvZA5qpWWPFV9BAiEAvIkWcJzM9kaJ2YjoNcGvO3ydDsepNeC79dfIA7tL6lsCIELaRChayARKxQrd0SfzrWLj3kZ6rW5i+zt9J0iY8/SBAiEAsw53c2hX+KWxkhpGf5d9dz+4YisZ94OCv8+5tGGTjfUCIEs9pi1DsVZBi0HNibXIpVBO4KERvHBJ92bAbPeplIb2";
