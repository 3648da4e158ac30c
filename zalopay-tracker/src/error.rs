//! The tracker's errors.

use crate::model::OrderState;

/// A storage failure.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The database refused or failed a statement.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// A migration failed.
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The URL names no back end this build has.
    #[error(
        "unsupported database URL `{0}` (use sqlite:PATH or postgres://...; the matching feature must be on)"
    )]
    UnsupportedUrl(String),
    /// A write under a lease was refused: the row was leased again by `owner` since (or is
    /// gone). Nothing was written (D-110).
    #[error("{table} row `{id}`: the lease was lost (now held by {holder}); write refused")]
    LeaseLost {
        /// The table.
        table: &'static str,
        /// The row's key.
        id: String,
        /// Who holds the row's lease now (`nobody` when no one does).
        holder: String,
    },
    /// A conditional write lost the race to other writers `attempts` times in a row; nothing
    /// was written.
    #[error("{table} row `{id}`: changed by others {attempts} times in a row; nothing written")]
    Contended {
        /// The table.
        table: &'static str,
        /// The row's key.
        id: String,
        /// How many times it was tried.
        attempts: usize,
    },
    /// A stored row does not decode.
    #[error("stored {table} row `{id}` is corrupt: {reason}")]
    Corrupt {
        /// The table.
        table: &'static str,
        /// The row's key.
        id: String,
        /// What is wrong.
        reason: String,
    },
}

/// What can go wrong in the tracker.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TrackerError {
    /// The store failed (see [`StoreError`]).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The request is invalid or the client is misconfigured; nothing was recorded or sent.
    #[error("request refused before anything was recorded: {0}")]
    Invalid(#[source] zalopay_api::Error),
    /// A value in the request is outside what can be tracked.
    #[error("invalid `{field}`: {reason}")]
    InvalidField {
        /// The field.
        field: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// The create was recorded and sent, and did not come back as created. `state` says what
    /// the tracker made of it: `creating` (no answer: it will query the same id), `failed`
    /// (refused), `abandoned` (certainly not sent, or the id is already another order's:
    /// `-68` to the first attempt).
    #[error("order `{app_trans_id}` is {state}: {source}")]
    Create {
        /// The order id.
        app_trans_id: String,
        /// The tracked state after the attempt.
        state: OrderState,
        /// The SDK's error (gateway codes kept).
        #[source]
        source: zalopay_api::Error,
    },
    /// The id is already tracked with other values: a retry must re-send the same request
    /// (D-113). Nothing was sent.
    #[error("`{id}` is already tracked with {field} = {stored}, not {requested}: nothing sent")]
    Conflict {
        /// The order or refund id.
        id: String,
        /// The field that differs.
        field: &'static str,
        /// The tracked value.
        stored: String,
        /// The value asked for now.
        requested: String,
    },
    /// No token of the app's rate budget came within [`crate::RateBudget::send_wait`] (or the
    /// group is paused after a `-429`): nothing was recorded or sent; try again from `retry_at`.
    #[error("rate budget spent: nothing recorded or sent; try again at {retry_at} (Unix ms)")]
    RateLimited {
        /// When a token may be free again, Unix ms.
        retry_at: i64,
    },
    /// The order is not tracked.
    #[error("order `{0}` is not tracked")]
    UnknownOrder(String),
}
