//! The merchant back end: the part of the demo to copy (see the module docs of `demo`).
//!
//! Five routes carry the money: `POST /checkout` creates the order (recorded by the tracker
//! before it is sent), `POST /callback` hands ZaloPay's callback to the tracker (which
//! verifies it with key2, records it once and gives the reply), `GET /order/{id}/status`
//! answers from the tracker's database, `POST /order/{id}/refund` refunds through the tracker,
//! and `GET /result` only checks the redirect's checksum and shows the order page: the
//! browser's word is never taken as a payment.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Form, Path, Query, RawQuery, State};
use axum::http::StatusCode;
use axum::http::header::LOCATION;
use axum::response::{IntoResponse, Json, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use zalopay_api::ids::{AppTransId, MRefundId};
use zalopay_api::order::CreateOrder;
use zalopay_api::refund::RefundOrder;
use zalopay_api::{CallbackReply, JsonString};
use zalopay_tracker::{
    Event, EventHandler, OrderState, Outcome, SqlStore, Store, TrackedRefund, Tracker,
};

use super::pages::{self, error_page};
use super::products::{self, Product};
use super::status::{ShopOrder, shop_order, status_json};
use crate::CliError;

/// The shop: its tracker (database and ZaloPay client) and the URL it is reached at.
pub(super) struct Shop {
    pub(super) tracker: Tracker<SqlStore>,
    /// `http://host:port`, for the callback and redirect URLs sent with each order.
    pub(super) base_url: String,
}

type Shared = State<Arc<Shop>>;

impl Shop {
    /// Every route of the shop.
    pub(super) fn router(shop: Arc<Shop>) -> Router {
        Router::new()
            .route("/", get(|| async { pages::products_page() }))
            .route("/checkout", get(checkout_get).post(checkout_post))
            .route("/order/{id}", get(order_page))
            .route("/order/{id}/status", get(order_status))
            .route("/order/{id}/refund", post(refund))
            .route("/refund/{m_refund_id}", get(refund_page))
            .route("/result", get(result_page))
            .route("/callback", post(callback))
            .with_state(shop)
    }

    /// The order as the buyer sees it (`None`: unknown, or the database could not be read).
    async fn order(&self, id: &str) -> Option<ShopOrder> {
        match self.tracker.store().order(id).await {
            Ok(order) => order.as_ref().map(shop_order),
            Err(error) => {
                tracing::warn!(%error, app_trans_id = %id, "cannot read the order");
                None
            }
        }
    }

    /// Creates the order at the gateway. The tracker records it *before* sending, so an
    /// answer lost on the way is found again by a status query, never created twice.
    async fn create_order(&self, product: &Product) -> Result<String, CliError> {
        let app_id = self.tracker.client().config().app_id;
        let id = AppTransId::random()?;
        tracing::info!(app_trans_id = %id, product = product.id, "creating the order");
        let mut request = CreateOrder::builder()
            .app_id(app_id)
            .app_trans_id(&id)
            .app_user("demo-buyer")
            .amount(product.price)
            .description(format!("ZaloPay demo shop - Payment for the order #{id}"))
            .build();
        // Web-to-App: open the ZaloPay app; come back to /result; the callback to /callback.
        request.bank_code = Some("zalopayapp".to_owned());
        request.callback_url = Some(format!("{}/callback", self.base_url));
        request.embed_data = JsonString::new(
            &serde_json::json!({ "redirecturl": format!("{}/result", self.base_url) }),
        )?;
        request.item = JsonString::new(&serde_json::json!([
            { "itemid": product.id, "itemname": product.name, "itemprice": product.price, "itemquantity": 1 }
        ]))?;
        // Recorded before it is sent; the tracker follows it from here (callback or poll).
        let order = self
            .tracker
            .create_order(&request, &serde_json::json!({ "product": product.name }))
            .await?;
        if order.order_url.is_none() {
            return Err(CliError::new("the gateway returned no order_url"));
        }
        Ok(id.into_string())
    }

    /// Refunds a paid order in full. The `m_refund_id` is the order's own unique part under
    /// today's date, so a second press the same day is the same refund (the tracker returns
    /// it as stored, nothing is sent twice); the tracker records it before sending and
    /// follows it until final. `Ok(None)`: no such paid order.
    async fn refund_order(&self, id: &str) -> Result<Option<TrackedRefund>, CliError> {
        let Some(order) = self.tracker.store().order(id).await? else {
            return Ok(None);
        };
        let (OrderState::Paid, Some(zp_trans_id)) = (order.state, order.zp_trans_id) else {
            return Ok(None);
        };
        let unique = id.split_once('_').map_or(id, |(_, unique)| unique);
        let now = self.tracker.now_ms();
        let m_refund_id = MRefundId::with_unique(now, order.app_id, unique)?;
        tracing::info!(app_trans_id = %id, %m_refund_id, "refunding the order");
        let request = RefundOrder::builder()
            .app_id(order.app_id)
            .m_refund_id(m_refund_id)
            .zp_trans_id(zp_trans_id)
            .amount(order.amount)
            .description(format!("ZaloPay demo shop - Refund of the order #{id}"))
            .build();
        Ok(Some(self.tracker.refund(&request).await?))
    }
}

/// `POST /order/{id}/refund`: refunds the paid order, then shows the refund.
async fn refund(State(shop): Shared, Path(id): Path<String>) -> Response {
    match shop.refund_order(&id).await {
        Ok(Some(refund)) => (
            StatusCode::SEE_OTHER,
            [(LOCATION, format!("/refund/{}", refund.m_refund_id))],
        )
            .into_response(),
        Ok(None) => error_page(
            StatusCode::CONFLICT,
            "Cannot refund",
            "Only a paid order of this shop can be refunded.",
        ),
        Err(error) => error_page(
            StatusCode::BAD_GATEWAY,
            "Could not refund the order",
            &error.to_string(),
        ),
    }
}

/// `GET /refund/{m_refund_id}`: the refund as the tracker knows it.
async fn refund_page(State(shop): Shared, Path(m_refund_id): Path<String>) -> Response {
    match shop.tracker.store().refund(&m_refund_id).await {
        Ok(Some(refund)) => pages::refund_page(&refund),
        Ok(None) => error_page(StatusCode::NOT_FOUND, "Unknown refund", "No such refund."),
        Err(error) => error_page(
            StatusCode::SERVICE_UNAVAILABLE,
            "Cannot read the refund",
            &error.to_string(),
        ),
    }
}

/// ZaloPay's callback: verified with key2 and recorded by the tracker, which gives the reply.
async fn callback(State(shop): Shared, body: Bytes) -> Json<CallbackReply> {
    Json(shop.tracker.handle_callback(&body).await)
}

#[derive(Deserialize)]
struct CheckoutParams {
    product: Option<String>,
}

async fn checkout_get(State(shop): Shared, Query(params): Query<CheckoutParams>) -> Response {
    checkout(&shop, params.product.as_deref()).await
}

async fn checkout_post(State(shop): Shared, Form(params): Form<CheckoutParams>) -> Response {
    checkout(&shop, params.product.as_deref()).await
}

/// Creates the order at the gateway and sends the browser to its order page.
async fn checkout(shop: &Shop, product: Option<&str>) -> Response {
    let Some(product) = products::find(product) else {
        return error_page(StatusCode::NOT_FOUND, "Unknown product", "No such product.");
    };
    match shop.create_order(product).await {
        Ok(id) => (StatusCode::SEE_OTHER, [(LOCATION, format!("/order/{id}"))]).into_response(),
        Err(error) => error_page(
            StatusCode::BAD_GATEWAY,
            "Could not create the order",
            &error.to_string(),
        ),
    }
}

async fn order_page(State(shop): Shared, Path(id): Path<String>) -> Response {
    match shop.order(&id).await {
        Some(order) => pages::order_page(&order),
        None => error_page(StatusCode::NOT_FOUND, "Unknown order", "No such order."),
    }
}

async fn order_status(State(shop): Shared, Path(id): Path<String>) -> Response {
    match shop.order(&id).await {
        Some(order) => Json(status_json(&order)).into_response(),
        None => (
            StatusCode::NOT_FOUND,
            Json(serde_json::json!({ "error": "no such order" })),
        )
            .into_response(),
    }
}

/// The gateway's redirect: verify the checksum (a hint only), then show the order page, whose
/// status comes from the callback or a query.
async fn result_page(State(shop): Shared, RawQuery(query): RawQuery) -> Response {
    let query = query.unwrap_or_default();
    let keys = &shop.tracker.client().config().keys;
    match zalopay_api::redirect::verify_redirect(keys, &query) {
        Ok(redirect) if shop.order(&redirect.app_trans_id).await.is_some() => (
            StatusCode::SEE_OTHER,
            [(LOCATION, format!("/order/{}", redirect.app_trans_id))],
        )
            .into_response(),
        Ok(_) => error_page(StatusCode::NOT_FOUND, "Unknown order", "No such order."),
        Err(error) => error_page(
            StatusCode::BAD_REQUEST,
            "Invalid redirect",
            &error.to_string(),
        ),
    }
}

/// The shop's fulfilment: hands out the goods once per order (idempotent on the event's key).
/// The tracker delivers each outcome at least once, until this returns `Ok`.
pub(super) struct Fulfilment;

impl EventHandler for Fulfilment {
    type Error = std::convert::Infallible;

    async fn handle(&self, event: &Event) -> Result<(), Self::Error> {
        match &event.outcome {
            Outcome::Paid {
                app_trans_id,
                amount,
                zp_trans_id,
                ..
            } => {
                tracing::info!(%app_trans_id, amount, zp_trans_id, key = %event.idempotency_key, "fulfil the order")
            }
            other => tracing::info!(
                subject = other.subject(),
                kind = other.kind(),
                "release the order"
            ),
        }
        Ok(())
    }
}
