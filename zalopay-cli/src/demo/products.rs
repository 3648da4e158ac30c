//! What the demo shop sells: its one constant table, and how it writes an amount of VND.

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

/// `45000` → `45.000 ₫` (Vietnamese grouping).
pub(super) fn vnd(amount: i64) -> String {
    let digits = amount.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    if amount < 0 {
        out.insert(0, '-');
    }
    format!("{out} ₫")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_dong() {
        assert_eq!(vnd(45_000), "45.000 ₫");
        assert_eq!(vnd(1_234_567), "1.234.567 ₫");
        assert_eq!(vnd(5), "5 ₫");
    }
}
