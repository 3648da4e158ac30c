//! The tracker: records before sending, feeds every verdict into the state machines, polls on
//! schedule under leases, and hands events to the merchant's handler.

use std::future::Future;
use std::sync::Arc;
mod budget;

use std::time::Duration;

use tokio::task::JoinSet;
use zalopay_api::Client;
use zalopay_api::callback::{Callback, CallbackReply, PaymentCallback, verify_callback};
use zalopay_api::clock::Clock;
use zalopay_api::ids::{AppTransId, MRefundId};
use zalopay_api::order::DEFAULT_LIFETIME;
use zalopay_api::order::{CreateOrder, QueryOrder};
use zalopay_api::refund::{QueryRefund, RefundOrder};

use crate::budget::SlowDown;
use crate::config::TrackerConfig;
use crate::error::{StoreError, TrackerError};
use crate::handler::EventHandler;
use crate::machine::{
    Change, Draw, OrderObservation, PolledRecord, RefundObservation, apply_to_order,
    apply_to_refund,
};
use crate::model::{OrderState, Outcome, Source, TrackedOrder, TrackedRefund};
use crate::observe;
use crate::schedule::{Jitter, ms};
use crate::store::{
    Backlog, Delivery, Fence, Lease, LeasedEvent, LeasedOrder, LeasedRefund, Pruned, Store, Stuck,
    Transition,
};

/// What one polling pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct PassReport {
    /// Orders and refunds leased.
    pub leased: usize,
    /// Queries sent.
    pub queried: usize,
    /// Records that reached a final state.
    pub finished: usize,
    /// Whether the gateway asked us to slow down (`-429` / HTTP 429), now or in an earlier
    /// pass whose pause has not run out.
    pub rate_limited: bool,
    /// Leased rows whose lease was lost before their answer was written (leased again by
    /// another instance): the work was dropped, nothing was written.
    pub lease_lost: usize,
    /// When the pass stopped because the rate budget (or a pause after a `-429`) had no
    /// token left: the real time until the next one may come (D-160).
    pub budget_wait: Option<Duration>,
}

/// What one dispatch pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct DispatchReport {
    /// Events handed to the handler.
    pub delivered: usize,
    /// Of those, the ones the handler failed (handed out again later).
    pub failed: usize,
    /// Events whose lease was lost during delivery (the handler was dropped, or its result
    /// was not recorded because the event was handed out again or superseded).
    pub lease_lost: usize,
}

/// What became of one leased order or refund.
enum Polled {
    /// Queried; whether it is now final.
    Queried(bool),
    /// Put off unasked (the gateway asked to slow down).
    Deferred,
    /// The lease was lost: nothing was written.
    Lost,
}

/// What one lease round of a pass got.
enum Round {
    /// Rows leased (each with its token); `full`: every token wanted was granted and used,
    /// so more may be asked for at once.
    Leased {
        orders: Vec<LeasedOrder>,
        refunds: Vec<LeasedRefund>,
        until: i64,
        full: bool,
        /// Fewer rows were due than tokens granted: nothing more to lease this pass.
        drained: bool,
    },
    /// No token, or nothing due: lease no more this pass.
    Stop,
}

/// How a callback was taken.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CallbackOutcome {
    /// The payment was recorded now.
    Recorded,
    /// Already known as paid: nothing changed.
    Duplicate,
    /// Verified, but not a payment callback (agreement): not processed here, and answered
    /// `-1` so that it is not taken as processed (D-63).
    NotAPayment,
}

struct Inner<S> {
    store: S,
    client: Client,
    config: TrackerConfig,
    jitter: Jitter,
}

/// A tracker instance over a store. Cheap to clone (clones share everything).
pub struct Tracker<S> {
    inner: Arc<Inner<S>>,
}

impl<S> Clone for Tracker<S> {
    fn clone(&self) -> Self {
        Self {
            inner: Arc::clone(&self.inner),
        }
    }
}

impl<S> std::fmt::Debug for Tracker<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tracker")
            .field("instance_id", &self.inner.config.instance_id)
            .finish_non_exhaustive()
    }
}

impl<S: Store> Tracker<S> {
    /// A tracker on `store`, sending with `client` and reading time from the client's clock
    /// (`Config::clock`: inject a manual clock in tests).
    pub fn new(store: S, client: Client, config: TrackerConfig) -> Self {
        let jitter = Jitter::new(config.jitter_seed);
        crate::metrics::describe();
        Self {
            inner: Arc::new(Inner {
                store,
                client,
                config,
                jitter,
            }),
        }
    }

    /// The store.
    pub fn store(&self) -> &S {
        &self.inner.store
    }

    /// The SDK client.
    pub fn client(&self) -> &Client {
        &self.inner.client
    }

    /// The settings.
    pub fn config(&self) -> &TrackerConfig {
        &self.inner.config
    }

    /// Now on the injected clock, Unix ms.
    pub fn now_ms(&self) -> i64 {
        self.inner.client.config().clock.now_ms()
    }

    fn draw(&self) -> Draw {
        Draw {
            jitter_ms: self.inner.jitter.up_to(self.inner.config.schedule.jitter),
        }
    }

    /// Feeds `observation` into the order's machine, through [`observed`].
    async fn observe_order(
        &self,
        app_trans_id: &str,
        observation: OrderObservation,
        fence: Option<&Fence>,
        counts_as_query: bool,
    ) -> Result<Option<TrackedOrder>, StoreError> {
        let (now, schedule, draw) = (self.now_ms(), self.inner.config.schedule, self.draw());
        let reached = crate::metrics::Reached::default();
        let machine =
            move |order: &TrackedOrder| apply_to_order(order, observation, now, &schedule, draw);
        let transition = observed(machine, fence.is_some(), counts_as_query, &reached);
        let written = self
            .inner
            .store
            .update_order(app_trans_id, fence, transition)
            .await;
        if written.is_ok() {
            reached.count("order");
        }
        written
    }

    /// [`observe_order`](Self::observe_order) for a refund.
    async fn observe_refund(
        &self,
        m_refund_id: &str,
        observation: RefundObservation,
        fence: Option<&Fence>,
        counts_as_query: bool,
    ) -> Result<Option<TrackedRefund>, StoreError> {
        let (now, schedule, draw) = (self.now_ms(), self.inner.config.schedule, self.draw());
        let reached = crate::metrics::Reached::default();
        let machine = move |refund: &TrackedRefund| {
            apply_to_refund(refund, observation, now, &schedule, draw)
        };
        let transition = observed(machine, fence.is_some(), counts_as_query, &reached);
        let written = self
            .inner
            .store
            .update_refund(m_refund_id, fence, transition)
            .await;
        if written.is_ok() {
            reached.count("refund");
        }
        written
    }

    /// Runs `work` while keeping its lease (D-110): renewed through `renew` whenever a third
    /// of the lease has passed on the injected clock (checked every `renew_check` of real
    /// time). `None` when the lease was lost (leased again, or run out unrenewed): the work
    /// was dropped unfinished and must write nothing.
    async fn hold<T, R>(
        &self,
        work: impl Future<Output = T>,
        until: i64,
        renew: impl Fn(i64) -> R,
    ) -> Option<T>
    where
        R: Future<Output = Result<bool, StoreError>>,
    {
        let lease = ms(self.inner.config.lease);
        let step = (lease / 3).max(1);
        let mut until = until;
        let mut renewed_at = self.now_ms();
        let mut work = std::pin::pin!(work);
        let mut tick = tokio::time::interval(self.inner.config.renew_check);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                biased;
                done = &mut work => return Some(done),
                _ = tick.tick() => {
                    let now = self.now_ms();
                    if now > until {
                        return None;
                    }
                    if now.saturating_sub(renewed_at) < step {
                        continue;
                    }
                    let next = now.saturating_add(lease);
                    match renew(next).await {
                        Ok(true) => {
                            until = next;
                            renewed_at = now;
                        }
                        Ok(false) => return None,
                        // Try again at the next check; the lease still holds until `until`.
                        Err(error) => tracing::warn!(%error, "could not renew a lease"),
                    }
                }
            }
        }
    }

    /// Records the order, then sends it. `metadata` is the merchant's own JSON, kept with the
    /// order (e.g. the cart).
    ///
    /// * `Ok(order)`: the gateway has the order (`open`), or it was already tracked under this
    ///   id with the same amount (returned as stored; nothing is sent again: the tracker
    ///   resolves an unanswered create by querying the same id, never by re-creating).
    /// * `Err(TrackerError::Conflict)`: already tracked under this id with another amount.
    /// * `Err(TrackerError::Invalid)`: refused before anything was recorded.
    /// * `Err(TrackerError::Create { state, .. })`: recorded and sent without success; `state`
    ///   is `creating` (no answer: a query will tell), `failed` (refused) or `abandoned`
    ///   (certainly not sent, or `-68` to the first attempt: the id is another order's).
    pub async fn create_order(
        &self,
        request: &CreateOrder,
        metadata: &serde_json::Value,
    ) -> Result<TrackedOrder, TrackerError> {
        // Fill the client's app id and the time once: what is recorded is what is sent (and
        // re-sent), byte for byte.
        let filled = self
            .inner
            .client
            .fill(request)
            .map_err(TrackerError::Invalid)?;
        let request = &filled;
        self.inner
            .client
            .prepare(request)
            .map_err(TrackerError::Invalid)?;
        let (Some(app_id), Some(app_time)) = (request.app_id, request.app_time) else {
            return Err(TrackerError::InvalidField {
                field: "app_time",
                reason: "the client did not fill app_id / app_time".to_owned(),
            });
        };
        let lifetime_ms = match request.expire_duration_seconds {
            Some(seconds) => seconds
                .checked_mul(1000)
                .ok_or(TrackerError::InvalidField {
                    field: "expire_duration_seconds",
                    reason: format!("{seconds} s is out of range"),
                })?,
            None => ms(DEFAULT_LIFETIME),
        };
        let expire_by_app_time =
            app_time
                .checked_add(lifetime_ms)
                .ok_or(TrackerError::InvalidField {
                    field: "app_time",
                    reason: "app_time + expiry is out of range".to_owned(),
                })?;
        // A token of the shared budget before anything is recorded (D-160): refused, nothing
        // happened.
        self.acquire_send().await?;
        let now = self.now_ms();
        // The order's lifetime counts from when the gateway gets it, at the latest (D-164):
        // a create that waited for its token reaches it after `app_time`, and a final query
        // scheduled from `app_time` would find the order still open and come a minute late.
        let expire_at = expire_by_app_time.max(now.saturating_add(lifetime_ms));
        let mut order = TrackedOrder::new(
            request.app_trans_id.as_str(),
            app_id,
            request.amount,
            app_time,
            expire_at,
            now,
        );
        order.metadata = metadata.to_string();
        // If the process dies after this line, the poller finds the order and queries it.
        order.next_query_at = Some(
            self.inner
                .config
                .schedule
                .first_query(app_time, self.draw().jitter_ms),
        );
        if !self.inner.store.insert_order(&order).await? {
            let stored = self
                .inner
                .store
                .order(request.app_trans_id.as_str())
                .await?
                .ok_or_else(|| TrackerError::UnknownOrder(request.app_trans_id.to_string()))?;
            if stored.amount != order.amount {
                return Err(TrackerError::Conflict {
                    id: stored.app_trans_id,
                    field: "amount",
                    stored: stored.amount.to_string(),
                    requested: order.amount.to_string(),
                });
            }
            return Ok(stored);
        }
        let result = self.inner.client.send(request).await;
        crate::metrics::sent("create_order", &result);
        self.note_send_answer(&result).await;
        let observation = observe::create(&result);
        let stored = self
            .observe_order(request.app_trans_id.as_str(), observation, None, false)
            .await?;
        let order = match stored {
            Some(order) => order,
            None => self
                .inner
                .store
                .order(request.app_trans_id.as_str())
                .await?
                .ok_or_else(|| TrackerError::UnknownOrder(request.app_trans_id.to_string()))?,
        };
        match result {
            Ok(_) => Ok(order),
            Err(source) if order.state == OrderState::Open => {
                tracing::info!(app_trans_id = %order.app_trans_id, error = %source, "create answered as a duplicate: the order exists");
                Ok(order)
            }
            Err(source) => Err(TrackerError::Create {
                app_trans_id: order.app_trans_id,
                state: order.state,
                source,
            }),
        }
    }

    /// Records the refund, then sends it; followed with the same `m_refund_id` until final.
    /// Already tracked under this id with the same `zp_trans_id` and amount: returned as
    /// stored, nothing sent again; with others: `Err(TrackerError::Conflict)` (D-113).
    pub async fn refund(&self, request: &RefundOrder) -> Result<TrackedRefund, TrackerError> {
        let filled = self
            .inner
            .client
            .fill(request)
            .map_err(TrackerError::Invalid)?;
        let request = &filled;
        self.inner
            .client
            .prepare(request)
            .map_err(TrackerError::Invalid)?;
        let (Some(app_id), Some(timestamp)) = (request.app_id, request.timestamp) else {
            return Err(TrackerError::InvalidField {
                field: "timestamp",
                reason: "the client did not fill app_id / timestamp".to_owned(),
            });
        };
        self.acquire_send().await?;
        let now = self.now_ms();
        let mut refund = TrackedRefund::new(
            request.m_refund_id.as_str(),
            app_id,
            request.zp_trans_id.get(),
            request.amount,
            timestamp,
            now,
        );
        refund.next_query_at = Some(
            now.saturating_add(ms(self.inner.config.schedule.refund_interval))
                .saturating_add(self.draw().jitter_ms),
        );
        if !self.inner.store.insert_refund(&refund).await? {
            let stored = self
                .inner
                .store
                .refund(request.m_refund_id.as_str())
                .await?
                .ok_or_else(|| TrackerError::UnknownOrder(request.m_refund_id.to_string()))?;
            let conflict = |field, stored: i64, requested: i64| TrackerError::Conflict {
                id: refund.m_refund_id.clone(),
                field,
                stored: stored.to_string(),
                requested: requested.to_string(),
            };
            if stored.zp_trans_id != refund.zp_trans_id {
                return Err(conflict(
                    "zp_trans_id",
                    stored.zp_trans_id,
                    refund.zp_trans_id,
                ));
            }
            if stored.amount != refund.amount {
                return Err(conflict("amount", stored.amount, refund.amount));
            }
            return Ok(stored);
        }
        let result = self.inner.client.send(request).await;
        crate::metrics::sent("refund", &result);
        self.note_send_answer(&result).await;
        let observation = observe::refund(&result).unwrap_or(RefundObservation::Failed {
            sub_return_code: None,
        });
        if let Err(error) = &result {
            tracing::warn!(m_refund_id = %request.m_refund_id, %error, "refund not confirmed");
        }
        self.observe_refund(request.m_refund_id.as_str(), observation, None, false)
            .await?;
        self.inner
            .store
            .refund(request.m_refund_id.as_str())
            .await?
            .ok_or_else(|| TrackerError::UnknownOrder(request.m_refund_id.to_string()))
    }

    /// Verifies a callback body with key2 and records the payment. The reply to send back:
    /// `1` recorded, `2` already processed, `0` retry later (storage failed: the poll will
    /// find the payment anyway), `-1` rejected (not from ZaloPay, or an agreement callback,
    /// which the tracker does not process: D-63).
    pub async fn handle_callback(&self, body: &[u8]) -> CallbackReply {
        match self.take_callback(body).await {
            Ok(CallbackOutcome::Recorded) => CallbackReply::success(),
            Ok(CallbackOutcome::NotAPayment) => CallbackReply::reject(
                "not processed: agreement callbacks go to the agreement handler, not the payment tracker",
            ),
            Ok(CallbackOutcome::Duplicate) => CallbackReply::already_processed(),
            Err(CallbackFailure::Invalid(error)) => CallbackReply::for_error(&error),
            Err(CallbackFailure::Store(error)) => {
                tracing::warn!(%error, "callback not recorded");
                CallbackReply::retry_later("not recorded, call again")
            }
        }
    }

    /// [`handle_callback`](Self::handle_callback) with the outcome instead of the reply.
    pub async fn take_callback(&self, body: &[u8]) -> Result<CallbackOutcome, CallbackFailure> {
        let taken = self.take_callback_once(body).await;
        crate::metrics::callback(match &taken {
            Ok(CallbackOutcome::Recorded) => "recorded",
            Ok(CallbackOutcome::Duplicate) => "duplicate",
            Ok(CallbackOutcome::NotAPayment) => "not_a_payment",
            Err(CallbackFailure::Invalid(_)) => "invalid",
            Err(CallbackFailure::Store(_)) => "store_error",
        });
        taken
    }

    async fn take_callback_once(&self, body: &[u8]) -> Result<CallbackOutcome, CallbackFailure> {
        let config = self.inner.client.config();
        let callback = verify_callback(&config.keys, Some(config.app_id), body)
            .map_err(CallbackFailure::Invalid)?;
        let Callback::Payment(payment) = callback else {
            return Ok(CallbackOutcome::NotAPayment);
        };
        let observation = OrderObservation::Paid {
            zp_trans_id: payment.zp_trans_id,
            amount: payment.amount,
            discount_amount: payment.discount_amount,
            source: Source::Callback,
        };
        // The common case, an open order paid, is one transaction: the row read under its
        // lock, the machine, the row and the event written (D-150). Only when that changed
        // nothing is the row looked up: already paid, or never tracked.
        if self
            .observe_order(&payment.app_trans_id, observation.clone(), None, false)
            .await?
            .is_some()
        {
            return Ok(CallbackOutcome::Recorded);
        }
        match self.inner.store.order(&payment.app_trans_id).await? {
            // The machine changes a paid order no more.
            Some(order) if matches!(order.state, OrderState::Paid | OrderState::AmountMismatch) => {
                return Ok(CallbackOutcome::Duplicate);
            }
            // Recorded in between (a create racing this callback): taken again below.
            Some(_) => {}
            None => self.adopt(&payment).await?,
        }
        match self
            .observe_order(&payment.app_trans_id, observation, None, false)
            .await?
        {
            Some(_) => Ok(CallbackOutcome::Recorded),
            None => Ok(CallbackOutcome::Duplicate),
        }
    }

    /// Records an order this store never tracked, from its payment callback, as open (the
    /// callback then pays it).
    async fn adopt(&self, payment: &PaymentCallback) -> Result<(), StoreError> {
        // Money for an order this store never recorded: keep it rather than lose it.
        let now = self.now_ms();
        // A callback need not say `app_time` (D-91); the payment's own time, ZaloPay's
        // clock, is then the closest the record can get, and the order is paid below.
        let app_time = payment.app_time.unwrap_or(payment.server_time);
        let expire_at = app_time.saturating_add(ms(DEFAULT_LIFETIME));
        let mut order = TrackedOrder::new(
            &payment.app_trans_id,
            payment.app_id,
            payment.amount,
            app_time,
            expire_at,
            now,
        );
        order.state = OrderState::Open;
        tracing::warn!(app_trans_id = %payment.app_trans_id, "payment callback for an order that was not tracked: adopted");
        self.inner.store.insert_order(&order).await?;
        Ok(())
    }

    /// One polling pass: leases due orders and refunds no more than `max_in_flight` at a
    /// time, only as they are queried (never work that waits for a slot), keeps each lease
    /// while its query runs, and records the answers under the lease (D-110); at most
    /// `batch_size` rows per pass. After a `-429` nothing more is leased, the rows already
    /// leased but not yet asked are put off with their error streak kept, and every instance
    /// on the store pauses for the gateway's `Retry-After`, else the initial backoff (D-116,
    /// D-160). Each lease round first takes its tokens of the app's rate budget, and leases
    /// final queries before routine queries (D-161).
    pub async fn poll_due(&self) -> Result<PassReport, TrackerError> {
        let config = &self.inner.config;
        let mut report = PassReport::default();
        let slow_down = Arc::new(SlowDown::default());
        let mut remaining = usize::try_from(config.batch_size.max(1)).unwrap_or(usize::MAX);
        let max_in_flight = config.max_in_flight.max(1);
        let mut first_error = None;
        let mut tasks: JoinSet<Result<Polled, StoreError>> = JoinSet::new();
        // Whether to ask for tokens again before a query in flight finishes: not after a
        // partial grant (the bucket is empty; the next ask waits for a completion).
        let mut ask = true;
        let mut granting = true;
        loop {
            let free = max_in_flight.saturating_sub(tasks.len());
            if granting && ask && free > 0 && remaining > 0 && !slow_down.hit() {
                match self.lease_round(remaining.min(free), &mut report).await {
                    Ok(Round::Leased {
                        orders,
                        refunds,
                        until,
                        full,
                        drained,
                    }) => {
                        let leased = orders.len() + refunds.len();
                        remaining = remaining.saturating_sub(leased);
                        ask = full;
                        granting = !drained;
                        for order in orders {
                            let this = self.clone();
                            let slow_down = Arc::clone(&slow_down);
                            tasks.spawn(
                                async move { this.poll_order(&order, until, &slow_down).await },
                            );
                        }
                        for refund in refunds {
                            let this = self.clone();
                            let slow_down = Arc::clone(&slow_down);
                            tasks.spawn(async move {
                                this.poll_refund(&refund, until, &slow_down).await
                            });
                        }
                        continue;
                    }
                    Ok(Round::Stop) => granting = false,
                    Err(error) => {
                        tracing::warn!(%error, "could not lease due work");
                        first_error.get_or_insert(error);
                        granting = false;
                    }
                }
            }
            let Some(joined) = tasks.join_next().await else {
                break;
            };
            ask = true;
            match joined {
                Ok(Ok(Polled::Queried(finished))) => {
                    report.queried += 1;
                    report.finished += usize::from(finished);
                }
                Ok(Ok(Polled::Deferred)) => {}
                Ok(Ok(Polled::Lost)) => report.lease_lost += 1,
                Ok(Err(error)) => {
                    tracing::warn!(%error, "could not record a poll");
                    first_error.get_or_insert(error);
                }
                Err(join) => tracing::warn!(error = %join, "poll task failed"),
            }
        }
        if slow_down.hit() {
            report.rate_limited = true;
            self.pause_group(&slow_down).await?;
        }
        match first_error {
            // The lease runs out and the row is polled again: nothing is lost.
            Some(error) if report.queried == 0 => Err(error.into()),
            _ => Ok(report),
        }
    }

    /// Takes up to `want` tokens of the rate budget and leases that many due rows (final
    /// queries first, then refunds), giving back the tokens no row needed (D-160, D-161).
    async fn lease_round(&self, want: usize, report: &mut PassReport) -> Result<Round, StoreError> {
        let config = &self.inner.config;
        let grant = self
            .take_poll_tokens(i64::try_from(want).unwrap_or(i64::MAX))
            .await?;
        report.rate_limited |= grant.paused;
        let slots = usize::try_from(grant.granted).unwrap_or(0).min(want);
        if slots == 0 {
            report.budget_wait = budget::wait_until(self.now_ms(), grant.retry_at);
            return Ok(Round::Stop);
        }
        let now = self.now_ms();
        let mut lease = Lease {
            owner: config.instance_id.clone(),
            now,
            until: now.saturating_add(ms(config.lease)),
            limit: i64::try_from(slots).unwrap_or(i64::MAX),
        };
        let orders = self.inner.store.lease_orders(&lease).await?;
        let free = slots.saturating_sub(orders.len());
        let refunds = if free > 0 {
            lease.limit = i64::try_from(free).unwrap_or(i64::MAX);
            self.inner.store.lease_refunds(&lease).await?
        } else {
            Vec::new()
        };
        let leased = orders.len() + refunds.len();
        self.give_back_tokens(i64::try_from(slots.saturating_sub(leased)).unwrap_or(0))
            .await?;
        report.leased += leased;
        if leased == 0 {
            return Ok(Round::Stop);
        }
        Ok(Round::Leased {
            orders,
            refunds,
            until: lease.until,
            full: slots == want,
            drained: leased < slots,
        })
    }

    /// Reads a fenced write's refusal as a lost lease.
    fn lost<T>(written: Result<T, StoreError>) -> Result<Option<T>, StoreError> {
        match written {
            Ok(value) => Ok(Some(value)),
            Err(StoreError::LeaseLost { table, id, holder }) => {
                tracing::info!(table, %id, %holder, "lease lost: answer not written");
                Ok(None)
            }
            Err(error) => Err(error),
        }
    }

    async fn poll_order(
        &self,
        order: &LeasedOrder,
        until: i64,
        slow_down: &SlowDown,
    ) -> Result<Polled, StoreError> {
        let fence = &order.fence;
        let id = order.app_trans_id.as_str();
        if slow_down.hit() {
            let written = self
                .observe_order(id, OrderObservation::Deferred, Some(fence), false)
                .await;
            return Ok(match Self::lost(written)? {
                Some(_) => Polled::Deferred,
                None => Polled::Lost,
            });
        }
        let query = QueryOrder::builder()
            .app_id(order.app_id)
            .app_trans_id(AppTransId::try_from(id).map_err(|e| StoreError::Corrupt {
                table: "tracked_orders",
                id: order.app_trans_id.clone(),
                reason: e.to_string(),
            })?)
            .build();
        let store = &self.inner.store;
        let sent = self.hold(self.inner.client.send(&query), until, |next| {
            store.renew_order(id, fence, next)
        });
        let Some(result) = sent.await else {
            tracing::info!(app_trans_id = %id, "lease lost during the query: answer dropped");
            return Ok(Polled::Lost);
        };
        crate::metrics::sent("query_order", &result);
        if let Err(error) = &result {
            if observe::is_rate_limited(error) {
                slow_down.note(observe::retry_after(error));
            }
            tracing::debug!(app_trans_id = %id, %error, "order query failed");
        }
        let written = self
            .observe_order(id, observe::query(&result), Some(fence), true)
            .await;
        Ok(match Self::lost(written)? {
            Some(stored) => Polled::Queried(stored.is_some_and(|o| o.state.is_final())),
            None => Polled::Lost,
        })
    }

    async fn poll_refund(
        &self,
        refund: &LeasedRefund,
        until: i64,
        slow_down: &SlowDown,
    ) -> Result<Polled, StoreError> {
        let fence = &refund.fence;
        let id = refund.m_refund_id.as_str();
        if slow_down.hit() {
            let written = self
                .observe_refund(id, RefundObservation::Deferred, Some(fence), false)
                .await;
            return Ok(match Self::lost(written)? {
                Some(_) => Polled::Deferred,
                None => Polled::Lost,
            });
        }
        let query = QueryRefund::builder()
            .app_id(refund.app_id)
            .m_refund_id(MRefundId::try_from(id).map_err(|e| StoreError::Corrupt {
                table: "tracked_refunds",
                id: refund.m_refund_id.clone(),
                reason: e.to_string(),
            })?)
            .timestamp(self.now_ms())
            .build();
        let store = &self.inner.store;
        let sent = self.hold(self.inner.client.send(&query), until, |next| {
            store.renew_refund(id, fence, next)
        });
        let Some(result) = sent.await else {
            tracing::info!(m_refund_id = %id, "lease lost during the query: answer dropped");
            return Ok(Polled::Lost);
        };
        crate::metrics::sent("query_refund", &result);
        if let Err(error) = &result
            && observe::is_rate_limited(error)
        {
            slow_down.note(observe::retry_after(error));
        }
        let written = self
            .observe_refund(id, observe::query_refund(&result), Some(fence), true)
            .await;
        Ok(match Self::lost(written)? {
            Some(stored) => Polled::Queried(stored.is_some_and(|r| r.state.is_final())),
            None => Polled::Lost,
        })
    }

    /// One dispatch pass: hands due events to `handler`, oldest first, one at a time, each
    /// leased only when its delivery starts and kept while the handler runs (D-110); marks
    /// it done only when the handler succeeds, else hands it out again later with backoff.
    /// At most `batch_size` events per pass.
    pub async fn dispatch<H: EventHandler>(
        &self,
        handler: &H,
    ) -> Result<DispatchReport, TrackerError> {
        let config = &self.inner.config;
        let store = &self.inner.store;
        let mut report = DispatchReport::default();
        for _ in 0..config.batch_size.max(1) {
            let now = self.now_ms();
            let lease = Lease {
                owner: config.instance_id.clone(),
                now,
                until: now.saturating_add(ms(config.lease)),
                limit: 1,
            };
            let Some(LeasedEvent { event, fence }) =
                store.lease_events(&lease).await?.into_iter().next()
            else {
                break;
            };
            let handled = self
                .hold(handler.handle(&event), lease.until, |next| {
                    store.renew_event(event.id, &fence, next)
                })
                .await;
            let Some(handled) = handled else {
                tracing::warn!(key = %event.idempotency_key, "event lease lost during delivery: handler dropped");
                report.lease_lost += 1;
                continue;
            };
            report.delivered += 1;
            let delivery = match handled {
                Ok(()) => Delivery::Done { at: self.now_ms() },
                Err(error) => {
                    report.failed += 1;
                    tracing::warn!(key = %event.idempotency_key, %error, "event handler failed");
                    let factor = 1_i64 << event.attempts.clamp(1, 6).saturating_sub(1);
                    let wait = ms(config.event_retry).saturating_mul(factor);
                    Delivery::RetryAt {
                        at: self.now_ms().saturating_add(wait),
                    }
                }
            };
            if !store.finish_event(event.id, &fence, delivery).await? {
                tracing::info!(key = %event.idempotency_key, "event no longer held (superseded or leased again): result not recorded");
                report.lease_lost += 1;
            }
        }
        Ok(report)
    }

    /// Polls every `tick` (real time) and dispatches events as soon as they are committed,
    /// until `shutdown` completes. Events reach the handler without waiting for a pass
    /// (D-151): the dispatcher wakes when this process commits one and, on Postgres, when
    /// another instance does (LISTEN/NOTIFY); it also runs every `tick`, which is all there
    /// is while the listener is down. Storage errors are logged and the loop goes on: leases
    /// run out and the work is picked up again. On shutdown a pass under way is stopped (a
    /// query in flight is dropped unwritten, a handler interrupted: its event is delivered
    /// again, as after a crash) and this instance's leases are handed back, so another
    /// instance takes the work at once (D-141).
    pub async fn run<H: EventHandler>(
        &self,
        handler: &H,
        tick: Duration,
        shutdown: impl std::future::Future<Output = ()>,
    ) {
        let work = async {
            tokio::join!(self.poll_loop(tick), self.dispatch_loop(handler, tick));
        };
        tokio::select! {
            () = shutdown => {}
            () = work => {}
        }
        if let Err(error) = self.hand_back_leases().await {
            tracing::warn!(%error, "could not hand back leases: they run out instead");
        }
    }

    /// Polling passes, one every `tick`, sooner when the rate budget stopped a pass (back as
    /// soon as a token may be free, D-160); the backlog gauges are refreshed along the way.
    async fn poll_loop(&self, tick: Duration) {
        let mut gauges = crate::metrics::BacklogGauges::default();
        loop {
            let budget_wait = match self.poll_due().await {
                Ok(report) => report.budget_wait,
                Err(error) => {
                    tracing::warn!(%error, "polling pass failed");
                    None
                }
            };
            if gauges.due()
                && let Err(error) = self.backlog().await
            {
                tracing::warn!(%error, "could not read the backlog for the metrics");
            }
            tokio::time::sleep(budget_wait.map_or(tick, |wait| wait.min(tick))).await;
        }
    }

    /// Dispatch passes: at once when events were committed, else every `tick`. A pass that
    /// used its whole batch is followed by another at once.
    async fn dispatch_loop<H: EventHandler>(&self, handler: &H, tick: Duration) {
        let mut wakeups = self.inner.store.event_wakeups().await;
        let batch = usize::try_from(self.inner.config.batch_size.max(1)).unwrap_or(usize::MAX);
        loop {
            let full = match self.dispatch(handler).await {
                Ok(report) => report.delivered.saturating_add(report.lease_lost) >= batch,
                Err(error) => {
                    tracing::warn!(%error, "dispatch pass failed");
                    false
                }
            };
            if full {
                continue;
            }
            tokio::select! {
                () = wakeups.wait() => {}
                () = tokio::time::sleep(tick) => {}
            }
        }
    }

    /// Hands back every lease this instance holds (its orders and refunds due at once, its
    /// events free), for a graceful shutdown once its passes have stopped (D-141). Writes
    /// still in flight under those leases are refused. The number of rows handed back.
    pub async fn hand_back_leases(&self) -> Result<u64, TrackerError> {
        Ok(self
            .inner
            .store
            .release_leases(&self.inner.config.instance_id, self.now_ms())
            .await?)
    }

    /// Retention (D-143): deletes finished orders and refunds (with their events) last
    /// changed more than `older_than` ago, `batch` rows per table and transaction, until
    /// none is left; never an open row or one with a pending event. `older_than` must
    /// outlast every callback ZaloPay may still send: a callback for a pruned order is taken
    /// as one for an untracked order.
    pub async fn prune_finished(
        &self,
        older_than: Duration,
        batch: i64,
    ) -> Result<Pruned, TrackerError> {
        let before = self.now_ms().saturating_sub(ms(older_than));
        let mut total = Pruned::default();
        loop {
            let pruned = self.inner.store.prune(before, batch.max(1)).await?;
            if pruned.is_empty() {
                return Ok(total);
            }
            total.orders = total.orders.saturating_add(pruned.orders);
            total.refunds = total.refunds.saturating_add(pruned.refunds);
        }
    }

    /// Late work by id (D-174): at most `limit` each of the open orders and refunds whose
    /// next query is more than `max_lag` late and of the events pending for more than
    /// `max_event_age`, the longest waiting first. Where [`backlog`](Self::backlog) says how
    /// much is late, this says which.
    pub async fn stuck(
        &self,
        max_lag: Duration,
        max_event_age: Duration,
        limit: i64,
    ) -> Result<Stuck, TrackerError> {
        let now = self.now_ms();
        Ok(self
            .inner
            .store
            .stuck(
                now.saturating_sub(ms(max_lag)),
                now.saturating_sub(ms(max_event_age)),
                limit,
            )
            .await?)
    }

    /// Work waiting now: due orders and refunds, pending events, and the oldest of each
    /// (`now - oldest_due_at` is the poll lag) (D-142).
    /// With the `metrics` feature it also sets the backlog gauges (D-170).
    pub async fn backlog(&self) -> Result<Backlog, TrackerError> {
        let now = self.now_ms();
        let backlog = self.inner.store.backlog(now).await?;
        crate::metrics::backlog(&backlog, now);
        Ok(backlog)
    }
}

/// The transition an observation makes in the store's transaction: the machine's change,
/// its final state noted for the metrics. Under a lease the write is always made, so that it
/// releases the lease even when nothing else changes, and a query is counted when
/// `counts_as_query`.
fn observed<'a, R: PolledRecord + Send + 'a>(
    machine: impl FnOnce(&R) -> Option<Change<R>> + Send + 'a,
    leased: bool,
    counts_as_query: bool,
    noted: &'a crate::metrics::Reached,
) -> Transition<'a, R> {
    Box::new(move |record: &R| {
        let change = machine(record);
        if let Some(change) = &change {
            let (to, to_is_final) = change.record.state_word();
            noted.note(record.state_word().0, to, to_is_final);
        }
        if !leased {
            return change;
        }
        let mut change = change.unwrap_or_else(|| Change::record(record.clone()));
        if counts_as_query {
            change
                .record
                .set_queries(record.queries().saturating_add(1));
        }
        Some(change)
    })
}

/// Why a callback was not taken.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CallbackFailure {
    /// It did not verify (size, envelope, MAC, app id, shape).
    #[error(transparent)]
    Invalid(zalopay_api::CallbackError),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The outcome an event stands for, e.g. to show it in a list.
pub fn describe(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Paid {
            zp_trans_id,
            amount,
            confirmed_by,
            overrides,
            ..
        } => {
            let mut text =
                format!("paid {amount} VND, zp_trans_id {zp_trans_id}, by {confirmed_by:?}");
            if let Some(earlier) = overrides {
                text.push_str(&format!(" (after an earlier {earlier} verdict)"));
            }
            text
        }
        Outcome::Failed {
            sub_return_code, ..
        } => format!("failed (sub_return_code {sub_return_code:?})"),
        Outcome::Expired { .. } => "expired".to_owned(),
        Outcome::Abandoned { reason, .. } => format!("abandoned: {reason}"),
        Outcome::Refunded { amount, .. } => format!("refunded {amount} VND"),
        Outcome::RefundFailed { reason, .. } => format!("refund failed: {reason}"),
        Outcome::AmountMismatch {
            expected_amount,
            paid_amount,
            zp_trans_id,
            ..
        } => format!(
            "paid {paid_amount} VND, not the order's {expected_amount} VND (zp_trans_id {zp_trans_id}): the merchant decides"
        ),
        Outcome::RefundUnresolved { reason, .. } => {
            format!("refund unresolved, reconcile: {reason}")
        }
    }
}
