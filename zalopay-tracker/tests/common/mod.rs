//! Shared by the tracker's integration tests: real databases and the emulator.

#![allow(dead_code)]

use std::sync::atomic::{AtomicU32, Ordering};

/// The Postgres server the tests use (`ZALOPAY_TRACKER_PG_URL`, set by
/// `scripts/pg-start.sh`). In CI (`CI=true`) a missing server fails the test; locally the
/// test is skipped with a printed reason.
pub fn postgres_admin_url() -> Option<String> {
    match std::env::var("ZALOPAY_TRACKER_PG_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("CI=true but ZALOPAY_TRACKER_PG_URL is not set: .ci/run must start Postgres")
        }
        _ => {
            eprintln!(
                "SKIPPED: ZALOPAY_TRACKER_PG_URL is not set (run `eval \"$(scripts/pg-start.sh)\"`)"
            );
            None
        }
    }
}

/// A fresh, empty database on the test server; its URL.
pub async fn fresh_postgres(name: &str) -> Option<String> {
    let admin = postgres_admin_url()?;
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&admin).await.unwrap();
    let db = format!("{name}_{}", std::process::id());
    sqlx::query(&format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"))
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query(&format!("CREATE DATABASE {db}"))
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    let (base, query) = admin.split_once('?').unwrap_or((&admin, ""));
    let (server, _) = base.rsplit_once('/').unwrap();
    Some(if query.is_empty() {
        format!("{server}/{db}")
    } else {
        format!("{server}/{db}?{query}")
    })
}

static FILES: AtomicU32 = AtomicU32::new(0);

/// A fresh SQLite file path in the temp dir.
pub fn fresh_sqlite(name: &str) -> String {
    let n = FILES.fetch_add(1, Ordering::SeqCst);
    let dir =
        std::env::temp_dir().join(format!("zalopay-tracker-{name}-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("tracker.db").to_string_lossy().into_owned()
}
