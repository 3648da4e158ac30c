// `Config` and `RetryPolicy` are `#[non_exhaustive]`: built with `new` / `default` and the
// `with_*` setters, so that a field added later (or by a cargo feature) breaks nobody.
use std::time::Duration;
use zalopay_api::{Config, Environment, Keys, RetryPolicy};

fn main() {
    let keys = Keys::new("k1", "k2").unwrap();
    let _config = Config {
        app_id: 2553,
        keys,
        environment: Environment::Sandbox,
        ..Config::new(2553, Keys::new("k1", "k2").unwrap(), Environment::Sandbox)
    };
    let _retry = RetryPolicy {
        max_attempts: 5,
        ..RetryPolicy::default()
    };
    let _ = Duration::ZERO;
}
