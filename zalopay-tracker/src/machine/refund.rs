//! The refund state machine: followed with the same `m_refund_id` until final. "Not found"
//! (`2`/`-101`) and "no answer" are not failures: the refund is asked about again until
//! [`Schedule::refund_not_found_window`] after it was recorded, then it is *unresolved*
//! (reconcile), never failed, since its send may have reached ZaloPay (D-112). A duplicate
//! refusal (`-23`) at the first attempt means the id is someone else's: unresolved too.

use super::{Change, Draw};
use crate::model::{NewEvent, Outcome, RefundState, TrackedRefund};
use crate::schedule::{Schedule, ms};

/// A verdict about a refund.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RefundObservation {
    /// The gateway said refunded (`1`).
    Refunded {
        /// ZaloPay's refund id, when the answer carried it.
        refund_id: Option<i64>,
    },
    /// The gateway is processing it (`3`).
    Processing {
        /// ZaloPay's refund id, when the answer carried it.
        refund_id: Option<i64>,
        /// The gateway's sub code.
        sub_return_code: Option<i32>,
    },
    /// The gateway does not (yet) know the `m_refund_id`.
    NotFound,
    /// The first attempt of the refund was refused as a duplicate (`-23`): the id belongs to
    /// a refund this tracker never sent.
    IdTaken {
        /// The gateway's sub code.
        sub_return_code: Option<i32>,
    },
    /// The refund failed.
    Failed {
        /// The gateway's reason.
        sub_return_code: Option<i32>,
    },
    /// No usable answer.
    NoAnswer,
    /// Not asked: put off because the gateway asked to slow down. The error streak stays.
    Deferred,
}

/// Applies `observation` at `now` to `refund`; `None` when nothing changes.
pub fn apply_to_refund(
    refund: &TrackedRefund,
    observation: RefundObservation,
    now: i64,
    schedule: &Schedule,
    draw: Draw,
) -> Option<Change<TrackedRefund>> {
    if refund.state.is_final() {
        return None;
    }
    let mut record = refund.clone();
    record.updated_at = now;
    let failed = |mut record: TrackedRefund, sub_return_code: Option<i32>, reason: &str| {
        record.state = RefundState::Failed;
        record.next_query_at = None;
        record.sub_return_code = sub_return_code;
        Change {
            events: vec![NewEvent {
                outcome: Outcome::RefundFailed {
                    m_refund_id: record.m_refund_id.clone(),
                    zp_trans_id: record.zp_trans_id,
                    sub_return_code,
                    reason: reason.to_owned(),
                },
                created_at: now,
            }],
            record,
            supersede: Vec::new(),
        }
    };
    let unresolved = |mut record: TrackedRefund, sub_return_code: Option<i32>, reason: &str| {
        record.state = RefundState::Unresolved;
        record.next_query_at = None;
        record.sub_return_code = sub_return_code;
        Change {
            events: vec![NewEvent {
                outcome: Outcome::RefundUnresolved {
                    m_refund_id: record.m_refund_id.clone(),
                    zp_trans_id: record.zp_trans_id,
                    amount: record.amount,
                    sub_return_code,
                    reason: reason.to_owned(),
                },
                created_at: now,
            }],
            record,
            supersede: Vec::new(),
        }
    };
    let window_end = refund
        .recorded_at
        .saturating_add(ms(schedule.refund_not_found_window));
    let requery = now
        .saturating_add(ms(schedule.refund_interval))
        .saturating_add(draw.jitter_ms);
    match observation {
        RefundObservation::Refunded { refund_id } => {
            record.state = RefundState::Refunded;
            record.next_query_at = None;
            record.error_streak = 0;
            record.refund_id = refund_id.or(refund.refund_id);
            Some(Change {
                events: vec![NewEvent {
                    outcome: Outcome::Refunded {
                        m_refund_id: record.m_refund_id.clone(),
                        zp_trans_id: record.zp_trans_id,
                        amount: record.amount,
                        refund_id: record.refund_id,
                    },
                    created_at: now,
                }],
                record,
                supersede: Vec::new(),
            })
        }
        RefundObservation::Processing {
            refund_id,
            sub_return_code,
        } => {
            record.state = RefundState::Processing;
            record.refund_id = refund_id.or(refund.refund_id);
            record.sub_return_code = sub_return_code;
            record.error_streak = 0;
            record.next_query_at = Some(requery);
            Some(Change::record(record))
        }
        RefundObservation::NotFound => {
            if now >= window_end {
                Some(unresolved(
                    record,
                    Some(-101),
                    "the gateway did not know the m_refund_id within the window, though the \
                     send may have reached ZaloPay: reconcile before refunding again",
                ))
            } else {
                record.error_streak = 0;
                record.next_query_at = Some(requery);
                Some(Change::record(record))
            }
        }
        RefundObservation::Failed { sub_return_code } => Some(failed(
            record,
            sub_return_code,
            "the gateway said the refund failed",
        )),
        RefundObservation::IdTaken { sub_return_code } => Some(unresolved(
            record,
            sub_return_code,
            "the refund was refused as a duplicate (-23) at its first attempt: the m_refund_id \
             belongs to a refund this tracker never sent; reconcile",
        )),
        RefundObservation::NoAnswer => {
            if now >= window_end {
                return Some(unresolved(
                    record,
                    refund.sub_return_code,
                    "no answer from the gateway within the window, though the refund may have \
                     reached ZaloPay: reconcile before refunding again",
                ));
            }
            record.error_streak = refund.error_streak.saturating_add(1);
            record.next_query_at = Some(schedule.backoff(now, record.error_streak, draw.jitter_ms));
            Some(Change::record(record))
        }
        RefundObservation::Deferred => {
            let streak = refund.error_streak.max(1);
            record.next_query_at = Some(schedule.backoff(now, streak, draw.jitter_ms));
            Some(Change::record(record))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: i64 = 1_700_000_000_000;

    fn refund() -> TrackedRefund {
        TrackedRefund::new("240101_2553_r1", 2553, 77, 10_000, T0, T0)
    }

    fn apply(
        refund: &TrackedRefund,
        obs: RefundObservation,
        now: i64,
    ) -> Option<Change<TrackedRefund>> {
        apply_to_refund(refund, obs, now, &Schedule::default(), Draw::default())
    }

    #[test]
    fn processing_is_followed_with_the_same_id_until_refunded() {
        let processing = apply(
            &refund(),
            RefundObservation::Processing {
                refund_id: Some(5),
                sub_return_code: Some(2),
            },
            T0 + 1,
        )
        .unwrap();
        assert_eq!(processing.record.state, RefundState::Processing);
        assert_eq!(processing.record.next_query_at, Some(T0 + 60_001));
        assert!(processing.events.is_empty());
        let done = apply(
            &processing.record,
            RefundObservation::Refunded { refund_id: None },
            T0 + 60_001,
        )
        .unwrap();
        assert_eq!(done.record.state, RefundState::Refunded);
        assert_eq!(done.record.refund_id, Some(5));
        assert_eq!(done.record.m_refund_id, "240101_2553_r1");
        assert_eq!(done.events.len(), 1);
        assert_eq!(
            apply(&done.record, RefundObservation::NotFound, T0 + 70_000),
            None
        );
    }

    #[test]
    fn not_found_is_not_a_failure_within_the_window() {
        let change = apply(&refund(), RefundObservation::NotFound, T0 + 60_000).unwrap();
        assert_eq!(change.record.state, RefundState::Requested);
        assert!(change.events.is_empty());
        // After the window it is unresolved (reconcile), never failed: the send may have
        // reached ZaloPay.
        let late = apply(&refund(), RefundObservation::NotFound, T0 + 3_600_000).unwrap();
        assert_eq!(late.record.state, RefundState::Unresolved);
        assert_eq!(late.record.next_query_at, None);
        assert!(matches!(
            late.events[0].outcome,
            Outcome::RefundUnresolved { .. }
        ));
        assert_eq!(late.events[0].outcome.kind(), "refund_unresolved");
    }

    #[test]
    fn no_answer_is_not_retried_past_the_window() {
        let change = apply(&refund(), RefundObservation::NoAnswer, T0 + 60_000).unwrap();
        assert_eq!(change.record.state, RefundState::Requested);
        assert_eq!(change.record.error_streak, 1);
        assert!(change.record.next_query_at.is_some());
        let late = apply(&change.record, RefundObservation::NoAnswer, T0 + 3_600_000).unwrap();
        assert_eq!(late.record.state, RefundState::Unresolved);
        assert_eq!(late.record.next_query_at, None);
        assert_eq!(late.events[0].outcome.kind(), "refund_unresolved");
    }

    #[test]
    fn a_duplicate_refusal_to_the_first_attempt_is_unresolved_not_adopted() {
        let change = apply(
            &refund(),
            RefundObservation::IdTaken {
                sub_return_code: Some(-23),
            },
            T0 + 1,
        )
        .unwrap();
        assert_eq!(change.record.state, RefundState::Unresolved);
        assert_eq!(change.record.sub_return_code, Some(-23));
        assert_eq!(change.events[0].outcome.kind(), "refund_unresolved");
    }
}
