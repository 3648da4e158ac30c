//! Sending a request and printing the gateway's answer.

use std::io::Write as _;

use serde_json::Value;
use zalopay_api::response::GatewayResponse;
use zalopay_api::{Client, Endpoint, client};

use crate::CliError;
use crate::verdict::Verdict;

/// Prints `value` with its `"verdict"` and ends with the verdict's exit code (0 only for
/// success), explaining any other on stderr.
pub(super) fn print_verdict(value: Value, verdict: Verdict, what: &str) -> Result<(), CliError> {
    print_json(&with_field(value, "verdict", verdict.as_str()))?;
    match verdict {
        Verdict::Success => Ok(()),
        other => {
            Err(CliError::new(format!("{what} {}", other.explain()))
                .with_exit_code(other.exit_code()))
        }
    }
}

/// Sends a query and returns its typed answer and its JSON as received.
pub(super) async fn query<R>(client: &Client, request: &R) -> Result<(R::Response, Value), CliError>
where
    R: Endpoint,
    R::Response: GatewayResponse,
{
    let prepared = client.prepare(request)?;
    let body = client.execute(&prepared).await?;
    let typed = client::decode::<R::Response>(&prepared.url, &body)?;
    Ok((typed, serde_json::from_slice(&body)?))
}

/// Prints `value` pretty on stdout.
pub fn print_json(value: &Value) -> Result<(), CliError> {
    let text = serde_json::to_string_pretty(value)?;
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{text}").and_then(|()| out.flush()) {
        // A closed pipe (`zalopay banks | head`) is the reader's choice, not an error.
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        result => Ok(result?),
    }
}

/// Signs, sends and decodes `request`; returns the gateway's JSON as received, or the
/// gateway's rejection as an error.
pub async fn call<R>(client: &Client, request: &R) -> Result<Value, CliError>
where
    R: Endpoint,
    R::Response: GatewayResponse,
{
    let prepared = client.prepare(request)?;
    let body = client.execute(&prepared).await?;
    client::decode::<R::Response>(&prepared.url, &body)?;
    Ok(serde_json::from_slice(&body)?)
}

/// `value` with one more field (the merchant id used), when it is an object.
pub(super) fn with_field(mut value: Value, name: &str, field: impl Into<Value>) -> Value {
    if let Value::Object(map) = &mut value {
        map.insert(name.to_owned(), field.into());
    }
    value
}
