//! Code generation from a validated [`Plan`]. Generated code names only absolute paths through
//! `::zalopay_api::__private` (or `PATH::__private` with `#[zalopay(crate = PATH)]`), so it
//! compiles in any crate that depends on `zalopay-api`.

use crate::ctxt::{Errors, Generated};
use crate::model::{self, Confidence, Encoding, Filled, Host, Key, Method, Retry};
use crate::validate::{self, Plan, PlanSegment};
use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

/// Entry point: never panics; on any error, emits every `compile_error!` plus stub impls so
/// the user sees the real mistakes, not a cascade of "trait not implemented".
pub fn derive(input: &syn::DeriveInput) -> TokenStream {
    Errors::scope(|errors| {
        let p = model::private_path(input, errors);
        // The model borrows the input; validation borrows the model.
        let code = model::parse(input, errors).and_then(|request| {
            let plan = validate::check(&request, errors)?;
            Some(generate(&plan, &p))
        });
        Generated {
            code,
            stub: fallback(input, &p),
        }
    })
}

/// Generates both impls; `p` is the runtime crate's hidden module (`model::private_path`).
fn generate(plan: &Plan<'_>, p: &TokenStream) -> TokenStream {
    let ident = &plan.input.ident;
    let name = ident.to_string();
    let (impl_generics, ty_generics, where_clause) = plan.input.generics.split_for_impl();

    let key = match plan.key {
        Key::Key1 => quote!(#p::KeyKind::Key1),
        Key::Key2 => quote!(#p::KeyKind::Key2),
    };
    let scheme = if plan.rsa {
        quote!(#p::SignatureScheme::HmacThenRsaSha256)
    } else {
        quote!(#p::SignatureScheme::Hmac)
    };
    let param = &plan.param;

    let segments_meta = plan.segments.iter().map(|segment| match segment {
        PlanSegment::Key => quote!(#p::MacSegment::Key),
        PlanSegment::Field { field, .. } if field.skip_wire => {
            let n = field.ident.to_string();
            quote!(#p::MacSegment::Unsent(#n))
        }
        PlanSegment::Field {
            field,
            omit_when_absent: true,
            ..
        } => {
            let n = &field.wire_name;
            quote!(#p::MacSegment::OmittedWhenAbsent(#n))
        }
        PlanSegment::Field { field, .. } => {
            let n = &field.wire_name;
            quote!(#p::MacSegment::Field(#n))
        }
    });

    let is_filled =
        |f: &crate::model::Field<'_>| plan.filled.iter().any(|(x, _)| x.ident == f.ident);
    let params_meta = plan.fields.iter().filter(|f| !f.skip_wire).map(|f| {
        let n = &f.wire_name;
        // A client-filled `Option` is always sent: the client fills it before signing.
        let required = f.option_inner.is_none() || is_filled(f);
        let kind = match param_kind(f.option_inner.unwrap_or(f.ty)) {
            Kind::Integer => quote!(#p::ParamKind::Integer),
            Kind::Text => quote!(#p::ParamKind::Text),
            Kind::Structured => quote!(#p::ParamKind::Structured),
        };
        quote!(#p::Param { name: #n, required: #required, kind: #kind })
    });

    let write_input = write_mac_input(plan, p);
    let wire_fields: Vec<_> = plan.fields.iter().filter(|f| !f.skip_wire).collect();
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

    let method = match plan.method {
        Method::Get => quote!(#p::Method::Get),
        Method::Post => quote!(#p::Method::Post),
    };
    let host = match plan.host {
        Host::OpenApi => quote!(#p::Host::OpenApi),
        Host::Gateway => quote!(#p::Host::Gateway),
        Host::Zod => quote!(#p::Host::Zod),
    };
    let encoding = match plan.encoding {
        Encoding::Form => quote!(#p::Encoding::Form),
        Encoding::Json => quote!(#p::Encoding::Json),
        Encoding::Query => quote!(#p::Encoding::Query),
    };
    let path = &plan.path;
    let response = &plan.response;
    let retry = match plan.retry {
        Retry::Never => quote!(#p::RetryClass::Never),
        Retry::Safe => quote!(#p::RetryClass::Safe),
        Retry::SameId => quote!(#p::RetryClass::SameId),
    };
    let validate = validate_fn(plan, p);
    let fill = fill_fn(plan, p);
    let filled_params = plan.filled.iter().map(|(field, kind)| {
        let name = field.reported_name();
        match kind {
            Filled::AppId => {
                quote!(const APP_ID_PARAM: #p::Option<&'static str> = #p::Some(#name);)
            }
            Filled::Time => quote!(const TIME_PARAM: #p::Option<&'static str> = #p::Some(#name);),
            Filled::Encrypt => TokenStream::new(),
        }
    });
    let operation = plan.operation.as_ref().map(|(id, confidence)| {
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
    let builder = crate::builder::generate(plan, p);
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
            const PARAMS: &'static [#p::Param] = &[#(#params_meta),*];
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
        }

        #operation

        #builder
    }
}

/// `SignedRequest::fill`: refuses a request for another app, then fills what was left `None`
/// in a copy; nothing (the trait's default) when no field is client-filled.
fn fill_fn(plan: &Plan<'_>, p: &TokenStream) -> TokenStream {
    if plan.filled.is_empty() {
        return TokenStream::new();
    }
    let mut checks = Vec::new();
    let mut unset = Vec::new();
    let mut sets = Vec::new();
    for (field, kind) in &plan.filled {
        let member = field.ident;
        let name = if field.skip_wire {
            member.to_string()
        } else {
            field.wire_name.clone()
        };
        match kind {
            Filled::AppId => {
                checks.push(quote!(#p::fill::check_app_id(#name, &self.#member, ctx)?;));
                sets.push(quote!(#p::fill::app_id(&mut filled.#member, ctx);));
            }
            Filled::Time => sets.push(quote!(#p::fill::time(&mut filled.#member, ctx);)),
            Filled::Encrypt => {
                if let Some(source) = &field.encrypt_source {
                    sets.push(quote!(#p::fill::encrypt(#name, &filled.#source, &mut filled.#member, ctx)?;));
                }
                unset.push(quote!(#p::fill::is_unset(&self.#member)));
                continue;
            }
        }
        unset.push(quote!(self.#member.is_none()));
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
fn validate_fn(plan: &Plan<'_>, p: &TokenStream) -> TokenStream {
    let checks: Vec<_> = plan
        .fields
        .iter()
        .flat_map(|field| field.checks.iter().map(move |check| (field, check)))
        .collect();
    if checks.is_empty() {
        return TokenStream::new();
    }
    let calls = checks.iter().map(|(field, check)| {
        // Errors name the field as ZaloPay does; unsent fields keep their Rust name.
        let name = field.reported_name();
        check.kind.call(
            p,
            check.span,
            &name,
            field.ident,
            plan.app_id_member,
            plan.fields,
        )
    });
    let uses_ctx = checks.iter().any(|(_, c)| c.kind.uses_ctx());
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

/// The body of `write_mac_input`: segments in the documented order, joined by `|`.
fn write_mac_input(plan: &Plan<'_>, p: &TokenStream) -> TokenStream {
    let uses_key = plan.segments.iter().any(|s| matches!(s, PlanSegment::Key));
    let silence_key = (!uses_key).then(|| quote!(let _ = key;));

    // Calls are spanned at the field's type (value included), so a type that cannot be
    // rendered is reported once, on the type itself.
    let write = |segment: &PlanSegment<'_>, value: Option<&syn::Ident>| -> TokenStream {
        match segment {
            PlanSegment::Key => quote!(out.push_str(key);),
            PlanSegment::Field { field, .. } => {
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
    let uses_flag = plan.segments.len() > 1
        && matches!(
            plan.segments.first(),
            Some(PlanSegment::Field {
                omit_when_absent: true,
                ..
            })
        );
    let mut written = Written::No;
    let mut parts = Vec::new();
    for segment in &plan.segments {
        let sep = match written {
            Written::No => TokenStream::new(),
            Written::Yes => quote!(out.push('|');),
            Written::Maybe => quote!(if separate {
                out.push('|');
            }),
        };
        let mark = (uses_flag && written != Written::Yes).then(|| quote!(separate = true;));
        match segment {
            PlanSegment::Field {
                field,
                omit_when_absent: true,
                ..
            } => {
                let member = field.ident;
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

enum Kind {
    Integer,
    Text,
    Structured,
}

/// A parameter's JSON shape from its type's last path segment.
fn param_kind(ty: &syn::Type) -> Kind {
    let name = match ty {
        syn::Type::Path(path) => path.path.segments.last().map(|s| s.ident.to_string()),
        syn::Type::Reference(reference) => return param_kind(&reference.elem),
        _ => None,
    };
    match name.as_deref() {
        Some(
            "i8" | "i16" | "i32" | "i64" | "i128" | "isize" | "u8" | "u16" | "u32" | "u64" | "u128"
            | "usize",
        ) => Kind::Integer,
        Some(
            "String" | "str" | "JsonString" | "AppTransId" | "MRefundId" | "ZpTransId"
            | "PartnerOrderId" | "Cow",
        ) => Kind::Text,
        // Quick pay's payment code, plain (signed) and encrypted (sent).
        Some("PaymentCode" | "EncryptedPaymentCode") => Kind::Text,
        _ => Kind::Structured,
    }
}
