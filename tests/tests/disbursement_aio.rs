//! The four All-in-One disbursement operations (facts-update §B1), built with their builders
//! (no app id, no time) and sent by the SDK to the emulator.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use zalopay_api::disbursement::{
    BankCodes, DisbursementStatus, DisbursementType, QueryTxn, TransferFund, VerifyAccount,
};
use zalopay_api::ids::PartnerOrderId;
use zalopay_api::{Client, Config, Environment, Error, Keys};
use zalopay_emulator::{Emulator, EmulatorConfig, EmulatorState};

async fn client() -> (Client, zalopay_emulator::RunningEmulator) {
    let running = Emulator::spawn(
        EmulatorState::new(EmulatorConfig::default()),
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .unwrap();
    let keys = Keys::new(
        "PcY4iZIKFCIdgZvA6ueMcMHHUbRLYjPL",
        "kLtgPl8HHhfvMuDHPwKfgfsY4Ydm9eIz",
    )
    .unwrap();
    let config = Config::new(2553, keys, Environment::Custom(running.base_url()));
    (Client::new(config).unwrap(), running)
}

#[tokio::test]
async fn verify_transfer_query_and_bank_codes() {
    let (client, _emulator) = client().await;
    let verified = client
        .send(
            &VerifyAccount::builder()
                .disbursement_type(DisbursementType::Wallet)
                .receiver_info("b64-ciphertext-of-phone")
                .amount(10_000)
                .build(),
        )
        .await
        .unwrap();
    let m_u_id = verified.data.unwrap().m_u_id.unwrap();
    assert!(!m_u_id.is_empty());

    let transfer = TransferFund::builder()
        .payment_id("pay-1")
        .partner_order_id(PartnerOrderId::try_from("aio-1").unwrap())
        .disbursement_type(DisbursementType::Wallet)
        .receiver_info("b64-ciphertext-of-m_u_id")
        .amount(10_000)
        .description("payout")
        .build();
    let paid = client.send(&transfer).await.unwrap();
    assert_eq!(paid.status(), DisbursementStatus::Disbursed);
    // The same partner_order_id again is the gateway's duplicate, never a second payout.
    match client.send(&transfer).await {
        Err(Error::Gateway(gateway)) => assert_eq!(gateway.sub_return_code, Some(-68)),
        other => panic!("expected -68, got {other:?}"),
    }

    let queried = client
        .send(
            &QueryTxn::builder()
                .partner_order_id(PartnerOrderId::try_from("aio-1").unwrap())
                .build(),
        )
        .await
        .unwrap();
    assert_eq!(queried.status(), DisbursementStatus::Disbursed);
    assert_eq!(queried.data.unwrap().amount, Some(10_000));
    let unknown = client
        .send(
            &QueryTxn::builder()
                .partner_order_id(PartnerOrderId::try_from("aio-nope").unwrap())
                .build(),
        )
        .await
        .unwrap();
    assert_eq!(unknown.status(), DisbursementStatus::NotFound);

    let banks = client.send(&BankCodes::builder().build()).await.unwrap();
    assert!(!banks.data.unwrap().bank_list.is_empty());
}

#[test]
fn mac_inputs_follow_the_documented_order() {
    use zalopay_api::SignedRequest;
    let keys = Keys::new("k1", "k2").unwrap();
    let transfer = TransferFund::builder()
        .app_id(2553)
        .payment_id("pay-1")
        .partner_order_id(PartnerOrderId::try_from("aio-1").unwrap())
        .disbursement_type(DisbursementType::Bank)
        .receiver_info("cipher")
        .amount(10_000)
        .description("payout")
        .time(1_726_200_000_000)
        .build();
    assert_eq!(
        transfer.mac_input(&keys),
        "2553|pay-1|aio-1|BANK|cipher|10000|payout|{}|{}|1726200000000"
    );
    let verify = VerifyAccount::builder()
        .app_id(2553)
        .disbursement_type(DisbursementType::Wallet)
        .receiver_info("cipher")
        .amount(1)
        .time(5)
        .build();
    assert_eq!(verify.mac_input(&keys), "2553|WALLET|cipher|1|5");
    let bank_codes = BankCodes::builder().app_id(2553).time(5).build();
    assert_eq!(bank_codes.mac_input(&keys), "2553|5");
}
