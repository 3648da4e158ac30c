//! The typed ids and tokens: app_trans_id / m_refund_id / partner_order_id generation and
//! validation around the GMT+7 midnight, the shape checks of their conversions, and the
//! opaque tokens (checked, redacted where secret).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use zalopay_api::MacValue;
use zalopay_api::clock::FixedClock;
use zalopay_api::ids::{
    AppTransId, BindingId, CounterIdSource, IdError, IdSource, MRefundId, PARTNER_ORDER_ID_MAX_LEN,
    PartnerOrderId, PayToken, RandomIdSource, TOKEN_MAX_LEN, ZpTransToken, validate_app_trans_id,
    validate_m_refund_id,
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
    let id = AppTransId::with_unique(AFTER_VN_MIDNIGHT, "x").unwrap();
    assert_eq!(id.date_part(), "240102");
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

/// `Serialize` and the MAC see exactly the text, for every id type.
fn wire_and_mac<T: serde::Serialize + MacValue>(value: &T, text: &str) {
    assert_eq!(serde_json::to_string(value).unwrap(), format!("\"{text}\""));
    let mut mac = String::new();
    value.write_mac(&mut mac);
    assert_eq!(mac, text);
}

#[test]
fn app_trans_id_conversions_check_the_shape() {
    let id = AppTransId::try_from("200904_2553_1598435687208").unwrap();
    assert_eq!(id.as_str(), "200904_2553_1598435687208");
    assert_eq!(id.to_string(), "200904_2553_1598435687208");
    assert_eq!(AsRef::<str>::as_ref(&id), "200904_2553_1598435687208");
    assert_eq!(
        AppTransId::try_from("200904_2553_1598435687208".to_owned()).unwrap(),
        id
    );
    assert_eq!(
        AppTransId::try_from(&"200904_2553_1598435687208".to_owned()).unwrap(),
        id
    );
    assert_eq!(
        "200904_2553_1598435687208".parse::<AppTransId>().unwrap(),
        id
    );
    assert_eq!(AppTransId::from(&id), id);
    wire_and_mac(&id, "200904_2553_1598435687208");
    assert_eq!(String::from(id), "200904_2553_1598435687208");

    assert_eq!(AppTransId::try_from(""), Err(IdError::Empty));
    assert_eq!(
        AppTransId::try_from("240102_"),
        Err(IdError::WrongDatePrefix {
            expected: "yyMMdd_".into(),
            got: "240102_".into()
        })
    );
    assert!(matches!(
        AppTransId::try_from("24010_1"),
        Err(IdError::WrongDatePrefix { .. })
    ));
    assert!(matches!(
        AppTransId::try_from("order-1"),
        Err(IdError::WrongDatePrefix { .. })
    ));
    assert_eq!(
        AppTransId::try_from("240102_a|b"),
        Err(IdError::BadCharacters { found: '|', at: 8 })
    );
    assert_eq!(
        AppTransId::try_from(format!("240102_{}", "9".repeat(34))),
        Err(IdError::TooLong { max: 40, len: 41 })
    );
    // Only the shape: an id of an earlier day is a valid existing id.
    assert!(AppTransId::try_from("200101_1").is_ok());
}

#[test]
fn m_refund_id_existing_shape() {
    let id: MRefundId = "240913_2553_1726200000000123".parse().unwrap();
    assert_eq!(id.app_id_part(), "2553");
    assert_eq!(id.to_string(), "240913_2553_1726200000000123");
    assert_eq!(MRefundId::try_from(id.as_str().to_owned()).unwrap(), id);
    assert_eq!(MRefundId::from(&id), id);
    wire_and_mac(&id, "240913_2553_1726200000000123");

    assert_eq!(MRefundId::try_from(""), Err(IdError::Empty));
    assert_eq!(
        MRefundId::try_from("240913_abc_1"),
        Err(IdError::WrongAppId {
            expected: "<app_id>_".into(),
            got: "a".into()
        })
    );
    assert_eq!(
        MRefundId::try_from("240913_2553"),
        Err(IdError::WrongAppId {
            expected: "<app_id>_".into(),
            got: "2553".into()
        })
    );
    assert_eq!(MRefundId::try_from("240913_2553_"), Err(IdError::Empty));
    assert!(matches!(
        MRefundId::try_from("2409132553_1"),
        Err(IdError::WrongDatePrefix { .. })
    ));
    assert!(matches!(
        MRefundId::try_from("240913_2553_1 2"),
        Err(IdError::BadCharacters { found: ' ', .. })
    ));
    let long = format!("240913_2553_{}", "1".repeat(34));
    assert_eq!(
        MRefundId::try_from(long.as_str()),
        Err(IdError::TooLong { max: 45, len: 46 })
    );
    assert!(MRefundId::try_from(&long[..45]).is_ok());
    // An AppTransId-shaped text without the app id part is not an m_refund_id.
    assert!(MRefundId::try_from("240913_order").is_err());
}

#[test]
fn m_refund_id_generation_around_vietnam_midnight() {
    let source = CounterIdSource::new(1, 3);
    let after = MRefundId::generate(&FixedClock(AFTER_VN_MIDNIGHT), 2553, &source).unwrap();
    assert_eq!(after.as_str(), "240102_2553_001");
    let before = MRefundId::generate(&FixedClock(BEFORE_VN_MIDNIGHT), 2553, &source).unwrap();
    assert_eq!(before.as_str(), "240101_2553_002");
    // What is generated passes the send-time check at that instant, and the shape check.
    assert!(validate_m_refund_id(after.as_str(), 2553, AFTER_VN_MIDNIGHT).is_ok());
    assert_eq!(MRefundId::try_from(after.as_str()).unwrap(), after);
}

#[test]
fn partner_order_id_generation_and_shape() {
    let source = CounterIdSource::new(41, 4);
    let id = PartnerOrderId::generate(&FixedClock(AFTER_VN_MIDNIGHT), &source).unwrap();
    assert_eq!(id.as_str(), "240102_0041");
    let id = PartnerOrderId::generate(&FixedClock(BEFORE_VN_MIDNIGHT), &source).unwrap();
    assert_eq!(id.as_str(), "240101_0042");
    assert_eq!(
        PartnerOrderId::with_unique(AFTER_VN_MIDNIGHT, ""),
        Err(IdError::Empty)
    );
    assert_eq!(
        PartnerOrderId::with_unique(AFTER_VN_MIDNIGHT, &"1".repeat(44)),
        Err(IdError::TooLong {
            max: PARTNER_ORDER_ID_MAX_LEN,
            len: 51
        })
    );
    assert!(matches!(
        PartnerOrderId::with_unique(i64::MAX, "1"),
        Err(IdError::Clock(_))
    ));
    let random = PartnerOrderId::random().unwrap();
    assert!(random.as_str().len() <= PARTNER_ORDER_ID_MAX_LEN);
    assert_ne!(random, PartnerOrderId::random().unwrap());

    // The merchant's own ids: any format within the limits.
    for own in ["aio-1", "202305110902928474", "ORDER.2024_01-x"] {
        let id = PartnerOrderId::try_from(own).unwrap();
        assert_eq!(id.to_string(), own);
        wire_and_mac(&id, own);
    }
    assert_eq!(PARTNER_ORDER_ID_MAX_LEN, 50);
    assert!(PartnerOrderId::try_from("p".repeat(50)).is_ok());
    assert_eq!(
        PartnerOrderId::try_from("p".repeat(51)),
        Err(IdError::TooLong { max: 50, len: 51 })
    );
    assert_eq!(PartnerOrderId::try_from(""), Err(IdError::Empty));
    assert_eq!(
        "a/b".parse::<PartnerOrderId>(),
        Err(IdError::BadCharacters { found: '/', at: 1 })
    );
    assert!(matches!(
        PartnerOrderId::try_from("đơn-1"),
        Err(IdError::BadCharacters { found: 'đ', at: 0 })
    ));
}

#[test]
fn tokens_are_opaque_but_checked() {
    const PAY: &str = "NJLHNTRLZDETZGQYZI0ZNTBKLTGWZJKTMTKXYJHLMWI5NTFI";
    let zp = ZpTransToken::try_from("ACdrmzS_TGxHZyafUiHs3OjQ").unwrap();
    let pay: PayToken = PAY.parse().unwrap();
    let binding = BindingId::try_from("230407qQe7vGnqp0agyforLAy0D2b1x3".to_owned()).unwrap();
    wire_and_mac(&zp, "ACdrmzS_TGxHZyafUiHs3OjQ");
    wire_and_mac(&pay, PAY);
    wire_and_mac(&binding, "230407qQe7vGnqp0agyforLAy0D2b1x3");
    assert_eq!(pay.as_str(), PAY);
    assert_eq!(zp.to_string(), "ACdrmzS_TGxHZyafUiHs3OjQ");
    assert_eq!(binding.to_string(), "230407qQe7vGnqp0agyforLAy0D2b1x3");
    assert_eq!(PayToken::from(&pay), pay);

    // Debug: the pay token never, the order token only its first four characters.
    let shown = format!("{pay:?} {:?}", Some(&pay));
    assert!(!shown.contains(&PAY[..8]), "{shown}");
    assert_eq!(format!("{pay:?}"), "PayToken(<redacted, 48 chars>)");
    assert_eq!(format!("{zp:?}"), "ZpTransToken(\"ACdr\"…)");
    assert!(format!("{binding:?}").contains("230407qQe7vGnqp0agyforLAy0D2b1x3"));

    // Base64 / URL-ish characters are fine; blanks, controls and non-ASCII are not.
    assert!(PayToken::try_from("a+b/c=d|e&f%g#h?").is_ok());
    assert_eq!(PayToken::try_from(""), Err(IdError::Empty));
    assert_eq!(
        PayToken::try_from("abc def"),
        Err(IdError::NotVisibleAscii { at: 3 })
    );
    assert_eq!(
        ZpTransToken::try_from("abc\n"),
        Err(IdError::NotVisibleAscii { at: 3 })
    );
    assert_eq!(
        BindingId::try_from("ồ"),
        Err(IdError::NotVisibleAscii { at: 0 })
    );
    // The error never shows the character (a token may be a credential).
    assert!(
        !PayToken::try_from("secret x")
            .unwrap_err()
            .to_string()
            .contains("secret")
    );
    assert!(BindingId::try_from("b".repeat(TOKEN_MAX_LEN)).is_ok());
    assert_eq!(
        ZpTransToken::try_from("t".repeat(TOKEN_MAX_LEN + 1)),
        Err(IdError::TooLong {
            max: TOKEN_MAX_LEN,
            len: TOKEN_MAX_LEN + 1
        })
    );
}

#[test]
fn a_request_debug_does_not_reveal_the_pay_token() {
    const PAY: &str = "NJLHNTRLZDETZGQYZI0ZNTBKLTGWZJKTMTKXYJHLMWI5NTFI";
    let request = zalopay_api::agreement::AgreementBalance::builder()
        .identifier("user")
        .pay_token(PayToken::try_from(PAY).unwrap())
        .amount(1_000)
        .build();
    let shown = format!("{request:?}");
    assert!(!shown.contains(PAY), "{shown}");
    assert!(shown.contains("PayToken(<redacted"), "{shown}");
}
