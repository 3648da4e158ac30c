//! Agreement / auto-debit ("wallet token", `/v2/agreement/*`): bind a buyer's ZaloPay wallet
//! once, then charge it with a `pay_token` without asking again. All signed with key1.

mod balance;
mod bind;
mod pay;
pub(crate) mod query;
mod query_user;
mod unbind;

pub use balance::{AgreementBalance, AgreementBalanceResponse, PayableChannel};
pub use bind::{AgreementBind, AgreementBindResponse};
pub use pay::{AgreementPay, AgreementPayResponse, PayStatus};
pub use query::{AgreementQuery, AgreementQueryResponse, BindingData, BindingStatus};
pub use query_user::{AgreementQueryUser, AgreementQueryUserResponse};
pub use unbind::{AgreementUnbind, AgreementUnbindResponse};
