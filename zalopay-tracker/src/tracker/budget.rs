//! The tracker's side of the shared rate budget (D-160): tokens before anything is sent, and
//! a `-429` turned into a pause of the whole group.

use std::time::Duration;

use tokio::time::Instant;

use super::Tracker;
use crate::budget::{Grant, SlowDown, TokenAsk, Traffic};
use crate::error::{StoreError, TrackerError};
use crate::observe;
use crate::store::Store;

impl<S: Store> Tracker<S> {
    /// The app everything is sent for (the client's): the budget's key.
    fn budget_app(&self) -> i64 {
        self.inner.client.config().app_id
    }

    /// Up to `want` tokens for queries (none while the group is paused).
    pub(super) async fn take_poll_tokens(&self, want: i64) -> Result<Grant, StoreError> {
        let ask = TokenAsk {
            now: self.now_ms(),
            want,
            traffic: Traffic::Poll,
            budget: self.inner.config.rate_budget,
        };
        self.inner.store.take_tokens(self.budget_app(), &ask).await
    }

    /// Puts back query tokens that found no due row.
    pub(super) async fn give_back_tokens(&self, tokens: i64) -> Result<(), StoreError> {
        match &self.inner.config.rate_budget {
            Some(budget) if tokens > 0 => {
                self.inner
                    .store
                    .give_back_tokens(self.budget_app(), budget, self.now_ms(), tokens)
                    .await
            }
            _ => Ok(()),
        }
    }

    /// One token for a create or a refund, waiting for it at most `send_wait` of real time.
    /// Without a budget nothing is asked (no extra round trip).
    pub(super) async fn acquire_send(&self) -> Result<(), TrackerError> {
        let Some(budget) = self.inner.config.rate_budget else {
            return Ok(());
        };
        // `None`: a wait too long to express, i.e. never give up.
        let give_up = Instant::now().checked_add(budget.send_wait);
        loop {
            let now = self.now_ms();
            let ask = TokenAsk {
                now,
                want: 1,
                traffic: Traffic::Send,
                budget: Some(budget),
            };
            let grant = self
                .inner
                .store
                .take_tokens(self.budget_app(), &ask)
                .await?;
            if grant.granted > 0 {
                return Ok(());
            }
            let retry_at = grant.retry_at.unwrap_or(now.saturating_add(1));
            let wait = Duration::from_millis(
                u64::try_from(retry_at.saturating_sub(now).max(1)).unwrap_or(1),
            );
            let ready = Instant::now().checked_add(wait);
            if give_up.is_some_and(|give_up| ready.is_none_or(|ready| ready > give_up)) {
                return Err(TrackerError::RateLimited { retry_at });
            }
            tokio::time::sleep(wait).await;
        }
    }

    /// After a `-429` / HTTP 429: pauses every instance of the group for the gateway's
    /// `Retry-After`, else the schedule's initial backoff, and at most its `max_backoff`
    /// (D-160).
    pub(super) async fn pause_group(&self, slow: &SlowDown) -> Result<(), StoreError> {
        let schedule = &self.inner.config.schedule;
        let pause = slow.pause(schedule.initial_backoff, schedule.max_backoff);
        let until = self.now_ms().saturating_add(pause);
        tracing::info!(
            until,
            "the gateway asked to slow down: every instance pauses"
        );
        self.inner.store.pause_app(self.budget_app(), until).await
    }

    /// Pauses the group if a create's or refund's answer was a `-429`.
    pub(super) async fn note_send_answer<T>(&self, result: &Result<T, zalopay_api::Error>) {
        let Err(error) = result else { return };
        if !observe::is_rate_limited(error) {
            return;
        }
        let slow = SlowDown::default();
        slow.note(observe::retry_after(error));
        if let Err(error) = self.pause_group(&slow).await {
            tracing::warn!(%error, "could not store the pause after a -429");
        }
    }
}

/// Real time until `retry_at` on the injected clock, for a loop that waits for the budget.
pub(super) fn wait_until(now: i64, retry_at: Option<i64>) -> Option<Duration> {
    retry_at
        .map(|at| Duration::from_millis(u64::try_from(at.saturating_sub(now).max(1)).unwrap_or(1)))
}
