//! The typestate builder generated for every request: `Request::builder()`, one setter per
//! field, `build()` once every required field is set. A required field's slot is a type
//! parameter that is `Unset` until its setter runs and `Set<T>` after, so a missing field is a
//! compile error at `build()` naming the field, and a field set twice has no setter left.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::ext::IdentExt;

use crate::model::{Field, FieldDefault, Filled, Request};

/// How the builder treats a field.
enum Role<'a> {
    /// Must be set before `build()`: a typestate parameter.
    Required { state: syn::Ident },
    /// An `Option` the caller may leave `None` (or that the client fills).
    Optional {
        inner: &'a syn::Type,
        filled: Option<&'a Filled>,
    },
    /// Takes its default when not set.
    Defaulted { default: &'a FieldDefault },
}

/// A setter's parameter type and how its value becomes the field's: `impl Into<T>` (text,
/// ids) except for integers, which take exactly their type so that a literal such as
/// `1_726_200_000_000` is not inferred as `i32`.
fn setter_arg(ty: &syn::Type, p: &TokenStream) -> (TokenStream, TokenStream) {
    if is_integer(ty) {
        (quote!(#ty), quote!(value))
    } else {
        (quote!(impl #p::Into<#ty>), quote!(#p::Into::into(value)))
    }
}

fn is_integer(ty: &syn::Type) -> bool {
    let syn::Type::Path(path) = ty else {
        return false;
    };
    path.qself.is_none()
        && path.path.get_ident().is_some_and(|ident| {
            matches!(
                ident.to_string().as_str(),
                "i8" | "i16"
                    | "i32"
                    | "i64"
                    | "i128"
                    | "isize"
                    | "u8"
                    | "u16"
                    | "u32"
                    | "u64"
                    | "u128"
                    | "usize"
            )
        })
}

pub fn generate(request: &Request<'_>, p: &TokenStream) -> TokenStream {
    let input = request.input;
    let ident = &input.ident;
    let vis = &input.vis;
    let builder = format_ident!("{}Builder", ident);
    let (_, ty_generics, where_clause) = input.generics.split_for_impl();

    let mut state_index = 0usize;
    let roles: Vec<(&Field<'_>, Role<'_>)> = request
        .fields
        .iter()
        .map(|field| {
            let filled = field.filled.as_ref().map(|filled| &filled.value);
            let role = if let Some(default) = &field.default {
                Role::Defaulted {
                    default: &default.value,
                }
            } else if let Some(inner) = field.option_inner {
                Role::Optional { inner, filled }
            } else {
                state_index += 1;
                Role::Required {
                    state: format_ident!("__State{}", state_index),
                }
            };
            (field, role)
        })
        .collect();
    let states: Vec<&syn::Ident> = roles
        .iter()
        .filter_map(|(_, role)| match role {
            Role::Required { state } => Some(state),
            _ => None,
        })
        .collect();

    // The struct's own generics, without defaults (for impls) and as arguments.
    let own_params: Vec<TokenStream> = input
        .generics
        .params
        .iter()
        .map(|param| match param {
            syn::GenericParam::Type(t) => {
                let mut t = t.clone();
                t.default = None;
                quote!(#t)
            }
            syn::GenericParam::Const(c) => {
                let mut c = c.clone();
                c.default = None;
                quote!(#c)
            }
            syn::GenericParam::Lifetime(l) => quote!(#l),
        })
        .collect();
    let own_args: Vec<TokenStream> = input
        .generics
        .params
        .iter()
        .map(|param| match param {
            syn::GenericParam::Type(t) => {
                let i = &t.ident;
                quote!(#i)
            }
            syn::GenericParam::Const(c) => {
                let i = &c.ident;
                quote!(#i)
            }
            syn::GenericParam::Lifetime(l) => {
                let l = &l.lifetime;
                quote!(#l)
            }
        })
        .collect();
    let declared_params = input.generics.params.iter();

    // Storage: a required field in its state parameter, others as `Option`.
    let storage = roles.iter().map(|(field, role)| {
        let member = field.ident;
        let ty = field.ty;
        match role {
            Role::Required { state } => quote!(#member: #state),
            Role::Optional { .. } => quote!(#member: #ty),
            Role::Defaulted { .. } => quote!(#member: #p::Option<#ty>),
        }
    });
    let initial = roles.iter().map(|(field, role)| {
        let member = field.ident;
        match role {
            Role::Required { .. } => quote!(#member: #p::Unset),
            _ => quote!(#member: #p::None),
        }
    });
    let unset_args = states.iter().map(|_| quote!(#p::Unset));
    let name = ident.to_string();
    let struct_doc = format!(
        "Builds a [`{name}`]: set the required fields (a missing one is a compile error at `build()`), any optional ones, then call `build()`."
    );
    let builder_fn_doc = format!("A builder for `{name}` with named setters; see [`{builder}`].");

    // One impl per setter: a required field's setter exists only while its slot is `Unset`.
    let setters = roles.iter().map(|(field, role)| {
        let member = field.ident;
        let field_vis = field.vis;
        let ty = field.ty;
        let field_name = member.unraw().to_string();
        let docs = &field.docs;
        let gap = (!docs.is_empty()).then(|| quote!(#[doc = ""]));
        let moved = roles.iter().filter(|(f, _)| f.ident != member).map(|(f, _)| {
            let m = f.ident;
            quote!(#m: self.#m)
        });
        match role {
            Role::Required { state } => {
                let params = own_params
                    .iter()
                    .cloned()
                    .chain(states.iter().filter(|s| *s != &state).map(|s| quote!(#s)));
                let before = states
                    .iter()
                    .map(|s| if *s == state { quote!(#p::Unset) } else { quote!(#s) });
                let after = states.iter().map(|s| {
                    if *s == state {
                        quote!(#p::Set<#ty>)
                    } else {
                        quote!(#s)
                    }
                });
                let doc = format!("Sets `{field_name}` (required).");
                let own_args = &own_args;
                let (arg, value) = setter_arg(ty, p);
                quote! {
                    #[automatically_derived]
                    impl<#(#params),*> #builder<#(#own_args,)* #(#before),*> #where_clause {
                        #[doc = #doc]
                        #gap
                        #(#docs)*
                        #field_vis fn #member(self, value: #arg) -> #builder<#(#own_args,)* #(#after),*> {
                            #builder {
                                #member: #p::Set::new(#value),
                                #(#moved,)*
                                __marker: #p::PhantomData,
                            }
                        }
                    }
                }
            }
            // Only the client fills an encrypted field: no setter.
            Role::Optional {
                filled: Some(Filled::Encrypt(_)),
                ..
            } => TokenStream::new(),
            Role::Optional { inner, filled } => {
                let doc = match filled {
                    Some(Filled::AppId) => format!("Sets `{field_name}` (optional: when not set, the client sends its own app id from `Config`)."),
                    Some(Filled::Time) => format!("Sets `{field_name}` (optional: when not set, the client sends the time of sending from its clock)."),
                    Some(Filled::Encrypt(_)) | None => format!("Sets `{field_name}` (optional: left out when not set)."),
                };
                let all_states = &states;
                let own_params = &own_params;
                let own_args = &own_args;
                let (arg, value) = setter_arg(inner, p);
                quote! {
                    #[automatically_derived]
                    impl<#(#own_params,)* #(#all_states),*> #builder<#(#own_args,)* #(#all_states),*> #where_clause {
                        #[doc = #doc]
                        #gap
                        #(#docs)*
                        #field_vis fn #member(mut self, value: #arg) -> Self {
                            self.#member = #p::Some(#value);
                            self
                        }
                    }
                }
            }
            Role::Defaulted { default } => {
                let shown = match default {
                    FieldDefault::Trait => "`Default::default()`".to_owned(),
                    FieldDefault::Expr(expr) => format!("`{}`", quote!(#expr)),
                };
                let doc = format!("Sets `{field_name}` (optional: {shown} when not set).");
                let all_states = &states;
                let own_params = &own_params;
                let own_args = &own_args;
                // An `Option` field with a default still takes the plain value.
                let (arg, store) = match field.option_inner {
                    Some(inner) => {
                        let (arg, value) = setter_arg(inner, p);
                        (arg, quote!(#p::Some(#p::Some(#value))))
                    }
                    None => {
                        let (arg, value) = setter_arg(ty, p);
                        (arg, quote!(#p::Some(#value)))
                    }
                };
                quote! {
                    #[automatically_derived]
                    impl<#(#own_params,)* #(#all_states),*> #builder<#(#own_args,)* #(#all_states),*> #where_clause {
                        #[doc = #doc]
                        #gap
                        #(#docs)*
                        #field_vis fn #member(mut self, value: #arg) -> Self {
                            self.#member = #store;
                            self
                        }
                    }
                }
            }
        }
    });

    // `build()`: every required slot must implement its field's "is set" trait, whose
    // diagnostic names the missing field.
    let mut traits = Vec::new();
    let mut bounds = Vec::new();
    let values = roles.iter().map(|(field, role)| {
        let member = field.ident;
        let ty = field.ty;
        match role {
            Role::Required { state } => {
                let field_name = member.unraw().to_string();
                let trait_name = format_ident!("__{}Builder_{}", ident, field_name);
                let message = format!("`{name}` is missing its required field `{field_name}`");
                let label = format!("call `.{field_name}(...)` before `.build()`");
                let doc = format!(
                    "Whether `{name}`'s builder has `{field_name}` (generated; not an API)."
                );
                traits.push(quote! {
                    #[doc = #doc]
                    #[doc(hidden)]
                    #[allow(non_camel_case_types)]
                    #[diagnostic::on_unimplemented(message = #message, label = #label)]
                    #vis trait #trait_name<__Value> {
                        /// The value that was set.
                        fn __take(self) -> __Value;
                    }
                    #[automatically_derived]
                    impl<__Value> #trait_name<__Value> for #p::Set<__Value> {
                        fn __take(self) -> __Value {
                            self.into_inner()
                        }
                    }
                });
                bounds.push(quote!(#state: #trait_name<#ty>));
                quote!(#member: #trait_name::__take(self.#member))
            }
            Role::Optional { .. } => quote!(#member: self.#member),
            Role::Defaulted { default } => {
                let fallback = match default {
                    FieldDefault::Trait => quote!(#p::Default::default()),
                    FieldDefault::Expr(expr) => quote!(#expr),
                };
                quote!(#member: match self.#member {
                    #p::Some(value) => value,
                    #p::None => #fallback,
                })
            }
        }
    });
    let values: Vec<TokenStream> = values.collect();
    let build_doc = format!("The `{name}`; compiles only once every required field is set.");
    let where_preds = where_clause.map(|w| {
        let preds = &w.predicates;
        quote!(#preds,)
    });

    quote! {
        #[doc = #struct_doc]
        #[must_use = "a builder does nothing until `.build()`"]
        #vis struct #builder<#(#declared_params,)* #(#states = #p::Unset),*> #where_clause {
            #(#storage,)*
            __marker: #p::PhantomData<fn() -> #ident #ty_generics>,
        }

        #[automatically_derived]
        impl<#(#own_params),*> #ident<#(#own_args),*> #where_clause {
            #[doc = #builder_fn_doc]
            #vis fn builder() -> #builder<#(#own_args,)* #(#unset_args),*> {
                #builder {
                    #(#initial,)*
                    __marker: #p::PhantomData,
                }
            }
        }

        #(#setters)*

        #(#traits)*

        #[automatically_derived]
        impl<#(#own_params,)* #(#states),*> #builder<#(#own_args,)* #(#states),*> #where_clause {
            #[doc = #build_doc]
            #vis fn build(self) -> #ident #ty_generics
            where
                #where_preds
                #(#bounds,)*
            {
                #ident {
                    #(#values,)*
                }
            }
        }
    }
}
