//! Hybrid: create an order and pay it with an agreement's pay token in one call.

use axum::Json;
use axum::extract::State;
use serde_json::json;

use crate::agreement::{active_binding, debit};
use crate::checks::{ApiResult, authenticate};
use crate::orders::{CREATE_MAC, CREATE_REQUIRED, after_payment, new_order, order_url, pay_locked};
use crate::records::{Key, OrderKind, insert_unique};
use crate::state::EmulatorState;
use crate::wire::{Params, success, with_codes};

/// `POST /v2/agreement/hybrid`: path and MAC are not confirmed by any source (specs/decisions.md
/// D-01; the SDK and this emulator use the create-order MAC). Creates the order, then pays it
/// with the token when the binding can; otherwise answers `2` with the refusal's sub code and a
/// `solution_url` (the wallet page) where the user pays once.
pub(crate) async fn hybrid(State(state): State<EmulatorState>, params: Params) -> ApiResult {
    let mut required = CREATE_REQUIRED.to_vec();
    required.extend(["identifier", "pay_token", "description"]);
    let app = authenticate(&state, &params, "app_id", "mac", &required, CREATE_MAC)?;
    let order = new_order(&state, &params, app, OrderKind::Order)?;
    let key: Key = (order.app_id, order.app_trans_id.clone());
    let token = order.zp_trans_token.clone();
    let now = state.now_ms();
    // Creating the order, checking the binding, paying and debiting the wallet happen under
    // one lock: nothing (a cancel, a page payment) can come between the check and the debit.
    let (order, paid) = {
        let books = &mut *state.books();
        let order = insert_unique(
            &mut books.orders,
            &mut books.order_tokens,
            key.clone(),
            &token,
            order,
        )?;
        let pay_token = params.get_or_empty("pay_token");
        let identifier = Some(params.get_or_empty("identifier"));
        let left = active_binding(books, app.app_id, pay_token, identifier)
            .and_then(|binding| debit(binding, order.amount));
        let paid = match left {
            Ok(left) => {
                let paid = pay_locked(&state, books, &key, now)?;
                active_binding(books, app.app_id, pay_token, identifier)?.balance = left;
                Ok(paid)
            }
            Err(refusal) => Err(refusal),
        };
        (order, paid)
    };
    match paid {
        Ok(paid) => {
            after_payment(&state, &key, &paid, now);
            Ok(Json(success(json!({
                "app_trans_id": paid.app_trans_id,
                "zp_trans_id": paid.zp_trans_id,
            }))))
        }
        Err(refusal) => Ok(Json(with_codes(
            2,
            refusal.sub_return_code,
            &format!("{}; pay once at solution_url", refusal.message),
            json!({
                "app_trans_id": order.app_trans_id,
                "solution_url": order_url(&state, &order),
            }),
        ))),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::ManualClock;
    use crate::agreement::new_binding;
    use crate::config::EmulatorConfig;
    use crate::orders::cancel_order;
    use crate::records::{BindingStatus, OrderState};

    /// Issue 10 item 11: hybrid used to check the order and debit the wallet under a second
    /// lock after creating the order under a first; a cancel in between made the debit pay for
    /// nothing. A thread cancelling each order as soon as it exists races the handler here:
    /// the wallet must have paid exactly for the orders that ended paid.
    #[test]
    fn hybrid_racing_cancel_never_debits_for_nothing() {
        const NOW: i64 = 1_726_200_000_000;
        const ORDERS: usize = 2000;
        let state =
            EmulatorState::with_clock(EmulatorConfig::default(), Arc::new(ManualClock::new(NOW)));
        let app = state.app(2553).unwrap().clone();
        let start = 1_000_000_000_000;
        {
            let mut books = state.books();
            let key: Key = (2553, "bind".to_owned());
            let mut binding = new_binding(
                &state,
                2553,
                "bind",
                "agreement",
                "u",
                0,
                "WALLET",
                "{}",
                None,
                None,
            );
            binding.status = BindingStatus::Confirmed;
            binding.pay_token = Some("tok".to_owned());
            binding.balance = start;
            books.pay_tokens.insert("tok".to_owned(), key.clone());
            books.bindings.insert(key, binding);
        }
        let id = |i: usize| format!("240913_h{i}");
        let canceller = {
            let state = state.clone();
            std::thread::spawn(move || {
                for i in 0..ORDERS {
                    let key: Key = (2553, id(i));
                    while matches!(cancel_order(&state, &key), Err(e) if e.sub_return_code == -101)
                    {
                        std::hint::spin_loop();
                    }
                }
            })
        };
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        for i in 0..ORDERS {
            let trans = id(i);
            let input = format!("2553|{trans}|u|1000|{NOW}|{{}}|[]");
            let params = Params(
                [
                    ("app_id", "2553".to_owned()),
                    ("app_trans_id", trans.clone()),
                    ("app_user", "u".to_owned()),
                    ("amount", "1000".to_owned()),
                    ("app_time", NOW.to_string()),
                    ("embed_data", "{}".to_owned()),
                    ("item", "[]".to_owned()),
                    ("description", "d".to_owned()),
                    ("identifier", "u".to_owned()),
                    ("pay_token", "tok".to_owned()),
                    ("mac", app.key1.mac(input.as_bytes()).to_string()),
                ]
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect(),
            );
            let _ = runtime
                .block_on(hybrid(State(state.clone()), params))
                .unwrap();
        }
        canceller.join().unwrap();
        let paid: i64 = state
            .orders()
            .iter()
            .filter(|o| o.state == OrderState::Paid)
            .map(|o| o.amount)
            .sum();
        let balance = state.bindings()[0].balance;
        assert_eq!(start - balance, paid, "the wallet paid for orders not paid");
    }
}
