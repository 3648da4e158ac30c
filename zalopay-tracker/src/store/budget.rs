//! The shared rate budget's row (D-160): one per app, `tracker_rate_budget`, read and written
//! back under a row lock (Postgres) or the single writer (SQLite), so every instance on the
//! database draws from the same bucket. The arithmetic is [`crate::budget`]'s.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Mutex;

use sqlx::Row;

use super::{MemoryStore, SqlStore};
use crate::budget::{self, Bucket, Grant, RateBudget, TokenAsk};
use crate::error::StoreError;

/// Storage of the shared rate budget, one bucket per app.
pub trait BudgetStore {
    /// Takes up to `ask.want` tokens of `app_id`'s budget.
    fn take_tokens(
        &self,
        app_id: i64,
        ask: &TokenAsk,
    ) -> impl Future<Output = Result<Grant, StoreError>> + Send;

    /// Puts back tokens taken but not used.
    fn give_back_tokens(
        &self,
        app_id: i64,
        budget: &RateBudget,
        now: i64,
        tokens: i64,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Pauses everything sent for `app_id`, by every instance, until `until` (Unix ms; a
    /// longer pause already stored stays).
    fn pause_app(
        &self,
        app_id: i64,
        until: i64,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}

/// The memory store's buckets (one process: a mutex is the lock).
#[derive(Debug, Default)]
pub(crate) struct MemoryBuckets(Mutex<HashMap<i64, Bucket>>);

impl MemoryBuckets {
    fn with<R>(&self, app_id: i64, now: i64, f: impl FnOnce(&mut Bucket) -> R) -> R {
        let mut buckets = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        f(buckets.entry(app_id).or_insert_with(|| Bucket::fresh(now)))
    }
}

impl BudgetStore for MemoryStore {
    async fn take_tokens(&self, app_id: i64, ask: &TokenAsk) -> Result<Grant, StoreError> {
        Ok(self
            .buckets()
            .with(app_id, ask.now, |bucket| budget::take(bucket, ask)))
    }

    async fn give_back_tokens(
        &self,
        app_id: i64,
        budget: &RateBudget,
        now: i64,
        tokens: i64,
    ) -> Result<(), StoreError> {
        self.buckets().with(app_id, now, |bucket| {
            budget::give_back(bucket, budget, now, tokens);
        });
        Ok(())
    }

    async fn pause_app(&self, app_id: i64, until: i64) -> Result<(), StoreError> {
        self.buckets()
            .with(app_id, until, |bucket| budget::pause(bucket, until));
        Ok(())
    }
}

/// Attempts of a conditional write before the budget gives up (each is lost only to another
/// instance's write in between, so more than a few mean something is wrong).
const ATTEMPTS: usize = 64;

impl SqlStore {
    /// `app_id`'s bucket as stored, created empty at `now` if missing.
    async fn load_bucket(&self, app_id: i64, now: i64) -> Result<Bucket, StoreError> {
        let select =
            "SELECT tokens, refilled_at, paused_until FROM tracker_rate_budget WHERE app_id = $1";
        let mut row = sqlx::query(select)
            .bind(app_id)
            .fetch_optional(self.pool())
            .await?;
        if row.is_none() {
            let fresh = Bucket::fresh(now);
            sqlx::query(
                "INSERT INTO tracker_rate_budget (app_id, tokens, refilled_at, paused_until) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (app_id) DO NOTHING",
            )
            .bind(app_id)
            .bind(fresh.tokens)
            .bind(fresh.refilled_at)
            .bind(fresh.paused_until)
            .execute(self.pool())
            .await?;
            row = sqlx::query(select)
                .bind(app_id)
                .fetch_optional(self.pool())
                .await?;
        }
        let row = row.ok_or_else(|| StoreError::Corrupt {
            table: "tracker_rate_budget",
            id: app_id.to_string(),
            reason: "the row vanished while it was being created".to_owned(),
        })?;
        Ok(Bucket {
            tokens: row.try_get("tokens")?,
            refilled_at: row.try_get("refilled_at")?,
            paused_until: row.try_get("paused_until")?,
        })
    }

    /// Runs `f` on `app_id`'s bucket and writes the result back only if the row is still what
    /// was read (a compare-and-set: no lock is held between the two statements, and the
    /// write-first rule of SQLite's WAL mode is kept); on a lost race, reads again (D-160).
    async fn with_bucket<R>(
        &self,
        app_id: i64,
        now: i64,
        f: impl Fn(&mut Bucket) -> R,
    ) -> Result<R, StoreError> {
        for _ in 0..ATTEMPTS {
            let before = self.load_bucket(app_id, now).await?;
            let mut bucket = before;
            let result = f(&mut bucket);
            if bucket == before {
                return Ok(result);
            }
            let written = sqlx::query(
                "UPDATE tracker_rate_budget SET tokens = $2, refilled_at = $3, paused_until = $4 \
                 WHERE app_id = $1 AND tokens = $5 AND refilled_at = $6 AND paused_until = $7",
            )
            .bind(app_id)
            .bind(bucket.tokens)
            .bind(bucket.refilled_at)
            .bind(bucket.paused_until)
            .bind(before.tokens)
            .bind(before.refilled_at)
            .bind(before.paused_until)
            .execute(self.pool())
            .await?;
            if written.rows_affected() == 1 {
                return Ok(result);
            }
        }
        Err(StoreError::Contended {
            table: "tracker_rate_budget",
            id: app_id.to_string(),
            attempts: ATTEMPTS,
        })
    }
}

impl BudgetStore for SqlStore {
    async fn take_tokens(&self, app_id: i64, ask: &TokenAsk) -> Result<Grant, StoreError> {
        if ask.budget.is_none() {
            // No limit: only a pause matters, and reading it needs no lock.
            let paused_until: Option<i64> = sqlx::query_scalar(
                "SELECT paused_until FROM tracker_rate_budget WHERE app_id = $1",
            )
            .bind(app_id)
            .fetch_optional(self.pool())
            .await?;
            let mut bucket = Bucket {
                paused_until: paused_until.unwrap_or(0),
                ..Bucket::fresh(ask.now)
            };
            return Ok(budget::take(&mut bucket, ask));
        }
        self.with_bucket(app_id, ask.now, |bucket| budget::take(bucket, ask))
            .await
    }

    async fn give_back_tokens(
        &self,
        app_id: i64,
        budget: &RateBudget,
        now: i64,
        tokens: i64,
    ) -> Result<(), StoreError> {
        self.with_bucket(app_id, now, |bucket| {
            budget::give_back(bucket, budget, now, tokens);
        })
        .await
    }

    async fn pause_app(&self, app_id: i64, until: i64) -> Result<(), StoreError> {
        self.with_bucket(app_id, until, |bucket| budget::pause(bucket, until))
            .await
    }
}
