//! `zalopay agreement`: binding, paying by token, unbinding.

use zalopay_api::agreement;
use zalopay_api::ids::{AppTransId, BindingId, PayToken, ZpTransToken};

use super::context::ctx;
use super::input::{app_trans_id, id_arg, json_arg};
use super::output::{call, print_json};
use crate::CliError;
use crate::args::{AgreementCommand, GlobalArgs};
use crate::money::MoneyRequest;

pub(super) async fn run_agreement(
    global: &GlobalArgs,
    command: AgreementCommand,
) -> Result<(), CliError> {
    let ctx = ctx(global)?;
    let value = match command {
        AgreementCommand::Bind {
            identifier,
            app_trans_id: given,
            max_amount,
            binding_type,
            binding_data,
            redirect_url,
            redirect_deep_link,
            callback_url,
        } => {
            let (id, given) = app_trans_id(given)?;
            let money = MoneyRequest::new(
                "agreement bind",
                "app_trans_id",
                "app-trans-id",
                id.as_str(),
                given,
                &["agreement", "query", id.as_str()],
            );
            let mut request = agreement::AgreementBind::builder()
                .app_trans_id(&id)
                .identifier(identifier)
                .build();
            request.max_amount = Some(max_amount);
            request.binding_type = Some(binding_type);
            request.binding_data = Some(json_arg("binding-data", &binding_data)?);
            request.redirect_url = redirect_url;
            request.redirect_deep_link = redirect_deep_link;
            request.callback_url = callback_url;
            let prepared = money.prepare(&ctx.client, &request);
            money
                .send::<agreement::AgreementBindResponse>(&ctx.client, prepared)
                .await?
        }
        AgreementCommand::Query { app_trans_id } => {
            let request = agreement::AgreementQuery::builder()
                .app_trans_id(id_arg::<AppTransId>("app-trans-id", app_trans_id)?)
                .build();
            call(&ctx.client, &request).await?
        }
        AgreementCommand::Unbind {
            identifier,
            binding_id,
        } => {
            let request = agreement::AgreementUnbind::builder()
                .identifier(identifier)
                .binding_id(id_arg::<BindingId>("binding-id", binding_id)?)
                .build();
            call(&ctx.client, &request).await?
        }
        AgreementCommand::Balance {
            identifier,
            pay_token,
            amount,
        } => {
            let request = agreement::AgreementBalance::builder()
                .identifier(identifier)
                .pay_token(id_arg::<PayToken>("pay-token", pay_token)?)
                .amount(amount)
                .build();
            call(&ctx.client, &request).await?
        }
        AgreementCommand::Pay {
            identifier,
            zp_trans_token,
            pay_token,
        } => {
            let token = id_arg::<ZpTransToken>("zp-trans-token", zp_trans_token)?;
            // The order's token is the request's id: a re-send pays the same order, which
            // ZaloPay pays at most once.
            let money = MoneyRequest::new(
                "agreement pay",
                "zp_trans_token",
                "zp-trans-token",
                token.as_str(),
                true,
                &["order", "query", "<app_trans_id of the order>"],
            );
            let request = agreement::AgreementPay::builder()
                .identifier(identifier)
                .zp_trans_token(token)
                .pay_token(id_arg::<PayToken>("pay-token", pay_token)?)
                .build();
            let prepared = money.prepare(&ctx.client, &request);
            money
                .send::<agreement::AgreementPayResponse>(&ctx.client, prepared)
                .await?
        }
        AgreementCommand::QueryUser { access_token } => {
            let request = agreement::AgreementQueryUser::builder()
                .access_token(id_arg::<PayToken>("access-token", access_token)?)
                .build();
            call(&ctx.client, &request).await?
        }
    };
    print_json(&value)
}
