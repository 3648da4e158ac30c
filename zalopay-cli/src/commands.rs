//! Running a parsed command line.

use std::io::{IsTerminal as _, Read as _, Write as _};
use std::net::SocketAddr;
use std::time::Duration;

use serde_json::{Value, json};
use zalopay_api::callback::{Callback, verify_callback};
use zalopay_api::clock::{Clock as _, SystemClock};
use zalopay_api::ids::{
    AppTransId, BindingId, IdError, MRefundId, PartnerOrderId, PayToken, ZpTransToken,
};
use zalopay_api::poll::{PollConfig, PollOutcome, Poller};
use zalopay_api::redirect::verify_redirect;
use zalopay_api::response::GatewayResponse;
use zalopay_api::zod::ZodReceiver;
use zalopay_api::{
    Client, Config, Endpoint, Environment, JsonString, KeyKind, Keys, SecretKey, SignatureScheme,
    agreement, banks, client, disbursement, hybrid, order, quickpay, refund, tokenization, zod,
};

use crate::CliError;
use crate::args::{
    AgreementCommand, CallbackCommand, Cli, Command, Device, DisbursementCommand, GlobalArgs,
    HybridCommand, OrderCommand, OrderFields, QuickpayArgs, RedirectCommand, RefundCommand,
    SignArgs, TokenMode, TokenType, TokenizationCommand, ZodCommand,
};
use crate::error::EXIT_INTERRUPTED;
use crate::money::MoneyRequest;
use crate::signing;
use crate::verdict::Verdict;

/// The public sandbox demo app's id (ZaloPay's docs and samples).
pub const DEMO_APP_ID: i64 = 2553;
/// The public sandbox demo app's key1 (not a secret: printed in ZaloPay's docs).
pub const DEMO_KEY1: &str = "PcY4iZIKFCIdgZvA6ueMcMHHUbRLYjPL";
/// The public sandbox demo app's key2 (not a secret: printed in ZaloPay's docs).
pub const DEMO_KEY2: &str = "kLtgPl8HHhfvMuDHPwKfgfsY4Ydm9eIz";

/// App id and keys after applying the "nothing set ⇒ sandbox demo app" rule.
#[derive(Clone)]
pub struct Credentials {
    app_id: Option<i64>,
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

    fn app_id(&self) -> Result<i64, CliError> {
        self.app_id
            .ok_or_else(|| CliError::new("no app id: set --app-id or ZALOPAY_APP_ID"))
    }

    fn key(&self, kind: KeyKind) -> Result<&str, CliError> {
        let (key, hint) = match kind {
            KeyKind::Key1 => (&self.key1, "--key1 or ZALOPAY_KEY1"),
            KeyKind::Key2 => (&self.key2, "--key2 or ZALOPAY_KEY2"),
        };
        key.as_deref()
            .ok_or_else(|| CliError::new(format!("no {kind}: set {hint}")))
    }

    /// Keys for verifying (key2 required; key1 is not used and may be absent).
    fn verify_keys(&self) -> Result<Keys, CliError> {
        let key2 = self.key(KeyKind::Key2)?;
        Ok(Keys::new(self.key1.as_deref().unwrap_or(key2), key2)?)
    }

    /// Keys for signing requests (key1 required; key2 is not used and may be absent).
    fn request_keys(&self) -> Result<Keys, CliError> {
        let key1 = self.key(KeyKind::Key1)?;
        Ok(Keys::new(key1, self.key2.as_deref().unwrap_or(key1))?)
    }
}

/// Everything a request command needs.
struct Ctx {
    client: Client,
    app_id: i64,
}

fn ctx(global: &GlobalArgs) -> Result<Ctx, CliError> {
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
fn key_text(value: &str) -> Result<String, CliError> {
    let path = std::path::Path::new(value);
    if !value.contains('\n') && path.is_file() {
        return std::fs::read_to_string(path)
            .map_err(|e| CliError::new(format!("cannot read the RSA key file: {e}")));
    }
    Ok(value.to_owned())
}

fn now_ms() -> i64 {
    SystemClock.now_ms()
}

fn json_arg(flag: &str, text: &str) -> Result<JsonString, CliError> {
    JsonString::from_raw(text).map_err(|e| CliError::new(format!("--{flag} is not JSON: {e}")))
}

/// A typed id or token from the command line; a wrong shape is reported with its flag.
fn id_arg<T: TryFrom<String, Error = IdError>>(flag: &str, text: String) -> Result<T, CliError> {
    T::try_from(text).map_err(|e| CliError::new(format!("--{flag}: {e}")))
}

/// The given `app_trans_id` (`true`: it may be a re-send), or a new one dated today in
/// Vietnam time.
fn app_trans_id(given: Option<String>) -> Result<(AppTransId, bool), CliError> {
    match given {
        Some(id) => Ok((id_arg("app-trans-id", id)?, true)),
        None => Ok((AppTransId::random()?, false)),
    }
}

/// An order-like request (order create, hybrid, quick pay) under `id`.
fn order_money(what: &'static str, id: &AppTransId, given: bool) -> MoneyRequest {
    MoneyRequest::new(
        what,
        "app_trans_id",
        "app-trans-id",
        id.as_str(),
        given,
        &["order", "query", id.as_str()],
    )
}

/// Prints `value` with its `"verdict"` and ends with the verdict's exit code (0 only for
/// success), explaining any other on stderr.
fn print_verdict(value: Value, verdict: Verdict, what: &str) -> Result<(), CliError> {
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
async fn query<R>(client: &Client, request: &R) -> Result<(R::Response, Value), CliError>
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
fn with_field(mut value: Value, name: &str, field: impl Into<Value>) -> Value {
    if let Value::Object(map) = &mut value {
        map.insert(name.to_owned(), field.into());
    }
    value
}

/// Runs a parsed command line.
pub async fn run(cli: Cli) -> Result<(), CliError> {
    let global = &cli.global;
    match cli.command {
        Command::Order(command) => run_order(global, command).await,
        Command::Refund(command) => run_refund(global, command).await,
        Command::Banks => {
            let ctx = ctx(global)?;
            let value = call(&ctx.client, &banks::ListBanks::builder().build()).await?;
            print_json(&value)
        }
        Command::Callback(CallbackCommand::Verify) => callback_verify(global),
        Command::Redirect(RedirectCommand::Verify { query_string }) => {
            redirect_verify(global, &query_string)
        }
        Command::Sign(args) => sign(global, &args),
        Command::Call(args) => call_operation(global, &args).await,
        Command::Operations => operations(),
        Command::Emulator(args) => emulator(&args).await,
        Command::Demo(args) => demo(args).await,
        Command::Tracker(command) => crate::tracker::run(command).await,
        Command::Agreement(command) => run_agreement(global, command).await,
        Command::Tokenization(command) => run_tokenization(global, command).await,
        Command::Hybrid(command) => run_hybrid(global, command).await,
        Command::Disbursement(command) => run_disbursement(global, command).await,
        Command::Zod(command) => run_zod(global, command).await,
        Command::Quickpay(args) => run_quickpay(global, args).await,
    }
}

async fn run_order(global: &GlobalArgs, command: OrderCommand) -> Result<(), CliError> {
    let ctx = ctx(global)?;
    match command {
        OrderCommand::Create {
            order: fields,
            description,
            bank_code,
            callback_url,
            expire_duration_seconds,
            product_code,
        } => {
            let (id, given) = app_trans_id(fields.app_trans_id)?;
            let money = order_money("order create", &id, given);
            let mut request = order::CreateOrder::builder()
                .app_trans_id(&id)
                .app_user(fields.app_user)
                .amount(fields.amount)
                .description(description)
                .build();
            request.item = json_arg("item", &fields.item)?;
            request.embed_data = json_arg("embed-data", &fields.embed_data)?;
            request.bank_code = bank_code;
            request.callback_url = callback_url;
            request.expire_duration_seconds = expire_duration_seconds;
            request.product_code = product_code;
            let prepared = money.prepare(&ctx.client, &request);
            let value = money
                .send::<order::CreateOrderResponse>(&ctx.client, prepared)
                .await?;
            print_json(&value)
        }
        OrderCommand::Query {
            app_trans_id,
            wait,
            verdict,
            interval,
            timeout,
        } => {
            let id: AppTransId = id_arg("app-trans-id", app_trans_id)?;
            if wait {
                wait_for_order(&ctx, &id, interval, timeout).await
            } else if verdict {
                let request = order::QueryOrder::builder().app_trans_id(&id).build();
                let (answer, value) = query(&ctx.client, &request).await?;
                print_verdict(
                    value,
                    Verdict::of_order(&answer.status()),
                    &format!("order {id}"),
                )
            } else {
                let request = order::QueryOrder::builder().app_trans_id(id).build();
                print_json(&call(&ctx.client, &request).await?)
            }
        }
        OrderCommand::Cancel { app_trans_id } => {
            let request = order::CancelOrder::builder()
                .app_trans_id(id_arg::<AppTransId>("app-trans-id", app_trans_id)?)
                .build();
            print_json(&call(&ctx.client, &request).await?)
        }
    }
}

/// `order query --wait`: the SDK's poller, querying every `interval` seconds until paid or
/// expired, `timeout` seconds have passed (the query then decides a failure seen before, D-101),
/// or Ctrl-C; prints the last answer (on Ctrl-C with `"interrupted": true`, exiting with
/// [`EXIT_INTERRUPTED`]).
async fn wait_for_order(
    ctx: &Ctx,
    app_trans_id: &AppTransId,
    interval: u64,
    timeout: u64,
) -> Result<(), CliError> {
    let request = order::QueryOrder::builder()
        .app_trans_id(app_trans_id)
        .build();
    let prepared = ctx.client.prepare(&request)?;
    let last = std::cell::RefCell::new(None::<Vec<u8>>);
    let progress = std::io::stderr().is_terminal();
    let spinner = ['|', '/', '-', '\\'];
    let tick = std::cell::Cell::new(0usize);
    let config = PollConfig {
        interval: Duration::from_secs(interval.max(1)),
        lifetime: Duration::from_secs(timeout),
        grace: Duration::ZERO,
    };
    let outcome = Poller::new(config)
        .poll(
            now_ms(),
            || {
                let n = tick.get();
                tick.set(n + 1);
                if progress {
                    eprint!(
                        "\r{} waiting for {app_trans_id} to be paid (query {})",
                        spinner[n % spinner.len()],
                        n + 1
                    );
                }
                let prepared = &prepared;
                let last = &last;
                async move {
                    let body = ctx.client.execute(prepared).await?;
                    let typed = client::decode::<order::QueryOrderResponse>(&prepared.url, &body)?;
                    *last.borrow_mut() = Some(body);
                    Ok(typed)
                }
            },
            interrupted(),
        )
        .await;
    if progress {
        eprintln!();
    }
    let outcome = outcome?;
    let body = last.borrow_mut().take();
    if let PollOutcome::Cancelled = outcome {
        // Ctrl-C: the last answer (if any came) says where the order stood.
        let value = match body {
            Some(body) => serde_json::from_slice(&body)?,
            None => json!({ "app_trans_id": app_trans_id }),
        };
        print_json(&with_field(value, "interrupted", true))?;
        return Err(
            CliError::new(format!("interrupted while waiting for {app_trans_id}"))
                .with_exit_code(EXIT_INTERRUPTED),
        );
    }
    // Only a paid order exits 0 (`order query ID --wait && ship`); each other end has its
    // own exit code (README, `--help`).
    let verdict = Verdict::of_poll(&outcome);
    if let Some(body) = body {
        let value = serde_json::from_slice(&body)?;
        print_json(&with_field(value, "verdict", verdict.as_str()))?;
    }
    let message = match outcome {
        PollOutcome::Paid { .. } => return Ok(()),
        PollOutcome::NotFound {
            sub_return_code, ..
        } => format!(
            "order {app_trans_id} not found ({sub_return_code}) after {timeout} s: not a failure; query the same id again later, do not create it under a new id"
        ),
        PollOutcome::StillProcessing { last_error, .. } => match last_error {
            Some(error) => format!("gave up after {timeout} s; last query failed: {error}"),
            None => format!("order {app_trans_id} still not paid after {timeout} s"),
        },
        _ => format!("order {app_trans_id} {}", verdict.explain()),
    };
    Err(CliError::new(message).with_exit_code(verdict.exit_code()))
}

/// Completes on Ctrl-C (SIGINT); never if the handler cannot be installed.
async fn interrupted() {
    if tokio::signal::ctrl_c().await.is_err() {
        std::future::pending::<()>().await;
    }
}

async fn run_refund(global: &GlobalArgs, command: RefundCommand) -> Result<(), CliError> {
    let ctx = ctx(global)?;
    match command {
        RefundCommand::Create {
            zp_trans_id,
            amount,
            description,
            fee,
            m_refund_id,
        } => {
            let (id, given) = match m_refund_id {
                Some(id) => (id_arg::<MRefundId>("m-refund-id", id)?, true),
                None => (MRefundId::random(ctx.app_id)?, false),
            };
            let money = MoneyRequest::new(
                "refund create",
                "m_refund_id",
                "m-refund-id",
                id.as_str(),
                given,
                &["refund", "query", id.as_str()],
            );
            let mut request = refund::RefundOrder::builder()
                .m_refund_id(&id)
                .zp_trans_id(zp_trans_id)
                .amount(amount)
                .description(description)
                .build();
            request.refund_fee_amount = fee;
            let prepared = money.prepare(&ctx.client, &request);
            let value = money
                .send::<refund::RefundOrderResponse>(&ctx.client, prepared)
                .await?;
            print_json(&value)
        }
        RefundCommand::Query {
            m_refund_id,
            verdict,
        } => {
            let id = id_arg::<MRefundId>("m-refund-id", m_refund_id)?;
            let request = refund::QueryRefund::builder().m_refund_id(&id).build();
            if verdict {
                let (answer, value) = query(&ctx.client, &request).await?;
                print_verdict(
                    value,
                    Verdict::of_refund(&answer.status()),
                    &format!("refund {id}"),
                )
            } else {
                print_json(&call(&ctx.client, &request).await?)
            }
        }
    }
}

fn callback_verify(global: &GlobalArgs) -> Result<(), CliError> {
    let creds = Credentials::from_args(global);
    let keys = creds.verify_keys()?;
    let mut body = Vec::new();
    std::io::stdin()
        .lock()
        .take(zalopay_api::callback::MAX_BODY_BYTES as u64 + 1)
        .read_to_end(&mut body)?;
    let callback = verify_callback(&keys, creds.app_id, &body)?;
    let value = match callback {
        Callback::Payment(payment) => json!({ "type": 1, "payment": payment }),
        Callback::Agreement(a) => json!({
            "type": 2,
            "agreement": {
                "status": a.status.code(),
                "pay_token": a.pay_token,
                "binding_id": a.binding_id,
                "app_trans_id": a.app_trans_id,
                "app_id": a.app_id,
                "merchant_user_id": a.merchant_user_id,
                "zp_user_id": a.zp_user_id,
                "masked_user_phone": a.masked_user_phone,
                "server_time": a.server_time,
                "msg_type": a.msg_type,
            }
        }),
        _ => return Err(CliError::new("callback of a kind this CLI does not know")),
    };
    print_json(&value)
}

fn redirect_verify(global: &GlobalArgs, query: &str) -> Result<(), CliError> {
    let keys = Credentials::from_args(global).verify_keys()?;
    // Accept a whole URL too.
    let query = query.split_once('?').map_or(query, |(_, q)| q);
    let redirect = verify_redirect(&keys, query)?;
    print_json(&json!({
        "app_id": redirect.app_id,
        "app_trans_id": redirect.app_trans_id,
        "pmcid": redirect.pmcid,
        "bank_code": redirect.bank_code,
        "amount": redirect.amount,
        "discount_amount": redirect.discount_amount,
        "status": redirect.status,
        "looks_successful": redirect.looks_successful(),
        "note": "a redirect is only a hint: confirm with `order query` or the callback",
    }))
}

fn sign(global: &GlobalArgs, args: &SignArgs) -> Result<(), CliError> {
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
async fn call_operation(global: &GlobalArgs, args: &SignArgs) -> Result<(), CliError> {
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
    let body = ctx.client.execute(&prepared).await?;
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

fn operations() -> Result<(), CliError> {
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

/// The emulator configuration `zalopay emulator`'s flags describe.
pub fn emulator_config(
    args: &crate::args::EmulatorArgs,
) -> Result<zalopay_emulator::EmulatorConfig, CliError> {
    use zalopay_emulator::{FailWith, Faults};
    let f = &args.faults;
    let Some(fail_with) = FailWith::from_name(&f.fail_with) else {
        let names: Vec<&str> = FailWith::ALL.iter().map(|kind| kind.name()).collect();
        return Err(CliError::new(format!(
            "--fail-with {}: use one of {}",
            f.fail_with,
            names.join(", ")
        )));
    };
    let faults = Faults::default()
        .with_seed(f.fault_seed)
        .with_callback_loss(f.callback_loss)
        .with_callback_duplicate(f.callback_duplicate)
        .with_callback_delay_ms(f.callback_delay)
        .with_latency_ms(f.latency)
        .with_fail_rate(f.fail_rate)
        .with_fail_burst(f.fail_burst)
        .with_fail_with(fail_with)
        .with_reset_rate(f.reset_rate)
        .with_reset_burst(f.reset_burst)
        .with_operations(f.fault_operations.iter().cloned());
    faults
        .validate()
        .map_err(|e| CliError::new(format!("--{}: {e}", e.field.replace('_', "-"))))?;
    Ok(zalopay_emulator::EmulatorConfig {
        refund_delay: std::time::Duration::from_secs(args.refund_delay),
        faults,
        ..zalopay_emulator::EmulatorConfig::default()
    })
}

async fn emulator(args: &crate::args::EmulatorArgs) -> Result<(), CliError> {
    use zalopay_emulator::{Emulator, EmulatorState, SystemClock};
    let config = emulator_config(args)?;
    let state = match &args.data_dir {
        Some(dir) => EmulatorState::open(config, std::sync::Arc::new(SystemClock), dir)
            .map_err(|e| CliError::new(format!("--data-dir {}: {e}", dir.display())))?,
        None => EmulatorState::new(config),
    };
    let addr = SocketAddr::from(([127, 0, 0, 1], args.port));
    let running = Emulator::spawn(state, addr)
        .await
        .map_err(|e| CliError::new(format!("cannot listen on {addr}: {e}")))?;
    let base_url = running.base_url();
    let line = json!({
        "base_url": base_url,
        "app_id": DEMO_APP_ID,
        "key1": DEMO_KEY1,
        "key2": DEMO_KEY2,
    });
    println!("{line}");
    eprintln!(
        "ZaloPay emulator at {base_url} (sandbox demo app {DEMO_APP_ID}; also 2554, and 15555 for \
         disbursement, which verifies top-ups signed with the published test RSA key). Try:\n  \
         ZALOPAY_ENDPOINT={base_url} zalopay order create --amount 50000 --description test\n\
         Ctrl-C stops it."
    );
    let _ = tokio::signal::ctrl_c().await;
    running.shutdown().await?;
    Ok(())
}

async fn demo(args: crate::args::DemoArgs) -> Result<(), CliError> {
    let handle = crate::demo::start(crate::demo::DemoOptions {
        shop_addr: SocketAddr::from(([127, 0, 0, 1], args.port)),
        emulator_data_dir: args.data_dir.as_ref().map(|dir| dir.join("emulator")),
        shop_data_dir: args.data_dir.map(|dir| dir.join("shop")),
        ..crate::demo::DemoOptions::default()
    })
    .await?;
    println!("Open {}", handle.shop_url());
    eprintln!(
        "ZaloPay emulator at {} (demo app {DEMO_APP_ID}). Ctrl-C stops both.",
        handle.emulator_url()
    );
    let _ = tokio::signal::ctrl_c().await;
    handle.shutdown().await;
    Ok(())
}

async fn run_agreement(global: &GlobalArgs, command: AgreementCommand) -> Result<(), CliError> {
    let ctx = ctx(global)?;
    let value = match command {
        AgreementCommand::Bind {
            identifier,
            app_trans_id: given,
            max_amount,
            binding_type,
            binding_data,
            redirect_url,
            redirect_deep_link,
            callback_url,
        } => {
            let (id, given) = app_trans_id(given)?;
            let money = MoneyRequest::new(
                "agreement bind",
                "app_trans_id",
                "app-trans-id",
                id.as_str(),
                given,
                &["agreement", "query", id.as_str()],
            );
            let mut request = agreement::AgreementBind::builder()
                .app_trans_id(&id)
                .identifier(identifier)
                .build();
            request.max_amount = Some(max_amount);
            request.binding_type = Some(binding_type);
            request.binding_data = Some(json_arg("binding-data", &binding_data)?);
            request.redirect_url = redirect_url;
            request.redirect_deep_link = redirect_deep_link;
            request.callback_url = callback_url;
            let prepared = money.prepare(&ctx.client, &request);
            money
                .send::<agreement::AgreementBindResponse>(&ctx.client, prepared)
                .await?
        }
        AgreementCommand::Query { app_trans_id } => {
            let request = agreement::AgreementQuery::builder()
                .app_trans_id(id_arg::<AppTransId>("app-trans-id", app_trans_id)?)
                .build();
            call(&ctx.client, &request).await?
        }
        AgreementCommand::Unbind {
            identifier,
            binding_id,
        } => {
            let request = agreement::AgreementUnbind::builder()
                .identifier(identifier)
                .binding_id(id_arg::<BindingId>("binding-id", binding_id)?)
                .build();
            call(&ctx.client, &request).await?
        }
        AgreementCommand::Balance {
            identifier,
            pay_token,
            amount,
        } => {
            let request = agreement::AgreementBalance::builder()
                .identifier(identifier)
                .pay_token(id_arg::<PayToken>("pay-token", pay_token)?)
                .amount(amount)
                .build();
            call(&ctx.client, &request).await?
        }
        AgreementCommand::Pay {
            identifier,
            zp_trans_token,
            pay_token,
        } => {
            let token = id_arg::<ZpTransToken>("zp-trans-token", zp_trans_token)?;
            // The order's token is the request's id: a re-send pays the same order, which
            // ZaloPay pays at most once.
            let money = MoneyRequest::new(
                "agreement pay",
                "zp_trans_token",
                "zp-trans-token",
                token.as_str(),
                true,
                &["order", "query", "<app_trans_id of the order>"],
            );
            let request = agreement::AgreementPay::builder()
                .identifier(identifier)
                .zp_trans_token(token)
                .pay_token(id_arg::<PayToken>("pay-token", pay_token)?)
                .build();
            let prepared = money.prepare(&ctx.client, &request);
            money
                .send::<agreement::AgreementPayResponse>(&ctx.client, prepared)
                .await?
        }
        AgreementCommand::QueryUser { access_token } => {
            let request = agreement::AgreementQueryUser::builder()
                .access_token(id_arg::<PayToken>("access-token", access_token)?)
                .build();
            call(&ctx.client, &request).await?
        }
    };
    print_json(&value)
}

async fn run_tokenization(
    global: &GlobalArgs,
    command: TokenizationCommand,
) -> Result<(), CliError> {
    let ctx = ctx(global)?;
    let value = match command {
        TokenizationCommand::Bind {
            identifier,
            app_trans_id: given,
            binding_type,
            binding_mode,
            device_type,
            binding_data,
            payment_data,
        } => {
            let (id, given) = app_trans_id(given)?;
            let money = MoneyRequest::new(
                "tokenization bind",
                "app_trans_id",
                "app-trans-id",
                id.as_str(),
                given,
                &["tokenization", "query", id.as_str()],
            );
            let mut request = tokenization::TokenizationBind::builder()
                .app_trans_id(&id)
                .identifier(identifier)
                .binding_type(match binding_type {
                    TokenType::Wallet => tokenization::TokenBindingType::Wallet,
                    TokenType::Card => tokenization::TokenBindingType::Card,
                })
                .binding_mode(match binding_mode {
                    TokenMode::Bind => tokenization::BindingMode::Bind,
                    TokenMode::BindAndPay => tokenization::BindingMode::BindAndPay,
                })
                .device_type(match device_type {
                    Device::Mobile => tokenization::DeviceType::Mobile,
                    Device::Desktop => tokenization::DeviceType::Desktop,
                })
                .build();
            request.binding_data = json_arg("binding-data", &binding_data)?;
            request.payment_data = json_arg("payment-data", &payment_data)?;
            let prepared = money.prepare(&ctx.client, &request);
            money
                .send::<tokenization::TokenizationBindResponse>(&ctx.client, prepared)
                .await?
        }
        TokenizationCommand::Query { app_trans_id } => {
            let request = tokenization::TokenizationQuery::builder()
                .app_trans_id(id_arg::<AppTransId>("app-trans-id", app_trans_id)?)
                .build();
            call(&ctx.client, &request).await?
        }
    };
    print_json(&value)
}

async fn run_hybrid(global: &GlobalArgs, command: HybridCommand) -> Result<(), CliError> {
    let ctx = ctx(global)?;
    let HybridCommand::Pay {
        order: fields,
        identifier,
        pay_token,
        description,
    } = command;
    let (id, given) = app_trans_id(fields.app_trans_id)?;
    let money = order_money("hybrid pay", &id, given);
    let request = hybrid::HybridPay {
        app_id: Some(ctx.app_id),
        identifier,
        pay_token: id_arg("pay-token", pay_token)?,
        app_user: fields.app_user,
        app_trans_id: id.clone(),
        app_time: Some(now_ms()),
        amount: fields.amount,
        description,
        item: json_arg("item", &fields.item)?,
        embed_data: json_arg("embed-data", &fields.embed_data)?,
    };
    let prepared = money.prepare(&ctx.client, &request);
    let value = money
        .send::<hybrid::HybridPayResponse>(&ctx.client, prepared)
        .await?;
    print_json(&value)
}

async fn run_disbursement(
    global: &GlobalArgs,
    command: DisbursementCommand,
) -> Result<(), CliError> {
    let ctx = ctx(global)?;
    let value = match command {
        DisbursementCommand::Balance { payment_id } => {
            let request = disbursement::DisbursementBalance::builder()
                .payment_id(payment_id)
                .build();
            call(&ctx.client, &request).await?
        }
        DisbursementCommand::User { phone } => {
            let request = disbursement::DisbursementUser::builder()
                .phone(phone)
                .build();
            call(&ctx.client, &request).await?
        }
        DisbursementCommand::Topup {
            payment_id,
            partner_order_id,
            m_u_id,
            amount,
            description,
            partner_embed_data,
            extra_info,
            reference_id,
            emulator_sig,
        } => {
            let (id, given) = match partner_order_id {
                Some(id) => (id_arg::<PartnerOrderId>("partner-order-id", id)?, true),
                None => (PartnerOrderId::random()?, false),
            };
            let money = MoneyRequest::new(
                "disbursement topup",
                "partner_order_id",
                "partner-order-id",
                id.as_str(),
                given,
                &["disbursement", "txn", "--partner-order-id", id.as_str()],
            );
            let mut request = disbursement::DisbursementTopup::builder()
                .payment_id(payment_id)
                .partner_order_id(&id)
                .m_u_id(m_u_id)
                .amount(amount)
                .description(description)
                .build();
            request.partner_embed_data = json_arg("partner-embed-data", &partner_embed_data)?;
            request.extra_info = json_arg("extra-info", &extra_info)?;
            request.reference_id = reference_id;
            let prepared = if emulator_sig {
                prepare_with_hmac_sig(&ctx.client, &request)
            } else {
                if global.rsa_key.is_none() {
                    return Err(CliError::new(
                        "disbursement topup is RSA-signed: set --rsa-key or ZALOPAY_RSA_KEY \
                         (or --emulator-sig against a local emulator app without an RSA \
                         public key)",
                    ));
                }
                money.prepare(&ctx.client, &request)
            };
            money
                .send::<disbursement::DisbursementTopupResponse>(&ctx.client, prepared)
                .await?
        }
        DisbursementCommand::Txn {
            partner_order_id,
            verdict,
        } => {
            let id = id_arg::<PartnerOrderId>("partner-order-id", partner_order_id)?;
            let request = disbursement::DisbursementTxn::builder()
                .partner_order_id(&id)
                .build();
            if verdict {
                let (answer, value) = query(&ctx.client, &request).await?;
                return print_verdict(
                    value,
                    Verdict::of_disbursement(&answer.status()),
                    &format!("top-up {id}"),
                );
            }
            call(&ctx.client, &request).await?
        }
    };
    print_json(&value)
}

/// Prepares an RSA-signed request with the bare hex HMAC as its signature, as the emulator
/// expects for an app it has no RSA public key for.
fn prepare_with_hmac_sig<R>(
    client: &Client,
    request: &R,
) -> Result<zalopay_api::PreparedRequest, zalopay_api::Error>
where
    R: Endpoint + Clone,
{
    // The client's app id and time, as `Client::prepare` would fill them.
    let request = &client.fill(request)?;
    let mac = request.mac(&client.config().keys);
    let signed = zalopay_api::Signed {
        request,
        signature: mac.as_str(),
    };
    let url = format!(
        "{}{}",
        client.config().environment.base_url(R::HOST),
        R::PATH
    );
    Ok(zalopay_api::PreparedRequest {
        method: R::METHOD,
        url,
        content_type: Some("application/json"),
        body: serde_json::to_vec(&signed).map_err(|e| zalopay_api::Error::Encode(e.to_string()))?,
    })
}

async fn run_zod(global: &GlobalArgs, command: ZodCommand) -> Result<(), CliError> {
    let ctx = ctx(global)?;
    let value = match command {
        ZodCommand::Create {
            mc_ref_id,
            amount,
            receiver,
            order_info,
            mc_ext_info,
            hub_id,
            driver_id,
        } => {
            let parcels = match order_info {
                Some(text) => parse_parcels(&text)?,
                None => vec![zod::ZodOrderInfo {
                    tracking_number: mc_ref_id.clone(),
                    description: format!("Order {mc_ref_id}"),
                    amount,
                }],
            };
            let mut request = zod::ZodCreateInvoice::builder()
                .mc_ref_id(mc_ref_id)
                .amount(amount)
                .receiver(ZodReceiver { contact: receiver })
                .order_info(parcels)
                .build();
            request.mc_ext_info = json_arg("mc-ext-info", &mc_ext_info)?;
            request.hub_id = hub_id;
            request.driver_id = driver_id;
            let id = request.mc_ref_id.clone();
            let money = MoneyRequest::new(
                "zod create",
                "mc_ref_id",
                "mc-ref-id",
                &id,
                true,
                &["zod", "status", &id],
            );
            let prepared = money.prepare(&ctx.client, &request);
            money
                .send::<zod::ZodInvoiceResponse>(&ctx.client, prepared)
                .await?
        }
        ZodCommand::Invoice { mc_ref_id } => {
            call(
                &ctx.client,
                &zod::ZodQueryInvoice::builder().mc_ref_id(mc_ref_id).build(),
            )
            .await?
        }
        ZodCommand::Status { mc_ref_id } => {
            call(
                &ctx.client,
                &zod::ZodQueryStatus::builder().mc_ref_id(mc_ref_id).build(),
            )
            .await?
        }
    };
    print_json(&value)
}

fn parse_parcels(text: &str) -> Result<Vec<zod::ZodOrderInfo>, CliError> {
    let bad = |why: &str| CliError::new(format!("--order-info: {why}"));
    let value: Value = serde_json::from_str(text).map_err(|e| bad(&e.to_string()))?;
    let Value::Array(items) = value else {
        return Err(bad("expected a JSON array"));
    };
    items
        .iter()
        .map(|item| {
            let text = |name: &str| {
                item.get(name)
                    .and_then(Value::as_str)
                    .map(str::to_owned)
                    .ok_or_else(|| bad(&format!("each parcel needs a string `{name}`")))
            };
            Ok(zod::ZodOrderInfo {
                tracking_number: text("trackingNumber")?,
                description: text("description")?,
                amount: item
                    .get("amount")
                    .and_then(Value::as_i64)
                    .ok_or_else(|| bad("each parcel needs an integer `amount`"))?,
            })
        })
        .collect()
}

async fn run_quickpay(global: &GlobalArgs, args: QuickpayArgs) -> Result<(), CliError> {
    let ctx = ctx(global)?;
    let QuickpayArgs {
        order:
            OrderFields {
                amount,
                app_user,
                item,
                embed_data,
                app_trans_id: given,
            },
        payment_code,
        description,
        callback_url,
    } = args;
    let (id, given) = app_trans_id(given)?;
    let money = order_money("quickpay", &id, given);
    let payment_code = quickpay::PaymentCode::new(payment_code)
        .map_err(|e| CliError::new(format!("--payment-code: {e}")))?;
    let mut request = quickpay::QuickPay::builder()
        .app_trans_id(&id)
        .app_user(app_user)
        .amount(amount)
        .payment_code_raw(payment_code)
        .item(json_arg("item", &item)?)
        .embed_data(json_arg("embed-data", &embed_data)?)
        .build();
    request.description = description;
    request.callback_url = callback_url;
    let prepared = money.prepare(&ctx.client, &request);
    let value = money
        .send::<quickpay::QuickPayResponse>(&ctx.client, prepared)
        .await?;
    print_json(&value)
}
