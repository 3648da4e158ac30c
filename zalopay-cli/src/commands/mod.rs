//! Running a parsed command line: one module per command family.

mod agreement;
mod context;
mod disbursement;
mod hybrid;
mod input;
mod local;
mod operation;
mod order;
mod output;
mod quickpay;
mod refund;
mod tokenization;
mod tracker;
mod verify;
mod zod;

use zalopay_api::banks;

use crate::CliError;
use crate::args::{CallbackCommand, Cli, Command, RedirectCommand};

pub use local::emulator_config;
pub use output::{call, print_json};

use context::ctx;

/// Runs a parsed command line.
pub async fn run(cli: Cli) -> Result<(), CliError> {
    let global = &cli.global;
    match cli.command {
        Command::Order(command) => order::run_order(global, command).await,
        Command::Refund(command) => refund::run_refund(global, command).await,
        Command::Banks => {
            let ctx = ctx(global)?;
            let value = call(&ctx.client, &banks::ListBanks::builder().build()).await?;
            print_json(&value)
        }
        Command::Callback(CallbackCommand::Verify) => verify::callback_verify(global),
        Command::Redirect(RedirectCommand::Verify { query_string }) => {
            verify::redirect_verify(global, &query_string)
        }
        Command::Sign(args) => operation::sign(global, &args),
        Command::Call(args) => operation::call_operation(global, &args).await,
        Command::Operations => operation::operations(),
        Command::Emulator(args) => local::emulator(&args).await,
        Command::Demo(args) => local::demo(args).await,
        Command::Tracker(command) => tracker::run(command).await,
        Command::Agreement(command) => agreement::run_agreement(global, command).await,
        Command::Tokenization(command) => tokenization::run_tokenization(global, command).await,
        Command::Hybrid(command) => hybrid::run_hybrid(global, command).await,
        Command::Disbursement(command) => disbursement::run_disbursement(global, command).await,
        Command::Zod(command) => zod::run_zod(global, command).await,
        Command::Quickpay(args) => quickpay::run_quickpay(global, args).await,
    }
}
