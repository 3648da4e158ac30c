//! The merchant's app id and keys, from flags, the environment or the sandbox demo app.

use zalopay_api::{KeyKind, Keys, SecretKey};

use crate::CliError;
use crate::args::GlobalArgs;

/// The public sandbox demo app's id (ZaloPay's docs and samples).
pub const DEMO_APP_ID: i64 = 2553;
/// The public sandbox demo app's key1 (not a secret: printed in ZaloPay's docs).
pub const DEMO_KEY1: &str = "PcY4iZIKFCIdgZvA6ueMcMHHUbRLYjPL";
/// The public sandbox demo app's key2 (not a secret: printed in ZaloPay's docs).
pub const DEMO_KEY2: &str = "kLtgPl8HHhfvMuDHPwKfgfsY4Ydm9eIz";

/// App id and keys after applying the "nothing set ⇒ sandbox demo app" rule. The keys are
/// the SDK's [`SecretKey`]s: wiped on drop, redacted in `Debug`.
#[derive(Clone)]
pub struct Credentials {
    pub(crate) app_id: Option<i64>,
    key1: Option<SecretKey>,
    key2: Option<SecretKey>,
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
                key1: SecretKey::new(KeyKind::Key1, DEMO_KEY1).ok(),
                key2: SecretKey::new(KeyKind::Key2, DEMO_KEY2).ok(),
            }
        } else {
            Self {
                app_id: args.app_id,
                key1: args.key1.as_ref().and_then(|k| k.to_key(KeyKind::Key1)),
                key2: args.key2.as_ref().and_then(|k| k.to_key(KeyKind::Key2)),
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
        key.as_ref()
            .map(SecretKey::expose)
            .ok_or_else(|| CliError::new(format!("no {kind}: set {hint}")))
    }

    /// Keys for verifying (key2 required; key1 is not used and may be absent).
    pub(crate) fn verify_keys(&self) -> Result<Keys, CliError> {
        let key2 = self.key(KeyKind::Key2)?;
        let key1 = self.key1.as_ref().map_or(key2, SecretKey::expose);
        Ok(Keys::new(key1, key2)?)
    }

    /// Keys for signing requests (key1 required; key2 is not used and may be absent).
    pub(crate) fn request_keys(&self) -> Result<Keys, CliError> {
        let key1 = self.key(KeyKind::Key1)?;
        let key2 = self.key2.as_ref().map_or(key1, SecretKey::expose);
        Ok(Keys::new(key1, key2)?)
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser as _;

    use super::*;
    use crate::args::Cli;

    const KEY1: &str = "k1-secret-value";
    const KEY2: &str = "k2-secret-value";

    /// Neither the parsed flags nor the credentials built from them show a key in `Debug`.
    #[test]
    fn debug_never_shows_the_keys() {
        let cli = Cli::try_parse_from([
            "zalopay", "--app-id", "9", "--key1", KEY1, "--key2", KEY2, "banks",
        ]);
        let cli = match cli {
            Ok(cli) => cli,
            Err(error) => panic!("{error}"),
        };
        let creds = Credentials::from_args(&cli.global);
        for shown in [
            format!("{:?}", cli),
            format!("{creds:?}"),
            format!("{:?}", cli.global),
        ] {
            assert!(!shown.contains(KEY1) && !shown.contains(KEY2), "{shown}");
        }
        assert_eq!(creds.key(KeyKind::Key1).ok(), Some(KEY1));
        assert_eq!(creds.key(KeyKind::Key2).ok(), Some(KEY2));
    }

    /// An empty key counts as set (no demo app) but is not used.
    #[test]
    fn empty_keys_are_absent() {
        let cli = Cli::try_parse_from(["zalopay", "--key1", "", "banks"]);
        let cli = match cli {
            Ok(cli) => cli,
            Err(error) => panic!("{error}"),
        };
        let creds = Credentials::from_args(&cli.global);
        assert_eq!(creds.app_id, None);
        assert!(creds.key(KeyKind::Key1).is_err());
    }
}
