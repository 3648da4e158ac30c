//! `zalopay emulator` and `zalopay demo`: the local gateway and the demo shop.

use std::net::SocketAddr;

use serde_json::json;

use crate::CliError;
use crate::credentials::{DEMO_APP_ID, DEMO_KEY1, DEMO_KEY2};

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
    let rate_limit = match &f.rate_limit {
        None => None,
        Some(text) => Some(zalopay_emulator::RateLimit::parse(text).ok_or_else(|| {
            CliError::new(format!(
                "--rate-limit {text}: use N or N/BURST, whole numbers above 0"
            ))
        })?),
    };
    Ok(zalopay_emulator::EmulatorConfig {
        refund_delay: std::time::Duration::from_secs(args.refund_delay),
        faults,
        rate_limit,
        request_log_limit: (args.request_log_limit > 0).then_some(args.request_log_limit),
        ..zalopay_emulator::EmulatorConfig::default()
    })
}

pub(super) async fn emulator(args: &crate::args::EmulatorArgs) -> Result<(), CliError> {
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

pub(super) async fn demo(args: crate::args::DemoArgs) -> Result<(), CliError> {
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
