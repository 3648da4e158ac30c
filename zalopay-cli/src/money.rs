//! Requests that move money (order create, refund, top-up, hybrid, quick pay, agreement pay,
//! ...): the merchant id is printed before sending; an answer that may have been lost says so,
//! with the id and the exact commands that query the request or re-send it; an id given on
//! the command line is sent as a re-send, so it stays the same request on any day.

use serde_json::Value;
use zalopay_api::response::GatewayResponse;
use zalopay_api::{Client, Endpoint, Error, PreparedRequest, client};

use crate::CliError;
use crate::error::{EXIT_DUPLICATE, EXIT_MAY_HAVE_BEEN_SENT};

/// Global flags, and whether their value is a secret (shown as the variable that holds it).
const GLOBAL_FLAGS: &[(&str, Option<&str>)] = &[
    ("--app-id", None),
    ("--key1", Some("\"$ZALOPAY_KEY1\"")),
    ("--key2", Some("\"$ZALOPAY_KEY2\"")),
    ("--endpoint", None),
    ("--rsa-key", Some("\"$ZALOPAY_RSA_KEY\"")),
    ("--zalopay-public-key", None),
];

/// Command flags whose value is a credential, never printed.
const SECRET_FLAGS: &[(&str, &str)] = &[
    ("--pay-token", "\"$PAY_TOKEN\""),
    ("--access-token", "\"$PAY_TOKEN\""),
    ("--payment-code", "\"$PAYMENT_CODE\""),
];

/// `zalopay call` parameters (`name=value`) whose value is a credential, never printed.
const SECRET_PARAMS: &[(&str, &str)] = &[
    ("pay_token", "\"$PAY_TOKEN\""),
    ("access_token", "\"$PAY_TOKEN\""),
    ("payment_code", "\"$PAYMENT_CODE\""),
];

/// The error of a `zalopay call` of a money-moving operation (`op`) whose answer may have
/// been lost: it may have gone through, and the way on is this same command line, whose
/// merchant id makes a second send the same request (ZaloPay answers a duplicate), never a new
/// id (D-121; the request time is stamped again, as ZaloPay deduplicates on the id).
pub fn call_answer_lost(op: &str, error: &Error) -> CliError {
    let (globals, rest) = split_args(process_args());
    CliError::new(format!(
        "{op}: the answer may have been lost ({error}); the request may have gone through. Re-send the same request, with the same merchant id, with `{}` (ZaloPay answers a duplicate if the first one got through), or query it by that id; never send it again under a new id",
        command(&globals, &rest)
    ))
    .with_exit_code(EXIT_MAY_HAVE_BEEN_SENT)
}

/// This process's arguments after the program name (lossy: the command is shown, not run).
fn process_args() -> impl Iterator<Item = String> {
    std::env::args_os()
        .skip(1)
        .map(|arg| arg.to_string_lossy().into_owned())
}

/// One money-moving request: what it is, the merchant id that makes a re-send the same
/// request, and how to ask where it stands.
#[derive(Debug, Clone)]
pub struct MoneyRequest {
    what: &'static str,
    id_name: &'static str,
    id_flag: &'static str,
    id: String,
    given: bool,
    query: Vec<String>,
}

impl MoneyRequest {
    /// `what` (e.g. `refund create`) sent with the merchant id `id_name` = `id`, carried by
    /// `--id_flag`; `given` when the id came from the command line (then the request may be
    /// a re-send: its id is checked as an existing one); `query` are the arguments of the
    /// command that queries it.
    pub fn new(
        what: &'static str,
        id_name: &'static str,
        id_flag: &'static str,
        id: &str,
        given: bool,
        query: &[&str],
    ) -> Self {
        Self {
            what,
            id_name,
            id_flag,
            id: id.to_owned(),
            given,
            query: query.iter().map(|part| (*part).to_owned()).collect(),
        }
    }

    /// Prints the id on stderr before anything is sent, so that it is known whatever happens.
    pub fn announce(&self) {
        eprintln!(
            "zalopay: sending {} with {} {} (a re-send with --{} {} is the same request)",
            self.what, self.id_name, self.id, self.id_flag, self.id
        );
    }

    /// The command that sends this very request again: this command line with the id flag
    /// (secrets shown as the shell variables holding them).
    pub fn resend_command(&self) -> String {
        let (globals, mut rest) = split_args(process_args());
        let flag = format!("--{}", self.id_flag);
        let has_id = rest
            .iter()
            .any(|arg| *arg == flag || arg.starts_with(&format!("{flag}=")));
        if !has_id {
            rest.push(flag);
            rest.push(quote(&self.id));
        }
        command(&globals, &rest)
    }

    /// The command that asks where this request stands.
    pub fn query_command(&self) -> String {
        let (globals, _) = split_args(process_args());
        let rest: Vec<String> = self.query.iter().map(|part| quote(part)).collect();
        command(&globals, &rest)
    }

    /// Signs and encodes `request`: as a re-send when the id was given.
    pub fn prepare<R: Endpoint>(
        &self,
        client: &Client,
        request: &R,
    ) -> Result<PreparedRequest, Error> {
        if self.given {
            client.prepare_resend(request)
        } else {
            client.prepare(request)
        }
    }

    /// Announces the id, sends `prepared` once and decodes the answer as `T`: the gateway's
    /// JSON with the id added, or an error that says whether the request may have acted.
    /// A request refused before sending is not announced.
    pub async fn send<T>(
        &self,
        client: &Client,
        prepared: Result<PreparedRequest, Error>,
    ) -> Result<Value, CliError>
    where
        T: serde::de::DeserializeOwned + GatewayResponse,
    {
        // Only a request that is about to go out is announced; one refused before sending
        // says so in its error.
        let prepared = prepared.map_err(|error| self.error(&error))?;
        self.announce();
        let sent = async {
            let body = client.execute(&prepared).await?;
            client::decode::<T>(&prepared.url, &body)?;
            Ok::<_, Error>(body)
        }
        .await;
        match sent {
            Ok(body) => {
                let mut value: Value = serde_json::from_slice(&body)?;
                if let Value::Object(map) = &mut value {
                    map.insert(self.id_name.to_owned(), Value::from(self.id.as_str()));
                }
                Ok(value)
            }
            Err(error) => Err(self.error(&error)),
        }
    }

    /// The error for the shell: a duplicate and a possibly lost answer say what to do next.
    pub fn error(&self, error: &Error) -> CliError {
        let (what, id_name, id) = (self.what, self.id_name, &self.id);
        match error {
            Error::Gateway(gateway) if gateway.is_duplicate() => CliError::new(format!(
                "{what}: {id_name} {id} was sent before and ZaloPay has it ({gateway}); nothing was done twice. Where it stands: `{}`",
                self.query_command()
            ))
            .with_exit_code(EXIT_DUPLICATE),
            Error::Gateway(_) => CliError::new(format!("{what} ({id_name} {id}): {error}")),
            _ if error.may_have_been_sent() => CliError::new(format!(
                "{what} ({id_name} {id}): the answer may have been lost ({error}); the request may have gone through. Find out with `{}` (works on any day), or re-send the same request with `{}`; never send it again under a new {id_name}",
                self.query_command(),
                self.resend_command()
            ))
            .with_exit_code(EXIT_MAY_HAVE_BEEN_SENT),
            _ => CliError::new(format!("{what} ({id_name} {id}), nothing was sent: {error}")),
        }
    }
}

/// Splits a command line into the global flags (with their values, secrets replaced) and the
/// rest (secrets replaced), each argument quoted for a POSIX shell.
fn split_args(args: impl Iterator<Item = String>) -> (Vec<String>, Vec<String>) {
    let mut globals = Vec::new();
    let mut rest = Vec::new();
    let mut args = args.peekable();
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => (flag.to_owned(), Some(value)),
            _ => (arg.clone(), None),
        };
        let global = GLOBAL_FLAGS.iter().find(|(name, _)| *name == flag);
        let secret = SECRET_FLAGS.iter().find(|(name, _)| *name == flag);
        let (target, shown) = match (global, secret) {
            (Some((_, shown)), _) => (&mut globals, *shown),
            (None, Some((_, shown))) => (&mut rest, Some(*shown)),
            (None, None) => {
                rest.push(secret_param(&arg).unwrap_or_else(|| quote(&arg)));
                continue;
            }
        };
        let value = match inline {
            Some(value) => Some(value.to_owned()),
            None => args.next(),
        };
        target.push(flag);
        if let Some(value) = value {
            target.push(shown.map_or_else(|| quote(&value), str::to_owned));
        }
    }
    (globals, rest)
}

/// A `zalopay call` parameter whose value is a secret, as `name="$VARIABLE"`.
fn secret_param(arg: &str) -> Option<String> {
    let (name, _) = arg.split_once('=')?;
    SECRET_PARAMS
        .iter()
        .find(|(secret, _)| *secret == name)
        .map(|(_, shown)| format!("{name}={shown}"))
}

fn command(globals: &[String], rest: &[String]) -> String {
    let mut parts = vec!["zalopay".to_owned()];
    parts.extend(globals.iter().cloned());
    parts.extend(rest.iter().cloned());
    parts.join(" ")
}

/// `text` as one POSIX shell word: bare when it is plain, else in single quotes.
fn quote(text: &str) -> String {
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=@%+,".contains(c));
    if plain {
        text.to_owned()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(args: &[&str]) -> (Vec<String>, Vec<String>) {
        split_args(args.iter().map(|a| (*a).to_owned()))
    }

    #[test]
    fn secrets_never_appear_in_printed_commands() {
        let (globals, rest) = split(&[
            "--key1",
            "k1-secret",
            "hybrid",
            "pay",
            "--pay-token=tok-secret",
            "--description",
            "it's",
            "--key2=k2-secret",
            "--payment-code",
            "code-secret",
            "--app-id",
            "2553",
        ]);
        let line = command(&globals, &rest);
        for secret in ["k1-secret", "k2-secret", "tok-secret", "code-secret"] {
            assert!(!line.contains(secret), "{line}");
        }
        assert_eq!(
            line,
            r#"zalopay --key1 "$ZALOPAY_KEY1" --key2 "$ZALOPAY_KEY2" --app-id 2553 hybrid pay --pay-token "$PAY_TOKEN" --description 'it'\''s' --payment-code "$PAYMENT_CODE""#
        );
    }

    #[test]
    fn secret_call_parameters_never_appear_in_printed_commands() {
        let (globals, rest) = split(&[
            "--key1=k1-secret",
            "call",
            "quickpay.pay",
            "payment_code=code-secret",
            "pay_token=tok-secret",
            "access_token=acc-secret",
            "description=it's",
            "amount=1000",
        ]);
        let line = command(&globals, &rest);
        for secret in ["k1-secret", "tok-secret", "code-secret", "acc-secret"] {
            assert!(!line.contains(secret), "{line}");
        }
        assert_eq!(
            line,
            r#"zalopay --key1 "$ZALOPAY_KEY1" call quickpay.pay payment_code="$PAYMENT_CODE" pay_token="$PAY_TOKEN" access_token="$PAY_TOKEN" 'description=it'\''s' amount=1000"#
        );
    }
}
