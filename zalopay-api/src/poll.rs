//! Polling an order until it is paid, failed or past its lifetime.
//!
//! ZaloPay calls back only after a successful payment, and callbacks can be lost, so the docs
//! tell merchants to query the order status periodically until a final state or expiry, and
//! in any case once 15 minutes after creation if no callback came (api-facts §2 flow notes;
//! the quick-starts poll once a minute). [`Poller`] does exactly that:
//!
//! * query at once, then every [`PollConfig::interval`] (default 60 s);
//! * stop when paid or expired, or at the deadline `created_at + lifetime + grace`, and never
//!   later than `created_at + 48 h` (the window in which the query API answers). The last
//!   query happens *at* the deadline, which yields the documented "one query after 15
//!   minutes";
//! * a failure seen before the deadline (the buyer cancelled, a bank error) is not the last
//!   word: the buyer can still pay the same order until it expires, so the poller keeps asking
//!   and the query at the deadline decides (a payment it reveals wins). An unrecognised
//!   `return_code 2` is treated the same way; maintenance and other temporary codes
//!   (`-33`, `-88`, `-135`, `-301`, ...) never decide (D-101);
//! * "not found" (`-101` / `-92`) is not final: the same id is queried again until the
//!   deadline, which then reports [`PollOutcome::NotFound`];
//! * transient errors (timeouts, transport errors, HTTP 429/5xx, gateway -429/-500/-503/-999
//!   and maintenance codes) are retried on the next tick; other errors end the poll;
//! * cancellable through any future the caller passes (a `tokio::sync::Notify`, a
//!   `watch::Receiver::changed()`, a shutdown signal, …).
//!
//! The clock and the sleeping are injected ([`Clock`], [`Sleeper`]) and the query is any
//! async closure, so tests run on virtual time against a fake gateway.

use std::future::Future;
use std::time::Duration;

#[cfg(any(test, feature = "test-util"))]
use crate::clock::ManualClock;
use crate::clock::{Clock, SystemClock};
use crate::error::Error;
use crate::order::{OrderStatus, QueryOrder, QueryOrderResponse};

// The gateway's facts about an order's time, defined with the orders (the emulator, which has
// no client, reads them there too); here for the poller's users.
pub use crate::order::{DEFAULT_LIFETIME, QUERY_WINDOW};
/// Default time between queries: 60 seconds.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(60);
/// Default extra time after the lifetime ends before giving up: 60 seconds.
///
/// Not documented by ZaloPay (this library's choice): it covers a payment started just before
/// expiry and a small clock difference between merchant and ZaloPay.
pub const DEFAULT_GRACE: Duration = Duration::from_secs(60);
/// Smallest interval used, to keep a misconfigured poller from hammering the gateway.
pub const MIN_INTERVAL: Duration = Duration::from_secs(1);

/// How often and how long to poll.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PollConfig {
    /// Time between queries (at least [`MIN_INTERVAL`]).
    pub interval: Duration,
    /// The order's lifetime: 15 min by default, or its `expire_duration_seconds`.
    pub lifetime: Duration,
    /// Extra time after the lifetime before the final query.
    pub grace: Duration,
}

impl Default for PollConfig {
    fn default() -> Self {
        Self {
            interval: DEFAULT_INTERVAL,
            lifetime: DEFAULT_LIFETIME,
            grace: DEFAULT_GRACE,
        }
    }
}

impl PollConfig {
    /// The defaults with the given order lifetime.
    pub fn with_lifetime(lifetime: Duration) -> Self {
        Self {
            lifetime,
            ..Self::default()
        }
    }

    /// The lifetime of an order created with this `expire_duration_seconds` (ZaloPay's
    /// default of 15 minutes when `None` or not positive).
    pub fn lifetime_for(expire_duration_seconds: Option<i64>) -> Duration {
        match expire_duration_seconds {
            Some(seconds) if seconds > 0 => Duration::from_secs(seconds.unsigned_abs()),
            _ => DEFAULT_LIFETIME,
        }
    }

    /// The instant (Unix ms) after which no more queries are made for an order created at
    /// `created_at_ms`: `created + lifetime + grace`, capped at `created + 48 h`.
    pub fn deadline_ms(&self, created_at_ms: i64) -> i64 {
        let until = self.lifetime.saturating_add(self.grace).min(QUERY_WINDOW);
        created_at_ms.saturating_add(duration_ms(until))
    }
}

fn duration_ms(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

/// How a poll ended.
#[derive(Debug)]
#[non_exhaustive]
pub enum PollOutcome {
    /// The order is paid.
    Paid {
        /// ZaloPay's transaction id (needed to refund).
        zp_trans_id: i64,
        /// Amount paid, VND.
        amount: i64,
        /// Discount applied, VND, when the gateway said.
        discount_amount: Option<i64>,
    },
    /// The order expired unpaid (`2/-54`).
    Expired,
    /// The query at the deadline said the payment failed (or answered a `return_code 2` no
    /// source documents); `sub_return_code` says why.
    Failed {
        /// The gateway's reason.
        sub_return_code: Option<i32>,
    },
    /// The deadline passed and ZaloPay never knew the order (`-101` / `-92` on every answer
    /// since the last one that found it). Not a failure: a lost create answer can leave an
    /// order that appears late. Do **not** create it again under a new id; query the same
    /// `app_trans_id` later (within 48 h) or check the merchant portal.
    NotFound {
        /// The deadline that was reached, Unix ms.
        at_deadline: i64,
        /// The last not-found code (-101 or -92).
        sub_return_code: i32,
    },
    /// The deadline passed while the order was still unpaid (or the last queries failed
    /// transiently). Usually means the buyer never paid; the merchant portal has the final
    /// word after 48 h.
    StillProcessing {
        /// The deadline that was reached, Unix ms.
        at_deadline: i64,
        /// The error of the last query, if it failed transiently (so no answer was seen).
        last_error: Option<Error>,
    },
    /// The caller cancelled the poll.
    Cancelled,
}

/// Waits for a duration. Real code uses [`TokioSleeper`]; tests use [`VirtualSleeper`].
pub trait Sleeper: Send + Sync {
    /// Completes after `duration`.
    fn sleep(&self, duration: Duration) -> impl Future<Output = ()> + Send;
}

/// Sleeps with `tokio::time::sleep`.
#[derive(Debug, Clone, Copy, Default)]
pub struct TokioSleeper;

impl Sleeper for TokioSleeper {
    fn sleep(&self, duration: Duration) -> impl Future<Output = ()> + Send {
        tokio::time::sleep(duration)
    }
}

/// Does not sleep: moves a [`ManualClock`] forward instead and yields once. Tests of hour-long
/// polls finish at once.
#[cfg(any(test, feature = "test-util"))]
#[cfg_attr(docsrs, doc(cfg(feature = "test-util")))]
#[derive(Debug, Clone, Copy)]
pub struct VirtualSleeper<'a> {
    clock: &'a ManualClock,
}

#[cfg(any(test, feature = "test-util"))]
impl<'a> VirtualSleeper<'a> {
    /// Sleeps by advancing `clock`.
    pub fn new(clock: &'a ManualClock) -> Self {
        Self { clock }
    }
}

#[cfg(any(test, feature = "test-util"))]
impl Sleeper for VirtualSleeper<'_> {
    fn sleep(&self, duration: Duration) -> impl Future<Output = ()> + Send {
        let clock = self.clock;
        async move {
            clock.advance(duration);
            tokio::task::yield_now().await;
        }
    }
}

/// The status poller: a clock, a way to sleep, and a [`PollConfig`].
#[derive(Debug, Clone)]
pub struct Poller<C, S> {
    clock: C,
    sleeper: S,
    config: PollConfig,
}

impl Poller<SystemClock, TokioSleeper> {
    /// A poller on the real clock.
    pub fn new(config: PollConfig) -> Self {
        Self::with_parts(SystemClock, TokioSleeper, config)
    }
}

impl<C: Clock, S: Sleeper> Poller<C, S> {
    /// A poller with an injected clock and sleeper.
    pub fn with_parts(clock: C, sleeper: S, config: PollConfig) -> Self {
        Self {
            clock,
            sleeper,
            config,
        }
    }

    /// The configuration.
    pub fn config(&self) -> &PollConfig {
        &self.config
    }

    /// Polls with `query` (called once per tick) for an order created at `created_at_ms`,
    /// until a final state, the deadline, an error that is not transient, or `cancel`
    /// completes (pass `std::future::pending()` to never cancel).
    ///
    /// `Err` is returned only for a non-transient error (e.g. `-402` wrong key, `-401`).
    pub async fn poll<Q, Fut, X>(
        &self,
        created_at_ms: i64,
        mut query: Q,
        cancel: X,
    ) -> Result<PollOutcome, Error>
    where
        Q: FnMut() -> Fut,
        Fut: Future<Output = Result<QueryOrderResponse, Error>>,
        X: Future<Output = ()>,
    {
        let deadline = self.config.deadline_ms(created_at_ms);
        let interval = self.config.interval.max(MIN_INTERVAL);
        let mut cancel = std::pin::pin!(cancel);
        loop {
            let answer = tokio::select! {
                biased;
                () = &mut cancel => return Ok(PollOutcome::Cancelled),
                // Deferred in an async block: a cancelled poll does not even build a query.
                answer = async { query().await } => answer,
            };
            let now = self.clock.now_ms();
            let last_query = now >= deadline;
            let mut not_found = None;
            let last_error = match answer {
                Ok(response) => match response.status() {
                    OrderStatus::Paid {
                        zp_trans_id,
                        amount,
                        discount_amount,
                    } => {
                        return Ok(PollOutcome::Paid {
                            zp_trans_id,
                            amount,
                            discount_amount,
                        });
                    }
                    OrderStatus::Expired => return Ok(PollOutcome::Expired),
                    // A failure before the deadline is not the last word: the buyer can still
                    // pay the same order until it expires. The query at the deadline decides.
                    OrderStatus::Failed { sub_return_code } if last_query => {
                        return Ok(PollOutcome::Failed { sub_return_code });
                    }
                    // So does an unrecognised `return_code 2` (a code no source documents);
                    // maintenance and other temporary codes never decide.
                    OrderStatus::Unknown {
                        return_code: 2,
                        sub_return_code,
                    } if last_query
                        && response.codes.class() == crate::codes::CodeClass::Unknown =>
                    {
                        return Ok(PollOutcome::Failed { sub_return_code });
                    }
                    // Not visible (yet): keep asking the same id until the deadline.
                    OrderStatus::NotFound { sub_return_code } => {
                        not_found = Some(sub_return_code);
                        None
                    }
                    _ => None,
                },
                Err(error) if error.is_transient() => {
                    tracing::debug!(%error, "order query failed transiently; retrying next tick");
                    Some(error)
                }
                Err(error) => return Err(error),
            };
            if last_query {
                return Ok(match not_found {
                    Some(sub_return_code) => PollOutcome::NotFound {
                        at_deadline: deadline,
                        sub_return_code,
                    },
                    None => PollOutcome::StillProcessing {
                        at_deadline: deadline,
                        last_error,
                    },
                });
            }
            let left = Duration::from_millis(deadline.saturating_sub(now).unsigned_abs());
            tokio::select! {
                biased;
                () = &mut cancel => return Ok(PollOutcome::Cancelled),
                () = self.sleeper.sleep(interval.min(left)) => {}
            }
        }
    }
}

impl crate::Client {
    /// Polls `/v2/query` for `app_trans_id` once a minute until the order is paid or failed,
    /// or until `created_at_ms + lifetime` plus a minute of grace (at most 48 h), on the real
    /// clock. See [`crate::poll`].
    pub async fn poll_order(
        &self,
        app_trans_id: &crate::ids::AppTransId,
        created_at_ms: i64,
        lifetime: Duration,
    ) -> Result<PollOutcome, Error> {
        self.poll_order_with(
            app_trans_id,
            created_at_ms,
            PollConfig::with_lifetime(lifetime),
            std::future::pending(),
        )
        .await
    }

    /// [`poll_order`](Self::poll_order) with a custom configuration and a cancellation
    /// future.
    pub async fn poll_order_with(
        &self,
        app_trans_id: &crate::ids::AppTransId,
        created_at_ms: i64,
        config: PollConfig,
        cancel: impl Future<Output = ()>,
    ) -> Result<PollOutcome, Error> {
        let request = QueryOrder::builder()
            .app_id(self.app_id())
            .app_trans_id(app_trans_id)
            .build();
        Poller::new(config)
            .poll(created_at_ms, || self.send(&request), cancel)
            .await
    }
}
