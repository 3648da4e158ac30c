//! How often and how patiently a failed request is repeated: [`RetryPolicy`], and which
//! failures may be repeated at all for an operation's [`RetryClass`].

use std::time::Duration;

use crate::endpoint::RetryClass;
use crate::error::Error;

/// How often and how patiently a request is repeated after a transient failure.
///
/// Which requests are repeated at all, and after which failures, is decided per operation by
/// its [`RetryClass`]; this policy only says how many times and how long to wait in between.
/// The wait before attempt `n + 1` is `initial_backoff * multiplier^(n - 1)`, capped at
/// `max_backoff`, then (with `jitter`) scaled by a random factor in `[0.5, 1.0]` so that many
/// clients do not retry in lock step.
///
/// The struct is `#[non_exhaustive]`: start from [`RetryPolicy::default`] or
/// [`RetryPolicy::none`] and change what you need with the `with_*` setters.
///
/// ```
/// use std::time::Duration;
/// use zalopay_api::RetryPolicy;
///
/// let patient = RetryPolicy::default()
///     .with_max_attempts(5)
///     .with_initial_backoff(Duration::from_millis(500))
///     .with_jitter(false);
/// assert_eq!(patient.max_attempts, 5);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Attempts in all, the first included (`1` = never retry).
    pub max_attempts: u32,
    /// Wait before the second attempt.
    pub initial_backoff: Duration,
    /// Growth factor of the wait from one attempt to the next.
    pub multiplier: f64,
    /// Upper bound of a single wait.
    pub max_backoff: Duration,
    /// Randomise each wait within `[wait / 2, wait]`.
    pub jitter: bool,
    /// Least wait after a rate-limit answer (HTTP 429 without `Retry-After`, or gateway
    /// `-429`): being told to slow down deserves more than the transient-error backoff.
    pub rate_limit_backoff: Duration,
    /// Longest `Retry-After` honoured. A longer one ends the retries: the error (with its
    /// `retry_after`) goes back to the caller, who can schedule the request later.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    /// 3 attempts, waiting 200 ms then 400 ms (at most 2 s), with jitter; at least 1 s after a
    /// rate-limit answer, and `Retry-After` honoured up to 10 s.
    fn default() -> Self {
        Self {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(200),
            multiplier: 2.0,
            max_backoff: Duration::from_secs(2),
            jitter: true,
            rate_limit_backoff: Duration::from_secs(1),
            max_retry_after: Duration::from_secs(10),
        }
    }
}

impl RetryPolicy {
    /// Never retry: every request is sent once.
    pub const fn none() -> Self {
        Self {
            max_attempts: 1,
            initial_backoff: Duration::ZERO,
            multiplier: 1.0,
            max_backoff: Duration::ZERO,
            jitter: false,
            rate_limit_backoff: Duration::ZERO,
            max_retry_after: Duration::ZERO,
        }
    }

    /// Attempts in all, the first included (`1` = never retry).
    #[must_use]
    pub const fn with_max_attempts(mut self, max_attempts: u32) -> Self {
        self.max_attempts = max_attempts;
        self
    }

    /// Wait before the second attempt.
    #[must_use]
    pub const fn with_initial_backoff(mut self, initial_backoff: Duration) -> Self {
        self.initial_backoff = initial_backoff;
        self
    }

    /// Growth factor of the wait from one attempt to the next (below 1 counts as 1).
    #[must_use]
    pub const fn with_multiplier(mut self, multiplier: f64) -> Self {
        self.multiplier = multiplier;
        self
    }

    /// Upper bound of a single wait.
    #[must_use]
    pub const fn with_max_backoff(mut self, max_backoff: Duration) -> Self {
        self.max_backoff = max_backoff;
        self
    }

    /// Whether each wait is randomised within `[wait / 2, wait]`.
    #[must_use]
    pub const fn with_jitter(mut self, jitter: bool) -> Self {
        self.jitter = jitter;
        self
    }

    /// Least wait after a rate-limit answer.
    #[must_use]
    pub const fn with_rate_limit_backoff(mut self, rate_limit_backoff: Duration) -> Self {
        self.rate_limit_backoff = rate_limit_backoff;
        self
    }

    /// Longest `Retry-After` honoured.
    #[must_use]
    pub const fn with_max_retry_after(mut self, max_retry_after: Duration) -> Self {
        self.max_retry_after = max_retry_after;
        self
    }

    /// The wait after failed attempt number `attempt` (1-based).
    pub fn backoff(&self, attempt: u32) -> Duration {
        let exponent = i32::try_from(attempt.saturating_sub(1)).unwrap_or(i32::MAX);
        let factor = self.multiplier.max(1.0).powi(exponent);
        let wait =
            (self.initial_backoff.as_secs_f64() * factor).min(self.max_backoff.as_secs_f64());
        let wait = if self.jitter {
            wait * (0.5 + 0.5 * unit_random())
        } else {
            wait
        };
        Duration::try_from_secs_f64(wait).unwrap_or(self.max_backoff)
    }
}

impl RetryPolicy {
    /// The wait before repeating after `error` on failed attempt `attempt`, or `None` when
    /// the server asked for a longer pause (`Retry-After`) than [`max_retry_after`](Self::max_retry_after).
    pub fn wait_after(&self, attempt: u32, error: &Error) -> Option<Duration> {
        let backoff = self.backoff(attempt);
        match error {
            Error::HttpStatus {
                retry_after: Some(after),
                ..
            } => (*after <= self.max_retry_after).then(|| (*after).max(backoff)),
            Error::HttpStatus { status: 429, .. } => Some(backoff.max(self.rate_limit_backoff)),
            Error::Gateway(gateway)
                if gateway.code() == crate::codes::SubReturnCode::LimitRequestReach =>
            {
                Some(backoff.max(self.rate_limit_backoff))
            }
            _ => Some(backoff),
        }
    }
}

/// A number in `[0, 1)` from a randomly keyed hash: good enough to spread retries, not secret.
fn unit_random() -> f64 {
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    // 53 random bits -> [0, 1).
    (hasher.finish() >> 11) as f64 / (1u64 << 53) as f64
}

/// Whether a failed attempt of a request of class `class` may be repeated.
pub fn should_retry(class: RetryClass, error: &Error) -> bool {
    match error {
        // Nothing was sent: repeating cannot act twice, whatever the operation.
        Error::Transport { connect: true, .. } => true,
        _ if class == RetryClass::Never => false,
        Error::Timeout { .. } | Error::Transport { .. } => true,
        Error::HttpStatus { status, .. } => *status == 429 || *status >= 500,
        Error::Gateway(gateway) => gateway.is_transient(),
        _ => false,
    }
}
