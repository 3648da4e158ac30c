//! What the demo shop sells: its one constant table.

/// A product of the shop.
pub(super) struct Product {
    /// The id in the checkout form and in the order's `item`.
    pub(super) id: &'static str,
    /// The name shown and sent as `itemname`.
    pub(super) name: &'static str,
    /// The price, VND.
    pub(super) price: i64,
}

/// The shop's products.
pub(super) const PRODUCTS: &[Product] = &[
    Product {
        id: "coffee",
        name: "Cà phê sữa đá",
        price: 45_000,
    },
    Product {
        id: "banh-mi",
        name: "Bánh mì thịt",
        price: 25_000,
    },
];

/// The product with this id.
pub(super) fn find(id: Option<&str>) -> Option<&'static Product> {
    PRODUCTS.iter().find(|p| Some(p.id) == id)
}
