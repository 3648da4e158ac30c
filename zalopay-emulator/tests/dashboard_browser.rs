//! The dashboard and the wallet page in headless Chromium: what a person sees, and that the
//! dashboard's buttons (plain forms, posted here as a browser would) do what they say.
//!
//! Needs the `chromium` binary (Debian package `chromium`). Without it the test is skipped with
//! a notice, except under CI (`CI` set), where it fails.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::*;
use serde_json::json;

fn chromium() -> Option<PathBuf> {
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|name| {
            let path = std::env::var_os("PATH")?;
            std::env::split_paths(&path)
                .map(|dir| dir.join(name))
                .find(|candidate| candidate.is_file())
        })
}

/// Chromium: these tests run where users run the pages, in a real browser, so a machine
/// without one fails them rather than passing them unrun (`.ci/run` installs it).
fn chromium_required() -> PathBuf {
    chromium().unwrap_or_else(|| {
        panic!(
            "chromium is not installed: apt-get install chromium (these tests need a real browser)"
        )
    })
}

fn scratch(name: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "dashboard-browser-{}-{}-{name}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The page's DOM as headless Chromium renders it (a screenshot is saved too).
async fn render(browser: &Path, url: &str, name: &str) -> String {
    let browser = browser.to_owned();
    let url = url.to_owned();
    let name = name.to_owned();
    tokio::task::spawn_blocking(move || {
        let run = |extra: &[String]| {
            let profile = scratch("profile");
            let output = Command::new(&browser)
                .args([
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--no-first-run",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--disable-dev-shm-usage",
                    "--window-size=1200,1000",
                ])
                .arg(format!("--user-data-dir={}", profile.display()))
                .args(extra)
                .arg(&url)
                .output()
                .unwrap();
            assert!(
                output.status.success(),
                "chromium failed: {}",
                String::from_utf8_lossy(&output.stderr)
            );
            let _ = std::fs::remove_dir_all(&profile);
            String::from_utf8_lossy(&output.stdout).into_owned()
        };
        let shot = scratch("shots").join(format!("{name}.png"));
        run(&[format!("--screenshot={}", shot.display())]);
        assert!(shot.is_file(), "no screenshot at {}", shot.display());
        eprintln!("screenshot: {}", shot.display());
        run(&["--dump-dom".to_owned()])
    })
    .await
    .unwrap()
}

/// Submits a dashboard form as a browser would (following the redirect back).
async fn press(env: &Env, action: &str, form: &[(&str, &str)]) -> String {
    let client = reqwest::Client::new();
    let response = client
        .post(format!("{}{action}", env.base()))
        .form(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.url().path(), "/emulator", "{action}");
    response.text().await.unwrap()
}

/// The row of one order in the dashboard's DOM.
fn row<'a>(dom: &'a str, id: &str) -> &'a str {
    let start = dom
        .find(&format!("data-order=\"{id}\""))
        .unwrap_or_else(|| panic!("no row for {id}: {dom}"));
    let end = dom[start..].find("</tr>").unwrap();
    &dom[start..start + end]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_shows_everything_and_its_buttons_work() {
    let browser = chromium_required();
    let mut merchant = Merchant::ok().await;
    let env = start_with_callback(&merchant.url()).await;
    let (to_pay, to_cancel, to_expire) = (
        format!("{TODAY}_dash_pay"),
        format!("{TODAY}_dash_cancel"),
        format!("{TODAY}_dash_expire"),
    );
    for id in [&to_pay, &to_cancel, &to_expire] {
        env.create(id, 25_000, &[]).await;
    }
    let dashboard = format!("{}/emulator", env.base());
    let dom = render(&browser, &dashboard, "dashboard-before").await;
    assert!(dom.contains("Orders (3)"), "{dom}");
    assert!(dom.contains("2024-09-13 11:00:00"), "{dom}");
    assert!(row(&dom, &to_pay).contains("25.000 ₫"));
    assert!(row(&dom, &to_pay).contains(">Pay</button>"));
    assert!(dom.contains("id=\"advance\""), "{dom}");
    assert!(dom.contains("id=\"faults\""), "{dom}");

    let base = "/emulator/dashboard/orders";
    let page = press(&env, &format!("{base}/{to_pay}/pay?app_id={APP}"), &[]).await;
    assert!(page.contains(&format!("{to_pay}: paid")), "{page}");
    merchant.next().await;
    press(
        &env,
        &format!("{base}/{to_cancel}/cancel?app_id={APP}"),
        &[],
    )
    .await;
    press(
        &env,
        &format!("{base}/{to_expire}/expire?app_id={APP}"),
        &[],
    )
    .await;
    wait_for_order(&env, &to_pay, |o| o["callback"]["delivered"] == true).await;
    let page = press(&env, &format!("{base}/{to_pay}/callback?app_id={APP}"), &[]).await;
    assert!(page.contains("callback re-sent"), "{page}");
    merchant.next().await;
    wait_for_order(&env, &to_pay, |o| o["callback"]["attempts"] == 2).await;
    // Refused actions come back as a notice, not an error page.
    let page = press(&env, &format!("{base}/{to_pay}/cancel?app_id={APP}"), &[]).await;
    assert!(page.contains("refused"), "{page}");
    press(&env, "/emulator/dashboard/clock", &[("seconds", "3600")]).await;
    let page = press(
        &env,
        "/emulator/dashboard/faults",
        &[
            ("faults", r#"{"seed":5,"callback_loss":0.5}"#),
            ("app_id", ""),
        ],
    )
    .await;
    assert!(page.contains("faults set"), "{page}");
    let page = press(
        &env,
        "/emulator/dashboard/faults",
        &[("faults", r#"{"callback_loss":7}"#), ("app_id", "")],
    )
    .await;
    assert!(page.contains("refused"), "{page}");

    let dom = render(&browser, &dashboard, "dashboard-after").await;
    assert!(row(&dom, &to_pay).contains(">paid<"), "{dom}");
    assert!(row(&dom, &to_pay).contains("Resend callback"));
    assert!(!row(&dom, &to_pay).contains(">Pay</button>"));
    assert!(row(&dom, &to_cancel).contains(">cancelled<"));
    assert!(row(&dom, &to_expire).contains(">expired<"));
    assert!(
        dom.contains("2024-09-13 12:00:00"),
        "the clock moved: {dom}"
    );
    assert!(dom.contains("\"callback_loss\": 0.5"), "{dom}");
    assert!(
        dom.contains(">Resend<"),
        "the re-sent attempt is listed: {dom}"
    );
    assert_eq!(env.running.state().faults().global.callback_loss, 0.5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_wallet_page_is_a_payment_confirmation() {
    let browser = chromium_required();
    let env = start().await;
    let id = format!("{TODAY}_wallet");
    let created = env.create(&id, 1_250_000, &[]).await;
    let order_url = created["order_url"].as_str().unwrap().to_owned();
    let dom = render(&browser, &order_url, "wallet").await;
    // Merchant, then the amount, then the description, then Pay and Cancel.
    let at = |needle: &str| {
        dom.find(needle)
            .unwrap_or_else(|| panic!("{needle} missing: {dom}"))
    };
    let merchant = at("ZaloPay demo shop 2553");
    let price = at("1.250.000 ₫");
    let description = at("Shop - Payment for the order");
    let pay = at("id=\"pay\"");
    let cancel = at("id=\"cancel\"");
    assert!(merchant < price && price < description && description < pay && pay < cancel);
    assert!(dom.contains("Pay 1.250.000 ₫"), "{dom}");

    // Once paid, the page says so and offers no buttons.
    env.json(&format!("/emulator/orders/{id}/pay"), &json!({}))
        .await;
    let dom = render(&browser, &order_url, "wallet-paid").await;
    assert!(dom.contains("This order is paid"), "{dom}");
    assert!(!dom.contains("id=\"pay\""), "{dom}");
}
