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
# alternate the programs so that a change in the machine's load hits all of them alike, and
# even rounds swap each pair's order. Use an even number of rounds.
# Usage: scripts/build-time.sh [ROUNDS]   (default 1; each round is four cold builds)
#        scripts/build-time.sh check      (CI: the two SDK programs still compile; nothing timed)
# Prints each build's wall-clock and CPU seconds (user + system, summed over every rustc), then
# per program pair the min / median / max of the per-round ratios. Wall time is what the
# targets are about; CPU time is less sensitive to other jobs on a shared machine.
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
    let id = zalopay_api::ids::AppTransId::existing("240101_1")?;
    let order = CreateOrder::builder().app_trans_id(&id).app_user("user").amount(50_000)
        .description("order").build();
    println!("{:?}", client.send(&order).await.map(|created| created.order_url));
    Ok(())
}'

if [[ $rounds == check ]]; then
  for name in verify-sdk client-sdk; do
    (cd "$work/$name" && CARGO_TARGET_DIR="$work/target-check" cargo check -q)
  done
  echo "build-time programs compile against the SDK"
  exit 0
fi

names=(verify-floor verify-sdk client-floor client-sdk)
for name in "${names[@]}"; do
  (cd "$work/$name" && cargo fetch -q)
done
export CARGO_INCREMENTAL=0
TIMEFORMAT='%R %U %S'
declare -A wall cpu # "$name,$round" -> seconds: wall clock, and user + system CPU of the build
for round in $(seq 1 "$rounds"); do
  order=("${names[@]}")
  # Even rounds run each pair SDK first, so that whatever the first build of a pair pays for
  # (files not yet in the page cache, a burst of other jobs) falls on both sides alike.
  (( round % 2 )) || order=(verify-sdk verify-floor client-sdk client-floor)
  for name in "${order[@]}"; do
    rm -rf "$work/target-$name"
    if ! { time (cd "$work/$name" && CARGO_TARGET_DIR="$work/target-$name" cargo build -q \
        2>"$work/$name.log"); } 2>"$work/$name.time"; then
      cat "$work/$name.log" >&2
      exit 1
    fi
    read -r real user sys <"$work/$name.time"
    wall[$name,$round]=$real
    cpu[$name,$round]=$(echo "$user + $sys" | bc)
    rm -rf "$work/target-$name" # a cold target is hundreds of MB; keep the disk free
    printf 'round %d  %-13s %6.1f s wall  %6.1f s CPU  (load %s)\n' "$round" "$name" \
      "$real" "${cpu[$name,$round]}" "$(cut -d' ' -f1 /proc/loadavg)"
  done
done

# ratio KIND SDK FLOOR: "min … median … mean …" of the per-round ratios SDK / FLOOR (each
# round's two builds ran back to back), and the ratio of the means.
ratio() {
  local -n table=$1
  local sdk_sum=0 floor_sum=0 ratios=()
  for round in $(seq 1 "$rounds"); do
    ratios+=("$(echo "scale=4; ${table[$2,$round]} / ${table[$3,$round]}" | bc)")
    sdk_sum=$(echo "$sdk_sum + ${table[$2,$round]}" | bc)
    floor_sum=$(echo "$floor_sum + ${table[$3,$round]}" | bc)
  done
  mapfile -t ratios < <(printf '%s\n' "${ratios[@]}" | sort -g)
  local n=${#ratios[@]} median
  if (( n % 2 )); then median=${ratios[n / 2]}
  else median=$(echo "scale=4; (${ratios[n / 2 - 1]} + ${ratios[n / 2]}) / 2" | bc); fi
  printf 'min %.2fx  median %.2fx  max %.2fx  (means: %.1f s / %.1f s = %.2fx)' \
    "${ratios[0]}" "$median" "${ratios[n - 1]}" \
    "$(echo "scale=2; $sdk_sum / $rounds" | bc)" "$(echo "scale=2; $floor_sum / $rounds" | bc)" \
    "$(echo "scale=4; $sdk_sum / $floor_sum" | bc)"
}
printf '\nover %d round(s), per-round ratios sdk / floor:\n' "$rounds"
printf 'verify-only, wall: %s  (target <= 2x)\n' "$(ratio wall verify-sdk verify-floor)"
printf 'verify-only, CPU:  %s\n' "$(ratio cpu verify-sdk verify-floor)"
printf 'full client, wall: %s  (target <= 1.2x)\n' "$(ratio wall client-sdk client-floor)"
printf 'full client, CPU:  %s\n' "$(ratio cpu client-sdk client-floor)"
