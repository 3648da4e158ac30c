//! Reading the SDK's answers as observations: the one place that knows the SDK's status types.
//! A value the gateway did not send is never invented (the SDK refuses a "paid" answer
//! without `zp_trans_id` or `amount`); an answer that says nothing about the order counts as
//! no answer, and the order is asked again.

use zalopay_api::Error;
use zalopay_api::codes::CodeClass;
use zalopay_api::order::{CreateOrderResponse, OrderStatus, QueryOrderResponse};
use zalopay_api::refund::{QueryRefundResponse, RefundOrderResponse, RefundStatus};

use crate::machine::{OrderObservation, RefundObservation};
use crate::model::Source;

/// `-429` LIMIT_REQUEST_REACH.
const RATE_LIMITED: i32 = -429;

/// Whether the gateway (or something in front of it) asked us to slow down.
pub(crate) fn is_rate_limited(error: &Error) -> bool {
    match error {
        Error::HttpStatus { status, .. } => *status == 429,
        Error::Gateway(gateway) => {
            gateway.return_code == RATE_LIMITED || gateway.sub_return_code == Some(RATE_LIMITED)
        }
        _ => false,
    }
}

/// The `Retry-After` of an HTTP 429, when it carried one.
pub(crate) fn retry_after(error: &Error) -> Option<std::time::Duration> {
    match error {
        Error::HttpStatus { retry_after, .. } => *retry_after,
        _ => None,
    }
}

/// The create's answer.
pub(crate) fn create(result: &Result<CreateOrderResponse, Error>) -> OrderObservation {
    match result {
        Ok(response) => OrderObservation::Created {
            order_url: response.order_url.clone(),
        },
        // A retry refused as a duplicate after an attempt (same request) that may have got
        // through: that attempt created the order (D-115).
        Err(Error::AlreadySubmitted { .. }) => OrderObservation::AlreadyCreated,
        // The first attempt refused as a duplicate: the id is someone else's order.
        Err(Error::Gateway(gateway)) if gateway.is_duplicate() => OrderObservation::IdTaken {
            sub_return_code: gateway.sub_return_code,
        },
        Err(error) if !error.may_have_been_sent() => OrderObservation::NotSent {
            reason: error.to_string(),
        },
        // The gateway answered and said no, for good.
        Err(Error::Gateway(gateway)) if !gateway.is_transient() => {
            OrderObservation::CreateRefused {
                sub_return_code: gateway.sub_return_code,
            }
        }
        // Timeout, lost connection, 5xx, a transient code: it may exist. Query the same id.
        Err(_) => OrderObservation::NoAnswer,
    }
}

/// A status query's answer.
pub(crate) fn query(result: &Result<QueryOrderResponse, Error>) -> OrderObservation {
    let response = match result {
        Ok(response) => response,
        Err(_) => return OrderObservation::NoAnswer,
    };
    match response.status() {
        OrderStatus::Paid {
            zp_trans_id,
            amount,
            discount_amount,
        } => OrderObservation::Paid {
            zp_trans_id,
            amount,
            discount_amount,
            source: Source::Query,
        },
        OrderStatus::NotFound { sub_return_code } => OrderObservation::NotFound {
            sub_return_code: Some(sub_return_code),
        },
        OrderStatus::Expired => OrderObservation::Expired {
            sub_return_code: response.codes.sub_return_code,
        },
        OrderStatus::Failed { sub_return_code } => OrderObservation::Failed { sub_return_code },
        OrderStatus::Processing => OrderObservation::Processing,
        // A `return_code 2` no source documents reads as a failure, which the machine takes
        // as final only at the query after expiry (D-101).
        OrderStatus::Unknown {
            return_code: 2,
            sub_return_code,
        } if response.codes.class() == CodeClass::Unknown => {
            OrderObservation::Failed { sub_return_code }
        }
        // Codes that say nothing about the order (maintenance, request-level): ask again.
        _ => OrderObservation::NoAnswer,
    }
}

/// The refund's own answer.
pub(crate) fn refund(result: &Result<RefundOrderResponse, Error>) -> Option<RefundObservation> {
    match result {
        Ok(response) if response.codes.is_success() => Some(RefundObservation::Refunded {
            refund_id: response.refund_id,
        }),
        Ok(response) => Some(RefundObservation::Processing {
            refund_id: response.refund_id,
            sub_return_code: response.codes.sub_return_code,
        }),
        // A retry refused as a duplicate after an attempt of this refund that may have got
        // through: follow that attempt with the same m_refund_id (D-115).
        Err(Error::AlreadySubmitted { gateway, .. }) => Some(RefundObservation::Processing {
            refund_id: None,
            sub_return_code: gateway.sub_return_code,
        }),
        // The first attempt refused as a duplicate: the id is someone else's refund.
        Err(Error::Gateway(gateway)) if gateway.is_duplicate() => {
            Some(RefundObservation::IdTaken {
                sub_return_code: gateway.sub_return_code,
            })
        }
        Err(error) if !error.may_have_been_sent() => None,
        Err(Error::Gateway(gateway)) if !gateway.is_transient() => {
            Some(RefundObservation::Failed {
                sub_return_code: gateway.sub_return_code,
            })
        }
        Err(_) => Some(RefundObservation::NoAnswer),
    }
}

/// A refund query's answer.
pub(crate) fn query_refund(result: &Result<QueryRefundResponse, Error>) -> RefundObservation {
    let response = match result {
        Ok(response) => response,
        Err(_) => return RefundObservation::NoAnswer,
    };
    match response.status() {
        RefundStatus::Refunded => RefundObservation::Refunded { refund_id: None },
        RefundStatus::Processing { sub_return_code } => RefundObservation::Processing {
            refund_id: None,
            sub_return_code,
        },
        RefundStatus::NotFound => RefundObservation::NotFound,
        RefundStatus::Failed { sub_return_code } => RefundObservation::Failed { sub_return_code },
        _ => RefundObservation::NoAnswer,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(json: &str) -> Result<QueryOrderResponse, Error> {
        Ok(serde_json::from_str(json).unwrap())
    }

    /// Issue 21: a maintenance / system answer used to be read as `Failed`, ending the tracked
    /// order for good.
    #[test]
    fn maintenance_answers_are_no_answer() {
        for sub in [-33, -88, -135, -301] {
            let json = format!(
                r#"{{"return_code":2,"return_message":"","sub_return_code":{sub},"is_processing":false,"amount":0,"zp_trans_id":0}}"#
            );
            assert_eq!(query(&answer(&json)), OrderObservation::NoAnswer, "{sub}");
        }
    }

    /// An unrecognised `return_code 2` is passed on as a failure, which the machine takes as
    /// final only at the query after expiry.
    #[test]
    fn an_unrecognised_failure_is_a_failure_for_the_machine_to_judge() {
        let json = r#"{"return_code":2,"return_message":"","sub_return_code":-7777}"#;
        assert_eq!(
            query(&answer(json)),
            OrderObservation::Failed {
                sub_return_code: Some(-7777)
            }
        );
    }
}
