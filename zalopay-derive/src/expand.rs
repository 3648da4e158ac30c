//! Code generation from a resolved, validated model. Generated code names only absolute paths
//! through `::zalopay_api::__private` (or `PATH::__private` with `#[zalopay(crate = PATH)]`),
//! so it compiles in any crate that depends on `zalopay-api`. Nothing here looks a name up:
//! the model holds every field an attribute refers to.

use crate::attr;
use crate::checks::CheckKind;
use crate::ctxt::{Errors, Generated};
use crate::model::{
    Confidence, Encoding, Endpoint, Field, Filled, Host, Key, Method, Request, Retry, Segment,
    Signing,
};
use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

/// Entry point: never panics; on any error, emits every `compile_error!` plus stub impls so
/// the user sees the real mistakes, not a cascade of "trait not implemented".
pub fn derive(input: &syn::DeriveInput) -> TokenStream {
    Errors::scope(|errors| {
        let p = attr::private_path(input, errors);
        // Attributes -> model -> rules -> code; the model borrows the input.
        let code = crate::model::build(input, errors).and_then(|request| {
            crate::validate::check(&request, errors);
            let (Some(signing), Some(endpoint)) = (&request.signing, &request.endpoint) else {
                return None;
            };
            Some(generate(&request, signing, endpoint, &p))
        });
        Generated {
            code,
            stub: fallback(input, &p),
        }
    })
}

/// Generates every impl; `p` is the runtime crate's hidden module (`attr::private_path`).
fn generate(
    request: &Request<'_>,
    signing: &Signing,
    endpoint: &Endpoint,
    p: &TokenStream,
) -> TokenStream {
    let ident = &request.input.ident;
    let name = ident.to_string();
    let (impl_generics, ty_generics, where_clause) = request.input.generics.split_for_impl();
    let field = |index: usize| &request.fields[index];

    let key = match signing.key {
        Key::Key1 => quote!(#p::KeyKind::Key1),
        Key::Key2 => quote!(#p::KeyKind::Key2),
    };
    let scheme = if signing.rsa {
        quote!(#p::SignatureScheme::HmacThenRsaSha256)
    } else {
        quote!(#p::SignatureScheme::Hmac)
    };
    let param = &signing.param;

    let segments_meta = signing.segments.iter().map(|segment| match segment {
        Segment::Key => quote!(#p::MacSegment::Key),
        Segment::Field { field: f, .. } if field(*f).skip_wire => {
            let n = field(*f).ident.to_string();
            quote!(#p::MacSegment::Unsent(#n))
        }
        Segment::Field {
            field: f,
            omit_when_absent: true,
            ..
        } => {
            let n = &field(*f).wire_name;
            quote!(#p::MacSegment::OmittedWhenAbsent(#n))
        }
        Segment::Field { field: f, .. } => {
            let n = &field(*f).wire_name;
            quote!(#p::MacSegment::Field(#n))
        }
    });

    let is_filled = |f: &Field<'_>| f.filled.is_some();
    // The kind comes from the field type's `WireKind` impl (an `Option` forwards to its
    // value), `Structured` for a type without one: never from the type's name.
    let params_meta = request.fields.iter().filter(|f| !f.skip_wire).map(|f| {
        let n = &f.wire_name;
        // A client-filled `Option` is always sent: the client fills it before signing.
        let required = f.option_inner.is_none() || is_filled(f);
        let ty = f.ty;
        quote!(#p::Param { name: #n, required: #required, kind: #p::KindOf::<#ty>::KIND })
    });

    let write_input = write_mac_input(request, signing, p);
    let wire_fields: Vec<_> = request.fields.iter().filter(|f| !f.skip_wire).collect();
    let field_count = wire_fields.len() + 1;
    let serialize_fields = wire_fields.iter().map(|f| {
        let member = f.ident;
        let n = &f.wire_name;
        if f.option_inner.is_some() && !is_filled(f) {
            quote! {
                match &self.#member {
                    #p::Some(value) => #p::SerializeStruct::serialize_field(&mut state, #n, value)?,
                    #p::None => #p::SerializeStruct::skip_field(&mut state, #n)?,
                }
            }
        } else {
            quote!(#p::SerializeStruct::serialize_field(&mut state, #n, &self.#member)?;)
        }
    });

    let method = match endpoint.method {
        Method::Get => quote!(#p::Method::Get),
        Method::Post => quote!(#p::Method::Post),
    };
    let host = match endpoint.host {
        Host::OpenApi => quote!(#p::Host::OpenApi),
        Host::Gateway => quote!(#p::Host::Gateway),
        Host::Zod => quote!(#p::Host::Zod),
    };
    let encoding = match endpoint.encoding.value {
        Encoding::Form => quote!(#p::Encoding::Form),
        Encoding::Json => quote!(#p::Encoding::Json),
        Encoding::Query => quote!(#p::Encoding::Query),
    };
    let path = &endpoint.path;
    let response = &endpoint.response;
    let retry = match endpoint.retry {
        Retry::Never => quote!(#p::RetryClass::Never),
        Retry::Safe => quote!(#p::RetryClass::Safe),
        Retry::SameId => quote!(#p::RetryClass::SameId),
    };
    let validate = validate_fn(request, p);
    let fill = fill_fn(request, p);
    let filled_params = request.fields.iter().filter_map(|field| {
        let filled = field.filled.as_ref()?;
        let name = field.reported_name();
        Some(match filled.value {
            Filled::AppId => {
                quote!(const APP_ID_PARAM: #p::Option<&'static str> = #p::Some(#name);)
            }
            Filled::Time => quote!(const TIME_PARAM: #p::Option<&'static str> = #p::Some(#name);),
            Filled::Encrypt(_) => TokenStream::new(),
        })
    });
    let operation = endpoint.operation.as_ref().map(|(id, confidence)| {
        let confidence = match confidence {
            Confidence::C2 => quote!(#p::Confidence::C2),
            Confidence::C1 => quote!(#p::Confidence::C1),
            Confidence::ThirdParty => quote!(#p::Confidence::ThirdParty),
            Confidence::Unconfirmed => quote!(#p::Confidence::Unconfirmed),
        };
        quote! {
            #[automatically_derived]
            impl #impl_generics #p::Operation for #ident #ty_generics #where_clause {
                const ID: &'static str = #id;
                const CONFIDENCE: #p::Confidence = #confidence;
            }
        }
    });
    let operation_id = endpoint
        .operation
        .as_ref()
        .map(|(id, _)| quote!(const OPERATION_ID: #p::Option<&'static str> = #p::Some(#id);));
    let builder = crate::builder::generate(request, p);
    // Spanned at `response = ...`, so a type that cannot be a response is reported on the
    // annotation, not at the first `send`.
    let response_type = {
        let span = response.span();
        quote_spanned!(span=> type Response = #response;)
    };

    quote! {
        #[automatically_derived]
        impl #impl_generics #p::SignedRequest for #ident #ty_generics #where_clause {
            const KEY: #p::KeyKind = #key;
            const MAC_SEGMENTS: &'static [#p::MacSegment] = &[#(#segments_meta),*];
            const PARAMS: &'static [#p::Param] = {
                // The fallback of `KindOf` for a type that is not `WireKind`.
                #[allow(unused_imports)]
                use #p::Structured as _;
                &[#(#params_meta),*]
            };
            const SIGNATURE_PARAM: &'static str = #param;
            const SIGNATURE_SCHEME: #p::SignatureScheme = #scheme;
            #(#filled_params)*

            // `#[inline]` on the generated methods: in a debug build a crate then compiles
            // only the ones it calls, so the SDK's own build does not pay for every
            // operation a merchant's program never sends.
            #[inline]
            fn write_mac_input(&self, key: &str, out: &mut #p::String) {
                #write_input
            }

            fn serialize_signed<S: #p::Serializer>(
                &self,
                signature: &str,
                serializer: S,
            ) -> #p::Result<S::Ok, S::Error> {
                let mut state = #p::Serializer::serialize_struct(serializer, #name, #field_count)?;
                #(#serialize_fields)*
                #p::SerializeStruct::serialize_field(&mut state, #param, signature)?;
                #p::SerializeStruct::end(state)
            }

            #validate

            #fill
        }

        #[automatically_derived]
        impl #impl_generics #p::Endpoint for #ident #ty_generics #where_clause {
            #response_type
            const METHOD: #p::Method = #method;
            const HOST: #p::Host = #host;
            const PATH: &'static str = #path;
            const ENCODING: #p::Encoding = #encoding;
            const RETRY: #p::RetryClass = #retry;
            #operation_id
        }

        #operation

        #builder
    }
}

/// `SignedRequest::fill`: refuses a request for another app, then fills what was left `None`
/// in a copy; nothing (the trait's default) when no field is client-filled.
fn fill_fn(request: &Request<'_>, p: &TokenStream) -> TokenStream {
    let mut checks = Vec::new();
    let mut unset = Vec::new();
    let mut sets = Vec::new();
    for field in &request.fields {
        let Some(filled) = &field.filled else {
            continue;
        };
        let member = field.ident;
        let name = field.reported_name();
        match filled.value {
            Filled::AppId => {
                checks.push(quote!(#p::fill::check_app_id(#name, &self.#member, ctx)?;));
                sets.push(quote!(#p::fill::app_id(&mut filled.#member, ctx);));
            }
            Filled::Time => sets.push(quote!(#p::fill::time(&mut filled.#member, ctx);)),
            Filled::Encrypt(source) => {
                let source = request.fields[source.value].ident;
                sets.push(
                    quote!(#p::fill::encrypt(#name, &filled.#source, &mut filled.#member, ctx)?;),
                );
                unset.push(quote!(#p::fill::is_unset(&self.#member)));
                continue;
            }
        }
        unset.push(quote!(self.#member.is_none()));
    }
    if unset.is_empty() {
        return TokenStream::new();
    }
    quote! {
        #[inline]
        fn fill(&self, ctx: &#p::FillContext<'_>) -> #p::Result<#p::Option<Self>, #p::Error> {
            #(#checks)*
            if #(#unset)||* {
                let mut filled = #p::Clone::clone(self);
                #(#sets)*
                return #p::Ok(#p::Some(filled));
            }
            #p::Ok(#p::None)
        }
    }
}

/// `SignedRequest::validate`, one call per `#[check(...)]` entry in field order; nothing (the
/// trait's default, which accepts everything) when there are no checks.
fn validate_fn(request: &Request<'_>, p: &TokenStream) -> TokenStream {
    let mut calls = Vec::new();
    let mut uses_ctx = false;
    for field in &request.fields {
        for check in &field.checks {
            uses_ctx |= check.kind.uses_ctx();
            calls.push(check_call(request, field, &check.kind, check.span, p));
        }
    }
    if calls.is_empty() {
        return TokenStream::new();
    }
    let silence_ctx = (!uses_ctx).then(|| quote!(let _ = ctx;));
    quote! {
        #[inline]
        fn validate(&self, ctx: &#p::ValidationContext) -> #p::Result<(), #p::Error> {
            #silence_ctx
            #(#calls)*
            #p::Ok(())
        }
    }
}

/// The call to `__private::check::*` for one check on `field`, spanned at the check's name so
/// that a check that does not fit the field's type is reported there. Errors name the field as
/// ZaloPay does; unsent fields keep their Rust name.
fn check_call(
    request: &Request<'_>,
    field: &Field<'_>,
    kind: &CheckKind<crate::model::Sp<crate::model::FieldRef>>,
    span: proc_macro2::Span,
    p: &TokenStream,
) -> TokenStream {
    let name = field.reported_name();
    let member = field.ident;
    match kind {
        CheckKind::Positive => quote_spanned!(span=> #p::check::positive(#name, &self.#member)?;),
        CheckKind::MaxLen(max) => {
            quote_spanned!(span=> #p::check::max_len(#name, &self.#member, #max)?;)
        }
        CheckKind::NonEmpty => quote_spanned!(span=> #p::check::non_empty(#name, &self.#member)?;),
        CheckKind::AppTransId => {
            quote_spanned!(span=> #p::check::app_trans_id(#name, &self.#member, ctx)?;)
        }
        CheckKind::MRefundId => {
            // `validate` reported a request without an `app_id` field.
            let Some(app_id) = request.app_id.map(|index| request.fields[index].ident) else {
                return TokenStream::new();
            };
            quote_spanned!(span=> #p::check::m_refund_id(#name, &self.#member, &self.#app_id, ctx)?;)
        }
        CheckKind::RecentMs => {
            quote_spanned!(span=> #p::check::recent_ms(#name, &self.#member, ctx)?;)
        }
        CheckKind::Json => quote_spanned!(span=> #p::check::json(#name, &self.#member)?;),
        CheckKind::Min(bound) => {
            quote_spanned!(span=> #p::check::min(#name, &self.#member, #bound)?;)
        }
        CheckKind::Max(bound) => {
            quote_spanned!(span=> #p::check::max(#name, &self.#member, #bound)?;)
        }
        CheckKind::NotAbove(other) => {
            let other = &request.fields[other.value];
            let other_member = other.ident;
            let other_name = other.reported_name();
            quote_spanned!(span=> #p::check::not_above(#name, &self.#member, #other_name, &self.#other_member)?;)
        }
    }
}

/// The body of `write_mac_input`: segments in the documented order, joined by `|`.
fn write_mac_input(request: &Request<'_>, signing: &Signing, p: &TokenStream) -> TokenStream {
    let uses_key = signing.segments.iter().any(|s| matches!(s, Segment::Key));
    let silence_key = (!uses_key).then(|| quote!(let _ = key;));

    // Calls are spanned at the field's type (value included), so a type that cannot be
    // rendered is reported once, on the type itself.
    let write = |segment: &Segment, value: Option<&syn::Ident>| -> TokenStream {
        match segment {
            Segment::Key => quote!(out.push_str(key);),
            Segment::Field { field, .. } => {
                let field = &request.fields[*field];
                let span = field.ty.span();
                let member = field.ident;
                match value {
                    Some(binding) => quote_spanned!(span=> #p::MacValue::write_mac(#binding, out);),
                    None => quote_spanned!(span=> #p::MacValue::write_mac(&self.#member, out);),
                }
            }
        }
    };

    // Some segment disappears with its separator when absent. A separator is due before a
    // segment when anything was written before it: known statically once a mandatory segment
    // was written; tracked at run time only while every earlier segment was optional, which
    // happens only when the very first segment is optional.
    let uses_flag = signing.segments.len() > 1
        && matches!(
            signing.segments.first(),
            Some(Segment::Field {
                omit_when_absent: true,
                ..
            })
        );
    let mut written = Written::No;
    let mut parts = Vec::new();
    for segment in &signing.segments {
        let sep = match written {
            Written::No => TokenStream::new(),
            Written::Yes => quote!(out.push('|');),
            Written::Maybe => quote!(if separate {
                out.push('|');
            }),
        };
        let mark = (uses_flag && written != Written::Yes).then(|| quote!(separate = true;));
        match segment {
            Segment::Field {
                field,
                omit_when_absent: true,
                ..
            } => {
                let member = request.fields[*field].ident;
                let binding = syn::Ident::new("value", proc_macro2::Span::call_site());
                let body = write(segment, Some(&binding));
                parts.push(quote! {
                    if let #p::Some(value) = &self.#member {
                        #sep
                        #body
                        #mark
                    }
                });
                if written == Written::No {
                    written = Written::Maybe;
                }
            }
            _ => {
                let body = write(segment, None);
                parts.push(quote!(#sep #body #mark));
                written = Written::Yes;
            }
        }
    }
    let flag = uses_flag.then(|| quote!(let mut separate = false;));
    quote! {
        #silence_key
        #flag
        #(#parts)*
    }
}

/// Whether a segment has been written before the current one.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Written {
    No,
    Yes,
    Maybe,
}

/// Stub impls emitted next to the errors, so the user's other uses of the type still type-check.
fn fallback(input: &syn::DeriveInput, p: &TokenStream) -> TokenStream {
    if !matches!(input.data, syn::Data::Struct(_)) {
        return TokenStream::new();
    }
    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    quote! {
        impl #impl_generics #p::SignedRequest for #ident #ty_generics #where_clause {
            const KEY: #p::KeyKind = #p::KeyKind::Key1;
            const MAC_SEGMENTS: &'static [#p::MacSegment] = &[];
            const PARAMS: &'static [#p::Param] = &[];
            const SIGNATURE_PARAM: &'static str = "mac";
            const SIGNATURE_SCHEME: #p::SignatureScheme = #p::SignatureScheme::Hmac;
            fn write_mac_input(&self, _: &str, _: &mut #p::String) {
                #p::unreachable!()
            }
            fn serialize_signed<S: #p::Serializer>(&self, _: &str, _: S) -> #p::Result<S::Ok, S::Error> {
                #p::unreachable!()
            }
        }
        impl #impl_generics #p::Endpoint for #ident #ty_generics #where_clause {
            type Response = #p::NoResponse;
            const METHOD: #p::Method = #p::Method::Post;
            const HOST: #p::Host = #p::Host::OpenApi;
            const PATH: &'static str = "/";
            const ENCODING: #p::Encoding = #p::Encoding::Form;
        }
    }
}
