//! The Postgres server the tests use. `ZALOPAY_TRACKER_PG_URL` when it is set (CI starts one
//! with `scripts/pg-start.sh`); otherwise a throw-away cluster of its own, started once per
//! test binary from the installed Postgres binaries on a free loopback port, and removed when
//! the test process ends. With neither, the test fails and names the package to install:
//! a Postgres test never passes without running.
//!
//! Shared by the tracker's tests and the system tests (included by path).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// What to install when no Postgres binaries are found.
const INSTALL: &str = "Postgres is not installed: the Postgres tests start a throw-away cluster \
     from its binaries (initdb, postgres, pg_isready). Install the `postgresql` package \
     (Debian/Ubuntu: `apt-get install -y postgresql`), or point ZALOPAY_TRACKER_PG_URL at a \
     server (`eval \"$(scripts/pg-start.sh)\"`)";

/// A cluster owned by this test process.
struct Cluster {
    url: String,
    /// The watchdog shell. Its stdin is a pipe only this process writes to: when the process
    /// ends, however it ends, the pipe closes and the shell stops the server and deletes the
    /// cluster's directory.
    _watchdog: Mutex<Child>,
}

static CLUSTER: OnceLock<Result<Cluster, String>> = OnceLock::new();

/// The URL of the test server's `postgres` database (a superuser, trust auth).
pub fn postgres_admin_url() -> String {
    if let Ok(url) = std::env::var("ZALOPAY_TRACKER_PG_URL")
        && !url.is_empty()
    {
        return url;
    }
    match CLUSTER.get_or_init(start_cluster) {
        Ok(cluster) => cluster.url.clone(),
        Err(why) => panic!("{why}"),
    }
}

/// A fresh, empty database on the test server; its URL.
pub async fn fresh_postgres(name: &str) -> String {
    let admin = postgres_admin_url();
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&admin).await.unwrap();
    let db = format!("{name}_{}", std::process::id());
    for sql in [
        format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"),
        format!("CREATE DATABASE {db}"),
    ] {
        sqlx::query(&sql).execute(&pool).await.unwrap();
    }
    pool.close().await;
    let (base, query) = admin.split_once('?').unwrap_or((&admin, ""));
    let (server, _) = base.rsplit_once('/').unwrap();
    if query.is_empty() {
        format!("{server}/{db}")
    } else {
        format!("{server}/{db}?{query}")
    }
}

/// The directory holding `initdb`, `postgres` and `pg_isready`: Debian's
/// `/usr/lib/postgresql/<version>/bin` (the newest), else the `PATH`.
fn binaries() -> Option<PathBuf> {
    let complete = |dir: &Path| {
        ["initdb", "postgres", "pg_isready"]
            .iter()
            .all(|bin| dir.join(bin).is_file())
    };
    let mut debian: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse::<u32>().ok()?;
            Some((version, entry.path().join("bin")))
        })
        .filter(|(_, dir)| complete(dir))
        .collect();
    debian.sort();
    if let Some((_, dir)) = debian.pop() {
        return Some(dir);
    }
    std::env::split_paths(&std::env::var_os("PATH")?).find(|dir| complete(dir))
}

fn running_as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
}

fn start_cluster() -> Result<Cluster, String> {
    let bin = binaries().ok_or_else(|| INSTALL.to_owned())?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map_err(|e| format!("no free loopback port for Postgres: {e}"))?
        .port();
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let dir =
        std::env::temp_dir().join(format!("zalopay-tracker-pg-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    // Postgres refuses to run as root: run it as the `postgres` user the package creates.
    let root = running_as_root();
    if root {
        let owned = Command::new("chown")
            .args(["postgres:postgres"])
            .arg(&dir)
            .status()
            .map_err(|e| format!("chown: {e}"))?;
        if !owned.success() {
            return Err(format!(
                "running as root, and `chown postgres {}` failed: {INSTALL}",
                dir.display()
            ));
        }
    }
    let script = r#"
        set -e
        "$BIN/initdb" -D "$DIR/data" -U postgres --auth=trust -E UTF8 >"$DIR/initdb.log" 2>&1 </dev/null
        "$BIN/postgres" -D "$DIR/data" -p "$PORT" -k "$DIR" -c listen_addresses=127.0.0.1 \
            -c fsync=off -c max_connections=200 >"$DIR/server.log" 2>&1 </dev/null &
        pid=$!
        cat >/dev/null || true
        kill -INT "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
        rm -rf "$DIR"
    "#;
    let mut command = if root {
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--", "sh", "-c", script]);
        command
    } else {
        let mut command = Command::new("sh");
        command.args(["-c", script]);
        command
    };
    let mut watchdog = command
        .env("BIN", &bin)
        .env("DIR", &dir)
        .env("PORT", port.to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("could not start Postgres from {}: {e}", bin.display()))?;
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let ready = Command::new(bin.join("pg_isready"))
            .args(["-q", "-h", "127.0.0.1", "-U", "postgres", "-p"])
            .arg(port.to_string())
            .status()
            .is_ok_and(|status| status.success());
        if ready {
            break;
        }
        let logs = || {
            ["initdb.log", "server.log"]
                .iter()
                .map(|log| std::fs::read_to_string(dir.join(log)).unwrap_or_default())
                .collect::<Vec<_>>()
                .join("\n")
        };
        if let Ok(Some(status)) = watchdog.try_wait() {
            return Err(format!(
                "the throw-away Postgres cluster did not start ({status}):\n{}",
                logs()
            ));
        }
        if Instant::now() > deadline {
            return Err(format!(
                "the throw-away Postgres cluster was not ready within 60 s:\n{}",
                logs()
            ));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Ok(Cluster {
        url: format!("postgres://postgres@127.0.0.1:{port}/postgres?sslmode=disable"),
        _watchdog: Mutex::new(watchdog),
    })
}
