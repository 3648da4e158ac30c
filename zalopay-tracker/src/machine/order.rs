//! The order state machine. Rules, in order of precedence:
//!
//! 1. Money received wins: a paid verdict (callback or query) ends any non-paid state as
//!    paid; a pending failed / expired / abandoned event is superseded, an already handled
//!    one is named in the paid event's `overrides`.
//!    A paid verdict for another amount than the order's own ends it as `amount_mismatch`
//!    instead (D-114): the merchant decides.
//! 2. A paid order never changes again (a duplicate callback changes nothing).
//! 3. Failed, expired and abandoned are final for everything but rule 1. A failure seen by a
//!    query before the final query after expiry is not yet final: the order stays open and
//!    the final query decides.
//! 4. "Not found" is not a failure: keep asking within the window; only when the final
//!    query after expiry still does not find the order is it abandoned (never re-created).
//! 5. No answer (timeout, 5xx, `-429`): back off and ask again, never past the window. An
//!    order put off unasked (the gateway asked to slow down) keeps its streak (D-116).
//! 6. A duplicate refusal (`-68`) is this order's only after an earlier attempt of this
//!    tracker may have reached ZaloPay (the SDK's `AlreadySubmitted`); to the first attempt
//!    it means the id is someone else's order: abandoned, never adopted (D-115).

use super::{Change, Draw};
use crate::model::{NewEvent, OrderState, Outcome, Source, TrackedOrder};
use crate::schedule::Schedule;

/// A verdict about an order.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum OrderObservation {
    /// The create was answered with success.
    Created {
        /// The payment link.
        order_url: Option<String>,
    },
    /// The create was refused as a duplicate after an earlier attempt of this tracker, with
    /// the same request, may have reached the gateway: that attempt created the order.
    AlreadyCreated,
    /// The first attempt of the create was refused as a duplicate (`-68`): the id belongs to
    /// an order this tracker never sent.
    IdTaken {
        /// The gateway's sub code.
        sub_return_code: Option<i32>,
    },
    /// The gateway refused the create for good.
    CreateRefused {
        /// The gateway's reason.
        sub_return_code: Option<i32>,
    },
    /// The create was certainly not sent (e.g. connection refused): the order does not exist.
    NotSent {
        /// What went wrong.
        reason: String,
    },
    /// Paid, with what the gateway said.
    Paid {
        /// ZaloPay's transaction id.
        zp_trans_id: i64,
        /// Amount paid, VND.
        amount: i64,
        /// Discount, VND, when said.
        discount_amount: Option<i64>,
        /// Callback or query.
        source: Source,
    },
    /// Not paid yet / payment in progress.
    Processing,
    /// The gateway does not (yet) know the order.
    NotFound {
        /// `-101` or `-92`.
        sub_return_code: Option<i32>,
    },
    /// The payment failed.
    Failed {
        /// The gateway's reason.
        sub_return_code: Option<i32>,
    },
    /// The order expired unpaid.
    Expired {
        /// The gateway's sub code (`-54`).
        sub_return_code: Option<i32>,
    },
    /// No usable answer (timeout, transport, HTTP 5xx, `-429`, `-500`).
    NoAnswer,
    /// Not asked: put off because the gateway asked to slow down. The error streak stays.
    Deferred,
}

fn event(outcome: Outcome, now: i64) -> NewEvent {
    NewEvent {
        outcome,
        created_at: now,
    }
}

fn finish(order: &TrackedOrder, state: OrderState, now: i64) -> TrackedOrder {
    TrackedOrder {
        state,
        next_query_at: None,
        error_streak: 0,
        updated_at: now,
        ..order.clone()
    }
}

/// Applies `observation` at `now` to `order`; `None` when nothing changes.
pub fn apply_to_order(
    order: &TrackedOrder,
    observation: OrderObservation,
    now: i64,
    schedule: &Schedule,
    draw: Draw,
) -> Option<Change<TrackedOrder>> {
    use OrderObservation as Obs;
    let id = order.app_trans_id.clone();
    if matches!(order.state, OrderState::Paid | OrderState::AmountMismatch) {
        return None;
    }
    if let Obs::Paid {
        zp_trans_id,
        amount,
        discount_amount,
        source,
    } = observation
    {
        let overrides = match order.state {
            OrderState::Failed | OrderState::Expired | OrderState::Abandoned => {
                Some(order.state.to_string())
            }
            _ => None,
        };
        let mismatch = amount != order.amount;
        let state = if mismatch {
            OrderState::AmountMismatch
        } else {
            OrderState::Paid
        };
        let mut record = finish(order, state, now);
        record.zp_trans_id = Some(zp_trans_id);
        record.paid_amount = Some(amount);
        record.confirmed_by = Some(source);
        record.sub_return_code = None;
        // Only the verdict the order is in can have an event to replace: failed, expired and
        // abandoned are final (rule 3), so no other one follows it, and an order that never
        // had one has nothing to replace (no statement that would change nothing, D-150).
        let supersede = overrides
            .iter()
            .map(|kind| format!("order:{id}:{kind}"))
            .collect();
        // The store drops `overrides` when the named event was never handed out (D-62).
        let outcome = if mismatch {
            Outcome::AmountMismatch {
                app_trans_id: id,
                zp_trans_id,
                expected_amount: order.amount,
                paid_amount: amount,
                confirmed_by: source,
                overrides,
            }
        } else {
            Outcome::Paid {
                app_trans_id: id,
                zp_trans_id,
                amount,
                discount_amount,
                confirmed_by: source,
                overrides,
            }
        };
        return Some(Change {
            record,
            events: vec![event(outcome, now)],
            supersede,
        });
    }
    if order.state.is_final() {
        return None;
    }

    let open = |order: &TrackedOrder| TrackedOrder {
        state: OrderState::Open,
        updated_at: now,
        ..order.clone()
    };
    let failed = |sub_return_code: Option<i32>, source: Source| {
        let mut record = finish(order, OrderState::Failed, now);
        record.sub_return_code = sub_return_code;
        record.confirmed_by = Some(source);
        Change {
            record,
            events: vec![event(
                Outcome::Failed {
                    app_trans_id: id.clone(),
                    sub_return_code,
                },
                now,
            )],
            supersede: Vec::new(),
        }
    };
    let abandoned = |reason: String, sub_return_code: Option<i32>| {
        let mut record = finish(order, OrderState::Abandoned, now);
        record.sub_return_code = sub_return_code;
        Change {
            record,
            events: vec![event(
                Outcome::Abandoned {
                    app_trans_id: id.clone(),
                    reason,
                },
                now,
            )],
            supersede: Vec::new(),
        }
    };
    // Schedules the next query after an answer, or gives up at the end of the window.
    let next = |mut record: TrackedOrder| -> Change<TrackedOrder> {
        record.error_streak = 0;
        match schedule.next_query(order.app_time, order.expire_at, now, draw.jitter_ms) {
            Some(at) => {
                record.next_query_at = Some(at);
                Change::record(record)
            }
            None => abandoned(
                "no final answer within the 48 h query window".to_owned(),
                None,
            ),
        }
    };

    match observation {
        Obs::Paid { .. } => None,
        Obs::Created { order_url } => {
            let mut record = open(order);
            if record.order_url.is_none() {
                record.order_url = order_url;
            }
            if record.next_query_at.is_none() {
                record.next_query_at = Some(schedule.first_query(order.app_time, draw.jitter_ms));
            }
            (record != *order).then(|| Change::record(record))
        }
        Obs::AlreadyCreated => {
            let mut record = open(order);
            if record.next_query_at.is_none() {
                record.next_query_at = Some(schedule.first_query(order.app_time, draw.jitter_ms));
            }
            (record != *order).then(|| Change::record(record))
        }
        Obs::CreateRefused { sub_return_code } => {
            (order.state == OrderState::Creating).then(|| failed(sub_return_code, Source::Create))
        }
        Obs::IdTaken { sub_return_code } => (order.state == OrderState::Creating).then(|| {
            abandoned(
                "the create was refused as a duplicate (-68) at its first attempt: the id \
                 belongs to an order this tracker never sent, which is not followed"
                    .to_owned(),
                sub_return_code,
            )
        }),
        Obs::NotSent { reason } => (order.state == OrderState::Creating)
            .then(|| abandoned(format!("the create was not sent: {reason}"), None)),
        Obs::Processing => Some(next(open(order))),
        Obs::NotFound { sub_return_code } => {
            if now >= schedule.final_query(order.expire_at) {
                Some(abandoned(
                    "the gateway did not know the order by the final query after expiry".to_owned(),
                    sub_return_code,
                ))
            } else {
                let mut record = order.clone();
                record.updated_at = now;
                record.sub_return_code = sub_return_code;
                Some(next(record))
            }
        }
        // A failure before the final query is not the last word: the buyer can still pay the
        // same order until it expires. Keep asking; the final query decides (D-101).
        Obs::Failed { sub_return_code } => {
            if now >= schedule.final_query(order.expire_at) {
                Some(failed(sub_return_code, Source::Query))
            } else {
                let mut record = open(order);
                record.sub_return_code = sub_return_code;
                Some(next(record))
            }
        }
        Obs::Expired { sub_return_code } => {
            let mut record = finish(order, OrderState::Expired, now);
            record.sub_return_code = sub_return_code;
            record.confirmed_by = Some(Source::Query);
            Some(Change {
                record,
                events: vec![event(Outcome::Expired { app_trans_id: id }, now)],
                supersede: Vec::new(),
            })
        }
        Obs::NoAnswer => {
            if now >= schedule.window_end(order.app_time) {
                return Some(abandoned(
                    "no answer from the gateway within the 48 h query window".to_owned(),
                    None,
                ));
            }
            let mut record = order.clone();
            record.error_streak = order.error_streak.saturating_add(1);
            record.updated_at = now;
            let at = schedule.backoff(now, record.error_streak, draw.jitter_ms);
            record.next_query_at = Some(at.min(schedule.window_end(order.app_time)));
            Some(Change::record(record))
        }
        Obs::Deferred => {
            // Never asked: the same wait as after its last failure, not a longer one.
            let mut record = order.clone();
            record.updated_at = now;
            let at = schedule.backoff(now, order.error_streak.max(1), draw.jitter_ms);
            record.next_query_at = Some(at.min(schedule.window_end(order.app_time)));
            Some(Change::record(record))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Outcome;

    const MIN: i64 = 60_000;
    const T0: i64 = 1_700_000_000_000;

    fn open_order() -> TrackedOrder {
        let mut order = TrackedOrder::new("240101_1", 2553, 50_000, T0, T0 + 15 * MIN, T0);
        order.state = OrderState::Open;
        order.next_query_at = Some(T0 + MIN);
        order
    }

    fn apply(
        order: &TrackedOrder,
        obs: OrderObservation,
        now: i64,
    ) -> Option<Change<TrackedOrder>> {
        apply_to_order(order, obs, now, &Schedule::default(), Draw::default())
    }

    fn paid(source: Source) -> OrderObservation {
        OrderObservation::Paid {
            zp_trans_id: 99,
            amount: 50_000,
            discount_amount: None,
            source,
        }
    }

    #[test]
    fn a_failure_before_the_final_query_keeps_the_order_open_and_the_final_query_decides() {
        let failed = OrderObservation::Failed {
            sub_return_code: Some(-329),
        };
        let early = apply(&open_order(), failed.clone(), T0 + MIN).unwrap();
        assert_eq!(early.record.state, OrderState::Open);
        assert_eq!(early.record.sub_return_code, Some(-329));
        assert_eq!(early.record.next_query_at, Some(T0 + 2 * MIN));
        assert!(early.events.is_empty());
        // A payment seen afterwards wins with nothing to override.
        let won = apply(&early.record, paid(Source::Query), T0 + 2 * MIN).unwrap();
        assert_eq!(won.record.state, OrderState::Paid);
        match &won.events[0].outcome {
            Outcome::Paid { overrides, .. } => assert_eq!(*overrides, None),
            other => panic!("{other:?}"),
        }
        // The final query after expiry (15 min + 1) decides.
        let last = apply(&early.record, failed, T0 + 16 * MIN).unwrap();
        assert_eq!(last.record.state, OrderState::Failed);
        assert!(matches!(last.events[0].outcome, Outcome::Failed { .. }));
    }

    #[test]
    fn a_payment_of_an_open_order_replaces_no_event() {
        let won = apply(&open_order(), paid(Source::Callback), T0 + MIN).unwrap();
        assert_eq!(won.record.state, OrderState::Paid);
        assert!(won.supersede.is_empty(), "{:?}", won.supersede);
    }

    #[test]
    fn money_received_wins_over_an_earlier_failed_verdict() {
        let failed = apply(
            &open_order(),
            OrderObservation::Failed {
                sub_return_code: Some(-63),
            },
            T0 + 16 * MIN,
        )
        .unwrap();
        assert_eq!(failed.record.state, OrderState::Failed);
        let won = apply(&failed.record, paid(Source::Callback), T0 + 17 * MIN).unwrap();
        assert_eq!(won.record.state, OrderState::Paid);
        assert_eq!(won.record.zp_trans_id, Some(99));
        assert!(won.supersede.contains(&"order:240101_1:failed".to_owned()));
        match &won.events[0].outcome {
            Outcome::Paid { overrides, .. } => assert_eq!(overrides.as_deref(), Some("failed")),
            other => panic!("{other:?}"),
        }
        // ...and the same for expired.
        let expired = apply(
            &open_order(),
            OrderObservation::Expired {
                sub_return_code: Some(-54),
            },
            T0 + 16 * MIN,
        )
        .unwrap();
        let won = apply(&expired.record, paid(Source::Query), T0 + 17 * MIN).unwrap();
        assert_eq!(won.record.state, OrderState::Paid);
    }

    #[test]
    fn a_duplicate_callback_or_a_late_failure_changes_nothing() {
        let first = apply(&open_order(), paid(Source::Callback), T0 + 10).unwrap();
        assert_eq!(first.events.len(), 1);
        assert_eq!(apply(&first.record, paid_obs(), T0 + 20), None);
        assert_eq!(
            apply(
                &first.record,
                OrderObservation::Failed {
                    sub_return_code: None
                },
                T0 + 30
            ),
            None
        );
        assert_eq!(
            apply(&first.record, OrderObservation::Processing, T0 + 30),
            None
        );
    }

    fn paid_obs() -> OrderObservation {
        paid(Source::Callback)
    }

    #[test]
    fn not_found_keeps_asking_until_the_final_query_then_abandons() {
        let order = open_order();
        let not_found = OrderObservation::NotFound {
            sub_return_code: Some(-101),
        };
        let change = apply(&order, not_found.clone(), T0 + MIN).unwrap();
        assert_eq!(change.record.state, OrderState::Open);
        assert_eq!(change.record.next_query_at, Some(T0 + 2 * MIN));
        assert!(change.events.is_empty());
        let last = apply(&order, not_found, T0 + 16 * MIN).unwrap();
        assert_eq!(last.record.state, OrderState::Abandoned);
        assert_eq!(last.record.next_query_at, None);
        assert!(matches!(last.events[0].outcome, Outcome::Abandoned { .. }));
    }

    #[test]
    fn no_answer_backs_off_and_never_passes_the_window() {
        let order = open_order();
        let change = apply(&order, OrderObservation::NoAnswer, T0 + MIN).unwrap();
        assert_eq!(change.record.error_streak, 1);
        assert_eq!(change.record.next_query_at, Some(T0 + MIN + 10_000));
        let again = apply(
            &change.record,
            OrderObservation::NoAnswer,
            T0 + MIN + 10_000,
        )
        .unwrap();
        assert_eq!(again.record.next_query_at, Some(T0 + MIN + 30_000));
        let late = apply(&order, OrderObservation::NoAnswer, T0 + 48 * 60 * MIN).unwrap();
        assert_eq!(late.record.state, OrderState::Abandoned);
    }

    #[test]
    fn a_payment_of_another_amount_is_a_mismatch_not_paid() {
        let mut wrong = paid(Source::Query);
        if let OrderObservation::Paid { amount, .. } = &mut wrong {
            *amount = 1_000;
        }
        let change = apply(&open_order(), wrong, T0 + MIN).unwrap();
        assert_eq!(change.record.state, OrderState::AmountMismatch);
        assert_eq!(change.record.paid_amount, Some(1_000));
        assert_eq!(change.record.next_query_at, None);
        assert!(matches!(
            &change.events[0].outcome,
            Outcome::AmountMismatch {
                expected_amount: 50_000,
                paid_amount: 1_000,
                ..
            }
        ));
        // Final: a later answer changes nothing.
        assert_eq!(apply(&change.record, paid_obs(), T0 + 2 * MIN), None);
    }

    #[test]
    fn a_duplicate_refusal_of_the_first_create_abandons_the_order() {
        let order = TrackedOrder::new("240101_3", 2553, 500_000, T0, T0 + 15 * MIN, T0);
        let change = apply(
            &order,
            OrderObservation::IdTaken {
                sub_return_code: Some(-68),
            },
            T0,
        )
        .unwrap();
        assert_eq!(change.record.state, OrderState::Abandoned);
        assert_eq!(change.record.sub_return_code, Some(-68));
        // A retry's duplicate refusal after an attempt that may have got through is ours.
        let adopted = apply(&order, OrderObservation::AlreadyCreated, T0).unwrap();
        assert_eq!(adopted.record.state, OrderState::Open);
    }

    #[test]
    fn an_order_put_off_unasked_keeps_its_streak() {
        let mut order = open_order();
        order.error_streak = 2;
        let change = apply(&order, OrderObservation::Deferred, T0 + MIN).unwrap();
        assert_eq!(change.record.error_streak, 2);
        // The wait after its second failure (20 s), not a doubled one.
        assert_eq!(change.record.next_query_at, Some(T0 + MIN + 20_000));
        let fresh = apply(&open_order(), OrderObservation::Deferred, T0 + MIN).unwrap();
        assert_eq!(fresh.record.error_streak, 0);
        assert_eq!(fresh.record.next_query_at, Some(T0 + MIN + 10_000));
    }

    #[test]
    fn a_created_order_is_first_asked_a_minute_after_creation() {
        let order = TrackedOrder::new("240101_2", 2553, 1000, T0, T0 + 15 * MIN, T0);
        let change = apply(
            &order,
            OrderObservation::Created {
                order_url: Some("u".into()),
            },
            T0 + 5,
        )
        .unwrap();
        assert_eq!(change.record.state, OrderState::Open);
        assert_eq!(change.record.next_query_at, Some(T0 + MIN));
        // A create that was refused for good is a failure; one never sent is abandoned.
        let refused = apply(
            &order,
            OrderObservation::CreateRefused {
                sub_return_code: Some(-401),
            },
            T0,
        )
        .unwrap();
        assert_eq!(refused.record.state, OrderState::Failed);
        let not_sent = apply(
            &order,
            OrderObservation::NotSent {
                reason: "refused".into(),
            },
            T0,
        )
        .unwrap();
        assert_eq!(not_sent.record.state, OrderState::Abandoned);
    }
}
