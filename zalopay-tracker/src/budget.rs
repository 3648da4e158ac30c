//! One rate budget per app, shared by every instance on one database (D-160).
//!
//! ZaloPay limits each merchant app (`-429` LIMIT_REQUEST_REACH). Everything the tracker sends
//! for an app (queries, creates, refunds) draws from one token bucket kept in one database row
//! per app: [`RateBudget::per_second`] tokens a second, never more than [`RateBudget::burst`]
//! held, so rows that come due together (after an outage, a restart, a flash sale) go out at
//! the budget's pace and never as a burst. Polls leave the last
//! [`RateBudget::reserve_percent`] of the bucket to creates and refunds, which therefore come
//! first whenever both wait. A `-429` or an HTTP `Retry-After` pauses the whole group: the
//! pause is stored in the row, and the bucket restarts empty when it ends.
//!
//! The arithmetic lives here, once, as pure functions over [`Bucket`]; the stores only load
//! the row, apply them and write it back under a row lock (Postgres) or the single writer
//! (SQLite).

use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::time::Duration;

use crate::schedule::ms;

/// Milli-tokens per token: a rate of `r` tokens a second refills exactly `r` milli-tokens a
/// millisecond, so the bucket is integer arithmetic.
const MILLI: i64 = 1000;

/// The shared rate budget of an app ([`crate::TrackerConfig::with_rate_budget`]).
///
/// Off by default: ZaloPay documents no limit, so the tracker cannot know one; set it to the
/// rate ZaloPay granted the app (D-160).
///
/// ```
/// use std::time::Duration;
/// let budget = zalopay_tracker::RateBudget::per_second(600)
///     .with_burst(30)
///     .with_send_wait(Duration::from_secs(2));
/// assert_eq!(budget.per_second, 600);
/// assert_eq!(budget.reserve_percent, 20);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct RateBudget {
    /// Requests a second for everything the tracker sends for the app, across all instances.
    pub per_second: u32,
    /// Most tokens the bucket holds (the largest burst). Default a tenth of a second's worth
    /// (at least 1), so no one-second window carries more than 1.1× the budget.
    pub burst: u32,
    /// Share of the bucket, in percent, that routine queries never take: creates and refunds draw it, and
    /// routine queries get nothing until it is full again. Default 20 (at least one token when not 0,
    /// and never the whole bucket).
    pub reserve_percent: u8,
    /// Longest real time a create or refund waits for a token before it is refused unsent and
    /// unrecorded ([`crate::TrackerError::RateLimited`]). Default 5 s; `Duration::MAX` waits
    /// as long as it takes.
    pub send_wait: Duration,
}

impl RateBudget {
    /// A budget of `per_second` requests a second (at least 1) with the default burst,
    /// reserve and wait.
    pub fn per_second(per_second: u32) -> Self {
        let per_second = per_second.max(1);
        Self {
            per_second,
            burst: (per_second / 10).max(1),
            reserve_percent: 20,
            send_wait: Duration::from_secs(5),
        }
    }

    /// Sets the burst (at least 1).
    pub fn with_burst(mut self, burst: u32) -> Self {
        self.burst = burst.max(1);
        self
    }

    /// Sets the share kept for creates and refunds (capped at 100).
    pub fn with_reserve_percent(mut self, percent: u8) -> Self {
        self.reserve_percent = percent.min(100);
        self
    }

    /// Sets how long a create or refund waits for a token.
    pub fn with_send_wait(mut self, wait: Duration) -> Self {
        self.send_wait = wait;
        self
    }

    fn capacity(&self) -> i64 {
        i64::from(self.burst.max(1)).saturating_mul(MILLI)
    }

    /// Milli-tokens routine queries leave in the bucket.
    fn reserve(&self) -> i64 {
        if self.reserve_percent == 0 {
            return 0;
        }
        let tokens = (u64::from(self.burst) * u64::from(self.reserve_percent)).div_ceil(100);
        i64::try_from(tokens.max(1))
            .unwrap_or(i64::MAX)
            .saturating_mul(MILLI)
            // Polls always have at least one token of the bucket to draw.
            .min(self.capacity().saturating_sub(MILLI))
    }
}

/// What a token is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Traffic {
    /// A create or a refund: may take the reserve.
    Send,
    /// A query of an order or a refund: leaves the reserve alone.
    Poll,
}

/// The shared state of an app's budget, as one row stores it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bucket {
    /// Milli-tokens held at `refilled_at`.
    pub tokens: i64,
    /// When `tokens` was last brought up to date, Unix ms.
    pub refilled_at: i64,
    /// Nothing is granted before this instant, Unix ms (a `-429` or `Retry-After`).
    pub paused_until: i64,
}

impl Bucket {
    /// The state of a budget no one has drawn from yet: empty, so that a fresh start sends at
    /// the budget's pace, never a burst.
    pub fn fresh(now: i64) -> Self {
        Self {
            tokens: 0,
            refilled_at: now,
            paused_until: 0,
        }
    }
}

/// A request for tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenAsk {
    /// Now on the asker's clock, Unix ms.
    pub now: i64,
    /// Tokens wanted.
    pub want: i64,
    /// What they are for.
    pub traffic: Traffic,
    /// The budget; `None`: no limit, only a pause holds anything back.
    pub budget: Option<RateBudget>,
}

/// What a request for tokens got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Grant {
    /// Tokens granted (each allows one request now).
    pub granted: i64,
    /// When more may be granted, if fewer than wanted were, Unix ms.
    pub retry_at: Option<i64>,
    /// Whether the group is paused after a `-429` / `Retry-After`.
    pub paused: bool,
}

/// Brings the bucket up to `now`: refill since it was last touched, capped at the burst.
/// Time never runs backwards for the bucket (instances' clocks may differ a little).
fn refill(bucket: &mut Bucket, budget: &RateBudget, now: i64) {
    let elapsed = now.saturating_sub(bucket.refilled_at).max(0);
    let added = elapsed.saturating_mul(i64::from(budget.per_second));
    bucket.tokens = bucket.tokens.saturating_add(added).min(budget.capacity());
    bucket.refilled_at = bucket.refilled_at.max(now);
}

/// Grants up to `ask.want` tokens from `bucket` (updated in place).
pub fn take(bucket: &mut Bucket, ask: &TokenAsk) -> Grant {
    if ask.now < bucket.paused_until {
        return Grant {
            granted: 0,
            retry_at: Some(bucket.paused_until),
            paused: true,
        };
    }
    let want = ask.want.max(0);
    let Some(budget) = ask.budget else {
        return Grant {
            granted: want,
            retry_at: None,
            paused: false,
        };
    };
    refill(bucket, &budget, ask.now);
    let floor = match ask.traffic {
        Traffic::Send => 0,
        Traffic::Poll => budget.reserve(),
    };
    let available = bucket.tokens.saturating_sub(floor).max(0) / MILLI;
    let granted = want.min(available);
    bucket.tokens = bucket.tokens.saturating_sub(granted.saturating_mul(MILLI));
    let retry_at = (granted < want).then(|| {
        // Until one more whole token above the floor has been refilled.
        let missing = floor
            .saturating_add(MILLI)
            .saturating_sub(bucket.tokens)
            .max(1);
        let rate = i64::from(budget.per_second.max(1));
        let wait = missing.saturating_add(rate - 1) / rate;
        ask.now.saturating_add(wait.max(1))
    });
    Grant {
        granted,
        retry_at,
        paused: false,
    }
}

/// Puts back `tokens` granted but not used (fewer rows were due than tokens taken).
pub fn give_back(bucket: &mut Bucket, budget: &RateBudget, now: i64, tokens: i64) {
    refill(bucket, budget, now);
    bucket.tokens = bucket
        .tokens
        .saturating_add(tokens.max(0).saturating_mul(MILLI))
        .min(budget.capacity());
}

/// Pauses the group until `until` (never shortens a pause). The bucket restarts empty when the
/// pause ends, so the group resumes at the budget's pace.
pub fn pause(bucket: &mut Bucket, until: i64) {
    bucket.paused_until = bucket.paused_until.max(until);
    bucket.tokens = 0;
    bucket.refilled_at = bucket.refilled_at.max(bucket.paused_until);
}

/// What the queries of one pass learnt about the gateway's limit: whether it said to slow
/// down, and the longest `Retry-After` it gave.
#[derive(Debug, Default)]
pub(crate) struct SlowDown {
    hit: AtomicBool,
    retry_after_ms: AtomicI64,
}

impl SlowDown {
    /// Notes a `-429` / HTTP 429 (with its `Retry-After`, if any).
    pub(crate) fn note(&self, retry_after: Option<Duration>) {
        if let Some(wait) = retry_after {
            self.retry_after_ms.fetch_max(ms(wait), Ordering::SeqCst);
        }
        self.hit.store(true, Ordering::SeqCst);
    }

    /// Whether the gateway said to slow down.
    pub(crate) fn hit(&self) -> bool {
        self.hit.load(Ordering::SeqCst)
    }

    /// How long the group pauses: the gateway's `Retry-After` when it gave one, else
    /// `otherwise`; never longer than `longest`, so that an answer asking for a day (a
    /// proxy's mistake, or a hostile peer) cannot hold back the final queries that long.
    pub(crate) fn pause(&self, otherwise: Duration, longest: Duration) -> i64 {
        let asked = match self.retry_after_ms.load(Ordering::SeqCst) {
            0 => ms(otherwise),
            given => given,
        };
        asked.min(ms(longest))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ask(now: i64, want: i64, traffic: Traffic, budget: RateBudget) -> TokenAsk {
        TokenAsk {
            now,
            want,
            traffic,
            budget: Some(budget),
        }
    }

    #[test]
    fn refills_at_the_rate_and_never_beyond_the_burst() {
        let budget = RateBudget::per_second(100)
            .with_burst(10)
            .with_reserve_percent(0);
        let mut bucket = Bucket::fresh(0);
        // Empty at the start: nothing before the first token has been refilled.
        let first = take(&mut bucket, &ask(0, 5, Traffic::Poll, budget));
        assert_eq!(first.granted, 0);
        assert_eq!(first.retry_at, Some(10));
        // 50 ms at 100/s: 5 tokens.
        assert_eq!(
            take(&mut bucket, &ask(50, 8, Traffic::Poll, budget)).granted,
            5
        );
        // An hour idle: still only the burst.
        let later = take(&mut bucket, &ask(3_600_000, 1000, Traffic::Poll, budget));
        assert_eq!(later.granted, 10);
        assert_eq!(later.retry_at, Some(3_600_010));
        // Over any window, at most rate × window + burst.
        let mut total = 0;
        for t in 0..=1000 {
            total += take(&mut bucket, &ask(3_600_000 + t, 50, Traffic::Poll, budget)).granted;
        }
        assert_eq!(total, 100, "one second at 100/s after the burst was spent");
    }

    #[test]
    fn polls_leave_the_reserve_to_sends() {
        let budget = RateBudget::per_second(100)
            .with_burst(10)
            .with_reserve_percent(30);
        let mut bucket = Bucket::fresh(0);
        assert_eq!(
            take(&mut bucket, &ask(1000, 100, Traffic::Poll, budget)).granted,
            7
        );
        let poll = take(&mut bucket, &ask(1000, 1, Traffic::Poll, budget));
        assert_eq!(poll.granted, 0);
        assert_eq!(
            take(&mut bucket, &ask(1000, 3, Traffic::Send, budget)).granted,
            3
        );
        // The reserve is refilled before routine queries get anything again (10 ms per token).
        assert_eq!(
            take(&mut bucket, &ask(1030, 5, Traffic::Poll, budget)).granted,
            0
        );
        assert_eq!(
            take(&mut bucket, &ask(1040, 5, Traffic::Poll, budget)).granted,
            1
        );
    }

    #[test]
    fn a_pause_holds_everything_and_restarts_empty() {
        let budget = RateBudget::per_second(100).with_burst(10);
        let mut bucket = Bucket::fresh(0);
        pause(&mut bucket, 5_000);
        let held = take(&mut bucket, &ask(4_999, 1, Traffic::Send, budget));
        assert!(held.paused);
        assert_eq!((held.granted, held.retry_at), (0, Some(5_000)));
        // A shorter pause does not shorten it.
        pause(&mut bucket, 2_000);
        assert!(take(&mut bucket, &ask(4_000, 1, Traffic::Send, budget)).paused);
        // No burst at the end: 20 ms after it, 2 tokens.
        assert_eq!(
            take(&mut bucket, &ask(5_020, 10, Traffic::Send, budget)).granted,
            2
        );
        // Without a limit only the pause holds anything back.
        let unlimited = TokenAsk {
            budget: None,
            ..ask(5_020, 7, Traffic::Poll, budget)
        };
        assert_eq!(take(&mut bucket, &unlimited).granted, 7);
        pause(&mut bucket, 9_000);
        assert!(take(&mut bucket, &unlimited).paused);
    }

    #[test]
    fn unused_tokens_go_back_up_to_the_burst() {
        let budget = RateBudget::per_second(100).with_burst(10);
        let mut bucket = Bucket::fresh(0);
        assert_eq!(
            take(&mut bucket, &ask(100, 8, Traffic::Send, budget)).granted,
            8
        );
        give_back(&mut bucket, &budget, 100, 50);
        assert_eq!(bucket.tokens, 10_000);
    }

    #[test]
    fn a_lagging_clock_does_not_refill_twice() {
        let budget = RateBudget::per_second(100).with_burst(10);
        let mut bucket = Bucket::fresh(0);
        assert_eq!(
            take(&mut bucket, &ask(50, 10, Traffic::Send, budget)).granted,
            5
        );
        // Another instance whose clock is 40 ms behind gets nothing new.
        assert_eq!(
            take(&mut bucket, &ask(10, 10, Traffic::Send, budget)).granted,
            0
        );
        assert_eq!(
            take(&mut bucket, &ask(60, 10, Traffic::Send, budget)).granted,
            1
        );
    }

    #[test]
    fn defaults() {
        let budget = RateBudget::per_second(600);
        assert_eq!(budget.burst, 60);
        assert_eq!(budget.reserve(), 12_000);
        assert_eq!(RateBudget::per_second(0).per_second, 1);
        assert_eq!(RateBudget::per_second(5).burst, 1);
        assert_eq!(RateBudget::per_second(5).reserve(), 0);
        assert_eq!(RateBudget::per_second(20).reserve(), 1000);
        let slow = SlowDown::default();
        assert!(!slow.hit());
        slow.note(None);
        let longest = Duration::from_secs(300);
        assert_eq!(slow.pause(Duration::from_secs(10), longest), 10_000);
        slow.note(Some(Duration::from_secs(30)));
        assert_eq!(slow.pause(Duration::from_secs(10), longest), 30_000);
        slow.note(Some(Duration::from_secs(86_400)));
        assert_eq!(slow.pause(Duration::from_secs(10), longest), 300_000);
    }
}
