//! `Serialize` / `Deserialize` for the SDK's own wire types, so that `zalopay-api` does not
//! build `serde_derive` (with `syn` already built for this crate, that is the largest part of
//! a verify-only build). The impls are serde's traits, with serde's meaning for the options
//! the SDK uses (`default`, `rename`, `alias`, `flatten`, `skip_serializing_if`,
//! `deserialize_with`, `try_from`, `rename_all = "camelCase"`, unit enum variants); any other
//! option is a compile error. Generated code is a few lines per field over the runtime in
//! `zalopay_api::__private::serde_fields`: a struct is read as one JSON object (duplicate keys
//! of a field are an error, as in serde), and written as a map.

mod expand;
mod model;

use crate::ctxt::{Errors, Generated};
use proc_macro2::TokenStream;

pub fn derive_deserialize(input: &syn::DeriveInput) -> TokenStream {
    derive(input, expand::deserialize)
}

pub fn derive_serialize(input: &syn::DeriveInput) -> TokenStream {
    derive(input, expand::serialize)
}

/// Both derives: parse the same attributes, then generate one side.
fn derive(
    input: &syn::DeriveInput,
    generate: fn(&model::Container<'_>, &TokenStream) -> TokenStream,
) -> TokenStream {
    Errors::scope(|errors| {
        let p = crate::model::private_path(input, errors);
        let code = model::parse(input, errors).map(|c| generate(&c, &p));
        Generated {
            code,
            stub: TokenStream::new(),
        }
    })
}
