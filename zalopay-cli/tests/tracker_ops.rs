//! `zalopay tracker migrate` and `zalopay tracker backlog` (issue 24 item 5, D-171) on a
//! seeded SQLite tracker database: migrations run apart from start-up, the report shows stuck
//! orders and the oldest pending event, and exits 10 over a limit.

use std::process::{Command, Output};
use std::time::{SystemTime, UNIX_EPOCH};

use zalopay_tracker::machine::Change;
use zalopay_tracker::model::NewEvent;
use zalopay_tracker::{OrderState, Outcome, SqlStore, Store, TrackedOrder};

const BIN: &str = env!("CARGO_BIN_EXE_zalopay");

fn zalopay(db: &str, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env("ZALOPAY_TRACKER_DB", db)
        .output()
        .unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn now_ms() -> i64 {
    i64::try_from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_millis(),
    )
    .unwrap()
}

fn open_order(id: &str, now: i64, next_query_at: i64) -> TrackedOrder {
    let mut order = TrackedOrder::new(id, 2553, 10_000, now - 3_600_000, now + 900_000, now);
    order.state = OrderState::Open;
    order.next_query_at = Some(next_query_at);
    order
}

#[tokio::test]
async fn backlog_reports_stuck_orders_and_the_oldest_event_after_a_separate_migration() {
    let dir = std::env::temp_dir().join(format!("zalopay-cli-tracker-ops-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("tracker.db").to_string_lossy().into_owned();

    // The report never migrates: on a database without the schema it fails and says how.
    let unmigrated = zalopay(&db, &["tracker", "backlog"]);
    assert_eq!(unmigrated.status.code(), Some(1), "{}", stderr(&unmigrated));
    assert!(
        stderr(&unmigrated).contains("zalopay tracker migrate"),
        "{}",
        stderr(&unmigrated)
    );
    // The operator's migration, apart from any instance's start-up; twice is harmless.
    for _ in 0..2 {
        let migrated = zalopay(&db, &["tracker", "migrate", "--db", &db]);
        assert!(migrated.status.success(), "{}", stderr(&migrated));
    }
    let empty = zalopay(&db, &["tracker", "backlog", "--json", "--max-lag", "0"]);
    assert!(empty.status.success(), "{}", stderr(&empty));
    let report: serde_json::Value = serde_json::from_str(&stdout(&empty)).unwrap();
    assert_eq!(report["open_orders"], 0);
    assert_eq!(report["oldest_due_at"], serde_json::Value::Null);
    assert_eq!(report["poll_lag_seconds"], 0);

    // Seed: two orders overdue (10 and 1 minutes), one due in an hour, and a failed order
    // whose event has waited 20 minutes for the handler.
    let now = now_ms();
    let store = SqlStore::connect_unmigrated(&db).await.unwrap();
    for (id, due) in [
        ("251201_late", now - 600_000),
        ("251201_recent", now - 60_000),
        ("251201_later", now + 3_600_000),
        ("251201_failed", now + 60_000),
    ] {
        assert!(store.insert_order(&open_order(id, now, due)).await.unwrap());
    }
    store
        .update_order(
            "251201_failed",
            None,
            Box::new(move |current: &TrackedOrder| {
                let mut record = current.clone();
                record.state = OrderState::Failed;
                record.next_query_at = None;
                Some(Change {
                    record,
                    events: vec![NewEvent {
                        outcome: Outcome::Failed {
                            app_trans_id: "251201_failed".to_owned(),
                            sub_return_code: Some(-63),
                        },
                        created_at: now - 1_200_000,
                    }],
                    supersede: Vec::new(),
                })
            }),
        )
        .await
        .unwrap()
        .unwrap();
    drop(store);

    let json = zalopay(&db, &["tracker", "backlog", "--json"]);
    assert!(json.status.success(), "{}", stderr(&json));
    let report: serde_json::Value = serde_json::from_str(&stdout(&json)).unwrap();
    assert_eq!(report["open_orders"], 3);
    assert_eq!(report["due_orders"], 2);
    assert_eq!(report["due_refunds"], 0);
    assert_eq!(report["oldest_due_at"], now - 600_000);
    let lag = report["poll_lag_seconds"].as_u64().unwrap();
    assert!((600..660).contains(&lag), "{lag}");
    assert_eq!(report["pending_events"], 1);
    assert_eq!(report["oldest_pending_event_at"], now - 1_200_000);
    let age = report["oldest_pending_event_age_seconds"].as_u64().unwrap();
    assert!((1_200..1_260).contains(&age), "{age}");

    // Over a limit: the report still prints, the exit code says stuck.
    let late = zalopay(&db, &["tracker", "backlog", "--max-lag", "300"]);
    assert_eq!(late.status.code(), Some(10), "{}", stderr(&late));
    let text = stdout(&late);
    assert!(text.contains("due orders      2"), "{text}");
    assert!(
        text.contains(&format!("(since {})", now - 600_000)),
        "{text}"
    );
    assert!(text.contains("pending events  1"), "{text}");
    assert!(
        stderr(&late).contains("2 orders and 0 refunds due"),
        "{}",
        stderr(&late)
    );
    assert!(
        !stderr(&late).contains("events pending"),
        "{}",
        stderr(&late)
    );
    // Which ones, by id: only the order later than the limit, the event is within none.
    assert!(text.contains("late orders"), "{text}");
    assert!(text.contains("251201_late"), "{text}");
    assert!(!text.contains("251201_recent"), "{text}");
    assert!(!text.contains("events waiting"), "{text}");

    // As JSON: the rows, longest waiting first, at most `--list` of each.
    let listed = zalopay(
        &db,
        &[
            "tracker",
            "backlog",
            "--json",
            "--max-lag",
            "30",
            "--max-event-age",
            "600",
        ],
    );
    assert_eq!(listed.status.code(), Some(10), "{}", stderr(&listed));
    let report: serde_json::Value = serde_json::from_str(&stdout(&listed)).unwrap();
    let ids = |rows: &serde_json::Value| -> Vec<String> {
        rows.as_array()
            .unwrap()
            .iter()
            .map(|row| row["app_trans_id"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        ids(&report["stuck"]["orders"]),
        ["251201_late", "251201_recent"]
    );
    assert_eq!(report["stuck"]["refunds"], serde_json::json!([]));
    assert_eq!(report["stuck"]["events"].as_array().unwrap().len(), 1);
    assert_eq!(report["stuck"]["events"][0]["created_at"], now - 1_200_000);
    let one = zalopay(
        &db,
        &[
            "tracker",
            "backlog",
            "--json",
            "--max-lag",
            "30",
            "--list",
            "1",
        ],
    );
    let report: serde_json::Value = serde_json::from_str(&stdout(&one)).unwrap();
    assert_eq!(ids(&report["stuck"]["orders"]), ["251201_late"]);

    let old_event = zalopay(
        &db,
        &[
            "tracker",
            "backlog",
            "--max-lag",
            "3600",
            "--max-event-age",
            "600",
        ],
    );
    assert_eq!(old_event.status.code(), Some(10));
    assert!(
        stderr(&old_event).contains("1 events pending"),
        "{}",
        stderr(&old_event)
    );
    // Within both limits: exit 0.
    let fine = zalopay(
        &db,
        &[
            "tracker",
            "backlog",
            "--max-lag",
            "3600",
            "--max-event-age",
            "3600",
        ],
    );
    assert!(fine.status.success(), "{}", stderr(&fine));
    let _ = std::fs::remove_dir_all(&dir);
}
