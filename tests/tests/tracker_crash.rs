//! Crash: a tracker process killed with SIGKILL in the middle of a run of 1 000 orders
//! against the emulator with lost callbacks, restarted on the same database (SQLite): every
//! order reaches exactly one terminal event, none lost, none twice.

use std::collections::{BTreeMap, BTreeSet};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use zalopay_emulator::{Emulator, EmulatorConfig, EmulatorState, Faults, ManualClock, OrderState};
use zalopay_tracker::{EventStatus, SqlStore, Store};

const COUNT: usize = 1000;
const START_MS: i64 = 1_764_590_400_000;

struct Run {
    dir: std::path::PathBuf,
    db: String,
    gateway: String,
}

impl Run {
    fn clock_file(&self) -> std::path::PathBuf {
        self.dir.join("clock")
    }

    fn events_file(&self) -> std::path::PathBuf {
        self.dir.join("events")
    }

    fn set_clock(&self, now: i64) {
        let tmp = self.dir.join("clock.tmp");
        std::fs::write(&tmp, now.to_string()).unwrap();
        std::fs::rename(&tmp, self.clock_file()).unwrap();
    }

    fn spawn(&self, instance: &str) -> Child {
        Command::new(env!("CARGO_BIN_EXE_tracker_worker"))
            .env("WORKER_DB", &self.db)
            .env("WORKER_GATEWAY", &self.gateway)
            .env("WORKER_CLOCK_FILE", self.clock_file())
            .env("WORKER_EVENTS_FILE", self.events_file())
            .env("WORKER_COUNT", COUNT.to_string())
            .env("WORKER_INSTANCE", instance)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    }
}

/// SIGKILL (what `Child::kill` sends on Unix), then reap.
fn kill(mut child: Child) {
    child.kill().unwrap();
    child.wait().unwrap();
}

/// Pays every order the emulator has whose number is not a multiple of 4 (the rest expire).
async fn pay_new_orders(
    http: &reqwest::Client,
    state: &EmulatorState,
    base: &str,
    paid: &mut BTreeSet<String>,
) {
    for order in state.orders() {
        let n: usize = order
            .app_trans_id
            .rsplit("crash")
            .next()
            .unwrap()
            .parse()
            .unwrap();
        if n.is_multiple_of(4)
            || order.state != OrderState::Created
            || paid.contains(&order.app_trans_id)
        {
            continue;
        }
        let url = format!(
            "{base}/emulator/orders/{}/pay?app_id=2553",
            order.app_trans_id
        );
        let body = http.post(url).send().await.unwrap().text().await.unwrap();
        assert!(body.contains("\"return_code\":1"), "{body}");
        paid.insert(order.app_trans_id.clone());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_order_ends_with_exactly_one_event_across_sigkill_and_restart() {
    let clock = ManualClock::new(START_MS);
    let state = EmulatorState::with_clock(EmulatorConfig::default(), Arc::new(clock.clone()));
    state
        .set_faults(
            None,
            Faults::default().with_seed(2026).with_callback_loss(0.5),
        )
        .unwrap();
    let emulator = Emulator::spawn(state.clone(), ([127, 0, 0, 1], 0).into())
        .await
        .unwrap();
    let dir = std::env::temp_dir().join(format!("zalopay-tracker-crash-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let run = Run {
        db: dir.join("tracker.db").to_string_lossy().into_owned(),
        dir,
        gateway: emulator.base_url(),
    };
    run.set_clock(START_MS);
    let http = reqwest::Client::new();
    let mut paid = BTreeSet::new();
    let tick = || tokio::time::sleep(Duration::from_millis(20));

    // 1. Kill in the middle of creating (some orders may be recorded and never sent).
    let worker = run.spawn("first");
    while state.orders().len() < COUNT * 2 / 5 {
        pay_new_orders(&http, &state, &run.gateway, &mut paid).await;
        tick().await;
    }
    kill(worker);
    let at_first_kill = state.orders().len();
    assert!(
        at_first_kill < COUNT,
        "killed before all orders were created"
    );

    // 2. Restart on the same database; kill again while it is polling and dispatching.
    let worker = run.spawn("second");
    while state.orders().len() < COUNT * 9 / 10 {
        pay_new_orders(&http, &state, &run.gateway, &mut paid).await;
        tick().await;
    }
    // Let a minute pass so lost callbacks are being polled for when the kill comes.
    for _ in 0..8 {
        clock.advance(Duration::from_secs(10));
        run.set_clock(clock_now(&clock));
        pay_new_orders(&http, &state, &run.gateway, &mut paid).await;
        tick().await;
    }
    kill(worker);

    // 3. Restart and run until the window has closed for every order: 15 min expiry, the
    //    final query after it, leases of the killed instances long run out.
    let worker = run.spawn("third");
    let store = SqlStore::connect(&run.db).await.unwrap();
    let mut steps = 0;
    loop {
        pay_new_orders(&http, &state, &run.gateway, &mut paid).await;
        clock.advance(Duration::from_secs(10));
        run.set_clock(clock_now(&clock));
        tick().await;
        steps += 1;
        let orders = store.orders(10_000).await.unwrap();
        let open = orders.iter().filter(|o| !o.state.is_final()).count();
        let pending = store
            .events(None, 100_000)
            .await
            .unwrap()
            .iter()
            .filter(|e| e.status == EventStatus::Pending)
            .count();
        if orders.len() == COUNT && open == 0 && pending == 0 {
            break;
        }
        assert!(
            steps < 1_000,
            "{open} orders still open, {pending} events pending"
        );
    }
    kill(worker);

    // Every order: exactly one terminal event, handled, of the kind the gateway's books say.
    let events = store.events(None, 100_000).await.unwrap();
    let mut by_order: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for event in &events {
        assert_eq!(event.status, EventStatus::Done, "{event:?}");
        by_order
            .entry(event.outcome.subject().to_owned())
            .or_default()
            .push(event.outcome.kind().to_owned());
    }
    assert_eq!(by_order.len(), COUNT, "every order has its event");
    let books: BTreeMap<String, OrderState> = state
        .orders()
        .into_iter()
        .map(|o| (o.app_trans_id.clone(), o.state))
        .collect();
    let mut kinds: BTreeMap<String, usize> = BTreeMap::new();
    for (id, kinds_of_order) in &by_order {
        assert_eq!(kinds_of_order.len(), 1, "{id}: {kinds_of_order:?}");
        let kind = &kinds_of_order[0];
        let expected = match books.get(id) {
            Some(OrderState::Paid) => "paid",
            Some(OrderState::Expired | OrderState::Created) => "expired",
            Some(other) => panic!("{id}: unexpected state {other:?}"),
            None => "abandoned",
        };
        assert_eq!(kind, expected, "{id}");
        *kinds.entry(kind.clone()).or_default() += 1;
    }
    assert!(
        kinds.get("paid").copied().unwrap_or(0) > COUNT / 2,
        "{kinds:?}"
    );
    assert!(
        kinds.get("expired").copied().unwrap_or(0) > COUNT / 10,
        "{kinds:?}"
    );

    // The handler saw each order's one key at least once; a second delivery can only be an
    // event whose success the kill cut off before it was recorded.
    let log = std::fs::read_to_string(run.events_file()).unwrap();
    let mut deliveries: BTreeMap<String, usize> = BTreeMap::new();
    for line in log.lines() {
        let key = line.split(' ').next().unwrap();
        *deliveries.entry(key.to_owned()).or_default() += 1;
    }
    let expected_keys: BTreeSet<String> =
        events.iter().map(|e| e.idempotency_key.clone()).collect();
    assert_eq!(
        deliveries.keys().cloned().collect::<BTreeSet<_>>(),
        expected_keys
    );
    let repeated = deliveries.values().filter(|n| **n > 1).count();
    assert!(
        repeated <= 2 * 200,
        "at most one batch per kill is delivered again: {repeated}"
    );
    // No order was ever created twice at the gateway.
    let creates = state
        .request_log()
        .iter()
        .filter(|r| r.operation == "order.create" && r.return_code == Some(1))
        .count();
    assert_eq!(creates, books.len());
    eprintln!(
        "crash run: {at_first_kill} orders at the first kill, outcomes {kinds:?}, {repeated} events delivered twice"
    );
    emulator.shutdown().await.unwrap();
}

fn clock_now(clock: &ManualClock) -> i64 {
    zalopay_emulator::Clock::now_ms(clock)
}
