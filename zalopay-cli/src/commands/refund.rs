//! `zalopay refund`: create and query.

use zalopay_api::ids::MRefundId;
use zalopay_api::refund;

use super::context::ctx;
use super::input::id_arg;
use super::output::{call, print_json, print_verdict, query};
use crate::CliError;
use crate::args::{GlobalArgs, RefundCommand};
use crate::money::MoneyRequest;
use crate::verdict::Verdict;

pub(super) async fn run_refund(
    global: &GlobalArgs,
    command: RefundCommand,
) -> Result<(), CliError> {
    let ctx = ctx(global)?;
    match command {
        RefundCommand::Create {
            zp_trans_id,
            amount,
            description,
            fee,
            m_refund_id,
        } => {
            let (id, given) = match m_refund_id {
                Some(id) => (id_arg::<MRefundId>("m-refund-id", id)?, true),
                None => (MRefundId::random(ctx.app_id)?, false),
            };
            let money = MoneyRequest::new(
                "refund create",
                "m_refund_id",
                "m-refund-id",
                id.as_str(),
                given,
                &["refund", "query", id.as_str()],
            );
            let mut request = refund::RefundOrder::builder()
                .m_refund_id(&id)
                .zp_trans_id(zp_trans_id)
                .amount(amount)
                .description(description)
                .build();
            request.refund_fee_amount = fee;
            let prepared = money.prepare(&ctx.client, &request);
            let value = money
                .send::<refund::RefundOrderResponse>(&ctx.client, prepared)
                .await?;
            print_json(&value)
        }
        RefundCommand::Query {
            m_refund_id,
            verdict,
        } => {
            let id = id_arg::<MRefundId>("m-refund-id", m_refund_id)?;
            let request = refund::QueryRefund::builder().m_refund_id(&id).build();
            if verdict {
                let (answer, value) = query(&ctx.client, &request).await?;
                print_verdict(
                    value,
                    Verdict::of_refund(&answer.status()),
                    &format!("refund {id}"),
                )
            } else {
                print_json(&call(&ctx.client, &request).await?)
            }
        }
    }
}
