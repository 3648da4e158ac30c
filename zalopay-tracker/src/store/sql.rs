//! SQLite and Postgres through sqlx's `Any` driver: one set of statements, with the two
//! differences spelled out where they are (row locks and `SKIP LOCKED` on Postgres; one
//! writer connection on SQLite).

use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Executor, Row};

use std::collections::HashSet;

#[cfg(feature = "postgres")]
use super::listen::{ListenTarget, listen};
#[cfg(feature = "postgres")]
use super::wakeups::AbortOnDrop;
use super::wakeups::{EVENTS_CHANNEL, EventBell, EventWakeups};
use super::{
    Backlog, Delivery, Fence, Lease, LeasedEvent, LeasedOrder, LeasedRefund, Pruned, Store, Stuck,
    Transition, due_under_lease, settle_overrides,
};
use crate::error::StoreError;
use crate::model::{
    Event, EventStatus, NewEvent, OrderState, Outcome, RefundState, StoredName, TrackedOrder,
    TrackedRefund,
};

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// Which database a [`SqlStore`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Backend {
    /// An embedded SQLite file: one process, one writer connection.
    Sqlite,
    /// A Postgres server: any number of instances.
    Postgres,
}

impl Backend {
    /// The back end a URL names: `postgres://…` / `postgresql://…`, or `sqlite:PATH`
    /// (a bare path is taken as a SQLite file).
    pub fn of(url: &str) -> Self {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Self::Postgres
        } else {
            Self::Sqlite
        }
    }

    fn compiled(self) -> bool {
        match self {
            Self::Sqlite => cfg!(feature = "sqlite"),
            Self::Postgres => cfg!(feature = "postgres"),
        }
    }

    /// Row lock for read-modify-write inside a transaction.
    fn for_update(self) -> &'static str {
        match self {
            Self::Postgres => " FOR UPDATE",
            // The single writer connection serialises every transaction.
            Self::Sqlite => "",
        }
    }

    /// Lets two instances lease disjoint rows at the same time.
    fn skip_locked(self) -> &'static str {
        match self {
            Self::Postgres => " FOR UPDATE SKIP LOCKED",
            Self::Sqlite => "",
        }
    }

    /// The column a lease names its rows by between its inner `SELECT` and its `UPDATE`.
    /// SQLite: the rowid, so the update goes straight to the row instead of probing the
    /// text primary key's index once per row (a random read per row once that index
    /// outgrows the page cache); the single writer keeps the pair atomic. Postgres: the id
    /// (a row's physical address changes with every update).
    fn lease_key(self, id: &'static str) -> &'static str {
        match self {
            Self::Postgres => id,
            Self::Sqlite => "rowid",
        }
    }

    /// `key` is one of the values `subquery` selects, written as the backend plans it well.
    /// Postgres: `= ANY(ARRAY(…))`, the subquery run once and its keys found through the
    /// index; with `IN (…)` it planned a hash semi-join over a scan of the whole table once
    /// the table held about 100 000 rows, so every batch of a pass read every row
    /// (BENCHMARKS.md, row 7). SQLite: `IN (…)`, which it runs as lookups.
    fn among(self, key: &str, subquery: &str) -> String {
        match self {
            Self::Postgres => format!("{key} = ANY(ARRAY({subquery}))"),
            Self::Sqlite => format!("{key} IN ({subquery})"),
        }
    }
}

/// The SQL store (SQLite or Postgres).
#[derive(Debug, Clone)]
pub struct SqlStore {
    pool: AnyPool,
    backend: Backend,
    /// Rung after a commit that stored new events (D-151).
    bell: EventBell,
    /// Names this store's event notifications, which its own listener skips (D-151).
    origin: Arc<str>,
    /// Where other instances' events are listened for (Postgres).
    #[cfg(feature = "postgres")]
    listen: Option<ListenTarget>,
}

/// A name for one store value, unique across processes and hosts in practice: the process,
/// the time, a counter and a random number from the standard library's per-process keys.
fn origin() -> String {
    use std::hash::{BuildHasher, Hasher};
    static STORES: AtomicU64 = AtomicU64::new(0);
    let mut random = std::collections::hash_map::RandomState::new().build_hasher();
    random.write_u64(STORES.fetch_add(1, Ordering::Relaxed));
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{:x}-{nanos:x}-{:x}", std::process::id(), random.finish())
}

/// `sqlite:PATH?mode=rwc` for a bare path or a `sqlite:` URL without options.
fn normalise(url: &str) -> String {
    if Backend::of(url) == Backend::Postgres {
        return url.to_owned();
    }
    let path = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url);
    if path.contains('?') {
        format!("sqlite:{path}")
    } else {
        format!("sqlite:{path}?mode=rwc")
    }
}

const ORDER_COLUMNS: &str = "app_trans_id, app_id, amount, app_time, expire_at, state, order_url, \
     zp_trans_id, paid_amount, sub_return_code, confirmed_by, next_query_at, error_streak, queries, \
     metadata, recorded_at, updated_at, lease_owner, lease_until, lease_token";

const REFUND_COLUMNS: &str = "m_refund_id, app_id, zp_trans_id, amount, \"timestamp\", state, \
     refund_id, sub_return_code, next_query_at, error_streak, queries, recorded_at, updated_at, \
     lease_owner, lease_until, lease_token";

const EVENT_COLUMNS: &str = "id, idempotency_key, payload, status, attempts, created_at, done_at";
const LEASED_EVENT_COLUMNS: &str =
    "id, idempotency_key, payload, status, attempts, created_at, done_at, lease_owner, lease_token";

fn corrupt(table: &'static str, id: &str, reason: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt {
        table,
        id: id.to_owned(),
        reason: reason.to_string(),
    }
}

fn parse_name<T: StoredName>(table: &'static str, id: &str, text: &str) -> Result<T, StoreError> {
    T::parse(text).ok_or_else(|| corrupt(table, id, format!("unknown value `{text}`")))
}

fn sub_code(table: &'static str, id: &str, value: Option<i64>) -> Result<Option<i32>, StoreError> {
    value
        .map(|v| i32::try_from(v).map_err(|e| corrupt(table, id, e)))
        .transpose()
}

fn order_from(row: &AnyRow) -> Result<TrackedOrder, StoreError> {
    let id: String = row.try_get("app_trans_id")?;
    let state: String = row.try_get("state")?;
    let confirmed_by: Option<String> = row.try_get("confirmed_by")?;
    Ok(TrackedOrder {
        app_id: row.try_get("app_id")?,
        amount: row.try_get("amount")?,
        app_time: row.try_get("app_time")?,
        expire_at: row.try_get("expire_at")?,
        state: parse_name("tracked_orders", &id, &state)?,
        order_url: row.try_get("order_url")?,
        zp_trans_id: row.try_get("zp_trans_id")?,
        paid_amount: row.try_get("paid_amount")?,
        sub_return_code: sub_code("tracked_orders", &id, row.try_get("sub_return_code")?)?,
        confirmed_by: confirmed_by
            .map(|text| parse_name("tracked_orders", &id, &text))
            .transpose()?,
        next_query_at: row.try_get("next_query_at")?,
        error_streak: row.try_get("error_streak")?,
        queries: row.try_get("queries")?,
        metadata: row.try_get("metadata")?,
        recorded_at: row.try_get("recorded_at")?,
        updated_at: row.try_get("updated_at")?,
        lease_owner: row.try_get("lease_owner")?,
        lease_until: row.try_get("lease_until")?,
        lease_token: row.try_get("lease_token")?,
        app_trans_id: id,
    })
}

fn refund_from(row: &AnyRow) -> Result<TrackedRefund, StoreError> {
    let id: String = row.try_get("m_refund_id")?;
    let state: String = row.try_get("state")?;
    Ok(TrackedRefund {
        app_id: row.try_get("app_id")?,
        zp_trans_id: row.try_get("zp_trans_id")?,
        amount: row.try_get("amount")?,
        timestamp: row.try_get("timestamp")?,
        state: parse_name("tracked_refunds", &id, &state)?,
        refund_id: row.try_get("refund_id")?,
        sub_return_code: sub_code("tracked_refunds", &id, row.try_get("sub_return_code")?)?,
        next_query_at: row.try_get("next_query_at")?,
        error_streak: row.try_get("error_streak")?,
        queries: row.try_get("queries")?,
        recorded_at: row.try_get("recorded_at")?,
        updated_at: row.try_get("updated_at")?,
        lease_owner: row.try_get("lease_owner")?,
        lease_until: row.try_get("lease_until")?,
        lease_token: row.try_get("lease_token")?,
        m_refund_id: id,
    })
}

fn event_from(row: &AnyRow) -> Result<Event, StoreError> {
    let key: String = row.try_get("idempotency_key")?;
    let payload: String = row.try_get("payload")?;
    let status: String = row.try_get("status")?;
    let outcome: Outcome =
        serde_json::from_str(&payload).map_err(|e| corrupt("tracker_events", &key, e))?;
    Ok(Event {
        id: row.try_get("id")?,
        outcome,
        status: parse_name::<EventStatus>("tracker_events", &key, &status)?,
        attempts: row.try_get("attempts")?,
        created_at: row.try_get("created_at")?,
        done_at: row.try_get("done_at")?,
        idempotency_key: key,
    })
}

fn leased_event_from(row: &AnyRow) -> Result<LeasedEvent, StoreError> {
    let event = event_from(row)?;
    let owner: Option<String> = row.try_get("lease_owner")?;
    let owner = owner.ok_or_else(|| {
        corrupt(
            "tracker_events",
            &event.idempotency_key,
            "leased without an owner",
        )
    })?;
    Ok(LeasedEvent {
        fence: Fence {
            owner,
            token: row.try_get("lease_token")?,
        },
        event,
    })
}

type Tx = sqlx::Transaction<'static, sqlx::Any>;

/// Refuses a write under `fence` unless the row is still leased under it.
fn check_fence(
    table: &'static str,
    id: &str,
    fence: Option<&Fence>,
    owner: Option<&str>,
    token: i64,
) -> Result<(), StoreError> {
    match fence {
        Some(fence) if owner != Some(fence.owner.as_str()) || token != fence.token => {
            Err(StoreError::LeaseLost {
                table,
                id: id.to_owned(),
                holder: owner.unwrap_or("nobody").to_owned(),
            })
        }
        _ => Ok(()),
    }
}

/// What a write does to the lease columns: a write under a lease releases it; any other
/// write leaves them alone (it must not free someone else's lease).
/// The next due time to store: a fenced write sets the real one, an unfenced write keeps a
/// live lease's row out of the due range (D-140).
fn next_due(
    fence: Option<&Fence>,
    next: Option<i64>,
    owner: &Option<String>,
    until: Option<i64>,
) -> Option<i64> {
    match fence {
        Some(_) => next,
        None => due_under_lease(next, owner.as_deref(), until),
    }
}

fn release(fence: Option<&Fence>) -> &'static str {
    if fence.is_some() {
        ", lease_owner = NULL, lease_until = NULL"
    } else {
        ""
    }
}

/// Stores events (once per key) and supersedes pending ones, inside `tx`; how many events
/// were new. Every statement is one that has work to do: no read of superseded keys when
/// there are none, no update of events that are not pending (D-150). On Postgres the insert
/// also notifies other instances, in the same statement and transaction: the notification
/// goes out only if the event is new, and only on commit, naming `origin` so that this
/// store's own listener leaves it to the bell already rung (D-151).
async fn write_events(
    tx: &mut Tx,
    backend: Backend,
    origin: &str,
    mut events: Vec<NewEvent>,
    supersede: &[String],
) -> Result<u64, StoreError> {
    if !supersede.is_empty() {
        let keys = (1..=supersede.len())
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT idempotency_key, status, attempts FROM tracker_events \
             WHERE idempotency_key IN ({keys})"
        );
        let mut query = sqlx::query_as::<_, (String, String, i64)>(&sql);
        for key in supersede {
            query = query.bind(key.as_str());
        }
        let found = query.fetch_all(&mut **tx).await?;
        // Which of the replaced verdicts the handler was already handed (D-62).
        let delivered: HashSet<String> = found
            .iter()
            .filter(|(_, status, attempts)| status == "done" || *attempts > 0)
            .map(|(key, _, _)| key.clone())
            .collect();
        settle_overrides(&mut events, &delivered);
        let pending: Vec<&String> = found
            .iter()
            .filter(|(_, status, _)| status == "pending")
            .map(|(key, _, _)| key)
            .collect();
        if !pending.is_empty() {
            let keys = (1..=pending.len())
                .map(|i| format!("${i}"))
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!(
                "UPDATE tracker_events SET status = 'superseded' \
                 WHERE idempotency_key IN ({keys}) AND status = 'pending'"
            );
            let mut query = sqlx::query(&sql);
            for key in pending {
                query = query.bind(key.as_str());
            }
            query.execute(&mut **tx).await?;
        }
    }
    let insert = match backend {
        Backend::Postgres => format!("WITH {}", pg_insert_event(1)),
        Backend::Sqlite => insert_event(1),
    };
    let mut new = 0;
    for event in &events {
        let origin = (backend == Backend::Postgres).then_some(origin);
        let query = bind_event(sqlx::query(&insert), event, origin)?;
        new += match backend {
            Backend::Postgres => {
                u64::try_from(query.fetch_all(&mut **tx).await?.len()).unwrap_or(u64::MAX)
            }
            Backend::Sqlite => query.execute(&mut **tx).await?.rows_affected(),
        };
    }
    Ok(new)
}

/// Inserts an event once per key, its parameters numbered from `$first`: key, subject,
/// kind, payload, time.
fn insert_event(first: usize) -> String {
    let [key, subject, kind, payload, at] = [0, 1, 2, 3, 4].map(|i| first + i);
    format!(
        "INSERT INTO tracker_events (idempotency_key, subject, kind, payload, status, \
         attempts, created_at, next_attempt_at) \
         VALUES (${key}, ${subject}, ${kind}, ${payload}, 'pending', 0, ${at}, ${at}) \
         ON CONFLICT (idempotency_key) DO NOTHING"
    )
}

/// Postgres: [`insert_event`] as a `WITH` item and the query over it, which notifies other
/// instances of a new event (nothing when the key was stored already) with the payload
/// `<origin> <id>`, the origin the sixth parameter (D-151). One row per new event.
fn pg_insert_event(first: usize) -> String {
    let origin = first + 5;
    format!(
        "ins AS ({} RETURNING id) SELECT ins.id FROM ins, \
         LATERAL pg_notify('{EVENTS_CHANNEL}', ${origin} || ' ' || ins.id::text) n",
        insert_event(first)
    )
}

type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

/// Binds an event's parameters in [`insert_event`]'s order, then the origin of
/// [`pg_insert_event`] when there is one (Postgres).
fn bind_event<'q>(
    query: AnyQuery<'q>,
    event: &NewEvent,
    origin: Option<&'q str>,
) -> Result<AnyQuery<'q>, StoreError> {
    let payload = serde_json::to_string(&event.outcome)
        .map_err(|e| corrupt("tracker_events", event.outcome.subject(), e))?;
    let query = query
        .bind(event.outcome.idempotency_key())
        .bind(event.outcome.subject().to_owned())
        .bind(event.outcome.kind())
        .bind(payload)
        .bind(event.created_at);
    Ok(match origin {
        Some(origin) => query.bind(origin),
        None => query,
    })
}

/// The due orders past their expiry: the final query and the 48-hour edge, leased before
/// routine queries through the `tracked_orders_due_final` index (D-161).
const FINAL_QUERIES: &str = " AND next_query_at >= expire_at";

/// A table of polled rows (orders or refunds): leased and renewed alike, by its id column.
/// Both names are constants of this file, never input.
#[derive(Clone, Copy)]
struct Due {
    table: &'static str,
    id: &'static str,
}

impl Due {
    const ORDERS: Due = Due {
        table: "tracked_orders",
        id: "app_trans_id",
    };
    const REFUNDS: Due = Due {
        table: "tracked_refunds",
        id: "m_refund_id",
    };
}

impl SqlStore {
    /// Leases up to `lease.limit` due rows of `due` that also meet `only` (a constant SQL
    /// condition, or empty): id, app id and fence of each.
    async fn lease_due(
        &self,
        due: Due,
        lease: &Lease,
        only: &'static str,
    ) -> Result<Vec<(String, i64, Fence)>, StoreError> {
        let Due { table, id } = due;
        // The lease is the next due time (D-140): leased rows leave the due range, so each
        // batch starts at the first row still due instead of walking past leased ones.
        let key = self.backend.lease_key(id);
        let due = self.backend.among(
            key,
            &format!(
                "SELECT {key} FROM {table} \
                 WHERE next_query_at IS NOT NULL AND next_query_at <= $3{only} \
                 ORDER BY next_query_at LIMIT $4{}",
                self.backend.skip_locked()
            ),
        );
        let rows = sqlx::query(&format!(
            "UPDATE {table} SET lease_owner = $1, lease_until = $2, next_query_at = $2, \
             lease_token = lease_token + 1 WHERE {due} RETURNING {id}, app_id, lease_token"
        ))
        .bind(lease.owner.as_str())
        .bind(lease.until)
        .bind(lease.now)
        .bind(lease.limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok((
                    row.try_get(id)?,
                    row.try_get("app_id")?,
                    Fence {
                        owner: lease.owner.clone(),
                        token: row.try_get("lease_token")?,
                    },
                ))
            })
            .collect()
    }

    /// Rows of `due` whose next query was due at or before `due_before`, earliest due first,
    /// at most `limit` (the due index answers it, D-140).
    async fn overdue_rows(
        &self,
        due: Due,
        columns: &str,
        due_before: i64,
        limit: i64,
    ) -> Result<Vec<AnyRow>, StoreError> {
        let Due { table, id } = due;
        Ok(sqlx::query(&format!(
            "SELECT {columns} FROM {table} WHERE next_query_at <= $1 \
             ORDER BY next_query_at, {id} LIMIT $2"
        ))
        .bind(due_before)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Moves the lease of row `key` of `due` to `until`, if `fence` still holds it.
    async fn renew_due(
        &self,
        due: Due,
        key: &str,
        fence: &Fence,
        until: i64,
    ) -> Result<bool, StoreError> {
        let Due { table, id } = due;
        // The lease is the next due time (D-140); a row a callback finished stays so.
        let done = sqlx::query(&format!(
            "UPDATE {table} SET lease_until = $4, \
             next_query_at = CASE WHEN next_query_at IS NULL THEN NULL ELSE $4 END \
             WHERE {id} = $1 AND lease_owner = $2 AND lease_token = $3"
        ))
        .bind(key)
        .bind(fence.owner.as_str())
        .bind(fence.token)
        .bind(until)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Connects to `url` (`sqlite:PATH`, a bare file path, or `postgres://…`) and runs the
    /// migrations. A SQLite file is created if missing, opened in WAL mode, and written
    /// through one connection.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let store = Self::open(url).await?;
        store.migrate().await?;
        Ok(store)
    }

    async fn open(url: &str) -> Result<Self, StoreError> {
        let backend = Backend::of(url);
        if !backend.compiled() {
            return Err(StoreError::UnsupportedUrl(url.to_owned()));
        }
        sqlx::any::install_default_drivers();
        let options = AnyConnectOptions::from_str(&normalise(url))?;
        let pool = match backend {
            Backend::Sqlite => {
                AnyPoolOptions::new()
                    .max_connections(1)
                    .after_connect(|conn, _| {
                        Box::pin(async move {
                            conn.execute("PRAGMA journal_mode = WAL").await?;
                            conn.execute("PRAGMA busy_timeout = 10000").await?;
                            conn.execute("PRAGMA synchronous = NORMAL").await?;
                            Ok(())
                        })
                    })
                    .connect_with(options)
                    .await?
            }
            Backend::Postgres => {
                AnyPoolOptions::new()
                    .max_connections(8)
                    .acquire_timeout(Duration::from_secs(30))
                    .connect_with(options)
                    .await?
            }
        };
        #[cfg(feature = "postgres")]
        let listen = match backend {
            Backend::Postgres => Some(ListenTarget(sqlx::postgres::PgConnectOptions::from_str(
                url,
            )?)),
            Backend::Sqlite => None,
        };
        Ok(Self {
            pool,
            backend,
            bell: EventBell::default(),
            origin: origin().into(),
            #[cfg(feature = "postgres")]
            listen,
        })
    }

    /// Connects to `url` like [`connect`](Self::connect) but leaves the schema as it is: for
    /// instances started apart from the migration, which an operator runs on its own with
    /// [`Store::migrate`] (D-144).
    pub async fn connect_unmigrated(url: &str) -> Result<Self, StoreError> {
        Self::open(url).await
    }

    /// The back end.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The connection pool (for reports and benchmarks).
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }
}

impl Store for SqlStore {
    async fn migrate(&self) -> Result<(), StoreError> {
        match self.backend {
            Backend::Sqlite => SQLITE_MIGRATIONS.run(&self.pool).await?,
            Backend::Postgres => POSTGRES_MIGRATIONS.run(&self.pool).await?,
        }
        Ok(())
    }

    async fn insert_order(&self, order: &TrackedOrder) -> Result<bool, StoreError> {
        let done = sqlx::query(&format!(
            "INSERT INTO tracked_orders ({ORDER_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, \
             $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20) \
             ON CONFLICT (app_trans_id) DO NOTHING"
        ))
        .bind(order.app_trans_id.as_str())
        .bind(order.app_id)
        .bind(order.amount)
        .bind(order.app_time)
        .bind(order.expire_at)
        .bind(order.state.as_str())
        .bind(order.order_url.clone())
        .bind(order.zp_trans_id)
        .bind(order.paid_amount)
        .bind(order.sub_return_code.map(i64::from))
        .bind(order.confirmed_by.map(|s| s.as_str()))
        .bind(order.next_query_at)
        .bind(order.error_streak)
        .bind(order.queries)
        .bind(order.metadata.as_str())
        .bind(order.recorded_at)
        .bind(order.updated_at)
        .bind(order.lease_owner.clone())
        .bind(order.lease_until)
        .bind(order.lease_token)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn order(&self, app_trans_id: &str) -> Result<Option<TrackedOrder>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {ORDER_COLUMNS} FROM tracked_orders WHERE app_trans_id = $1"
        ))
        .bind(app_trans_id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(order_from).transpose()
    }

    async fn update_order<'a>(
        &'a self,
        app_trans_id: &'a str,
        fence: Option<&'a Fence>,
        transition: Transition<'a, TrackedOrder>,
    ) -> Result<Option<TrackedOrder>, StoreError> {
        let mut tx = self.pool.begin().await?;
        let row = sqlx::query(&format!(
            "SELECT {ORDER_COLUMNS} FROM tracked_orders WHERE app_trans_id = $1{}",
            self.backend.for_update()
        ))
        .bind(app_trans_id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(current) = row.as_ref().map(order_from).transpose()? else {
            return Ok(None);
        };
        check_fence(
            "tracked_orders",
            app_trans_id,
            fence,
            current.lease_owner.as_deref(),
            current.lease_token,
        )?;
        let Some(change) = transition(&current) else {
            return Ok(None);
        };
        let order = &change.record;
        let update = format!(
            "UPDATE tracked_orders SET state = $2, order_url = $3, zp_trans_id = $4, \
             paid_amount = $5, sub_return_code = $6, confirmed_by = $7, next_query_at = $8, \
             error_streak = $9, queries = $10, metadata = $11, updated_at = $12{} \
             WHERE app_trans_id = $1",
            release(fence)
        );
        // Postgres, one event and nothing to supersede (a callback paying an open order):
        // the row and its event in one statement, one round trip fewer (D-150).
        let joined = match (self.backend, change.events.as_slice()) {
            (Backend::Postgres, [event]) if change.supersede.is_empty() => Some(event.clone()),
            _ => None,
        };
        let sql = match joined {
            Some(_) => format!("WITH upd AS ({update}), {}", pg_insert_event(13)),
            None => update,
        };
        let query = sqlx::query(&sql)
            .bind(app_trans_id)
            .bind(order.state.as_str())
            .bind(order.order_url.clone())
            .bind(order.zp_trans_id)
            .bind(order.paid_amount)
            .bind(order.sub_return_code.map(i64::from))
            .bind(order.confirmed_by.map(|s| s.as_str()))
            .bind(next_due(
                fence,
                order.next_query_at,
                &current.lease_owner,
                current.lease_until,
            ))
            .bind(order.error_streak)
            .bind(order.queries)
            .bind(order.metadata.as_str())
            .bind(order.updated_at);
        let new = match joined {
            Some(event) => {
                let rows = bind_event(query, &event, Some(&self.origin))?
                    .fetch_all(&mut *tx)
                    .await?;
                u64::try_from(rows.len()).unwrap_or(u64::MAX)
            }
            None => {
                query.execute(&mut *tx).await?;
                write_events(
                    &mut tx,
                    self.backend,
                    &self.origin,
                    change.events,
                    &change.supersede,
                )
                .await?
            }
        };
        let mut record = change.record;
        tx.commit().await?;
        if new > 0 {
            self.bell.ring();
        }
        record.lease_token = current.lease_token;
        record.next_query_at = next_due(
            fence,
            record.next_query_at,
            &current.lease_owner,
            current.lease_until,
        );
        if fence.is_some() {
            record.lease_owner = None;
            record.lease_until = None;
        } else {
            record.lease_owner = current.lease_owner;
            record.lease_until = current.lease_until;
        }
        Ok(Some(record))
    }

    async fn lease_orders(&self, lease: &Lease) -> Result<Vec<LeasedOrder>, StoreError> {
        // Deadline first (D-161): the queries past expiry (the final one, the 48-hour edge),
        // then routine queries; rows just leased have left the due range.
        let mut leased = self.lease_due(Due::ORDERS, lease, FINAL_QUERIES).await?;
        let rest = lease
            .limit
            .saturating_sub(i64::try_from(leased.len()).unwrap_or(i64::MAX));
        if rest > 0 {
            let routine = Lease {
                limit: rest,
                ..lease.clone()
            };
            leased.extend(self.lease_due(Due::ORDERS, &routine, "").await?);
        }
        Ok(leased
            .into_iter()
            .map(|(app_trans_id, app_id, fence)| LeasedOrder {
                app_trans_id,
                app_id,
                fence,
            })
            .collect())
    }

    async fn renew_order(
        &self,
        app_trans_id: &str,
        fence: &Fence,
        until: i64,
    ) -> Result<bool, StoreError> {
        self.renew_due(Due::ORDERS, app_trans_id, fence, until)
            .await
    }

    async fn insert_refund(&self, refund: &TrackedRefund) -> Result<bool, StoreError> {
        let done = sqlx::query(&format!(
            "INSERT INTO tracked_refunds ({REFUND_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, \
             $8, $9, $10, $11, $12, $13, $14, $15, $16) ON CONFLICT (m_refund_id) DO NOTHING"
        ))
        .bind(refund.m_refund_id.as_str())
        .bind(refund.app_id)
        .bind(refund.zp_trans_id)
        .bind(refund.amount)
        .bind(refund.timestamp)
        .bind(refund.state.as_str())
        .bind(refund.refund_id)
        .bind(refund.sub_return_code.map(i64::from))
        .bind(refund.next_query_at)
        .bind(refund.error_streak)
        .bind(refund.queries)
        .bind(refund.recorded_at)
        .bind(refund.updated_at)
        .bind(refund.lease_owner.clone())
        .bind(refund.lease_until)
        .bind(refund.lease_token)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn refund(&self, m_refund_id: &str) -> Result<Option<TrackedRefund>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {REFUND_COLUMNS} FROM tracked_refunds WHERE m_refund_id = $1"
        ))
        .bind(m_refund_id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(refund_from).transpose()
    }

    async fn update_refund<'a>(
        &'a self,
        m_refund_id: &'a str,
        fence: Option<&'a Fence>,
        transition: Transition<'a, TrackedRefund>,
    ) -> Result<Option<TrackedRefund>, StoreError> {
        let mut tx = self.pool.begin().await?;
        let row = sqlx::query(&format!(
            "SELECT {REFUND_COLUMNS} FROM tracked_refunds WHERE m_refund_id = $1{}",
            self.backend.for_update()
        ))
        .bind(m_refund_id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(current) = row.as_ref().map(refund_from).transpose()? else {
            return Ok(None);
        };
        check_fence(
            "tracked_refunds",
            m_refund_id,
            fence,
            current.lease_owner.as_deref(),
            current.lease_token,
        )?;
        let Some(change) = transition(&current) else {
            return Ok(None);
        };
        let refund = &change.record;
        sqlx::query(&format!(
            "UPDATE tracked_refunds SET state = $2, refund_id = $3, sub_return_code = $4, \
             next_query_at = $5, error_streak = $6, queries = $7, updated_at = $8{} \
             WHERE m_refund_id = $1",
            release(fence)
        ))
        .bind(m_refund_id)
        .bind(refund.state.as_str())
        .bind(refund.refund_id)
        .bind(refund.sub_return_code.map(i64::from))
        .bind(next_due(
            fence,
            refund.next_query_at,
            &current.lease_owner,
            current.lease_until,
        ))
        .bind(refund.error_streak)
        .bind(refund.queries)
        .bind(refund.updated_at)
        .execute(&mut *tx)
        .await?;
        let mut record = change.record;
        let new = write_events(
            &mut tx,
            self.backend,
            &self.origin,
            change.events,
            &change.supersede,
        )
        .await?;
        tx.commit().await?;
        if new > 0 {
            self.bell.ring();
        }
        record.lease_token = current.lease_token;
        record.next_query_at = next_due(
            fence,
            record.next_query_at,
            &current.lease_owner,
            current.lease_until,
        );
        if fence.is_some() {
            record.lease_owner = None;
            record.lease_until = None;
        } else {
            record.lease_owner = current.lease_owner;
            record.lease_until = current.lease_until;
        }
        Ok(Some(record))
    }

    async fn lease_refunds(&self, lease: &Lease) -> Result<Vec<LeasedRefund>, StoreError> {
        let leased = self.lease_due(Due::REFUNDS, lease, "").await?;
        Ok(leased
            .into_iter()
            .map(|(m_refund_id, app_id, fence)| LeasedRefund {
                m_refund_id,
                app_id,
                fence,
            })
            .collect())
    }

    async fn renew_refund(
        &self,
        m_refund_id: &str,
        fence: &Fence,
        until: i64,
    ) -> Result<bool, StoreError> {
        self.renew_due(Due::REFUNDS, m_refund_id, fence, until)
            .await
    }

    async fn lease_events(&self, lease: &Lease) -> Result<Vec<LeasedEvent>, StoreError> {
        let pending = self.backend.among(
            "id",
            &format!(
                "SELECT id FROM tracker_events WHERE status = 'pending' \
                 AND next_attempt_at <= $2 AND (lease_until IS NULL OR lease_until < $2) \
                 ORDER BY id LIMIT $3{}",
                self.backend.skip_locked()
            ),
        );
        let rows = sqlx::query(&format!(
            "UPDATE tracker_events SET lease_until = $1, attempts = attempts + 1, \
             lease_owner = $4, lease_token = lease_token + 1 \
             WHERE {pending} RETURNING {LEASED_EVENT_COLUMNS}"
        ))
        .bind(lease.until)
        .bind(lease.now)
        .bind(lease.limit)
        .bind(lease.owner.as_str())
        .fetch_all(&self.pool)
        .await?;
        let mut events = rows
            .iter()
            .map(leased_event_from)
            .collect::<Result<Vec<_>, _>>()?;
        // RETURNING gives no order guarantee.
        events.sort_by_key(|leased| leased.event.id);
        Ok(events)
    }

    async fn renew_event(&self, id: i64, fence: &Fence, until: i64) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE tracker_events SET lease_until = $4 WHERE id = $1 AND status = 'pending' \
             AND lease_owner = $2 AND lease_token = $3",
        )
        .bind(id)
        .bind(fence.owner.as_str())
        .bind(fence.token)
        .bind(until)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn finish_event(
        &self,
        id: i64,
        fence: &Fence,
        delivery: Delivery,
    ) -> Result<bool, StoreError> {
        let (set, at) = match delivery {
            Delivery::Done { at } => ("status = 'done', done_at = $4", at),
            Delivery::RetryAt { at } => ("next_attempt_at = $4", at),
        };
        let done = sqlx::query(&format!(
            "UPDATE tracker_events SET {set}, lease_owner = NULL, lease_until = NULL \
             WHERE id = $1 AND status = 'pending' AND lease_owner = $2 AND lease_token = $3"
        ))
        .bind(id)
        .bind(fence.owner.as_str())
        .bind(fence.token)
        .bind(at)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn release_leases(&self, owner: &str, now: i64) -> Result<u64, StoreError> {
        let mut tx = self.pool.begin().await?;
        let mut released = 0;
        for table in ["tracked_orders", "tracked_refunds"] {
            // The lease was the next due time (D-140): due now, or earlier if it was.
            let done = sqlx::query(&format!(
                "UPDATE {table} SET lease_owner = NULL, lease_until = NULL, \
                 next_query_at = CASE WHEN next_query_at IS NULL THEN NULL \
                 WHEN next_query_at < $2 THEN next_query_at ELSE $2 END \
                 WHERE lease_owner = $1"
            ))
            .bind(owner)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            released += done.rows_affected();
        }
        let done = sqlx::query(
            "UPDATE tracker_events SET lease_owner = NULL, lease_until = NULL \
             WHERE lease_owner = $1 AND status = 'pending'",
        )
        .bind(owner)
        .execute(&mut *tx)
        .await?;
        released += done.rows_affected();
        tx.commit().await?;
        Ok(released)
    }

    async fn prune(&self, before: i64, limit: i64) -> Result<Pruned, StoreError> {
        let mut pruned = Pruned::default();
        let orders = [
            OrderState::Paid,
            OrderState::Failed,
            OrderState::Expired,
            OrderState::Abandoned,
            OrderState::AmountMismatch,
        ]
        .map(|s| format!("'{}'", s.as_str()))
        .join(", ");
        let refunds = [
            RefundState::Refunded,
            RefundState::Failed,
            RefundState::Unresolved,
        ]
        .map(|s| format!("'{}'", s.as_str()))
        .join(", ");
        for (table, key, finals, family) in [
            ("tracked_orders", "app_trans_id", orders, "order"),
            ("tracked_refunds", "m_refund_id", refunds, "refund"),
        ] {
            let mut tx = self.pool.begin().await?;
            // Locked rows: a transition that would add an event waits for this one (it
            // locks the row first) and then finds no row.
            let ids: Vec<String> = sqlx::query_scalar(&format!(
                "SELECT {key} FROM {table} t WHERE state IN ({finals}) \
                 AND next_query_at IS NULL AND updated_at < $1 \
                 AND NOT EXISTS (SELECT 1 FROM tracker_events e WHERE e.subject = t.{key} \
                 AND e.status = 'pending' AND e.idempotency_key LIKE '{family}:%') \
                 ORDER BY updated_at LIMIT $2{}",
                self.backend.skip_locked()
            ))
            .bind(before)
            .bind(limit)
            .fetch_all(&mut *tx)
            .await?;
            for id in &ids {
                sqlx::query(&format!(
                    "DELETE FROM tracker_events WHERE subject = $1 \
                     AND idempotency_key LIKE '{family}:%'"
                ))
                .bind(id.as_str())
                .execute(&mut *tx)
                .await?;
                sqlx::query(&format!("DELETE FROM {table} WHERE {key} = $1"))
                    .bind(id.as_str())
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            let n = u64::try_from(ids.len()).unwrap_or(u64::MAX);
            if family == "order" {
                pruned.orders = n;
            } else {
                pruned.refunds = n;
            }
        }
        Ok(pruned)
    }

    async fn backlog(&self, now: i64) -> Result<Backlog, StoreError> {
        let mut backlog = Backlog::default();
        let mut oldest: Option<i64> = None;
        for table in ["tracked_orders", "tracked_refunds"] {
            // Due rows are never under a live lease (D-140): the due index answers this, and
            // the open count (every row with a next query) from the same index.
            let row = sqlx::query(&format!(
                "SELECT COUNT(*) AS open, COUNT(CASE WHEN next_query_at <= $1 THEN 1 END) AS n, \
                 MIN(next_query_at) AS oldest FROM {table} WHERE next_query_at IS NOT NULL"
            ))
            .bind(now)
            .fetch_one(&self.pool)
            .await?;
            let n: i64 = row.try_get("n")?;
            // The earliest next query of all counts only when it is due.
            let first: Option<i64> = row
                .try_get::<Option<i64>, _>("oldest")?
                .filter(|at| *at <= now);
            oldest = oldest.into_iter().chain(first).min();
            if table == "tracked_orders" {
                backlog.open_orders = row.try_get("open")?;
                backlog.due_orders = n;
            } else {
                backlog.due_refunds = n;
            }
        }
        backlog.oldest_due_at = oldest;
        let row = sqlx::query(
            "SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM tracker_events \
             WHERE status = 'pending'",
        )
        .fetch_one(&self.pool)
        .await?;
        backlog.pending_events = row.try_get("n")?;
        backlog.oldest_pending_event_at = row.try_get("oldest")?;
        Ok(backlog)
    }

    async fn stuck(
        &self,
        due_before: i64,
        stored_before: i64,
        limit: i64,
    ) -> Result<Stuck, StoreError> {
        let orders = self
            .overdue_rows(Due::ORDERS, ORDER_COLUMNS, due_before, limit)
            .await?;
        let refunds = self
            .overdue_rows(Due::REFUNDS, REFUND_COLUMNS, due_before, limit)
            .await?;
        let events = sqlx::query(&format!(
            "SELECT {EVENT_COLUMNS} FROM tracker_events \
             WHERE status = 'pending' AND created_at <= $1 ORDER BY created_at, id LIMIT $2"
        ))
        .bind(stored_before)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(Stuck {
            orders: orders.iter().map(order_from).collect::<Result<_, _>>()?,
            refunds: refunds.iter().map(refund_from).collect::<Result<_, _>>()?,
            events: events.iter().map(event_from).collect::<Result<_, _>>()?,
        })
    }

    async fn orders(&self, limit: i64) -> Result<Vec<TrackedOrder>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {ORDER_COLUMNS} FROM tracked_orders \
             ORDER BY recorded_at DESC, app_trans_id LIMIT $1"
        ))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(order_from).collect()
    }

    async fn event_wakeups(&self) -> EventWakeups {
        let wakeups = self.bell.subscribe();
        #[cfg(feature = "postgres")]
        if let (Some(target), Ok(runtime)) = (&self.listen, tokio::runtime::Handle::try_current()) {
            let task = runtime.spawn(listen(
                target.clone(),
                self.bell.clone(),
                Arc::clone(&self.origin),
            ));
            return wakeups.with_listener(AbortOnDrop(task));
        }
        wakeups
    }

    async fn events(&self, subject: Option<&str>, limit: i64) -> Result<Vec<Event>, StoreError> {
        let rows = match subject {
            Some(subject) => {
                sqlx::query(&format!(
                    "SELECT {EVENT_COLUMNS} FROM tracker_events WHERE subject = $1 \
                     ORDER BY id LIMIT $2"
                ))
                .bind(subject.to_owned())
                .bind(limit)
                .fetch_all(&self.pool)
                .await?
            }
            None => {
                sqlx::query(&format!(
                    "SELECT {EVENT_COLUMNS} FROM tracker_events ORDER BY id LIMIT $1"
                ))
                .bind(limit)
                .fetch_all(&self.pool)
                .await?
            }
        };
        rows.iter().map(event_from).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_their_back_end() {
        assert_eq!(Backend::of("postgres://u@h/db"), Backend::Postgres);
        assert_eq!(Backend::of("postgresql://u@h/db"), Backend::Postgres);
        assert_eq!(Backend::of("sqlite:/tmp/x.db"), Backend::Sqlite);
        assert_eq!(Backend::of("/tmp/x.db"), Backend::Sqlite);
        assert_eq!(normalise("/tmp/x.db"), "sqlite:/tmp/x.db?mode=rwc");
        assert_eq!(normalise("sqlite:///tmp/x.db"), "sqlite:/tmp/x.db?mode=rwc");
        assert_eq!(normalise("sqlite:x.db?mode=ro"), "sqlite:x.db?mode=ro");
    }
}
