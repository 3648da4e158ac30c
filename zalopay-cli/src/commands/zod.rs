//! `zalopay zod`: ZaloPay on delivery.

use serde_json::Value;
use zalopay_api::zod;
use zalopay_api::zod::ZodReceiver;

use super::context::ctx;
use super::input::json_arg;
use super::output::{call, print_json};
use crate::CliError;
use crate::args::{GlobalArgs, ZodCommand};
use crate::money::MoneyRequest;

pub(super) async fn run_zod(global: &GlobalArgs, command: ZodCommand) -> Result<(), CliError> {
    let ctx = ctx(global)?;
    let value = match command {
        ZodCommand::Create {
            mc_ref_id,
            amount,
            receiver,
            order_info,
            mc_ext_info,
            hub_id,
            driver_id,
        } => {
            let parcels = match order_info {
                Some(text) => parse_parcels(&text)?,
                None => vec![zod::ZodOrderInfo {
                    tracking_number: mc_ref_id.clone(),
                    description: format!("Order {mc_ref_id}"),
                    amount,
                }],
            };
            let mut request = zod::ZodCreateInvoice::builder()
                .mc_ref_id(mc_ref_id)
                .amount(amount)
                .receiver(ZodReceiver { contact: receiver })
                .order_info(parcels)
                .build();
            request.mc_ext_info = json_arg("mc-ext-info", &mc_ext_info)?;
            request.hub_id = hub_id;
            request.driver_id = driver_id;
            let id = request.mc_ref_id.clone();
            let money = MoneyRequest::new(
                "zod create",
                "mc_ref_id",
                "mc-ref-id",
                &id,
                true,
                &["zod", "status", &id],
            );
            let prepared = money.prepare(&ctx.client, &request);
            money
                .send::<zod::ZodInvoiceResponse>(&ctx.client, prepared)
                .await?
        }
        ZodCommand::Invoice { mc_ref_id } => {
            call(
                &ctx.client,
                &zod::ZodQueryInvoice::builder().mc_ref_id(mc_ref_id).build(),
            )
            .await?
        }
        ZodCommand::Status { mc_ref_id } => {
            call(
                &ctx.client,
                &zod::ZodQueryStatus::builder().mc_ref_id(mc_ref_id).build(),
            )
            .await?
        }
    };
    print_json(&value)
}

fn parse_parcels(text: &str) -> Result<Vec<zod::ZodOrderInfo>, CliError> {
    let bad = |why: &str| CliError::new(format!("--order-info: {why}"));
    let value: Value = serde_json::from_str(text).map_err(|e| bad(&e.to_string()))?;
    let Value::Array(items) = value else {
        return Err(bad("expected a JSON array"));
    };
    items
        .iter()
        .map(|item| {
            let text = |name: &str| {
                item.get(name)
                    .and_then(Value::as_str)
                    .map(str::to_owned)
                    .ok_or_else(|| bad(&format!("each parcel needs a string `{name}`")))
            };
            Ok(zod::ZodOrderInfo {
                tracking_number: text("trackingNumber")?,
                description: text("description")?,
                amount: item
                    .get("amount")
                    .and_then(Value::as_i64)
                    .ok_or_else(|| bad("each parcel needs an integer `amount`"))?,
            })
        })
        .collect()
}
