// Named setters: a refund's ZaloPay transaction id is not a text id.
use zalopay_api::refund::RefundOrder;

fn main() {
    let _refund = RefundOrder::builder()
        .m_refund_id(zalopay_api::ids::MRefundId::try_from("240102_2553_0001").unwrap())
        .zp_trans_id("240102_2553_0001")
        .amount(1_000)
        .description("refund")
        .build();
}
