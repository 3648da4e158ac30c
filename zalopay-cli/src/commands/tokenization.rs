//! `zalopay tokenization`.

use zalopay_api::ids::AppTransId;
use zalopay_api::tokenization;

use super::context::ctx;
use super::input::{app_trans_id, id_arg, json_arg};
use super::output::{call, print_json};
use crate::CliError;
use crate::args::{Device, GlobalArgs, TokenMode, TokenType, TokenizationCommand};
use crate::money::MoneyRequest;

pub(super) async fn run_tokenization(
    global: &GlobalArgs,
    command: TokenizationCommand,
) -> Result<(), CliError> {
    let ctx = ctx(global)?;
    let value = match command {
        TokenizationCommand::Bind {
            identifier,
            app_trans_id: given,
            binding_type,
            binding_mode,
            device_type,
            binding_data,
            payment_data,
        } => {
            let (id, given) = app_trans_id(given)?;
            let money = MoneyRequest::new(
                "tokenization bind",
                "app_trans_id",
                "app-trans-id",
                id.as_str(),
                given,
                &["tokenization", "query", id.as_str()],
            );
            let mut request = tokenization::TokenizationBind::builder()
                .app_trans_id(&id)
                .identifier(identifier)
                .binding_type(match binding_type {
                    TokenType::Wallet => tokenization::TokenBindingType::Wallet,
                    TokenType::Card => tokenization::TokenBindingType::Card,
                })
                .binding_mode(match binding_mode {
                    TokenMode::Bind => tokenization::BindingMode::Bind,
                    TokenMode::BindAndPay => tokenization::BindingMode::BindAndPay,
                })
                .device_type(match device_type {
                    Device::Mobile => tokenization::DeviceType::Mobile,
                    Device::Desktop => tokenization::DeviceType::Desktop,
                })
                .build();
            request.binding_data = json_arg("binding-data", &binding_data)?;
            request.payment_data = json_arg("payment-data", &payment_data)?;
            let prepared = money.prepare(&ctx.client, &request);
            money
                .send::<tokenization::TokenizationBindResponse>(&ctx.client, prepared)
                .await?
        }
        TokenizationCommand::Query { app_trans_id } => {
            let request = tokenization::TokenizationQuery::builder()
                .app_trans_id(id_arg::<AppTransId>("app-trans-id", app_trans_id)?)
                .build();
            call(&ctx.client, &request).await?
        }
    };
    print_json(&value)
}
