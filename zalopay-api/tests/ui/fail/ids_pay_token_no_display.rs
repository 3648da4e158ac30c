// A pay token is a credential: it has no `Display`, and its `Debug` is redacted.
use zalopay_api::ids::PayToken;

fn main() {
    let token = PayToken::try_from("NJLHNTRLZDETZGQYZI0ZNTBKLTGWZJKTMTKXYJHLMWI5NTFI").unwrap();
    println!("{token}");
}
