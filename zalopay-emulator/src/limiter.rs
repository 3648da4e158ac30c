//! A per-app rate limiter in front of the gateway API, as ZaloPay limits each merchant app
//! (`-429` LIMIT_REQUEST_REACH). Off by default; a token bucket per app on the emulator's
//! clock when set ([`crate::EmulatorConfig::rate_limit`], [`crate::EmulatorState::set_rate_limit`],
//! `zalopay emulator --rate-limit`).
//!
//! The refusal is the gateway's in-band shape: HTTP 200, `return_code` 2, `sub_return_code`
//! -429, message `LIMIT_REQUEST_REACH` (D-162: the code and its name are documented, its field
//! and the HTTP status are not; no `Retry-After` is documented either, so none is sent).

use std::collections::HashMap;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

/// Milli-tokens per token: `per_second` tokens a second refill exactly `per_second`
/// milli-tokens a millisecond.
const MILLI: i64 = 1000;

/// A per-app request limit: `per_second` requests a second, at most `burst` at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RateLimit {
    /// Requests a second each app may make (at least 1).
    pub per_second: u32,
    /// Most requests an idle app may make at once. Default a tenth of `per_second` (at
    /// least 1).
    pub burst: u32,
}

impl RateLimit {
    /// `per_second` requests a second (at least 1) with the default burst.
    pub fn per_second(per_second: u32) -> Self {
        let per_second = per_second.max(1);
        Self {
            per_second,
            burst: (per_second / 10).max(1),
        }
    }

    /// Sets the burst (at least 1).
    pub fn with_burst(mut self, burst: u32) -> Self {
        self.burst = burst.max(1);
        self
    }

    /// Parses `N` or `N/BURST` (the CLI's `--rate-limit`).
    pub fn parse(text: &str) -> Option<Self> {
        let (rate, burst) = match text.split_once('/') {
            Some((rate, burst)) => (rate, Some(burst)),
            None => (text, None),
        };
        let limit = Self::per_second(rate.trim().parse().ok().filter(|n| *n > 0)?);
        match burst {
            Some(burst) => Some(limit.with_burst(burst.trim().parse().ok().filter(|n| *n > 0)?)),
            None => Some(limit),
        }
    }
}

/// One app's bucket: milli-tokens held at `at` (Unix ms, emulator clock).
#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: i64,
    at: i64,
}

/// The limit in force and every app's bucket.
#[derive(Debug, Default)]
pub(crate) struct Limiter {
    state: Mutex<LimiterState>,
}

#[derive(Debug, Default)]
struct LimiterState {
    limit: Option<RateLimit>,
    buckets: HashMap<i64, Bucket>,
}

impl Limiter {
    pub(crate) fn new(limit: Option<RateLimit>) -> Self {
        Self {
            state: Mutex::new(LimiterState {
                limit,
                buckets: HashMap::new(),
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, LimiterState> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Replaces the limit; every bucket starts full again.
    pub(crate) fn set(&self, limit: Option<RateLimit>) {
        let mut state = self.lock();
        state.limit = limit;
        state.buckets.clear();
    }

    /// The limit in force.
    pub(crate) fn limit(&self) -> Option<RateLimit> {
        self.lock().limit
    }

    /// Whether a request of `app_id` at `now` may go through (it takes a token if so). A
    /// request without an app id, or with no limit set, always may.
    pub(crate) fn admit(&self, app_id: Option<i64>, now: i64) -> bool {
        let mut state = self.lock();
        let (Some(limit), Some(app_id)) = (state.limit, app_id) else {
            return true;
        };
        let capacity = i64::from(limit.burst.max(1)).saturating_mul(MILLI);
        let bucket = state.buckets.entry(app_id).or_insert(Bucket {
            tokens: capacity,
            at: now,
        });
        let elapsed = now.saturating_sub(bucket.at).max(0);
        bucket.tokens = bucket
            .tokens
            .saturating_add(elapsed.saturating_mul(i64::from(limit.per_second)))
            .min(capacity);
        bucket.at = bucket.at.max(now);
        if bucket.tokens >= MILLI {
            bucket.tokens = bucket.tokens.saturating_sub(MILLI);
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admits_the_burst_then_the_rate_per_app() {
        let limiter = Limiter::new(Some(RateLimit::per_second(100).with_burst(5)));
        let admitted = (0..10).filter(|_| limiter.admit(Some(1), 0)).count();
        assert_eq!(admitted, 5);
        // Another app has its own bucket.
        assert!(limiter.admit(Some(2), 0));
        // 10 ms at 100/s: one more.
        assert!(limiter.admit(Some(1), 10));
        assert!(!limiter.admit(Some(1), 10));
        // One second: exactly the rate (the burst was spent).
        let second = (11..=1010).filter(|t| limiter.admit(Some(1), *t)).count();
        assert_eq!(second, 100);
        assert!(limiter.admit(None, 0));
        limiter.set(None);
        assert!((0..1000).all(|_| limiter.admit(Some(1), 2000)));
    }

    #[test]
    fn parses_the_flag() {
        assert_eq!(RateLimit::parse("660"), Some(RateLimit::per_second(660)));
        assert_eq!(
            RateLimit::parse("660/30"),
            Some(RateLimit::per_second(660).with_burst(30))
        );
        assert_eq!(RateLimit::per_second(660).burst, 66);
        for bad in ["", "0", "x", "10/0", "10/x", "-5"] {
            assert_eq!(RateLimit::parse(bad), None, "{bad}");
        }
    }
}
