//! [`CallOptions`]: one call's own timeout and retrying, without a second client.

use std::time::Duration;

use crate::endpoint::RetryClass;

/// Options for one call ([`Client::send_with`](super::Client::send_with)): a timeout of its
/// own, fewer attempts, or a stricter retry class.
///
/// An option can only make retrying *stricter* than the operation's own [`RetryClass`] and
/// the client's [`RetryPolicy`](super::RetryPolicy): asking a refund (`Never`) to be retried
/// as `Safe` still sends it once, and `max_attempts` above the policy's is capped by it. What
/// may act twice is decided by the operation, not by a call site.
///
/// ```
/// use std::time::Duration;
/// use zalopay_api::{CallOptions, RetryClass};
///
/// // A status check from a request handler: answer fast, never retry.
/// let quick = CallOptions::new()
///     .timeout(Duration::from_secs(3))
///     .retry_class(RetryClass::Never);
/// assert_eq!(quick.effective_class(RetryClass::Safe), RetryClass::Never);
/// // A looser class than the operation's is ignored.
/// let loose = CallOptions::new().retry_class(RetryClass::Safe);
/// assert_eq!(loose.effective_class(RetryClass::Never), RetryClass::Never);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CallOptions {
    /// Time allowed for each attempt of this call, instead of `Config::timeout`.
    pub timeout: Option<Duration>,
    /// A retry class for this call; used only where it is stricter than the operation's.
    pub retry_class: Option<RetryClass>,
    /// At most this many attempts (the first included); capped by the client's policy.
    pub max_attempts: Option<u32>,
    /// This call re-sends a request sent before (see [`resend`](Self::resend)).
    pub resend: bool,
}

impl CallOptions {
    /// No overrides: the client's configuration and the operation's retry class.
    pub const fn new() -> Self {
        Self {
            timeout: None,
            retry_class: None,
            max_attempts: None,
            resend: false,
        }
    }

    /// This call re-sends a request sent before whose answer was lost (same merchant ids):
    /// "dated today" is not required of its ids, so a re-send stays a re-send across Vietnam
    /// midnight, and ZaloPay answers a duplicate (`-68`, `-23`) if the first attempt got
    /// through. The other checks still apply; a re-send they refuse is
    /// [`Error::ResendRefused`](crate::Error::ResendRefused), never "nothing was sent".
    ///
    /// After a lost refund answer the sure path is [`QueryRefund`](crate::refund::QueryRefund)
    /// with the same `m_refund_id`, on any day; ZaloPay documents no duplicate answer for an
    /// `m_refund_id` of an earlier day.
    #[must_use]
    pub const fn resend(mut self) -> Self {
        self.resend = true;
        self
    }

    /// Time allowed for each attempt of this call (connect, send, receive).
    #[must_use]
    pub const fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Retry this call as `class` where that is stricter than the operation's class.
    #[must_use]
    pub const fn retry_class(mut self, class: RetryClass) -> Self {
        self.retry_class = Some(class);
        self
    }

    /// Send this call at most `max_attempts` times (`1` = no retry); never more than the
    /// client's [`RetryPolicy::max_attempts`](super::RetryPolicy::max_attempts).
    #[must_use]
    pub const fn max_attempts(mut self, max_attempts: u32) -> Self {
        self.max_attempts = Some(max_attempts);
        self
    }

    /// The retry class this call runs with, for an operation of class `operation`: the
    /// stricter of the two.
    pub fn effective_class(&self, operation: RetryClass) -> RetryClass {
        match self.retry_class {
            Some(asked) if strictness(asked) > strictness(operation) => asked,
            _ => operation,
        }
    }

    /// The attempts this call may make under a policy allowing `policy_max`: the smaller,
    /// and at least one.
    pub fn effective_attempts(&self, policy_max: u32) -> u32 {
        let max = policy_max.max(1);
        self.max_attempts.map_or(max, |asked| asked.clamp(1, max))
    }
}

/// How little a class retries: `Safe` repeats any transient failure; `SameId` repeats them
/// too but reads a duplicate after a lost answer as "already submitted"; `Never` repeats
/// only what never left the machine.
const fn strictness(class: RetryClass) -> u8 {
    match class {
        RetryClass::Safe => 0,
        RetryClass::SameId => 1,
        RetryClass::Never => 2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CLASSES: [RetryClass; 3] = [RetryClass::Safe, RetryClass::SameId, RetryClass::Never];

    #[test]
    fn an_override_never_loosens_the_operations_class() {
        for operation in CLASSES {
            assert_eq!(CallOptions::new().effective_class(operation), operation);
            for asked in CLASSES {
                let got = CallOptions::new()
                    .retry_class(asked)
                    .effective_class(operation);
                assert!(
                    strictness(got) >= strictness(operation),
                    "{asked:?} on {operation:?}"
                );
                assert!(got == asked || got == operation);
            }
            assert_eq!(
                CallOptions::new()
                    .retry_class(RetryClass::Never)
                    .effective_class(operation),
                RetryClass::Never
            );
        }
        assert_eq!(
            CallOptions::new()
                .retry_class(RetryClass::Safe)
                .effective_class(RetryClass::SameId),
            RetryClass::SameId
        );
    }

    #[test]
    fn attempts_are_capped_by_the_policy_and_at_least_one() {
        assert_eq!(CallOptions::new().effective_attempts(3), 3);
        assert_eq!(CallOptions::new().max_attempts(1).effective_attempts(3), 1);
        assert_eq!(CallOptions::new().max_attempts(9).effective_attempts(3), 3);
        assert_eq!(CallOptions::new().max_attempts(0).effective_attempts(3), 1);
        assert_eq!(CallOptions::new().effective_attempts(0), 1);
    }
}
