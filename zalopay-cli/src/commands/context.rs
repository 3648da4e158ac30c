//! The client a request command sends with, from the credentials and endpoint flags.

use zalopay_api::{Client, Config, Environment};

use crate::CliError;
use crate::args::GlobalArgs;
use crate::credentials::Credentials;

/// Everything a request command needs.
pub(super) struct Ctx {
    pub(super) client: Client,
    pub(super) app_id: i64,
}

pub(super) fn ctx(global: &GlobalArgs) -> Result<Ctx, CliError> {
    let creds = Credentials::from_args(global);
    let app_id = creds.app_id()?;
    let environment = Environment::parse(&global.endpoint)?;
    #[allow(unused_mut)]
    let mut config = Config::new(app_id, creds.request_keys()?, environment);
    #[cfg(feature = "rsa")]
    if let Some(text) = &global.rsa_key {
        config = config.with_rsa_key(zalopay_api::rsa::MerchantRsaKey::from_pkcs8_base64(
            &key_text(text)?,
        )?);
    }
    #[cfg(feature = "rsa")]
    if let Some(text) = &global.zalopay_public_key {
        config = config.with_zalopay_public_key(
            zalopay_api::rsa::ZaloPayPublicKey::from_base64_der(&key_text(text)?)?,
        );
    }
    Ok(Ctx {
        client: Client::new(config)?,
        app_id,
    })
}

/// `--rsa-key` is the key itself or a file holding it.
#[cfg(feature = "rsa")]
pub(super) fn key_text(value: &str) -> Result<String, CliError> {
    let path = std::path::Path::new(value);
    if !value.contains('\n') && path.is_file() {
        return std::fs::read_to_string(path)
            .map_err(|e| CliError::new(format!("cannot read the RSA key file: {e}")));
    }
    Ok(value.to_owned())
}
