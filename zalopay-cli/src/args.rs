//! The command line, as clap types.

use clap::{Args, Parser, Subcommand, ValueEnum};
use secrecy::{ExposeSecret as _, SecretString};
use zalopay_api::{KeyKind, SecretKey};

/// `zalopay`: call the ZaloPay gateway, verify callbacks and redirects, debug MACs, run a local
/// emulator or a Web-to-App demo shop.
///
/// With no app id and keys set, the public sandbox demo app 2553 is used.
#[derive(Debug, Parser)]
#[command(name = "zalopay", version, about, long_about = None, after_help = EXIT_CODES)]
pub struct Cli {
    /// Merchant configuration (flags or environment).
    #[command(flatten)]
    pub global: GlobalArgs,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The exit codes, shown by `--help` (and in the README).
pub const EXIT_CODES: &str = "\
Exit codes:
  0    done; with --wait / --verdict: paid, refunded or disbursed (the gateway's final yes)
  1    error: invalid input, refused by ZaloPay, or nothing was sent
  2    usage error
  3    --wait / --verdict: failed (final)
  4    --wait / --verdict: the order was cancelled (final)
  5    --wait / --verdict: the order expired unpaid (final)
  6    --wait / --verdict: not found (yet): not a failure, never re-create it under a new id
  7    --wait / --verdict: not final (processing, pending, or waiting gave up)
  8    a money-moving request's answer may have been lost: it may have gone through; the
       message gives its id and the commands that query it and re-send the same request
  9    a re-send was answered as a duplicate: the first one got through, nothing was done twice
  10   tracker backlog: work is stuck (a due query or a pending event older than the limit)
  130  interrupted (Ctrl-C)

Money-moving commands print the id they send on stderr before sending; pass it back with its
flag (--app-trans-id, --m-refund-id, --partner-order-id) to re-send the same request.";

/// Merchant configuration, from flags or the environment. Key values are never printed.
#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// The app id issued by ZaloPay (default: 2553, the sandbox demo app, when no key is set).
    #[arg(long, env = "ZALOPAY_APP_ID", global = true)]
    pub app_id: Option<i64>,
    /// key1 (signs requests).
    #[arg(long, env = "ZALOPAY_KEY1", global = true, hide_env_values = true, value_parser = KeyText::parse)]
    pub key1: Option<KeyText>,
    /// key2 (verifies callbacks and redirects).
    #[arg(long, env = "ZALOPAY_KEY2", global = true, hide_env_values = true, value_parser = KeyText::parse)]
    pub key2: Option<KeyText>,
    /// `sandbox`, `production`, or a base URL such as http://127.0.0.1:8090 (the emulator).
    #[arg(
        long,
        env = "ZALOPAY_ENDPOINT",
        global = true,
        default_value = "sandbox"
    )]
    pub endpoint: String,
    /// The merchant's RSA private key for disbursement top-up: base64 PKCS#8 DER, a PEM, or a
    /// file holding either.
    #[arg(long, env = "ZALOPAY_RSA_KEY", global = true, hide_env_values = true)]
    pub rsa_key: Option<String>,
    /// ZaloPay's RSA public key, which encrypts quick pay's payment code: base64 DER
    /// (SubjectPublicKeyInfo or PKCS#1), a PEM, or a file holding either. The emulator's is
    /// printed by `zalopay emulator` and is `zalopay_emulator::ZALOPAY_PUBLIC_KEY`.
    #[arg(long, env = "ZALOPAY_PUBLIC_KEY", global = true)]
    pub zalopay_public_key: Option<String>,
}

/// A subcommand.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Orders: create, query (optionally wait until final), cancel.
    #[command(subcommand)]
    Order(OrderCommand),
    /// Refunds: create, query.
    #[command(subcommand)]
    Refund(RefundCommand),
    /// The merchant's bank list (`/api/getlistmerchantbanks`).
    Banks,
    /// Callbacks.
    #[command(subcommand)]
    Callback(CallbackCommand),
    /// Browser redirects after payment.
    #[command(subcommand)]
    Redirect(RedirectCommand),
    /// Prints the MAC input and MAC of an operation for given parameter values (debugging a
    /// mismatch). Key segments are shown as `<key1>` / `<key2>`.
    Sign(SignArgs),
    /// Sends any catalogued operation from `name=value` parameters (wire names): `app_id` and
    /// the time field default to yours and now; the MAC is computed; the answer is printed
    /// as JSON. Warns before sending an operation whose path or MAC is not confirmed by
    /// ZaloPay's own documents.
    Call(SignArgs),
    /// Lists every typed operation with its endpoint, MAC input and key.
    Operations,
    /// Runs the local ZaloPay emulator (demo apps 2553, 2554 and disbursement app 15555) until
    /// Ctrl-C.
    Emulator(EmulatorArgs),
    /// Runs the emulator and a small merchant shop showing the Web-to-App flow until Ctrl-C.
    Demo(DemoArgs),
    /// Lists what a payment tracker database (zalopay-tracker) holds: orders, events.
    #[command(subcommand)]
    Tracker(TrackerCommand),
    /// Agreement (auto-debit): bind, query, unbind, balance, pay, query-user.
    #[command(subcommand)]
    Agreement(AgreementCommand),
    /// Tokenization: bind, query.
    #[command(subcommand)]
    Tokenization(TokenizationCommand),
    /// Hybrid payment with a pay token.
    #[command(subcommand)]
    Hybrid(HybridCommand),
    /// Disbursement: balance, user, topup, txn.
    #[command(subcommand)]
    Disbursement(DisbursementCommand),
    /// ZaloPay-on-Delivery invoices: create, invoice, status.
    #[command(subcommand)]
    Zod(ZodCommand),
    /// Quick pay: charge a payment code scanned from the buyer's app.
    Quickpay(QuickpayArgs),
}

/// `zalopay emulator` options.
#[derive(Debug, Clone, Args)]
pub struct EmulatorArgs {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 8090)]
    pub port: u16,
    /// Refunds stay processing (return_code 3) this many seconds on the emulator's clock
    /// before they settle (1), as the gateway processes them asynchronously.
    #[arg(long, value_name = "SECONDS", default_value_t = 0)]
    pub refund_delay: u64,
    /// Keep the emulator's state in DIR/emulator.sqlite3, so a restart loses nothing
    /// (default: in memory only).
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<std::path::PathBuf>,
    /// How many of the latest API requests the request log keeps (`GET /emulator/requests`);
    /// older ones are dropped first. 0: every request, for a run whose whole log is read.
    #[arg(long, value_name = "N", default_value_t = zalopay_emulator::DEFAULT_REQUEST_LOG_LIMIT)]
    pub request_log_limit: usize,
    /// Faults to inject (all off by default; also settable at run time with
    /// `POST /emulator/faults`).
    #[command(flatten)]
    pub faults: FaultArgs,
}

/// Faults the emulator injects, reproducible from `--fault-seed`.
#[derive(Debug, Clone, Args)]
pub struct FaultArgs {
    /// Seed every fault decision is derived from.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub fault_seed: u64,
    /// Share of callbacks that never reach the merchant (0.0 to 1.0).
    #[arg(long, value_name = "RATE", default_value_t = 0.0)]
    pub callback_loss: f64,
    /// Share of accepted callbacks delivered a second time (0.0 to 1.0).
    #[arg(long, value_name = "RATE", default_value_t = 0.0)]
    pub callback_duplicate: f64,
    /// Wait before each callback's first attempt, ms.
    #[arg(long, value_name = "MS", default_value_t = 0)]
    pub callback_delay: u64,
    /// Wait before every API request is processed, ms.
    #[arg(long, value_name = "MS", default_value_t = 0)]
    pub latency: u64,
    /// Share of API requests refused before processing (see --fail-with).
    #[arg(long, value_name = "RATE", default_value_t = 0.0)]
    pub fail_rate: f64,
    /// Refuse the first N API requests (see --fail-with).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub fail_burst: u32,
    /// How refused requests are answered: http_503, code_500, code_429, or a maintenance /
    /// system answer (return_code 2 with sub code -33, -88, -135 or -301): code_33, code_88,
    /// code_135, code_301.
    #[arg(long, value_name = "KIND", default_value = "http_503")]
    pub fail_with: String,
    /// Per-app rate limit: N requests a second (burst N/10), or N/BURST; requests beyond it
    /// are refused with return_code 2 / sub_return_code -429 LIMIT_REQUEST_REACH. Off unless
    /// given.
    #[arg(long, value_name = "N[/BURST]")]
    pub rate_limit: Option<String>,
    /// Share of API requests processed and then answered by a dropped connection.
    #[arg(long, value_name = "RATE", default_value_t = 0.0)]
    pub reset_rate: f64,
    /// Drop the connection after processing the first N API requests.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub reset_burst: u32,
    /// Apply the request faults (latency, fail, reset) to these operation ids only
    /// (comma-separated, e.g. order.create,refund.create).
    #[arg(long, value_name = "OPS", value_delimiter = ',')]
    pub fault_operations: Vec<String>,
}

/// `zalopay tracker …`: read a tracker database (SQLite file or Postgres URL).
#[derive(Debug, Subcommand)]
pub enum TrackerCommand {
    /// Tracked orders, most recent first, with their state and next query.
    Orders {
        /// The tracker database: `sqlite:PATH`, a file path, or `postgres://…`.
        #[arg(long, env = "ZALOPAY_TRACKER_DB")]
        db: String,
        /// At most this many orders.
        #[arg(long, default_value_t = 100)]
        limit: i64,
    },
    /// Stored events (outcomes handed to the merchant), oldest first.
    Events {
        /// The tracker database: `sqlite:PATH`, a file path, or `postgres://…`.
        #[arg(long, env = "ZALOPAY_TRACKER_DB")]
        db: String,
        /// Only the events of this `app_trans_id` / `m_refund_id`.
        #[arg(long)]
        order: Option<String>,
        /// At most this many events.
        #[arg(long, default_value_t = 100)]
        limit: i64,
    },
    /// Work waiting: open orders, due orders and refunds with the poll lag, pending events
    /// with the oldest one's age; with a limit, the late ones by id. Exits 10 when a limit
    /// given is exceeded (stuck work). Reads the schema as it is (never migrates).
    Backlog {
        /// The tracker database: `sqlite:PATH`, a file path, or `postgres://…`.
        #[arg(long, env = "ZALOPAY_TRACKER_DB")]
        db: String,
        /// Stuck when the oldest due query is more than this many seconds late.
        #[arg(long, value_name = "SECONDS")]
        max_lag: Option<u64>,
        /// Stuck when the oldest pending event has waited more than this many seconds.
        #[arg(long, value_name = "SECONDS")]
        max_event_age: Option<u64>,
        /// List at most this many of the late orders, refunds and events by id, the longest
        /// waiting first (with `--max-lag` / `--max-event-age`).
        #[arg(long, value_name = "N", default_value_t = 20)]
        list: i64,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Creates or upgrades the tracker's schema, apart from the instances' start-up (e.g. one
    /// job before a rolling deploy of instances that connect unmigrated).
    Migrate {
        /// The tracker database: `sqlite:PATH`, a file path, or `postgres://…`.
        #[arg(long, env = "ZALOPAY_TRACKER_DB")]
        db: String,
    },
}

/// `zalopay demo` options.
#[derive(Debug, Clone, Args)]
pub struct DemoArgs {
    /// Port of the shop on 127.0.0.1 (0 picks a free one); the emulator gets a free port.
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// Keep the demo's state under DIR (the emulator's in DIR/emulator, the shop's tracker
    /// database in DIR/shop/shop.db), so a restart loses nothing (default: the emulator in
    /// memory, the shop in a temp file).
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<std::path::PathBuf>,
}

/// Fields every order-like request shares.
#[derive(Debug, Clone, Args)]
pub struct OrderFields {
    /// Amount in VND.
    #[arg(long)]
    pub amount: i64,
    /// Who pays (user id, name or phone).
    #[arg(long, default_value = "zalopay-cli")]
    pub app_user: String,
    /// The items as a JSON array.
    #[arg(long, default_value = "[]")]
    pub item: String,
    /// Merchant data as a JSON object (`redirecturl`, `preferred_payment_method`, …).
    #[arg(long, default_value = "{}")]
    pub embed_data: String,
    /// The merchant's order id (default: generated, `yyMMdd_<unique>` in Vietnam time). A
    /// given id is sent as a re-send of that order: it need not be dated today.
    #[arg(long)]
    pub app_trans_id: Option<String>,
}

/// `zalopay order …`.
#[derive(Debug, Subcommand)]
pub enum OrderCommand {
    /// Creates an order; prints the response plus the `app_trans_id` used.
    Create {
        /// Order fields.
        #[command(flatten)]
        order: OrderFields,
        /// Shown to the buyer.
        #[arg(long)]
        description: String,
        /// Payment method: `zalopayapp`, `CC`, a bank code; all when absent.
        #[arg(long)]
        bank_code: Option<String>,
        /// Callback URL for this order.
        #[arg(long)]
        callback_url: Option<String>,
        /// Seconds until the order expires (300 ..= 2592000).
        #[arg(long)]
        expire_duration_seconds: Option<i64>,
        /// The product the order is paid with: `AGREEMENT` for an order to be paid with
        /// `agreement pay` (sent, not signed).
        #[arg(long)]
        product_code: Option<String>,
    },
    /// Queries an order's status.
    Query {
        /// The merchant's order id.
        app_trans_id: String,
        /// Poll until the order is paid or expired (progress on stderr when it is a terminal).
        /// A failure (e.g. the buyer cancelled) is not final while the order can still be
        /// paid: the query at --timeout decides it; maintenance answers never do. Prints the
        /// last answer with its `"verdict"`; exits 0 only when paid (3 failed, 4 cancelled,
        /// 5 expired, 6 not found, 7 gave up waiting). Ctrl-C stops waiting: prints the last
        /// answer with `"interrupted": true` and exits with code 130.
        #[arg(long)]
        wait: bool,
        /// Query once, print the answer with its `"verdict"`, and exit 0 only when paid
        /// (3 failed, 4 cancelled, 5 expired, 6 not found, 7 not final).
        #[arg(long, conflicts_with = "wait")]
        verdict: bool,
        /// Seconds between queries with `--wait`.
        #[arg(long, default_value_t = 2)]
        interval: u64,
        /// Give up waiting after this many seconds (the last query, which decides a failure,
        /// is made then; default: the 15-minute order lifetime plus a minute).
        #[arg(long, default_value_t = 960)]
        timeout: u64,
    },
    /// Cancels an unpaid order.
    Cancel {
        /// The merchant's order id.
        app_trans_id: String,
    },
}

/// `zalopay refund …`.
#[derive(Debug, Subcommand)]
pub enum RefundCommand {
    /// Refunds a paid transaction; prints the `m_refund_id` on stderr before sending, then the
    /// response plus the `m_refund_id`. After a lost answer: `refund query M_REFUND_ID`, or the
    /// same command with `--m-refund-id` (a re-send: ZaloPay answers a duplicate, exit 9).
    Create {
        /// ZaloPay's transaction id of the payment.
        #[arg(long)]
        zp_trans_id: i64,
        /// Amount to refund, VND.
        #[arg(long)]
        amount: i64,
        /// Reason.
        #[arg(long)]
        description: String,
        /// Fee deducted from the refund, VND.
        #[arg(long)]
        fee: Option<i64>,
        /// The merchant's refund id (default: generated `yyMMdd_<app_id>_<unique>`). A given
        /// id is sent as a re-send: it need not be dated today.
        #[arg(long)]
        m_refund_id: Option<String>,
    },
    /// Queries a refund's status (the way to find out after a lost refund answer: works on
    /// any day).
    Query {
        /// The merchant's refund id.
        m_refund_id: String,
        /// Print the answer with its `"verdict"` and exit 0 only when refunded (3 failed,
        /// 6 not found, 7 still processing).
        #[arg(long)]
        verdict: bool,
    },
}

/// `zalopay callback …`.
#[derive(Debug, Subcommand)]
pub enum CallbackCommand {
    /// Verifies a raw callback body read from stdin with key2; prints it typed, as JSON.
    Verify,
}

/// `zalopay redirect …`.
#[derive(Debug, Subcommand)]
pub enum RedirectCommand {
    /// Verifies a redirect query string with key2; prints its parameters as JSON.
    Verify {
        /// The query string (with or without `?`), or the whole redirect URL.
        query_string: String,
    },
}

/// `zalopay sign OPERATION key=value...`.
#[derive(Debug, Clone, Args)]
pub struct SignArgs {
    /// Spec operation id, e.g. `order.create` (see `zalopay operations`).
    pub operation: String,
    /// Parameter values as `name=value` (wire names; absent ones sign as empty).
    pub values: Vec<String>,
}

/// `zalopay agreement …`.
#[derive(Debug, Subcommand)]
pub enum AgreementCommand {
    /// Starts a binding; prints the response plus the `app_trans_id` used.
    Bind {
        /// The merchant's id for the buyer.
        #[arg(long)]
        identifier: String,
        /// The bind request id (default: generated).
        #[arg(long)]
        app_trans_id: Option<String>,
        /// Largest amount per payment, VND (0: no limit).
        #[arg(long, default_value_t = 0)]
        max_amount: i64,
        /// Binding type.
        #[arg(long, default_value = "WALLET")]
        binding_type: String,
        /// Binding data as JSON.
        #[arg(long, default_value = "{}")]
        binding_data: String,
        /// Where the buyer goes after binding (web).
        #[arg(long)]
        redirect_url: Option<String>,
        /// Where the buyer goes after binding (app deep link).
        #[arg(long)]
        redirect_deep_link: Option<String>,
        /// Callback URL for the binding result.
        #[arg(long)]
        callback_url: Option<String>,
    },
    /// Queries a binding by its bind request id.
    Query {
        /// The bind request's `app_trans_id`.
        app_trans_id: String,
    },
    /// Removes a binding.
    Unbind {
        /// The merchant's id for the buyer.
        #[arg(long)]
        identifier: String,
        /// ZaloPay's binding id.
        #[arg(long, allow_hyphen_values = true)]
        binding_id: String,
    },
    /// Whether a bound wallet can pay an amount.
    Balance {
        /// The merchant's id for the buyer.
        #[arg(long)]
        identifier: String,
        /// The binding's pay token.
        #[arg(long, allow_hyphen_values = true)]
        pay_token: String,
        /// Amount, VND.
        #[arg(long)]
        amount: i64,
    },
    /// Pays an order (created with `order create`) with a pay token.
    Pay {
        /// The merchant's id for the buyer.
        #[arg(long)]
        identifier: String,
        /// `zp_trans_token` of the order.
        #[arg(long, allow_hyphen_values = true)]
        zp_trans_token: String,
        /// The binding's pay token.
        #[arg(long, allow_hyphen_values = true)]
        pay_token: String,
    },
    /// The bound user's phone.
    QueryUser {
        /// The access (pay) token.
        #[arg(long, allow_hyphen_values = true)]
        access_token: String,
    },
}

/// What tokenization binds.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum TokenType {
    /// The ZaloPay wallet.
    Wallet,
    /// A bank card.
    Card,
}

/// Tokenization mode.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum TokenMode {
    /// Bind only.
    Bind,
    /// Bind and pay in one go.
    BindAndPay,
}

/// The buyer's device.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Device {
    /// Mobile flow.
    Mobile,
    /// Desktop flow.
    Desktop,
}

/// `zalopay tokenization …`.
#[derive(Debug, Subcommand)]
pub enum TokenizationCommand {
    /// Starts a tokenization binding; prints the response plus the `app_trans_id` used.
    Bind {
        /// The merchant's id for the buyer.
        #[arg(long)]
        identifier: String,
        /// The bind request id (default: generated).
        #[arg(long)]
        app_trans_id: Option<String>,
        /// What is bound.
        #[arg(long, value_enum, default_value = "wallet")]
        binding_type: TokenType,
        /// Bind only, or bind and pay.
        #[arg(long, value_enum, default_value = "bind")]
        binding_mode: TokenMode,
        /// The buyer's device.
        #[arg(long, value_enum, default_value = "desktop")]
        device_type: Device,
        /// Binding data as JSON (`redirect_url`, `callback_url`, …).
        #[arg(long, default_value = "{}")]
        binding_data: String,
        /// Payment data as JSON (for bind-and-pay).
        #[arg(long, default_value = "{}")]
        payment_data: String,
    },
    /// Queries a tokenization binding.
    Query {
        /// The bind request's `app_trans_id`.
        app_trans_id: String,
    },
}

/// `zalopay hybrid …`.
#[derive(Debug, Subcommand)]
pub enum HybridCommand {
    /// Pays with a pay token or returns a fallback URL; prints the `app_trans_id` used too.
    Pay {
        /// Order fields.
        #[command(flatten)]
        order: OrderFields,
        /// The merchant's id for the buyer.
        #[arg(long)]
        identifier: String,
        /// The binding's pay token.
        #[arg(long, allow_hyphen_values = true)]
        pay_token: String,
        /// Order description.
        #[arg(long)]
        description: String,
    },
}

/// `zalopay disbursement …`.
#[derive(Debug, Subcommand)]
pub enum DisbursementCommand {
    /// The merchant's disbursement balance.
    Balance {
        /// The payment id issued by ZaloPay.
        #[arg(long)]
        payment_id: String,
    },
    /// Looks up a ZaloPay user by phone.
    User {
        /// The user's phone.
        #[arg(long)]
        phone: String,
    },
    /// Pays money out to a user (RSA-signed: needs `--rsa-key`).
    Topup {
        /// The payment id issued by ZaloPay.
        #[arg(long)]
        payment_id: String,
        /// The merchant's order id (default: generated; printed on stderr before sending).
        /// Give it to re-send the same top-up: ZaloPay pays a `partner_order_id` once.
        #[arg(long)]
        partner_order_id: Option<String>,
        /// The user's `m_u_id` from `disbursement user`.
        #[arg(long)]
        m_u_id: String,
        /// Amount, VND.
        #[arg(long)]
        amount: i64,
        /// Shown to the user.
        #[arg(long)]
        description: String,
        /// Merchant data as JSON.
        #[arg(long, default_value = "{}")]
        partner_embed_data: String,
        /// Extra information as JSON.
        #[arg(long, default_value = "{}")]
        extra_info: String,
        /// Optional reference id.
        #[arg(long)]
        reference_id: Option<String>,
        /// Send the hex HMAC itself as `sig`, without RSA: only the local emulator accepts it,
        /// and only for apps it has no RSA public key for (2553, 2554; its disbursement demo
        /// app 15555 verifies the real RSA signature from `--rsa-key`).
        #[arg(long)]
        emulator_sig: bool,
    },
    /// Queries a top-up.
    Txn {
        /// The merchant's order id of the top-up.
        #[arg(long)]
        partner_order_id: String,
        /// Print the answer with its `"verdict"` and exit 0 only when disbursed (3 failed,
        /// 6 not found, 7 processing or pending).
        #[arg(long)]
        verdict: bool,
    },
}

/// `zalopay zod …`.
#[derive(Debug, Subcommand)]
pub enum ZodCommand {
    /// Creates a ZOD invoice.
    Create {
        /// The merchant's reference id.
        #[arg(long)]
        mc_ref_id: String,
        /// Amount to collect, VND.
        #[arg(long)]
        amount: i64,
        /// The receiver's contact (phone).
        #[arg(long)]
        receiver: String,
        /// Parcels as a JSON array of `{"trackingNumber","description","amount"}`
        /// (default: one parcel for the whole amount).
        #[arg(long)]
        order_info: Option<String>,
        /// Merchant data as JSON (`mcExtInfo`).
        #[arg(long, default_value = "{}")]
        mc_ext_info: String,
        /// Hub id.
        #[arg(long)]
        hub_id: Option<String>,
        /// Driver id.
        #[arg(long)]
        driver_id: Option<String>,
    },
    /// Gets an invoice's payment link.
    Invoice {
        /// The merchant's reference id.
        mc_ref_id: String,
    },
    /// Gets an invoice's status.
    Status {
        /// The merchant's reference id.
        mc_ref_id: String,
    },
}

/// `zalopay quickpay`.
#[derive(Debug, Clone, Args)]
pub struct QuickpayArgs {
    /// Order fields.
    #[command(flatten)]
    pub order: OrderFields,
    /// The payment code as scanned: signed, and sent encrypted with ZaloPay's public key
    /// (`--zalopay-public-key`).
    #[arg(long)]
    pub payment_code: String,
    /// Order description.
    #[arg(long)]
    pub description: Option<String>,
    /// Callback URL for this order.
    #[arg(long)]
    pub callback_url: Option<String>,
}

/// A key as given on the command line or in the environment: held as a secret (wiped on
/// drop, `Debug` redacted) from the moment it is parsed. It may be empty: an empty key counts
/// as "set" for the demo-app rule but is not used.
#[derive(Clone)]
pub struct KeyText(SecretString);

impl KeyText {
    /// The `clap` value parser: never fails, the key's shape is checked where it is used.
    pub fn parse(text: &str) -> Result<Self, std::convert::Infallible> {
        Ok(Self(SecretString::from(text)))
    }

    /// The key as a [`SecretKey`] of `kind`; `None` when it is empty.
    pub(crate) fn to_key(&self, kind: KeyKind) -> Option<SecretKey> {
        SecretKey::new(kind, self.0.expose_secret()).ok()
    }
}

impl std::fmt::Debug for KeyText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KeyText([REDACTED])")
    }
}
