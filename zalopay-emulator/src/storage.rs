//! State that survives a restart: every record in an SQLite file (`--data-dir`).
//!
//! Records are kept in memory as always; after every request that may change them (and after
//! every callback attempt) the records whose JSON changed are written in one transaction,
//! before the answer goes out. So what a client was told is on disk. A callback still being
//! retried when the process stops is not resumed (re-send it from the dashboard).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rusqlite::{Connection, params};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::records::{Books, Key, lock};

/// The database file inside the data directory.
pub const DATABASE_FILE: &str = "emulator.sqlite3";

/// Why the emulator's data directory could not be used.
#[derive(Debug)]
#[non_exhaustive]
pub enum StorageError {
    /// The directory could not be created.
    Directory {
        /// The directory.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// SQLite refused (the file is not an emulator database, is locked, …).
    Sqlite(rusqlite::Error),
    /// A stored record is not valid JSON of its kind.
    Corrupt {
        /// The record's kind (`order`, `refund`, …).
        kind: String,
        /// Its id.
        id: String,
        /// What the JSON decoder said.
        source: serde_json::Error,
    },
}

impl std::fmt::Display for StorageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StorageError::Directory { path, source } => {
                write!(f, "cannot create {}: {source}", path.display())
            }
            StorageError::Sqlite(e) => write!(f, "SQLite: {e}"),
            StorageError::Corrupt { kind, id, source } => {
                write!(f, "stored {kind} {id:?} is not valid: {source}")
            }
        }
    }
}

impl std::error::Error for StorageError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            StorageError::Directory { source, .. } => Some(source),
            StorageError::Sqlite(e) => Some(e),
            StorageError::Corrupt { source, .. } => Some(source),
        }
    }
}

impl From<rusqlite::Error> for StorageError {
    fn from(e: rusqlite::Error) -> Self {
        StorageError::Sqlite(e)
    }
}

/// One stored row: kind, app id, id.
type RowKey = (&'static str, i64, String);

/// What is stored besides the records: the id sequence and the clock's offset.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Meta {
    pub seq: u64,
    pub clock_offset_ms: i64,
}

/// The open database and what was last written, to write only what changed.
pub(crate) struct Storage {
    db: Mutex<Written>,
}

struct Written {
    conn: Connection,
    rows: HashMap<RowKey, String>,
    meta: Meta,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS records (
    kind TEXT NOT NULL,
    app_id INTEGER NOT NULL,
    id TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (kind, app_id, id)
);
CREATE TABLE IF NOT EXISTS meta (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
";

impl Storage {
    /// Opens (or creates) `dir/emulator.sqlite3` and loads what it holds.
    pub(crate) fn open(dir: &Path) -> Result<(Storage, Books, Meta), StorageError> {
        std::fs::create_dir_all(dir).map_err(|source| StorageError::Directory {
            path: dir.to_owned(),
            source,
        })?;
        let conn = Connection::open(dir.join(DATABASE_FILE))?;
        conn.execute_batch(SCHEMA)?;
        let mut rows = HashMap::new();
        let mut books = Books::default();
        {
            let mut select = conn.prepare("SELECT kind, app_id, id, body FROM records")?;
            let mut found = select.query([])?;
            while let Some(row) = found.next()? {
                let kind: String = row.get(0)?;
                let app_id: i64 = row.get(1)?;
                let id: String = row.get(2)?;
                let body: String = row.get(3)?;
                let Some(kind) = load(&mut books, &kind, app_id, &id, &body)? else {
                    continue; // a kind this version does not know: left alone
                };
                rows.insert((kind, app_id, id), body);
            }
        }
        books.reindex();
        let meta_value = |name: &str| -> Result<i64, StorageError> {
            let value = conn
                .query_row("SELECT value FROM meta WHERE name = ?1", [name], |row| {
                    row.get(0)
                })
                .or_else(|e| match e {
                    rusqlite::Error::QueryReturnedNoRows => Ok(0),
                    other => Err(other),
                })?;
            Ok(value)
        };
        let meta = Meta {
            seq: u64::try_from(meta_value("seq")?).unwrap_or(0),
            clock_offset_ms: meta_value("clock_offset_ms")?,
        };
        let storage = Storage {
            db: Mutex::new(Written { conn, rows, meta }),
        };
        Ok((storage, books, meta))
    }

    /// Writes the records that changed since the last call, and `meta`, in one transaction.
    /// `snapshot` is called under this storage's lock (so snapshots are written in order).
    pub(crate) fn save(
        &self,
        snapshot: impl FnOnce() -> (Vec<(RowKey, String)>, Meta),
    ) -> Result<(), StorageError> {
        let mut written = lock(&self.db);
        let (rows, meta) = snapshot();
        let changed: Vec<(RowKey, String)> = rows
            .into_iter()
            .filter(|(key, body)| written.rows.get(key) != Some(body))
            .collect();
        if changed.is_empty() && meta == written.meta {
            return Ok(());
        }
        let tx = written.conn.transaction()?;
        for ((kind, app_id, id), body) in &changed {
            tx.execute(
                "INSERT INTO records (kind, app_id, id, body) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (kind, app_id, id) DO UPDATE SET body = excluded.body",
                params![kind, app_id, id, body],
            )?;
        }
        for (name, value) in [
            ("seq", i64::try_from(meta.seq).unwrap_or(i64::MAX)),
            ("clock_offset_ms", meta.clock_offset_ms),
        ] {
            tx.execute(
                "INSERT INTO meta (name, value) VALUES (?1, ?2)
                 ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                params![name, value],
            )?;
        }
        tx.commit()?;
        written.rows.extend(changed);
        written.meta = meta;
        Ok(())
    }
}

fn decode<T: DeserializeOwned>(kind: &str, id: &str, body: &str) -> Result<T, StorageError> {
    serde_json::from_str(body).map_err(|source| StorageError::Corrupt {
        kind: kind.to_owned(),
        id: id.to_owned(),
        source,
    })
}

/// Puts one stored row back into `books`; `None` for an unknown kind.
fn load(
    books: &mut Books,
    kind: &str,
    app_id: i64,
    id: &str,
    body: &str,
) -> Result<Option<&'static str>, StorageError> {
    let key: Key = (app_id, id.to_owned());
    Ok(Some(match kind {
        "order" => {
            books.orders.insert(key, decode(kind, id, body)?);
            "order"
        }
        "refund" => {
            books.refunds.insert(key, decode(kind, id, body)?);
            "refund"
        }
        "binding" => {
            books.bindings.insert(key, decode(kind, id, body)?);
            "binding"
        }
        "topup" => {
            books.topups.insert(key, decode(kind, id, body)?);
            "topup"
        }
        "merchant_balance" => {
            books
                .merchant_balances
                .insert(app_id, decode(kind, id, body)?);
            "merchant_balance"
        }
        "wallet_user" => {
            books
                .wallet_users
                .insert(id.to_owned(), decode(kind, id, body)?);
            "wallet_user"
        }
        _ => return Ok(None),
    }))
}

/// Every record of `books` as stored rows.
pub(crate) fn rows(books: &Books) -> Vec<(RowKey, String)> {
    fn push<V: Serialize>(out: &mut Vec<(RowKey, String)>, kind: &'static str, key: &Key, v: &V) {
        if let Ok(body) = serde_json::to_string(v) {
            out.push(((kind, key.0, key.1.clone()), body));
        }
    }
    let mut out = Vec::new();
    for (key, order) in &books.orders {
        push(&mut out, "order", key, order);
    }
    for (key, refund) in &books.refunds {
        push(&mut out, "refund", key, refund);
    }
    for (key, binding) in &books.bindings {
        push(&mut out, "binding", key, binding);
    }
    for (key, topup) in &books.topups {
        push(&mut out, "topup", key, topup);
    }
    for (app_id, balance) in &books.merchant_balances {
        push(
            &mut out,
            "merchant_balance",
            &(*app_id, String::new()),
            balance,
        );
    }
    for (m_u_id, phone) in &books.wallet_users {
        push(&mut out, "wallet_user", &(0, m_u_id.clone()), phone);
    }
    out
}
