//! `zalopay sign`, `zalopay call` and `zalopay operations`: any operation from the catalog.

use serde_json::{Value, json};
use zalopay_api::{RetryClass, SecretKey, SignatureScheme};

use super::context::ctx;
#[cfg(feature = "rsa")]
use super::context::key_text;
use super::input::now_ms;
use super::output::{print_json, with_field};
use crate::CliError;
use crate::args::{GlobalArgs, SignArgs};
use crate::credentials::Credentials;
use crate::signing;

pub(super) fn sign(global: &GlobalArgs, args: &SignArgs) -> Result<(), CliError> {
    let op = zalopay_api::catalog::find(&args.operation).ok_or_else(|| {
        CliError::new(format!(
            "unknown operation `{}`; see `zalopay operations`",
            args.operation
        ))
    })?;
    let values = signing::parse_values(&args.values)?;
    signing::check_names(op, &values)?;
    let creds = Credentials::from_args(global);
    let key_text = creds.key(op.key)?;
    let key = SecretKey::new(op.key, key_text)?;
    let input = signing::mac_input(op, &values, key_text);
    let shown = signing::mac_input(op, &values, &format!("<{}>", op.key));
    let mac = key.mac(input.as_bytes());
    let mut out = json!({
        "operation": op.id,
        "key": op.key.as_str(),
        "mac_template": op.mac_template(),
        "input": shown,
        "mac": mac.as_str(),
    });
    if let Some(given) = values.get(op.signature_param) {
        out = with_field(out, "matches", given.eq_ignore_ascii_case(mac.as_str()));
    }
    if op.scheme == SignatureScheme::HmacThenRsaSha256 {
        out = with_field(out, "scheme", "hmac_then_rsa_sha256");
        #[cfg(feature = "rsa")]
        if let Some(text) = &global.rsa_key {
            let rsa = zalopay_api::rsa::MerchantRsaKey::from_pkcs8_base64(&key_text_of(text)?)?;
            out = with_field(
                out,
                op.signature_param,
                rsa.sign_base64(mac.as_str().as_bytes())?,
            );
        }
    }
    print_json(&out)
}

/// `zalopay call OPERATION name=value...`: the catalogue's description of the operation is
/// all it takes to sign and send it.
pub(super) async fn call_operation(global: &GlobalArgs, args: &SignArgs) -> Result<(), CliError> {
    let op = zalopay_api::catalog::find(&args.operation).ok_or_else(|| {
        CliError::new(format!(
            "unknown operation `{}`; see `zalopay operations`",
            args.operation
        ))
    })?;
    let mut values = signing::parse_values(&args.values)?;
    signing::check_names(op, &values)?;
    if !op.confidence.is_official() {
        eprintln!(
            "warning: {} has confidence {}: its path or MAC comes from third-party material, not from ZaloPay's documents; try it in the sandbox before relying on it",
            op.id,
            op.confidence.as_str()
        );
    }
    let ctx = ctx(global)?;
    if let Some(name) = op.app_id_param {
        let own = ctx.app_id.to_string();
        match values.get(name) {
            Some(given) if *given != own => {
                return Err(CliError::new(format!(
                    "`{name}={given}` is not your app id {own}; leave it out to send yours"
                )));
            }
            Some(_) => {}
            None => {
                values.insert(name.to_owned(), own);
            }
        }
    }
    if let Some(name) = op.time_param {
        values
            .entry(name.to_owned())
            .or_insert_with(|| now_ms().to_string());
    }
    let missing: Vec<&str> = op
        .params
        .iter()
        .filter(|p| p.required && !values.contains_key(p.name))
        .map(|p| p.name)
        .collect();
    if !missing.is_empty() {
        return Err(CliError::new(format!(
            "{} needs {} (MAC input: {})",
            op.id,
            missing.join(", "),
            op.mac_template()
        )));
    }
    let creds = Credentials::from_args(global);
    let key_text = creds.key(op.key)?;
    let key = SecretKey::new(op.key, key_text)?;
    let mac = key.mac(signing::mac_input(op, &values, key_text).as_bytes());
    let signature = match op.scheme {
        SignatureScheme::HmacThenRsaSha256 => rsa_signature(global, mac.as_str())?,
        _ => mac.as_str().to_owned(),
    };
    let prepared = op.prepare(
        &values,
        &signature,
        ctx.client.config().environment.base_url(op.host),
    )?;
    let body = match ctx.client.execute(&prepared).await {
        Ok(body) => body,
        // A query lost is only asked again; an operation that acts may have acted (D-121).
        Err(error) if op.retry != RetryClass::Safe && error.may_have_been_sent() => {
            return Err(crate::money::call_answer_lost(op.id, &error));
        }
        Err(error) => return Err(error.into()),
    };
    print_json(&serde_json::from_slice::<Value>(&body)?)
}

#[cfg(feature = "rsa")]
fn rsa_signature(global: &GlobalArgs, mac: &str) -> Result<String, CliError> {
    let Some(text) = &global.rsa_key else {
        return Err(CliError::new(
            "this operation is RSA-signed: pass --rsa-key (the merchant's PKCS#8 key)",
        ));
    };
    let rsa = zalopay_api::rsa::MerchantRsaKey::from_pkcs8_base64(&key_text_of(text)?)?;
    Ok(rsa.sign_base64(mac.as_bytes())?)
}

#[cfg(not(feature = "rsa"))]
fn rsa_signature(_: &GlobalArgs, _: &str) -> Result<String, CliError> {
    Err(CliError::new(
        "this operation is RSA-signed: build the CLI with the `rsa` feature",
    ))
}

#[cfg(feature = "rsa")]
fn key_text_of(value: &str) -> Result<String, CliError> {
    key_text(value)
}

pub(super) fn operations() -> Result<(), CliError> {
    let list: Vec<Value> = zalopay_api::catalog::operations()
        .iter()
        .map(|op| {
            json!({
                "id": op.id,
                "method": op.method.as_str(),
                "host": op.host.as_str(),
                "path": op.path,
                "encoding": op.encoding.as_str(),
                "mac": op.mac_template(),
                "key": op.key.as_str(),
                "signature_param": op.signature_param,
                "scheme": match op.scheme {
                    SignatureScheme::Hmac => "hmac",
                    SignatureScheme::HmacThenRsaSha256 => "hmac_then_rsa_sha256",
                },
                "params": op.params.iter().map(|p| json!({"name": p.name, "required": p.required})).collect::<Vec<_>>(),
            })
        })
        .collect();
    print_json(&Value::Array(list))
}
