//! The merchant's app id and keys, from flags, the environment or the sandbox demo app.

use zalopay_api::{KeyKind, Keys};

use crate::CliError;
use crate::args::GlobalArgs;

/// The public sandbox demo app's id (ZaloPay's docs and samples).
pub const DEMO_APP_ID: i64 = 2553;
/// The public sandbox demo app's key1 (not a secret: printed in ZaloPay's docs).
pub const DEMO_KEY1: &str = "PcY4iZIKFCIdgZvA6ueMcMHHUbRLYjPL";
/// The public sandbox demo app's key2 (not a secret: printed in ZaloPay's docs).
pub const DEMO_KEY2: &str = "kLtgPl8HHhfvMuDHPwKfgfsY4Ydm9eIz";

/// App id and keys after applying the "nothing set ⇒ sandbox demo app" rule.
#[derive(Clone)]
pub struct Credentials {
    pub(crate) app_id: Option<i64>,
    key1: Option<String>,
    key2: Option<String>,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("app_id", &self.app_id)
            .field("key1", &self.key1.as_ref().map(|_| "[REDACTED]"))
            .field("key2", &self.key2.as_ref().map(|_| "[REDACTED]"))
            .finish()
    }
}

impl Credentials {
    /// From the flags / environment; the sandbox demo app when none of the three is set.
    pub fn from_args(args: &GlobalArgs) -> Self {
        let nothing_set = args.app_id.is_none() && args.key1.is_none() && args.key2.is_none();
        if nothing_set {
            Self {
                app_id: Some(DEMO_APP_ID),
                key1: Some(DEMO_KEY1.to_owned()),
                key2: Some(DEMO_KEY2.to_owned()),
            }
        } else {
            Self {
                app_id: args.app_id,
                key1: args.key1.clone().filter(|k| !k.is_empty()),
                key2: args.key2.clone().filter(|k| !k.is_empty()),
            }
        }
    }

    pub(crate) fn app_id(&self) -> Result<i64, CliError> {
        self.app_id
            .ok_or_else(|| CliError::new("no app id: set --app-id or ZALOPAY_APP_ID"))
    }

    pub(crate) fn key(&self, kind: KeyKind) -> Result<&str, CliError> {
        let (key, hint) = match kind {
            KeyKind::Key1 => (&self.key1, "--key1 or ZALOPAY_KEY1"),
            KeyKind::Key2 => (&self.key2, "--key2 or ZALOPAY_KEY2"),
        };
        key.as_deref()
            .ok_or_else(|| CliError::new(format!("no {kind}: set {hint}")))
    }

    /// Keys for verifying (key2 required; key1 is not used and may be absent).
    pub(crate) fn verify_keys(&self) -> Result<Keys, CliError> {
        let key2 = self.key(KeyKind::Key2)?;
        Ok(Keys::new(self.key1.as_deref().unwrap_or(key2), key2)?)
    }

    /// Keys for signing requests (key1 required; key2 is not used and may be absent).
    pub(crate) fn request_keys(&self) -> Result<Keys, CliError> {
        let key1 = self.key(KeyKind::Key1)?;
        Ok(Keys::new(key1, self.key2.as_deref().unwrap_or(key1))?)
    }
}
