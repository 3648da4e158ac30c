//! What the buyer sees of a tracked order: the tracker's state in the shop's words.

use serde::Serialize;
use zalopay_api::codes::{CodeClass, SubReturnCode};
use zalopay_tracker::{OrderState, Source, TrackedOrder};

use super::products::vnd;

/// Where an order stands, as far as the shop knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PaymentStatus {
    /// Not paid yet (or no word yet).
    Waiting,
    /// The last payment attempt failed or was cancelled, but the order has not expired: it
    /// can still be paid, and only the query after expiry says it failed (D-101).
    Declined,
    /// Paid: confirmed by the callback or by a status query.
    Paid,
    /// Failed, cancelled or expired (learnt by a status query).
    Failed,
    /// A problem someone must look at: ZaloPay reports a payment of another amount than the
    /// order's (D-114). Not fulfilled, not payable again; the tracker has stopped.
    Attention,
}

/// One order of the shop.
#[derive(Debug, Clone, Serialize)]
pub struct ShopOrder {
    /// The order id sent to ZaloPay.
    pub app_trans_id: String,
    /// The product's name.
    pub product: String,
    /// Amount, VND.
    pub amount: i64,
    /// The amount ZaloPay reports as paid, when it reported one.
    pub paid_amount: Option<i64>,
    /// The payment link returned by the gateway (shown as QR code and link).
    pub order_url: String,
    /// Where the order stands.
    pub status: PaymentStatus,
    /// ZaloPay's transaction id, once paid.
    pub zp_trans_id: Option<i64>,
    /// How the result became known: `callback` or `query`.
    pub confirmed_by: Option<&'static str>,
    /// The gateway's reason for a failed order (`-329`: the buyer cancelled).
    pub sub_return_code: Option<i32>,
}

/// The shop's view of a tracked order.
pub(super) fn shop_order(order: &TrackedOrder) -> ShopOrder {
    let metadata: serde_json::Value = serde_json::from_str(&order.metadata).unwrap_or_default();
    let status = match order.state {
        OrderState::Paid => PaymentStatus::Paid,
        OrderState::Failed | OrderState::Expired | OrderState::Abandoned => PaymentStatus::Failed,
        OrderState::AmountMismatch => PaymentStatus::Attention,
        // An open order keeps the sub code of a failure seen before expiry (a not-found code
        // is not a declined attempt).
        _ if order
            .sub_return_code
            .is_some_and(|code| SubReturnCode::from(code).class() != CodeClass::NotFound) =>
        {
            PaymentStatus::Declined
        }
        _ => PaymentStatus::Waiting,
    };
    ShopOrder {
        app_trans_id: order.app_trans_id.clone(),
        product: metadata["product"].as_str().unwrap_or_default().to_owned(),
        amount: order.amount,
        paid_amount: order.paid_amount,
        order_url: order.order_url.clone().unwrap_or_default(),
        status,
        zp_trans_id: order.zp_trans_id,
        confirmed_by: match order.confirmed_by {
            Some(Source::Callback) => Some("callback"),
            Some(Source::Query) => Some("query"),
            Some(_) => Some("create"),
            None => None,
        },
        sub_return_code: matches!(status, PaymentStatus::Failed | PaymentStatus::Declined)
            .then_some(order.sub_return_code)
            .flatten(),
    }
}

/// The status line of the order page.
pub(super) fn status_text(order: &ShopOrder) -> String {
    let code =
        |code: Option<i32>| code.map_or_else(String::new, |c| format!(" (sub_return_code {c})"));
    match order.status {
        PaymentStatus::Paid => match order.zp_trans_id {
            Some(id) => format!("Paid: {} (zp_trans_id {id})", vnd(order.amount)),
            None => format!("Paid: {}", vnd(order.amount)),
        },
        PaymentStatus::Failed => {
            format!("Payment failed or cancelled{}", code(order.sub_return_code))
        }
        PaymentStatus::Declined => format!(
            "The payment was not completed{}: you can still pay until the order expires",
            code(order.sub_return_code)
        ),
        PaymentStatus::Attention => format!(
            "Needs attention: ZaloPay reports a payment of {} for this {} order; it is not \
             fulfilled until the shop has looked into it",
            order
                .paid_amount
                .map_or_else(|| "another amount".to_owned(), vnd),
            vnd(order.amount)
        ),
        PaymentStatus::Waiting => "Waiting for payment…".to_owned(),
    }
}

/// `GET /order/{id}/status`: what the order page polls.
pub(super) fn status_json(order: &ShopOrder) -> serde_json::Value {
    serde_json::json!({
        "app_trans_id": order.app_trans_id,
        "status": order.status,
        "text": status_text(order),
        "amount": order.amount,
        "zp_trans_id": order.zp_trans_id,
        "confirmed_by": order.confirmed_by,
        "sub_return_code": order.sub_return_code,
        "order_url": order.order_url,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::DEMO_APP_ID;

    #[test]
    fn the_shop_shows_what_the_tracker_knows() {
        let mut order = TrackedOrder::new("240101_1", DEMO_APP_ID, 45_000, 1, 900_001, 1);
        order.metadata = r#"{"product":"Cà phê"}"#.to_owned();
        let view = shop_order(&order);
        assert_eq!(view.status, PaymentStatus::Waiting);
        assert_eq!(view.product, "Cà phê");
        // Open, with a failure seen before expiry: declined, still payable; not found is not.
        order.state = OrderState::Open;
        order.sub_return_code = Some(-101);
        assert_eq!(shop_order(&order).status, PaymentStatus::Waiting);
        order.sub_return_code = Some(-329);
        let view = shop_order(&order);
        assert_eq!(view.status, PaymentStatus::Declined);
        assert_eq!(view.sub_return_code, Some(-329));
        assert!(
            status_text(&view).contains("still pay"),
            "{}",
            status_text(&view)
        );
        order.state = OrderState::Failed;
        order.sub_return_code = Some(-329);
        order.confirmed_by = Some(Source::Query);
        let view = shop_order(&order);
        assert_eq!(view.status, PaymentStatus::Failed);
        assert_eq!(view.sub_return_code, Some(-329));
        assert_eq!(view.confirmed_by, Some("query"));
        // Money received wins in the tracker's state machine; the shop shows it as paid.
        order.state = OrderState::Paid;
        order.zp_trans_id = Some(7);
        order.confirmed_by = Some(Source::Callback);
        let view = shop_order(&order);
        assert_eq!(view.status, PaymentStatus::Paid);
        assert_eq!(view.zp_trans_id, Some(7));
        assert_eq!(view.sub_return_code, None);
        assert_eq!(view.confirmed_by, Some("callback"));
    }

    /// A payment of another amount is a problem to look at, not an order still waiting for
    /// its payment (it showed as "Waiting for payment…" with the wallet link before).
    #[test]
    fn an_amount_mismatch_needs_attention() {
        let mut order = TrackedOrder::new("240101_2", DEMO_APP_ID, 45_000, 1, 900_001, 1);
        order.state = OrderState::AmountMismatch;
        order.paid_amount = Some(40_000);
        order.zp_trans_id = Some(8);
        order.confirmed_by = Some(Source::Callback);
        let view = shop_order(&order);
        assert_ne!(view.status, PaymentStatus::Waiting);
        assert_eq!(view.status, PaymentStatus::Attention);
        let text = status_text(&view);
        assert!(text.contains("attention"), "{text}");
        assert!(
            text.contains("40.000 ₫") && text.contains("45.000 ₫"),
            "{text}"
        );
        assert_eq!(status_json(&view)["status"], "attention");
    }
}
