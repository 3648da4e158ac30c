//! `zalopay disbursement`: paying out to a user's wallet.

use zalopay_api::ids::PartnerOrderId;
use zalopay_api::{Client, Endpoint, disbursement};

use super::context::ctx;
use super::input::{id_arg, json_arg};
use super::output::{call, print_json, print_verdict, query};
use crate::CliError;
use crate::args::{DisbursementCommand, GlobalArgs};
use crate::money::MoneyRequest;
use crate::verdict::Verdict;

pub(super) async fn run_disbursement(
    global: &GlobalArgs,
    command: DisbursementCommand,
) -> Result<(), CliError> {
    let ctx = ctx(global)?;
    let value = match command {
        DisbursementCommand::Balance { payment_id } => {
            let request = disbursement::DisbursementBalance::builder()
                .payment_id(payment_id)
                .build();
            call(&ctx.client, &request).await?
        }
        DisbursementCommand::User { phone } => {
            let request = disbursement::DisbursementUser::builder()
                .phone(phone)
                .build();
            call(&ctx.client, &request).await?
        }
        DisbursementCommand::Topup {
            payment_id,
            partner_order_id,
            m_u_id,
            amount,
            description,
            partner_embed_data,
            extra_info,
            reference_id,
            emulator_sig,
        } => {
            let (id, given) = match partner_order_id {
                Some(id) => (id_arg::<PartnerOrderId>("partner-order-id", id)?, true),
                None => (PartnerOrderId::random()?, false),
            };
            let money = MoneyRequest::new(
                "disbursement topup",
                "partner_order_id",
                "partner-order-id",
                id.as_str(),
                given,
                &["disbursement", "txn", "--partner-order-id", id.as_str()],
            );
            let mut request = disbursement::DisbursementTopup::builder()
                .payment_id(payment_id)
                .partner_order_id(&id)
                .m_u_id(m_u_id)
                .amount(amount)
                .description(description)
                .build();
            request.partner_embed_data = json_arg("partner-embed-data", &partner_embed_data)?;
            request.extra_info = json_arg("extra-info", &extra_info)?;
            request.reference_id = reference_id;
            let prepared = if emulator_sig {
                prepare_with_hmac_sig(&ctx.client, &request)
            } else {
                if global.rsa_key.is_none() {
                    return Err(CliError::new(
                        "disbursement topup is RSA-signed: set --rsa-key or ZALOPAY_RSA_KEY \
                         (or --emulator-sig against a local emulator app without an RSA \
                         public key)",
                    ));
                }
                money.prepare(&ctx.client, &request)
            };
            money
                .send::<disbursement::DisbursementTopupResponse>(&ctx.client, prepared)
                .await?
        }
        DisbursementCommand::Txn {
            partner_order_id,
            verdict,
        } => {
            let id = id_arg::<PartnerOrderId>("partner-order-id", partner_order_id)?;
            let request = disbursement::DisbursementTxn::builder()
                .partner_order_id(&id)
                .build();
            if verdict {
                let (answer, value) = query(&ctx.client, &request).await?;
                return print_verdict(
                    value,
                    Verdict::of_disbursement(&answer.status()),
                    &format!("top-up {id}"),
                );
            }
            call(&ctx.client, &request).await?
        }
    };
    print_json(&value)
}

/// Prepares an RSA-signed request with the bare hex HMAC as its signature, as the emulator
/// expects for an app it has no RSA public key for.
fn prepare_with_hmac_sig<R>(
    client: &Client,
    request: &R,
) -> Result<zalopay_api::PreparedRequest, zalopay_api::Error>
where
    R: Endpoint + Clone,
{
    // The client's app id and time, as `Client::prepare` would fill them.
    let request = &client.fill(request)?;
    let mac = request.mac(&client.config().keys);
    let signed = zalopay_api::Signed {
        request,
        signature: mac.as_str(),
    };
    let url = format!(
        "{}{}",
        client.config().environment.base_url(R::HOST),
        R::PATH
    );
    Ok(zalopay_api::PreparedRequest {
        method: R::METHOD,
        url,
        content_type: Some("application/json"),
        body: serde_json::to_vec(&signed).map_err(|e| zalopay_api::Error::Encode(e.to_string()))?,
    })
}
