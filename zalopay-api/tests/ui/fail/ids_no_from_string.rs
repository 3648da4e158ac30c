// No id converts from a string silently; only the checked `TryFrom` / `FromStr` exist.
use zalopay_api::ids::AppTransId;

fn main() {
    let _id: AppTransId = String::from("240102_0001").into();
}
