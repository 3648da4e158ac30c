//! What a query's answer means for a script: one verdict per state, each with its own exit
//! code, so `zalopay order query ID --wait && ship` ships only a paid order.

use zalopay_api::disbursement::DisbursementStatus;
use zalopay_api::order::OrderStatus;
use zalopay_api::poll::PollOutcome;
use zalopay_api::refund::RefundStatus;

use crate::error::{EXIT_CANCELLED, EXIT_EXPIRED, EXIT_FAILED, EXIT_NOT_FINAL, EXIT_NOT_FOUND};

/// `sub_return_code` of an order cancelled by the buyer or the merchant (`USER_CANCELLED`).
const CANCELLED: i32 = -329;

/// Where an order, refund or top-up stands, as far as a shell needs to know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Paid, refunded, disbursed: the gateway's final yes. Exit 0.
    Success,
    /// The gateway's final no.
    Failed,
    /// The order was cancelled (`2/-329`); final.
    Cancelled,
    /// The order expired unpaid (`2/-54`); final.
    Expired,
    /// The gateway does not know the id (yet): not final, never a reason to re-create it.
    NotFound,
    /// Still processing or pending, an unrecognised answer, or waiting gave up: not final.
    NotFinal,
}

impl Verdict {
    /// The verdict of an order query.
    pub fn of_order(status: &OrderStatus) -> Self {
        match status {
            OrderStatus::Paid { .. } => Self::Success,
            OrderStatus::Failed {
                sub_return_code: Some(CANCELLED),
            } => Self::Cancelled,
            OrderStatus::Failed { .. } => Self::Failed,
            OrderStatus::Expired => Self::Expired,
            OrderStatus::NotFound { .. } => Self::NotFound,
            _ => Self::NotFinal,
        }
    }

    /// The verdict of a refund query (or of a refund's own answer).
    pub fn of_refund(status: &RefundStatus) -> Self {
        match status {
            RefundStatus::Refunded => Self::Success,
            RefundStatus::Failed { .. } => Self::Failed,
            RefundStatus::NotFound => Self::NotFound,
            _ => Self::NotFinal,
        }
    }

    /// The verdict of a top-up query.
    pub fn of_disbursement(status: &DisbursementStatus) -> Self {
        match status {
            DisbursementStatus::Disbursed => Self::Success,
            DisbursementStatus::Failed => Self::Failed,
            DisbursementStatus::NotFound => Self::NotFound,
            _ => Self::NotFinal,
        }
    }

    /// The verdict of an order poll (`order query --wait`).
    pub fn of_poll(outcome: &PollOutcome) -> Self {
        match outcome {
            PollOutcome::Paid { .. } => Self::Success,
            PollOutcome::Failed {
                sub_return_code: Some(CANCELLED),
            } => Self::Cancelled,
            PollOutcome::Failed { .. } => Self::Failed,
            PollOutcome::Expired => Self::Expired,
            PollOutcome::NotFound { .. } => Self::NotFound,
            _ => Self::NotFinal,
        }
    }

    /// The process's exit code: 0 only for [`Success`](Self::Success).
    pub fn exit_code(self) -> u8 {
        match self {
            Self::Success => 0,
            Self::Failed => EXIT_FAILED,
            Self::Cancelled => EXIT_CANCELLED,
            Self::Expired => EXIT_EXPIRED,
            Self::NotFound => EXIT_NOT_FOUND,
            Self::NotFinal => EXIT_NOT_FINAL,
        }
    }

    /// The name printed as `"verdict"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::Failed => "failed",
            Self::Cancelled => "cancelled",
            Self::Expired => "expired",
            Self::NotFound => "not_found",
            Self::NotFinal => "not_final",
        }
    }

    /// What a non-success verdict means, for stderr.
    pub fn explain(self) -> &'static str {
        match self {
            Self::Success => "succeeded",
            Self::Failed => "failed (final)",
            Self::Cancelled => "was cancelled (final)",
            Self::Expired => "expired unpaid (final)",
            Self::NotFound => {
                "is not known to ZaloPay (yet): not a failure; query the same id again later, never re-create it under a new id"
            }
            Self::NotFinal => "is not final yet: query the same id again later",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_success_exits_zero_and_every_other_verdict_has_its_own_code() {
        let all = [
            Verdict::Success,
            Verdict::Failed,
            Verdict::Cancelled,
            Verdict::Expired,
            Verdict::NotFound,
            Verdict::NotFinal,
        ];
        let codes: std::collections::BTreeSet<u8> = all.iter().map(|v| v.exit_code()).collect();
        assert_eq!(codes.len(), all.len());
        for verdict in all {
            assert_eq!(verdict.exit_code() == 0, verdict == Verdict::Success);
            assert_ne!(verdict.exit_code(), 1, "1 is a plain error");
            assert_ne!(verdict.exit_code(), 2, "2 is a usage error");
        }
        assert_eq!(
            Verdict::of_order(&OrderStatus::Failed {
                sub_return_code: Some(-329)
            }),
            Verdict::Cancelled
        );
        assert_eq!(
            Verdict::of_order(&OrderStatus::Processing),
            Verdict::NotFinal
        );
        assert_eq!(
            Verdict::of_poll(&PollOutcome::StillProcessing {
                at_deadline: 0,
                last_error: None
            }),
            Verdict::NotFinal
        );
    }
}
