//! `zalopay quickpay`: paying with the user's payment code.

use zalopay_api::quickpay;

use super::context::ctx;
use super::input::{app_trans_id, json_arg, order_money};
use super::output::print_json;
use crate::CliError;
use crate::args::{GlobalArgs, OrderFields, QuickpayArgs};

pub(super) async fn run_quickpay(global: &GlobalArgs, args: QuickpayArgs) -> Result<(), CliError> {
    let ctx = ctx(global)?;
    let QuickpayArgs {
        order:
            OrderFields {
                amount,
                app_user,
                item,
                embed_data,
                app_trans_id: given,
            },
        payment_code,
        description,
        callback_url,
    } = args;
    let (id, given) = app_trans_id(given)?;
    let money = order_money("quickpay", &id, given);
    let payment_code = quickpay::PaymentCode::new(payment_code)
        .map_err(|e| CliError::new(format!("--payment-code: {e}")))?;
    let mut request = quickpay::QuickPay::builder()
        .app_trans_id(&id)
        .app_user(app_user)
        .amount(amount)
        .payment_code_raw(payment_code)
        .item(json_arg("item", &item)?)
        .embed_data(json_arg("embed-data", &embed_data)?)
        .build();
    request.description = description;
    request.callback_url = callback_url;
    let prepared = money.prepare(&ctx.client, &request);
    let value = money
        .send::<quickpay::QuickPayResponse>(&ctx.client, prepared)
        .await?;
    print_json(&value)
}
