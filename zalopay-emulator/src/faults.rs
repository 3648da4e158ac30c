//! Faults on demand: what goes wrong between ZaloPay and a merchant, reproducible from a seed.
//!
//! Every random choice is a hash of the seed and of what is being decided (the operation, the
//! merchant's id and the attempt number, or the record a callback belongs to), not a draw from
//! a shared generator: the same requests get the same faults whatever order they arrive in.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use sha2::Digest as _;

/// What a request refused by a fault gets instead of being processed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum FailWith {
    /// HTTP 503 with a plain-text body (a proxy or load balancer in trouble).
    #[default]
    #[serde(rename = "http_503")]
    Http503,
    /// HTTP 200, `return_code` 2 / `sub_return_code` -500 SYSTEM_ERROR.
    #[serde(rename = "code_500")]
    Code500,
    /// HTTP 200, `return_code` 2 / `sub_return_code` -429 LIMIT_REQUEST_REACH.
    #[serde(rename = "code_429")]
    Code429,
    /// HTTP 200, `return_code` 2 / `sub_return_code` -33 APP_MAINTENANCE (a maintenance
    /// window: D-102).
    #[serde(rename = "code_33")]
    Code33,
    /// HTTP 200, `return_code` 2 / `sub_return_code` -88 FEATURE_MAINTENANCE.
    #[serde(rename = "code_88")]
    Code88,
    /// HTTP 200, `return_code` 2 / `sub_return_code` -135 MAINTENANCE.
    #[serde(rename = "code_135")]
    Code135,
    /// HTTP 200, `return_code` 2 / `sub_return_code` -301 SYSTEM_ERROR.
    #[serde(rename = "code_301")]
    Code301,
}

impl FailWith {
    /// Every kind, in the order `--fail-with` lists them.
    pub const ALL: [FailWith; 7] = [
        FailWith::Http503,
        FailWith::Code500,
        FailWith::Code429,
        FailWith::Code33,
        FailWith::Code88,
        FailWith::Code135,
        FailWith::Code301,
    ];

    /// How the request log names it (`http_503`, `code_500`, `code_429`, `code_33`, ...).
    pub fn name(self) -> &'static str {
        match self {
            FailWith::Http503 => "http_503",
            FailWith::Code500 => "code_500",
            FailWith::Code429 => "code_429",
            FailWith::Code33 => "code_33",
            FailWith::Code88 => "code_88",
            FailWith::Code135 => "code_135",
            FailWith::Code301 => "code_301",
        }
    }

    /// The kind with this [`name`](Self::name).
    pub fn from_name(name: &str) -> Option<FailWith> {
        FailWith::ALL.into_iter().find(|kind| kind.name() == name)
    }

    /// The `sub_return_code` of the answer (with `return_code` 2), and ZaloPay's constant
    /// name for it; `None` for the HTTP 503.
    pub fn gateway_code(self) -> Option<(i32, &'static str)> {
        match self {
            FailWith::Http503 => None,
            FailWith::Code500 => Some((-500, "SYSTEM_ERROR")),
            FailWith::Code429 => Some(crate::wire::LIMIT_REQUEST_REACH),
            FailWith::Code33 => Some((-33, "APP_MAINTENANCE")),
            FailWith::Code88 => Some((-88, "FEATURE_MAINTENANCE")),
            FailWith::Code135 => Some((-135, "MAINTENANCE")),
            FailWith::Code301 => Some((-301, "SYSTEM_ERROR")),
        }
    }
}

/// The faults the emulator injects, globally or for one app ([`crate::EmulatorConfig::faults`],
/// `POST /emulator/faults[?app_id=]` with this as JSON; absent fields keep their defaults,
/// which inject nothing).
///
/// Rates are shares in `0.0..=1.0`. Build one with the `with_*` methods:
///
/// ```
/// let faults = zalopay_emulator::Faults::default().with_seed(7).with_callback_loss(0.5);
/// assert_eq!(faults.callback_loss, 0.5);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct Faults {
    /// The seed every choice is derived from.
    pub seed: u64,
    /// Share of callbacks that never reach the merchant: no attempt of theirs is made (each is
    /// recorded as lost). A callback re-sent by hand is never lost.
    pub callback_loss: f64,
    /// Share of callbacks the merchant accepted that are delivered a second time.
    pub callback_duplicate: f64,
    /// Real time waited before a callback's first attempt, ms.
    pub callback_delay_ms: u64,
    /// Real time waited before every gateway API request is processed, ms.
    pub latency_ms: u64,
    /// Share of gateway API requests refused with [`Faults::fail_with`] before being processed.
    pub fail_rate: f64,
    /// The next this-many gateway API requests are refused with [`Faults::fail_with`] before
    /// being processed (counts down as they arrive).
    pub fail_burst: u32,
    /// How refused requests are answered.
    pub fail_with: FailWith,
    /// Share of gateway API requests that are processed, after which the connection is dropped
    /// without an answer (the "may have been sent" case).
    pub reset_rate: f64,
    /// The next this-many gateway API requests (not refused by a `fail_*` fault) are
    /// processed, then their connection is dropped (counts down).
    pub reset_burst: u32,
    /// Operation ids (`order.create`, `refund.create`, …) the request faults (`latency_ms`,
    /// `fail_*`, `reset_rate`) apply to; empty: every operation.
    pub operations: Vec<String>,
}

impl Faults {
    /// Sets [`Faults::seed`].
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Sets [`Faults::callback_loss`].
    pub fn with_callback_loss(mut self, rate: f64) -> Self {
        self.callback_loss = rate;
        self
    }

    /// Sets [`Faults::callback_duplicate`].
    pub fn with_callback_duplicate(mut self, rate: f64) -> Self {
        self.callback_duplicate = rate;
        self
    }

    /// Sets [`Faults::callback_delay_ms`].
    pub fn with_callback_delay_ms(mut self, ms: u64) -> Self {
        self.callback_delay_ms = ms;
        self
    }

    /// Sets [`Faults::latency_ms`].
    pub fn with_latency_ms(mut self, ms: u64) -> Self {
        self.latency_ms = ms;
        self
    }

    /// Sets [`Faults::fail_rate`].
    pub fn with_fail_rate(mut self, rate: f64) -> Self {
        self.fail_rate = rate;
        self
    }

    /// Sets [`Faults::fail_burst`].
    pub fn with_fail_burst(mut self, requests: u32) -> Self {
        self.fail_burst = requests;
        self
    }

    /// Sets [`Faults::fail_with`].
    pub fn with_fail_with(mut self, answer: FailWith) -> Self {
        self.fail_with = answer;
        self
    }

    /// Sets [`Faults::reset_rate`].
    pub fn with_reset_rate(mut self, rate: f64) -> Self {
        self.reset_rate = rate;
        self
    }

    /// Sets [`Faults::reset_burst`].
    pub fn with_reset_burst(mut self, requests: u32) -> Self {
        self.reset_burst = requests;
        self
    }

    /// Limits the request faults to these operation ids.
    pub fn with_operations<I, S>(mut self, operations: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.operations = operations.into_iter().map(Into::into).collect();
        self
    }

    /// Checks every rate is a number in `0.0..=1.0`.
    pub fn validate(&self) -> Result<(), FaultError> {
        for (field, rate) in [
            ("callback_loss", self.callback_loss),
            ("callback_duplicate", self.callback_duplicate),
            ("fail_rate", self.fail_rate),
            ("reset_rate", self.reset_rate),
        ] {
            if !(0.0..=1.0).contains(&rate) {
                return Err(FaultError { field, rate });
            }
        }
        Ok(())
    }

    /// Whether the request faults apply to `operation`.
    pub(crate) fn covers(&self, operation: &str) -> bool {
        self.operations.is_empty() || self.operations.iter().any(|op| op == operation)
    }
}

/// A fault rate outside `0.0..=1.0` (or not a number).
#[derive(Debug, Clone, PartialEq)]
pub struct FaultError {
    /// The field.
    pub field: &'static str,
    /// Its value.
    pub rate: f64,
}

impl std::fmt::Display for FaultError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "`{}` is {}: a rate must be within 0.0..=1.0",
            self.field, self.rate
        )
    }
}

impl std::error::Error for FaultError {}

/// The faults in force: global ones, and per-app ones that replace them for that app.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ActiveFaults {
    /// For every app without its own.
    pub global: Faults,
    /// Per app id.
    pub apps: BTreeMap<i64, Faults>,
}

impl ActiveFaults {
    /// The faults for `app_id` (its own, else the global ones).
    pub(crate) fn for_app_mut(&mut self, app_id: Option<i64>) -> &mut Faults {
        match app_id.filter(|id| self.apps.contains_key(id)) {
            Some(id) => self.apps.entry(id).or_default(),
            None => &mut self.global,
        }
    }
}

/// A number in `[0, 1)` derived from `seed`, what is decided and about what.
pub(crate) fn roll(seed: u64, what: &str, parts: &[&str], n: u64) -> f64 {
    let mut hash = sha2::Sha256::new();
    hash.update(seed.to_le_bytes());
    hash.update(what.as_bytes());
    for part in parts {
        hash.update([0u8]);
        hash.update(part.as_bytes());
    }
    hash.update([0u8]);
    hash.update(n.to_le_bytes());
    let digest = hash.finalize();
    let first = digest.first_chunk::<8>().copied().unwrap_or_default();
    // 53 bits -> [0, 1); both conversions are exact.
    #[allow(clippy::cast_precision_loss)]
    let unit = (u64::from_le_bytes(first) >> 11) as f64 / (1u64 << 53) as f64;
    unit
}

/// Whether a choice with this roll falls within `rate` (values outside `0..=1` are clamped,
/// NaN is 0).
pub(crate) fn hits(rate: f64, roll: f64) -> bool {
    rate > 0.0 && roll < rate
}

/// What the faults in force do to one request.
#[derive(Debug, Default)]
pub(crate) struct RequestPlan {
    pub latency: Option<Duration>,
    pub fail: Option<FailWith>,
    pub reset: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rolls_are_reproducible_and_spread() {
        let a = roll(7, "loss", &["2553", "x"], 1);
        assert_eq!(a, roll(7, "loss", &["2553", "x"], 1));
        assert_ne!(a, roll(8, "loss", &["2553", "x"], 1));
        assert_ne!(a, roll(7, "loss", &["2553", "x"], 2));
        assert_ne!(
            roll(7, "loss", &["ab", "c"], 1),
            roll(7, "loss", &["a", "bc"], 1)
        );
        let hit = (0..10_000)
            .filter(|n| hits(0.3, roll(1, "t", &[], *n)))
            .count();
        assert!((2_700..3_300).contains(&hit), "{hit}");
        assert!(!hits(0.0, 0.0));
        assert!(!hits(f64::NAN, 0.0));
        assert!(hits(1.0, 0.999_999));
    }

    #[test]
    fn rates_are_validated() {
        assert!(Faults::default().with_callback_loss(1.0).validate().is_ok());
        let error = Faults::default()
            .with_fail_rate(1.5)
            .validate()
            .unwrap_err();
        assert_eq!(error.field, "fail_rate");
        assert!(
            Faults::default()
                .with_reset_rate(f64::NAN)
                .validate()
                .is_err()
        );
        let parsed: Faults = serde_json::from_str(r#"{"seed":3,"callback_loss":0.5}"#).unwrap();
        assert_eq!(
            parsed,
            Faults::default().with_seed(3).with_callback_loss(0.5)
        );
        assert!(serde_json::from_str::<Faults>(r#"{"callback_lost":0.5}"#).is_err());
        for kind in FailWith::ALL {
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.name());
            assert_eq!(FailWith::from_name(kind.name()), Some(kind));
        }
    }
}
