//! How a field's value goes into a JSON body ([`ParamKind`]), as its type says
//! ([`WireKind`]): apart from [`crate::endpoint`], so that the ids, the key and JSON types
//! implement it without depending on the operations' description.

/// The shape of a parameter's value: the field type's `WireKind`, as the derive reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ParamKind {
    /// An integer (`i64`, `u32`, …): a JSON number.
    Integer,
    /// Text (`String`, `JsonString`, ids): a JSON string, even when it holds JSON.
    Text,
    /// Anything else (a nested struct, a list, a wire enum): a JSON value.
    Structured,
}

/// How a field's type goes into a JSON body: implemented by the integers, the text types and
/// the SDK's ids and tokens, and read by the derive through [`KindOf`] to fill
/// [`Param::kind`](crate::endpoint::Param::kind), so no type is classified by its name.
///
/// Not a public API (the derive's generated code names it through `__private`).
#[doc(hidden)]
pub trait WireKind {
    /// The value's shape in a JSON body.
    const KIND: ParamKind;
}

/// `KindOf::<T>::KIND`: `T`'s [`WireKind::KIND`], or [`ParamKind::Structured`] for a type
/// that does not implement [`WireKind`] (a nested struct, a list, a wire enum, a merchant's
/// own type).
///
/// The inherent const applies only when `T: WireKind`; otherwise the path falls through to
/// the provided const of [`Structured`], which the generated code imports (as `_`) for that.
#[doc(hidden)]
pub struct KindOf<T: ?Sized>(core::marker::PhantomData<T>);

impl<T: WireKind + ?Sized> KindOf<T> {
    /// `T`'s own kind.
    pub const KIND: ParamKind = T::KIND;
}

/// The fallback of [`KindOf`]: a type that says nothing is sent as a JSON value.
#[doc(hidden)]
pub trait Structured {
    /// [`ParamKind::Structured`].
    const KIND: ParamKind = ParamKind::Structured;
}

impl<T: ?Sized> Structured for KindOf<T> {}

macro_rules! wire_kind {
    ($kind:ident => $($ty:ty),*) => {$(
        impl WireKind for $ty {
            const KIND: ParamKind = ParamKind::$kind;
        }
    )*};
}
wire_kind!(Integer => i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize);
wire_kind!(Text => str, String);

impl<T: WireKind + ?Sized> WireKind for &T {
    const KIND: ParamKind = T::KIND;
}

/// An absent `Option` is left out; a present one is sent as its value.
impl<T: WireKind> WireKind for Option<T> {
    const KIND: ParamKind = T::KIND;
}

impl<T: WireKind + ToOwned + ?Sized> WireKind for std::borrow::Cow<'_, T> {
    const KIND: ParamKind = T::KIND;
}
