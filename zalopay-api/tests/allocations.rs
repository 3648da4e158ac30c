//! Signing allocates nothing once the caller's buffer has grown: counted with a global
//! allocator that tallies every allocation made on the test's own thread.

#![allow(unsafe_code)] // a counting global allocator needs it; library crates forbid it.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use zalopay_api::ids::AppTransId;

use zalopay_api::order::CreateOrder;
use zalopay_api::{JsonString, Keys, SignedRequest};

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

// SAFETY: forwards to the system allocator; only counts.

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations_during(f: impl FnOnce()) -> u64 {
    let before = ALLOCATIONS.with(Cell::get);
    f();
    ALLOCATIONS.with(Cell::get) - before
}

fn realistic_order() -> CreateOrder {
    let mut order = CreateOrder::builder()
        .app_id(2553)
        .app_trans_id(AppTransId::try_from("240913_2553_1726200000000123").unwrap())
        .app_user("user_0903123456")
        .amount(1_250_000)
        .app_time(1_726_200_000_000)
        .description("Shop ABC - Thanh toán đơn hàng #1726200000000123")
        .build();
    order.item = JsonString::new(&serde_json::json!([
        {"itemid": "sku-001", "itemname": "Áo thun", "itemprice": 250000, "itemquantity": 3}
    ]))
    .unwrap();
    order.embed_data =
        JsonString::new(&serde_json::json!({"redirecturl": "https://shop.example.vn/r"})).unwrap();
    order
}

#[test]
fn signing_allocates_nothing_after_warm_up() {
    let keys = Keys::new(
        "PcY4iZIKFCIdgZvA6ueMcMHHUbRLYjPL",
        "kLtgPl8HHhfvMuDHPwKfgfsY4Ydm9eIz",
    )
    .unwrap();
    let order = realistic_order();
    let mut buf = String::new();
    let first = order.mac_with_buffer(&keys, &mut buf); // grows the buffer once
    let counted = allocations_during(|| {
        for _ in 0..1000 {
            assert_eq!(order.mac_with_buffer(&keys, &mut buf), first);
        }
    });
    assert_eq!(
        counted, 0,
        "signing allocated {counted} times in 1000 signatures"
    );
}

#[test]
fn the_counter_counts() {
    // Guards the test above against a counter that never moves.
    let counted = allocations_during(|| {
        let v: Vec<u8> = Vec::with_capacity(std::hint::black_box(64));
        std::hint::black_box(v);
    });
    assert_eq!(counted, 1);
}
