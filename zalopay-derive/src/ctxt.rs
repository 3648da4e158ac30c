//! The error accumulator, after serde_derive's `Ctxt`: every problem is collected so that all
//! of them are reported at once.
//!
//! serde's `Ctxt` panics when dropped unchecked. This one cannot be dropped unreported by
//! construction instead: it has no public constructor, and the only way to get one is
//! [`Errors::scope`], which always turns what was collected into the macro's output.

use proc_macro2::{Span, TokenStream};

/// What a derive produced: its code (if it got that far) and the stub emitted next to errors.
pub struct Generated {
    pub code: Option<TokenStream>,
    pub stub: TokenStream,
}

/// Collected errors. Only [`Errors::scope`] creates one, and it reports everything pushed.
pub struct Errors {
    errors: Vec<syn::Error>,
}

impl Errors {
    /// Runs `body` with a fresh accumulator. With no error, the output is the code `body`
    /// generated; otherwise it is every error as a `compile_error!` followed by the stub
    /// (impls that let the user's other uses of the type still type-check).
    pub fn scope(body: impl FnOnce(&mut Errors) -> Generated) -> TokenStream {
        let mut errors = Errors { errors: Vec::new() };
        let Generated { code, stub } = body(&mut errors);
        match errors.errors.into_iter().reduce(|mut all, next| {
            all.combine(next);
            all
        }) {
            None => code.unwrap_or_default(),
            Some(error) => {
                let compile_errors = error.to_compile_error();
                quote::quote! { #compile_errors #stub }
            }
        }
    }

    pub fn push(&mut self, error: syn::Error) {
        self.errors.push(error);
    }

    pub fn spanned(&mut self, tokens: impl quote::ToTokens, message: impl std::fmt::Display) {
        self.errors.push(syn::Error::new_spanned(tokens, message));
    }

    pub fn at(&mut self, span: Span, message: impl std::fmt::Display) {
        self.errors.push(syn::Error::new(span, message));
    }

    /// An error at `span` that also points at an earlier occurrence.
    pub fn duplicate(&mut self, span: Span, first: Span, message: impl std::fmt::Display) {
        let mut error = syn::Error::new(span, message);
        error.combine(syn::Error::new(first, "first one here"));
        self.errors.push(error);
    }

    /// Keeps the `Ok` value; an `Err` is collected and becomes `None`.
    pub fn ok<T>(&mut self, result: syn::Result<T>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(error) => {
                self.errors.push(error);
                None
            }
        }
    }
}
