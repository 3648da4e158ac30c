//! `zalopay tracker orders|events --db URL`: what a zalopay-tracker database holds, one line
//! per row, for operators (the demo shop keeps one under `--data-dir`).

use zalopay_tracker::{SqlStore, Store, TrackedOrder, describe};

use crate::CliError;
use crate::args::TrackerCommand;

/// Runs `zalopay tracker …`.
pub async fn run(command: TrackerCommand) -> Result<(), CliError> {
    match command {
        TrackerCommand::Orders { db, limit } => {
            let store = SqlStore::connect(&db).await?;
            print!("{}", orders_table(&store.orders(limit).await?));
        }
        TrackerCommand::Events { db, order, limit } => {
            let store = SqlStore::connect(&db).await?;
            for event in store.events(order.as_deref(), limit).await? {
                println!(
                    "{:>6}  {:<10}  {}  {}",
                    event.id,
                    format!("{:?}", event.status).to_lowercase(),
                    event.idempotency_key,
                    describe(&event.outcome)
                );
            }
        }
    }
    Ok(())
}

/// One line per order: id, state, amount, paid amount and zp_trans_id, how it was confirmed,
/// polls, next query.
pub fn orders_table(orders: &[TrackedOrder]) -> String {
    let mut out = format!(
        "{:<32}  {:<9}  {:>10}  {:>10}  {:>14}  {:<8}  {:>5}  {}\n",
        "app_trans_id", "state", "amount", "paid", "zp_trans_id", "by", "polls", "next_poll_at"
    );
    let dash = || "-".to_owned();
    for order in orders {
        out.push_str(&format!(
            "{:<32}  {:<9}  {:>10}  {:>10}  {:>14}  {:<8}  {:>5}  {}\n",
            order.app_trans_id,
            order.state,
            order.amount,
            order.paid_amount.map_or_else(dash, |v| v.to_string()),
            order.zp_trans_id.map_or_else(dash, |v| v.to_string()),
            order
                .confirmed_by
                .map_or_else(dash, |s| format!("{s:?}").to_lowercase()),
            order.polls,
            order.next_poll_at.map_or_else(dash, |v| v.to_string()),
        ));
    }
    out
}
