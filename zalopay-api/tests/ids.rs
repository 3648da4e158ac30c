//! app_trans_id / m_refund_id generation and validation around the GMT+7 midnight.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use zalopay_api::clock::{FixedClock, vietnam_yymmdd};
use zalopay_api::ids::{
    AppTransId, CounterIdSource, IdError, IdSource, MRefundId, RandomIdSource,
    validate_app_trans_id, validate_m_refund_id,
};

/// 2024-01-01T17:30:00Z = 2024-01-02 00:30 in Vietnam.
const AFTER_VN_MIDNIGHT: i64 = 1_704_130_200_000;
/// 2024-01-01T16:59:59.999Z = 2024-01-01 23:59:59.999 in Vietnam.
const BEFORE_VN_MIDNIGHT: i64 = 1_704_128_399_999;

#[test]
fn date_prefix_uses_vietnam_time() {
    let source = CounterIdSource::new(7, 4);
    let id = AppTransId::generate(&FixedClock(AFTER_VN_MIDNIGHT), &source).unwrap();
    assert_eq!(id.as_str(), "240102_0007");
    assert_eq!(id.date_part(), "240102");
    let id = AppTransId::generate(&FixedClock(BEFORE_VN_MIDNIGHT), &source).unwrap();
    assert_eq!(id.as_str(), "240101_0008");
    // In UTC it is still 2024-01-01 at AFTER_VN_MIDNIGHT: the classic bug this avoids.
    assert_eq!(vietnam_yymmdd(AFTER_VN_MIDNIGHT).unwrap(), "240102");
}

#[test]
fn closures_are_id_sources() {
    let source = || "order42".to_owned();
    let id = AppTransId::generate(&FixedClock(AFTER_VN_MIDNIGHT), &source).unwrap();
    assert_eq!(id.to_string(), "240102_order42");
    let id = MRefundId::generate(&FixedClock(AFTER_VN_MIDNIGHT), 2553, &source).unwrap();
    assert_eq!(String::from(id), "240102_2553_order42");
}

#[test]
fn random_source_is_unique_and_fits() {
    let source = RandomIdSource::new();
    let mut seen = std::collections::HashSet::new();
    for _ in 0..10_000 {
        assert!(seen.insert(source.unique()));
    }
    let id = AppTransId::random().unwrap();
    assert!(id.as_str().len() <= 40);
    let id = MRefundId::random(2553).unwrap();
    assert!(id.as_str().len() <= 45);
    assert!(id.as_str().contains("_2553_"));
}

#[test]
fn app_trans_id_validation() {
    let now = AFTER_VN_MIDNIGHT;
    assert!(validate_app_trans_id("240102_1", now).is_ok());
    assert_eq!(validate_app_trans_id("", now), Err(IdError::Empty));
    assert_eq!(validate_app_trans_id("240102_", now), Err(IdError::Empty));
    assert_eq!(
        validate_app_trans_id("240101_1", now),
        Err(IdError::WrongDatePrefix {
            expected: "240102_".into(),
            got: "240101_".into()
        })
    );
    // The UTC date is wrong half an hour after Vietnam's midnight.
    assert!(matches!(
        validate_app_trans_id("240101_1", now),
        Err(IdError::WrongDatePrefix { .. })
    ));
    assert_eq!(
        validate_app_trans_id("240102-1", now),
        Err(IdError::WrongDatePrefix {
            expected: "240102_".into(),
            got: "240102-".into()
        })
    );
    let long = format!("240102_{}", "9".repeat(34));
    assert_eq!(
        validate_app_trans_id(&long, now),
        Err(IdError::TooLong { max: 40, len: 41 })
    );
    assert!(validate_app_trans_id(&long[..40], now).is_ok());
    assert_eq!(
        validate_app_trans_id("240102_a b", now),
        Err(IdError::BadCharacters { found: ' ', at: 8 })
    );
    assert!(matches!(
        validate_app_trans_id("240102_đơn", now),
        Err(IdError::BadCharacters { found: 'đ', .. })
    ));
    assert!(AppTransId::new_checked("240102_x-1.2", now).is_ok());
    assert!(matches!(
        AppTransId::with_unique(now, &"1".repeat(34)),
        Err(IdError::TooLong { .. })
    ));
    assert_eq!(AppTransId::with_unique(now, ""), Err(IdError::Empty));
}

#[test]
fn existing_ids_skip_the_today_check() {
    assert!(AppTransId::existing("200904_2553_1598435687208").is_ok());
    assert!(matches!(
        AppTransId::existing("2009_04"),
        Err(IdError::WrongDatePrefix { .. })
    ));
    assert!(matches!(
        AppTransId::existing("x"),
        Err(IdError::WrongDatePrefix { .. })
    ));
}

#[test]
fn m_refund_id_validation() {
    let now = AFTER_VN_MIDNIGHT;
    assert!(validate_m_refund_id("240102_2553_1", 2553, now).is_ok());
    assert_eq!(
        validate_m_refund_id("240102_2554_1", 2553, now),
        Err(IdError::WrongAppId {
            expected: "2553_".into(),
            got: "2554_".into()
        })
    );
    assert_eq!(
        validate_m_refund_id("240102_2553_", 2553, now),
        Err(IdError::Empty)
    );
    assert!(matches!(
        validate_m_refund_id("240101_2553_1", 2553, now),
        Err(IdError::WrongDatePrefix { .. })
    ));
    let long = format!("240102_2553_{}", "1".repeat(34));
    assert_eq!(
        validate_m_refund_id(&long, 2553, now),
        Err(IdError::TooLong { max: 45, len: 46 })
    );
    assert!(MRefundId::new_checked(&long[..45], 2553, now).is_ok());
    assert!(matches!(
        MRefundId::with_unique(i64::MAX, 2553, "1"),
        Err(IdError::Clock(_))
    ));
}
