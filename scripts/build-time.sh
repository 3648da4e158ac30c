#!/usr/bin/env bash
# Cold debug build times of a realistic merchant back end (issue 25's target: at most 1.15x),
# with the SDK and written by hand, side by side in one run.
#
#   merchant-floor  axum + sqlx (SQLite) + serde + tokio + reqwest (rustls) + hmac + sha2 +
#                   subtle: an order created by hand (MAC input, HMAC, form, POST, decode) and a
#                   callback route that verifies the MAC by hand and records the payment
#   merchant-sdk    the same back end with zalopay-api (`client` + `axum` features) in place of
#                   reqwest, hmac, sha2 and subtle: `Client::send` and the `VerifiedCallback`
#                   extractor
#
# A merchant back end compiles syn, serde_derive, thiserror, serde_urlencoded and hex anyway
# (through axum, sqlx, reqwest and tokio's macros), so what the SDK adds is measured where a
# user builds it (specs/decisions.md D-80.8, retired).
#
# Each program is its own crate in a temporary directory with its own CARGO_TARGET_DIR, so
# every build starts from nothing; dependencies are downloaded first (not timed). Rounds
# alternate the programs so that a change in the machine's load hits both alike, and even
# rounds build the SDK first. Use an even number of rounds.
# Usage: scripts/build-time.sh [ROUNDS]   (default 2; each round is two cold builds)
#        scripts/build-time.sh check      (CI: both programs still compile; nothing timed)
# Prints each build's wall-clock and CPU seconds (user + system, summed over every rustc), then
# the min / median / max of the per-round ratios. Wall time is what the target is about; CPU
# time is less sensitive to other jobs on a shared machine.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
rounds=${1:-2}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

program() { # name, dependencies (TOML lines), main.rs
  mkdir -p "$work/$1/src"
  printf '[package]\nname = "%s"\nversion = "0.0.0"\nedition = "2024"\npublish = false\n[dependencies]\n%s\n[workspace]\n' \
    "$1" "$2" > "$work/$1/Cargo.toml"
  printf '%s\n' "$3" > "$work/$1/src/main.rs"
}

# What both back ends build whatever they do about ZaloPay.
common='axum = "0.8"
sqlx = { version = "0.8", default-features = false, features = ["runtime-tokio", "sqlite", "macros"] }
serde = { version = "1", features = ["derive"] }
serde_json = "1"
tokio = { version = "1", features = ["macros", "rt-multi-thread", "net", "time", "sync"] }'

program merchant-floor "$common
reqwest = { version = \"0.12\", default-features = false, features = [\"rustls-tls\", \"json\"] }
hmac = \"0.13\"
sha2 = { version = \"0.11\", default-features = false }
subtle = \"2\"" '
use axum::{Json, Router, extract::State, routing::post};
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Value, json};
use sqlx::SqlitePool;
use subtle::ConstantTimeEq;

const APP_ID: i64 = 2553;
const KEY1: &[u8] = b"key1";
const KEY2: &[u8] = b"key2";

#[derive(serde::Deserialize)]
struct Envelope { data: String, mac: String }
#[derive(serde::Deserialize)]
struct Paid { app_trans_id: String, zp_trans_id: i64, amount: i64 }
#[derive(serde::Deserialize, Debug)]
#[allow(dead_code)] // read through Debug
struct Created { return_code: i32, sub_return_code: Option<i32>, order_url: Option<String> }
#[derive(serde::Deserialize)]
struct NewOrder { app_trans_id: String, amount: i64 }

fn mac_hex(key: &[u8], input: &str) -> String {
    let mut state = <Hmac<sha2::Sha256> as KeyInit>::new_from_slice(key).unwrap_or_else(|_| unreachable!());
    state.update(input.as_bytes());
    state.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

async fn create(State(pool): State<SqlitePool>, Json(order): Json<NewOrder>) -> Json<Value> {
    let app_time = 1_704_067_200_000i64;
    let input = format!("{APP_ID}|{}|user|{}|{app_time}|{{}}|[]", order.app_trans_id, order.amount);
    let form = [("app_id", APP_ID.to_string()), ("app_trans_id", order.app_trans_id.clone()),
        ("app_user", "user".into()), ("amount", order.amount.to_string()), ("app_time", app_time.to_string()),
        ("embed_data", "{}".into()), ("item", "[]".into()), ("description", "order".into()),
        ("mac", mac_hex(KEY1, &input))];
    let body = form.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&");
    let sent = reqwest::Client::new().post("http://127.0.0.1:9/v2/create")
        .header("content-type", "application/x-www-form-urlencoded").body(body)
        .timeout(std::time::Duration::from_secs(10)).send().await;
    let created: Result<Created, _> = match sent { Ok(answer) => answer.json().await, Err(error) => Err(error) };
    let _ = sqlx::query("INSERT INTO orders (app_trans_id, amount, state) VALUES (?, ?, ?)")
        .bind(&order.app_trans_id).bind(order.amount).bind("open").execute(&pool).await;
    Json(json!({ "created": format!("{created:?}") }))
}

async fn callback(State(pool): State<SqlitePool>, Json(envelope): Json<Envelope>) -> Json<Value> {
    let ok: bool = mac_hex(KEY2, &envelope.data).as_bytes().ct_eq(envelope.mac.as_bytes()).into();
    if !ok {
        return Json(json!({ "return_code": -1, "return_message": "mac not equal" }));
    }
    let Ok(paid) = serde_json::from_str::<Paid>(&envelope.data) else {
        return Json(json!({ "return_code": 0, "return_message": "bad data" }));
    };
    let done = sqlx::query("UPDATE orders SET state = ?, zp_trans_id = ? WHERE app_trans_id = ? AND amount = ?")
        .bind("paid").bind(paid.zp_trans_id).bind(&paid.app_trans_id).bind(paid.amount).execute(&pool).await;
    match done {
        Ok(_) => Json(json!({ "return_code": 1, "return_message": "success" })),
        Err(_) => Json(json!({ "return_code": 0, "return_message": "retry" })),
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let pool = SqlitePool::connect("sqlite::memory:").await?;
    sqlx::query("CREATE TABLE orders (app_trans_id TEXT PRIMARY KEY, amount INTEGER, state TEXT, zp_trans_id INTEGER)")
        .execute(&pool).await?;
    let app = Router::new().route("/orders", post(create)).route("/zalopay/callback", post(callback)).with_state(pool);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    axum::serve(listener, app).await?;
    Ok(())
}'

program merchant-sdk "$common
zalopay-api = { path = \"$root/zalopay-api\", features = [\"axum\"] }" '
use axum::extract::{FromRef, State};
use axum::{Json, Router, routing::post};
use serde_json::{Value, json};
use sqlx::SqlitePool;
use zalopay_api::axum::VerifiedCallback;
use zalopay_api::callback::{Callback, CallbackReply};
use zalopay_api::ids::AppTransId;
use zalopay_api::order::CreateOrder;
use zalopay_api::{CallbackVerifier, Client, Config};

#[derive(Clone)]
struct App { pool: SqlitePool, client: Client, verifier: CallbackVerifier }
impl FromRef<App> for CallbackVerifier {
    fn from_ref(app: &App) -> Self { app.verifier.clone() }
}
#[derive(serde::Deserialize)]
struct NewOrder { app_trans_id: String, amount: i64 }

async fn create(State(app): State<App>, Json(order): Json<NewOrder>) -> Json<Value> {
    let Ok(id) = AppTransId::existing(&order.app_trans_id) else {
        return Json(json!({ "error": "bad app_trans_id" }));
    };
    let request = CreateOrder::builder().app_trans_id(&id).app_user("user").amount(order.amount)
        .description("order").build();
    let created = app.client.send(&request).await;
    let _ = sqlx::query("INSERT INTO orders (app_trans_id, amount, state) VALUES (?, ?, ?)")
        .bind(&order.app_trans_id).bind(order.amount).bind("open").execute(&app.pool).await;
    Json(json!({ "created": format!("{:?}", created.map(|created| created.order_url)) }))
}

async fn callback(State(app): State<App>, VerifiedCallback(callback): VerifiedCallback) -> CallbackReply {
    let Callback::Payment(paid) = callback else { return CallbackReply::success() };
    let done = sqlx::query("UPDATE orders SET state = ?, zp_trans_id = ? WHERE app_trans_id = ? AND amount = ?")
        .bind("paid").bind(paid.zp_trans_id).bind(&paid.app_trans_id).bind(paid.amount).execute(&app.pool).await;
    match done {
        Ok(_) => CallbackReply::success(),
        Err(_) => CallbackReply::retry_later("retry"),
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let pool = SqlitePool::connect("sqlite::memory:").await?;
    sqlx::query("CREATE TABLE orders (app_trans_id TEXT PRIMARY KEY, amount INTEGER, state TEXT, zp_trans_id INTEGER)")
        .execute(&pool).await?;
    let config = Config::sandbox_demo()?;
    let verifier = CallbackVerifier::for_app(config.keys.clone(), config.app_id);
    let app = App { pool, client: Client::new(config)?, verifier };
    let router = Router::new().route("/orders", post(create)).route("/zalopay/callback", post(callback)).with_state(app);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    axum::serve(listener, router).await?;
    Ok(())
}'

if [[ $rounds == check ]]; then
  for name in merchant-sdk merchant-floor; do
    (cd "$work/$name" && CARGO_TARGET_DIR="$work/target-check" cargo check -q)
  done
  echo "the build-time programs compile (the SDK's against this checkout)"
  exit 0
fi

names=(merchant-floor merchant-sdk)
for name in "${names[@]}"; do
  (cd "$work/$name" && cargo fetch -q)
done
export CARGO_INCREMENTAL=0
TIMEFORMAT='%R %U %S'
declare -A wall cpu # "$name,$round" -> seconds: wall clock, and user + system CPU of the build
for round in $(seq 1 "$rounds"); do
  order=("${names[@]}")
  # Even rounds build the SDK first, so that whatever the first build pays for (files not yet
  # in the page cache, a burst of other jobs) falls on both sides alike.
  (( round % 2 )) || order=(merchant-sdk merchant-floor)
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
printf 'merchant back end, wall: %s  (target <= 1.15x)\n' "$(ratio wall merchant-sdk merchant-floor)"
printf 'merchant back end, CPU:  %s\n' "$(ratio cpu merchant-sdk merchant-floor)"
