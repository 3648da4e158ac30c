#!/usr/bin/env bash
# Cold debug build times of one-file programs, the SDK against the floor written by hand,
# side by side in one run (issue 12's targets: verify-only <= 2x, full client <= 1.2x).
#
#   verify-floor  hmac + sha2 + serde_json + subtle, a callback verified by hand
#   verify-sdk    zalopay-api with default-features = false, `verify_callback`
#   client-floor  reqwest (rustls) + tokio + serde + hmac + sha2, create order signed and sent by hand
#   client-sdk    zalopay-api with its default `client` feature, `Client::send`
#
# Each program is its own crate in a temporary directory with its own CARGO_TARGET_DIR, so
# every build starts from nothing; dependencies are downloaded first (not timed). Rounds
# alternate the programs so that a change in the machine's load hits all of them alike.
# Usage: scripts/build-time.sh [ROUNDS]   (default 1; each round is four cold builds)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
rounds=${1:-1}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

program() { # name, dependencies (TOML lines), main.rs
  mkdir -p "$work/$1/src"
  printf '[package]\nname = "%s"\nversion = "0.0.0"\nedition = "2024"\npublish = false\n[dependencies]\n%s\n[workspace]\n' \
    "$1" "$2" > "$work/$1/Cargo.toml"
  printf '%s\n' "$3" > "$work/$1/src/main.rs"
}

program verify-floor 'hmac = "0.13"
sha2 = { version = "0.11", default-features = false }
serde_json = "1"
subtle = "2"' '
use hmac::{Hmac, KeyInit, Mac};
use subtle::ConstantTimeEq;
fn main() {
    let body = std::io::read_to_string(std::io::stdin()).unwrap_or_default();
    let envelope: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
    let (Some(data), Some(mac)) = (envelope["data"].as_str(), envelope["mac"].as_str()) else {
        return println!("{{\"return_code\":-1}}");
    };
    let mut state = <Hmac<sha2::Sha256> as KeyInit>::new_from_slice(b"key2").unwrap();
    state.update(data.as_bytes());
    let expected: String = state.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
    let ok: bool = expected.as_bytes().ct_eq(mac.as_bytes()).into();
    let paid: serde_json::Value = serde_json::from_str(data).unwrap_or_default();
    println!("{ok} {}", paid["app_trans_id"]);
}'

program verify-sdk "zalopay-api = { path = \"$root/zalopay-api\", default-features = false }" '
fn main() {
    let body = std::io::read_to_string(std::io::stdin()).unwrap_or_default();
    let keys = zalopay_api::Keys::new("key1", "key2").unwrap();
    match zalopay_api::verify_callback(&keys, Some(2553), body.as_bytes()) {
        Ok(callback) => println!("{:?}", callback.app_trans_id()),
        Err(error) => println!("{}", zalopay_api::CallbackReply::for_error(&error)),
    }
}'

program client-floor 'reqwest = { version = "0.12", default-features = false, features = ["rustls-tls", "json"] }
tokio = { version = "1", features = ["macros", "rt-multi-thread", "net", "time", "sync"] }
serde = { version = "1", features = ["derive"] }
serde_json = "1"
hmac = "0.13"
sha2 = { version = "0.11", default-features = false }' '
use hmac::{Hmac, KeyInit, Mac};
#[derive(serde::Deserialize, Debug)]
struct Created { return_code: i32, order_url: Option<String> }
#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (app_id, app_trans_id, app_user, amount, app_time) = (2553, "240101_1", "user", 50000, 1704067200000i64);
    let input = format!("{app_id}|{app_trans_id}|{app_user}|{amount}|{app_time}|{{}}|[]");
    let mut state = <Hmac<sha2::Sha256> as KeyInit>::new_from_slice(b"key1")?;
    state.update(input.as_bytes());
    let mac: String = state.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
    let form = [("app_id", app_id.to_string()), ("app_trans_id", app_trans_id.into()), ("app_user", app_user.into()),
        ("amount", amount.to_string()), ("app_time", app_time.to_string()), ("embed_data", "{}".into()),
        ("item", "[]".into()), ("description", "order".into()), ("mac", mac)];
    let body = form.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&");
    let created: Created = reqwest::Client::new().post("http://127.0.0.1:9/v2/create")
        .header("content-type", "application/x-www-form-urlencoded").body(body)
        .timeout(std::time::Duration::from_secs(5)).send().await?.json().await?;
    println!("{} {:?}", created.return_code, created.order_url);
    Ok(())
}'

program client-sdk "zalopay-api = { path = \"$root/zalopay-api\" }
tokio = { version = \"1\", features = [\"macros\", \"rt-multi-thread\"] }" '
use zalopay_api::order::CreateOrder;
#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let config = zalopay_api::Config::sandbox_demo()?;
    let client = zalopay_api::Client::new(config)?;
    let order = CreateOrder::new(client.app_id(), "240101_1", "user", 50_000, 1_704_067_200_000, "order");
    println!("{:?}", client.send(&order).await.map(|created| created.order_url));
    Ok(())
}'

names=(verify-floor verify-sdk client-floor client-sdk)
for name in "${names[@]}"; do
  (cd "$work/$name" && cargo fetch -q)
done
declare -A total
for name in "${names[@]}"; do total[$name]=0; done
for round in $(seq 1 "$rounds"); do
  for name in "${names[@]}"; do
    rm -rf "$work/target-$name"
    start=$(date +%s.%N)
    (cd "$work/$name" && CARGO_TARGET_DIR="$work/target-$name" cargo build -q)
    secs=$(echo "$(date +%s.%N) - $start" | bc)
    total[$name]=$(echo "${total[$name]} + $secs" | bc)
    rm -rf "$work/target-$name" # a cold target is hundreds of MB; keep the disk free
    printf 'round %d  %-13s %6.1f s\n' "$round" "$name" "$secs"
  done
done
mean() { echo "scale=2; ${total[$1]} / $rounds" | bc; }
printf '\nmeans over %d round(s): ' "$rounds"
for name in "${names[@]}"; do printf '%s %.1f s  ' "$name" "$(mean "$name")"; done
printf '\nverify-only: sdk / floor = %.2fx (target <= 2x)\n' "$(echo "scale=4; $(mean verify-sdk) / $(mean verify-floor)" | bc)"
printf 'full client: sdk / floor = %.2fx (target <= 1.2x)\n' "$(echo "scale=4; $(mean client-sdk) / $(mean client-floor)" | bc)"
