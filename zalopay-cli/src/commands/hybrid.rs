//! `zalopay hybrid`.

use zalopay_api::hybrid;

use super::context::ctx;
use super::input::{app_trans_id, id_arg, json_arg, now_ms, order_money};
use super::output::print_json;
use crate::CliError;
use crate::args::{GlobalArgs, HybridCommand};

pub(super) async fn run_hybrid(
    global: &GlobalArgs,
    command: HybridCommand,
) -> Result<(), CliError> {
    let ctx = ctx(global)?;
    let HybridCommand::Pay {
        order: fields,
        identifier,
        pay_token,
        description,
    } = command;
    let (id, given) = app_trans_id(fields.app_trans_id)?;
    let money = order_money("hybrid pay", &id, given);
    let request = hybrid::HybridPay {
        app_id: Some(ctx.app_id),
        identifier,
        pay_token: id_arg("pay-token", pay_token)?,
        app_user: fields.app_user,
        app_trans_id: id.clone(),
        app_time: Some(now_ms()),
        amount: fields.amount,
        description,
        item: json_arg("item", &fields.item)?,
        embed_data: json_arg("embed-data", &fields.embed_data)?,
    };
    let prepared = money.prepare(&ctx.client, &request);
    let value = money
        .send::<hybrid::HybridPayResponse>(&ctx.client, prepared)
        .await?;
    print_json(&value)
}
