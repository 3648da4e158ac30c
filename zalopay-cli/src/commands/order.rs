//! `zalopay order`: create, query (and wait for), cancel.

use std::io::IsTerminal as _;
use std::time::Duration;

use serde_json::json;
use zalopay_api::ids::AppTransId;
use zalopay_api::poll::{PollConfig, PollOutcome, Poller};
use zalopay_api::{client, order};

use super::context::{Ctx, ctx};
use super::input::{app_trans_id, id_arg, json_arg, now_ms, order_money};
use super::output::{call, print_json, print_verdict, query, with_field};
use crate::CliError;
use crate::args::{GlobalArgs, OrderCommand};
use crate::error::EXIT_INTERRUPTED;
use crate::verdict::Verdict;

pub(super) async fn run_order(global: &GlobalArgs, command: OrderCommand) -> Result<(), CliError> {
    let ctx = ctx(global)?;
    match command {
        OrderCommand::Create {
            order: fields,
            description,
            bank_code,
            callback_url,
            expire_duration_seconds,
            product_code,
        } => {
            let (id, given) = app_trans_id(fields.app_trans_id)?;
            let money = order_money("order create", &id, given);
            let mut request = order::CreateOrder::builder()
                .app_trans_id(&id)
                .app_user(fields.app_user)
                .amount(fields.amount)
                .description(description)
                .build();
            request.item = json_arg("item", &fields.item)?;
            request.embed_data = json_arg("embed-data", &fields.embed_data)?;
            request.bank_code = bank_code;
            request.callback_url = callback_url;
            request.expire_duration_seconds = expire_duration_seconds;
            request.product_code = product_code;
            let prepared = money.prepare(&ctx.client, &request);
            let value = money
                .send::<order::CreateOrderResponse>(&ctx.client, prepared)
                .await?;
            print_json(&value)
        }
        OrderCommand::Query {
            app_trans_id,
            wait,
            verdict,
            interval,
            timeout,
        } => {
            let id: AppTransId = id_arg("app-trans-id", app_trans_id)?;
            if wait {
                wait_for_order(&ctx, &id, interval, timeout).await
            } else if verdict {
                let request = order::QueryOrder::builder().app_trans_id(&id).build();
                let (answer, value) = query(&ctx.client, &request).await?;
                print_verdict(
                    value,
                    Verdict::of_order(&answer.status()),
                    &format!("order {id}"),
                )
            } else {
                let request = order::QueryOrder::builder().app_trans_id(id).build();
                print_json(&call(&ctx.client, &request).await?)
            }
        }
        OrderCommand::Cancel { app_trans_id } => {
            let request = order::CancelOrder::builder()
                .app_trans_id(id_arg::<AppTransId>("app-trans-id", app_trans_id)?)
                .build();
            print_json(&call(&ctx.client, &request).await?)
        }
    }
}

/// `order query --wait`: the SDK's poller, querying every `interval` seconds until paid or
/// expired, `timeout` seconds have passed (the query then decides a failure seen before, D-101),
/// or Ctrl-C; prints the last answer (on Ctrl-C with `"interrupted": true`, exiting with
/// [`EXIT_INTERRUPTED`]).
async fn wait_for_order(
    ctx: &Ctx,
    app_trans_id: &AppTransId,
    interval: u64,
    timeout: u64,
) -> Result<(), CliError> {
    let request = order::QueryOrder::builder()
        .app_trans_id(app_trans_id)
        .build();
    let prepared = ctx.client.prepare(&request)?;
    let last = std::cell::RefCell::new(None::<Vec<u8>>);
    let progress = std::io::stderr().is_terminal();
    let spinner = ['|', '/', '-', '\\'];
    let tick = std::cell::Cell::new(0usize);
    let config = PollConfig {
        interval: Duration::from_secs(interval.max(1)),
        lifetime: Duration::from_secs(timeout),
        grace: Duration::ZERO,
    };
    let outcome = Poller::new(config)
        .poll(
            now_ms(),
            || {
                let n = tick.get();
                tick.set(n + 1);
                if progress {
                    eprint!(
                        "\r{} waiting for {app_trans_id} to be paid (query {})",
                        spinner[n % spinner.len()],
                        n + 1
                    );
                }
                let prepared = &prepared;
                let last = &last;
                async move {
                    let body = ctx.client.execute(prepared).await?;
                    let typed = client::decode::<order::QueryOrderResponse>(&prepared.url, &body)?;
                    *last.borrow_mut() = Some(body);
                    Ok(typed)
                }
            },
            interrupted(),
        )
        .await;
    if progress {
        eprintln!();
    }
    let outcome = outcome?;
    let body = last.borrow_mut().take();
    if let PollOutcome::Cancelled = outcome {
        // Ctrl-C: the last answer (if any came) says where the order stood.
        let value = match body {
            Some(body) => serde_json::from_slice(&body)?,
            None => json!({ "app_trans_id": app_trans_id }),
        };
        print_json(&with_field(value, "interrupted", true))?;
        return Err(
            CliError::new(format!("interrupted while waiting for {app_trans_id}"))
                .with_exit_code(EXIT_INTERRUPTED),
        );
    }
    // Only a paid order exits 0 (`order query ID --wait && ship`); each other end has its
    // own exit code (README, `--help`).
    let verdict = Verdict::of_poll(&outcome);
    if let Some(body) = body {
        let value = serde_json::from_slice(&body)?;
        print_json(&with_field(value, "verdict", verdict.as_str()))?;
    }
    let message = match outcome {
        PollOutcome::Paid { .. } => return Ok(()),
        PollOutcome::NotFound {
            sub_return_code, ..
        } => format!(
            "order {app_trans_id} not found ({sub_return_code}) after {timeout} s: not a failure; query the same id again later, do not create it under a new id"
        ),
        PollOutcome::StillProcessing { last_error, .. } => match last_error {
            Some(error) => format!("gave up after {timeout} s; last query failed: {error}"),
            None => format!("order {app_trans_id} still not paid after {timeout} s"),
        },
        _ => format!("order {app_trans_id} {}", verdict.explain()),
    };
    Err(CliError::new(message).with_exit_code(verdict.exit_code()))
}

/// Completes on Ctrl-C (SIGINT); never if the handler cannot be installed.
async fn interrupted() {
    if tokio::signal::ctrl_c().await.is_err() {
        std::future::pending::<()>().await;
    }
}
