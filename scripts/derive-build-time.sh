#!/usr/bin/env bash
# How build time grows with the number of derived request structs: generates a throwaway
# crate with N structs (each like create order: 8 fields, 7 MAC segments) for each N given,
# builds its dependencies once, then times `cargo check` and `cargo build` of that crate alone.
# Usage: scripts/derive-build-time.sh [N...]   (default: 0 10 100 300)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work="$root/target/derive-scale"
sizes=("$@"); [ ${#sizes[@]} -gt 0 ] || sizes=(0 10 100 300)
mkdir -p "$work/src"
cat > "$work/Cargo.toml" <<TOML
[package]
name = "derive-scale"
version = "0.0.0"
edition = "2024"
publish = false
[dependencies]
zalopay-api = { path = "$root/zalopay-api" }
serde = { version = "1", features = ["derive"] }
[workspace]
TOML
gen() {
  local n=$1
  {
    echo '#![allow(missing_docs, dead_code)]'
    echo 'use zalopay_api::{JsonString, ZaloPayRequest};'
    echo '#[derive(serde::Deserialize)] pub struct Reply { pub return_code: i32 }'
    echo 'impl zalopay_api::GatewayResponse for Reply { fn rejection(&self) -> Option<zalopay_api::GatewayError> { None } }'
    for i in $(seq 1 "$n"); do
      cat <<RS
#[derive(ZaloPayRequest)]
#[endpoint(method = POST, host = openapi, path = "/v2/op$i", encoding = form, response = Reply)]
#[mac(key = key1, fields = [app_id, app_trans_id, app_user, amount, app_time, embed_data, item])]
pub struct Op$i { pub app_id: i64, pub app_user: String, pub app_trans_id: String, pub app_time: i64,
  pub amount: i64, pub item: JsonString, pub description: String, pub embed_data: JsonString }
RS
    done
  } > "$work/src/lib.rs"
}
cd "$work"
gen 0
cargo build -q 2>/dev/null || cargo build
printf '%6s %10s %10s\n' structs check_s build_s
for n in "${sizes[@]}"; do
  gen "$n"
  touch src/lib.rs; cargo check -q   # warm: first check after a change of size
  touch src/lib.rs; s=$(date +%s.%N); cargo check -q; c=$(echo "$(date +%s.%N) - $s" | bc)
  touch src/lib.rs; s=$(date +%s.%N); cargo build -q; b=$(echo "$(date +%s.%N) - $s" | bc)
  printf '%6s %10.2f %10.2f\n' "$n" "$c" "$b"
done
