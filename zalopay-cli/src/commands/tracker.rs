//! `zalopay tracker orders|events|backlog|migrate --db URL`: what a zalopay-tracker database
//! holds, one line per row, the work waiting in it, and its schema upgrade, for operators (the
//! demo shop keeps one under `--data-dir`).

use zalopay_api::clock::{Clock as _, SystemClock};
use zalopay_tracker::store::{Backlog, Stuck};
use zalopay_tracker::{Event, SqlStore, Store, TrackedOrder, TrackedRefund, describe};

use super::output::print_json;
use crate::CliError;
use crate::args::TrackerCommand;
use crate::error::EXIT_STUCK;

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
                println!("{}", event_line(&event));
            }
        }
        TrackerCommand::Backlog {
            db,
            max_lag,
            max_event_age,
            list,
            json,
        } => {
            // A report never changes the schema (D-144): an unmigrated database is an error.
            let store = SqlStore::connect_unmigrated(&db).await?;
            let now = SystemClock.now_ms();
            let backlog = store.backlog(now).await.map_err(|error| {
                CliError::new(format!(
                    "{error} (a database never migrated? `zalopay tracker migrate --db …`)"
                ))
            })?;
            // Which ones, by id: those later than a limit given (no query without one).
            let late = if max_lag.is_none() && max_event_age.is_none() {
                Stuck::default()
            } else {
                let before = |limit: Option<u64>| {
                    limit.map_or(i64::MIN, |seconds| {
                        now.saturating_sub(
                            i64::try_from(seconds.saturating_mul(1000)).unwrap_or(i64::MAX),
                        )
                    })
                };
                store
                    .stuck(before(max_lag), before(max_event_age), list)
                    .await?
            };
            if json {
                let mut report = backlog_json(&backlog, now);
                report["stuck"] = serde_json::to_value(&late)
                    .map_err(|error| CliError::new(error.to_string()))?;
                print_json(&report)?;
            } else {
                print!("{}", backlog_table(&backlog, now));
                print!("{}", stuck_table(&late, now));
            }
            let stuck = stuck(&backlog, now, max_lag, max_event_age);
            if !stuck.is_empty() {
                return Err(CliError::new(format!("stuck: {}", stuck.join("; ")))
                    .with_exit_code(EXIT_STUCK));
            }
        }
        TrackerCommand::Migrate { db } => {
            SqlStore::connect_unmigrated(&db).await?.migrate().await?;
            println!("the tracker's schema is up to date");
        }
    }
    Ok(())
}

/// Whole seconds from `at` to `now` (0 when `at` is later or absent).
fn seconds_since(at: Option<i64>, now: i64) -> u64 {
    at.map_or(0, |at| {
        u64::try_from(now.saturating_sub(at).max(0) / 1000).unwrap_or(0)
    })
}

/// The backlog as operators read it: counts, the oldest due time with the poll lag, the
/// oldest pending event with its age (times Unix ms).
pub fn backlog_table(backlog: &Backlog, now: i64) -> String {
    let dash = || "-".to_owned();
    let since = |at: Option<i64>| {
        at.map_or_else(dash, |at| {
            format!("{} s (since {at})", seconds_since(Some(at), now))
        })
    };
    format!(
        "open orders     {}\ndue orders      {}\ndue refunds     {}\npoll lag        {}\n\
         pending events  {}\noldest event    {}\n",
        backlog.open_orders,
        backlog.due_orders,
        backlog.due_refunds,
        since(backlog.oldest_due_at),
        backlog.pending_events,
        since(backlog.oldest_pending_event_at),
    )
}

/// The backlog as JSON, with the lag and the oldest event's age in seconds.
pub fn backlog_json(backlog: &Backlog, now: i64) -> serde_json::Value {
    serde_json::json!({
        "now": now,
        "open_orders": backlog.open_orders,
        "due_orders": backlog.due_orders,
        "due_refunds": backlog.due_refunds,
        "oldest_due_at": backlog.oldest_due_at,
        "poll_lag_seconds": seconds_since(backlog.oldest_due_at, now),
        "pending_events": backlog.pending_events,
        "oldest_pending_event_at": backlog.oldest_pending_event_at,
        "oldest_pending_event_age_seconds": seconds_since(backlog.oldest_pending_event_at, now),
    })
}

/// What is over its limit: the poll lag past `max_lag`, the oldest pending event past
/// `max_event_age` (seconds).
pub fn stuck(
    backlog: &Backlog,
    now: i64,
    max_lag: Option<u64>,
    max_event_age: Option<u64>,
) -> Vec<String> {
    let mut over = Vec::new();
    let lag = seconds_since(backlog.oldest_due_at, now);
    if let Some(limit) = max_lag
        && lag > limit
    {
        over.push(format!(
            "{} orders and {} refunds due, the oldest {lag} s late (limit {limit} s)",
            backlog.due_orders, backlog.due_refunds
        ));
    }
    let age = seconds_since(backlog.oldest_pending_event_at, now);
    if let Some(limit) = max_event_age
        && age > limit
    {
        over.push(format!(
            "{} events pending, the oldest for {age} s (limit {limit} s)",
            backlog.pending_events
        ));
    }
    over
}

/// One line per event: id, status, key, what it says.
fn event_line(event: &Event) -> String {
    format!(
        "{:>6}  {:<10}  {}  {}",
        event.id,
        format!("{:?}", event.status).to_lowercase(),
        event.idempotency_key,
        describe(&event.outcome)
    )
}

/// The late work by id, under the backlog's counts (nothing when none is late).
pub fn stuck_table(stuck: &Stuck, now: i64) -> String {
    let mut out = String::new();
    if !stuck.orders.is_empty() {
        out.push_str("\nlate orders (longest overdue first)\n");
        out.push_str(&orders_table(&stuck.orders));
    }
    if !stuck.refunds.is_empty() {
        out.push_str("\nlate refunds (longest overdue first)\n");
        out.push_str(&refunds_table(&stuck.refunds));
    }
    if !stuck.events.is_empty() {
        out.push_str("\nevents waiting for the handler (oldest first)\n");
        for event in &stuck.events {
            out.push_str(&format!(
                "{}  ({} attempts, {} s)\n",
                event_line(event),
                event.attempts,
                seconds_since(Some(event.created_at), now)
            ));
        }
    }
    out
}

/// One line per refund: id, state, amount, zp_trans_id, queries, next query.
fn refunds_table(refunds: &[TrackedRefund]) -> String {
    let mut out = format!(
        "{:<32}  {:<9}  {:>10}  {:>14}  {:>5}  {}\n",
        "m_refund_id", "state", "amount", "zp_trans_id", "queries", "next_query_at"
    );
    for refund in refunds {
        out.push_str(&format!(
            "{:<32}  {:<9}  {:>10}  {:>14}  {:>5}  {}\n",
            refund.m_refund_id,
            refund.state,
            refund.amount,
            refund.zp_trans_id,
            refund.queries,
            refund
                .next_query_at
                .map_or_else(|| "-".to_owned(), |v| v.to_string()),
        ));
    }
    out
}

/// One line per order: id, state, amount, paid amount and zp_trans_id, how it was confirmed,
/// queries, next query.
pub fn orders_table(orders: &[TrackedOrder]) -> String {
    let mut out = format!(
        "{:<32}  {:<9}  {:>10}  {:>10}  {:>14}  {:<8}  {:>5}  {}\n",
        "app_trans_id", "state", "amount", "paid", "zp_trans_id", "by", "queries", "next_query_at"
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
            order.queries,
            order.next_query_at.map_or_else(dash, |v| v.to_string()),
        ));
    }
    out
}
