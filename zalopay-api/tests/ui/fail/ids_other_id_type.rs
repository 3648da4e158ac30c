// An `m_refund_id` is not an `app_trans_id`, although both are `yyMMdd_…` text.
use zalopay_api::ids::MRefundId;
use zalopay_api::order::QueryOrder;

fn main() {
    let refund_id = MRefundId::try_from("240102_2553_0001").unwrap();
    let _query = QueryOrder::builder().app_trans_id(refund_id).build();
}
