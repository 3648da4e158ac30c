// Every missing required field is named, not only the first.
use zalopay_api::refund::RefundOrder;

fn main() {
    let _refund = RefundOrder::builder().description("refund").build();
}
