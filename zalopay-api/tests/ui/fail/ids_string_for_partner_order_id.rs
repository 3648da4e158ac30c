// A `String` is not a `partner_order_id`: use `PartnerOrderId::try_from` or generate one.
use zalopay_api::disbursement::DisbursementTxn;

fn main() {
    let id = String::from("240102_0001");
    let _txn = DisbursementTxn::builder().partner_order_id(id).build();
}
