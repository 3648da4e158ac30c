//! Tokenization v2 (`/v2/tokenization/*`): bind a wallet or a card and get a token.
//!
//! Paths and the bind MAC come from third-party copies of the docs only (api-facts §11):
//! test in the sandbox before relying on them.

mod bind;
mod query;

pub use bind::{
    BindingMode, DeviceType, TokenBindingType, TokenizationBind, TokenizationBindResponse,
};
pub use query::{TokenizationQuery, TokenizationQueryResponse};
