//! RSA for the two operations that need it (`rsa` feature):
//!
//! * [`MerchantRsaKey`] signs disbursement top-up: `sig = base64(RSASSA-PKCS1-v1_5-SHA256(
//!   merchant_private_key, utf8(hex_hmac)))` (api-facts §1.3, KAT §19.2 (3)).
//! * [`ZaloPayPublicKey`] encrypts quick pay's `payment_code`. ZaloPay does not state the
//!   padding; PKCS#1 v1.5 is used here and is **unconfirmed**.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rsa::pkcs1::DecodeRsaPublicKey as _;
use rsa::pkcs1v15::SigningKey;
use rsa::pkcs8::{DecodePrivateKey as _, DecodePublicKey as _};
use rsa::sha2::Sha256;
use rsa::signature::{SignatureEncoding as _, Signer as _};
use rsa::{Pkcs1v15Encrypt, RsaPrivateKey, RsaPublicKey};

use crate::Error;

/// The merchant's RSA private key issued by ZaloPay for disbursement (PKCS#8).
///
/// `Debug` prints `MerchantRsaKey([REDACTED])`.
#[derive(Clone)]
pub struct MerchantRsaKey {
    signing: SigningKey<Sha256>,
}

impl MerchantRsaKey {
    /// Parses a PKCS#8 private key given as base64 of its DER (one line, as ZaloPay hands
    /// it out). Whitespace and PEM armour lines are ignored.
    pub fn from_pkcs8_base64(text: &str) -> Result<Self, Error> {
        let der = decode_base64_body(text)?;
        let key = RsaPrivateKey::from_pkcs8_der(&der)
            .map_err(|e| Error::Config(format!("invalid PKCS#8 RSA private key: {e}")))?;
        Ok(Self {
            signing: SigningKey::<Sha256>::new(key),
        })
    }

    /// RSASSA-PKCS1-v1_5 with SHA-256 over `msg`, base64 (standard alphabet, padded).
    pub fn sign_base64(&self, msg: &[u8]) -> Result<String, Error> {
        let signature = self
            .signing
            .try_sign(msg)
            .map_err(|e| Error::Config(format!("RSA signing failed: {e}")))?;
        Ok(STANDARD.encode(signature.to_bytes()))
    }
}

impl std::fmt::Debug for MerchantRsaKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MerchantRsaKey([REDACTED])")
    }
}

/// ZaloPay's RSA public key, for encrypting quick pay's `payment_code`.
#[derive(Clone, Debug)]
pub struct ZaloPayPublicKey {
    key: RsaPublicKey,
}

impl ZaloPayPublicKey {
    /// Parses a public key given as base64 of its DER, either SubjectPublicKeyInfo
    /// (`BEGIN PUBLIC KEY`) or PKCS#1 (`BEGIN RSA PUBLIC KEY`). PEM armour lines are ignored.
    pub fn from_base64_der(text: &str) -> Result<Self, Error> {
        let der = decode_base64_body(text)?;
        let key = RsaPublicKey::from_public_key_der(&der)
            .or_else(|_| RsaPublicKey::from_pkcs1_der(&der))
            .map_err(|e| Error::Config(format!("invalid RSA public key: {e}")))?;
        Ok(Self { key })
    }

    /// Encrypts the raw payment code with PKCS#1 v1.5 padding (**unconfirmed**: ZaloPay's
    /// docs do not name the padding) and returns base64.
    ///
    /// The client does this itself for [`QuickPay`](crate::quickpay::QuickPay) when the key
    /// is in [`Config`](crate::Config::with_zalopay_public_key).
    pub fn encrypt_payment_code(&self, payment_code_raw: &str) -> Result<String, Error> {
        crate::fill::Encryptor::encrypt(self, "payment_code", payment_code_raw.as_bytes())
    }
}

impl crate::fill::Encryptor for ZaloPayPublicKey {
    fn encrypt(&self, field: &'static str, plain: &[u8]) -> Result<String, Error> {
        let mut rng = rsa::rand_core::OsRng;
        let encrypted = self
            .key
            .encrypt(&mut rng, Pkcs1v15Encrypt, plain)
            .map_err(|e| Error::InvalidField {
                field,
                reason: format!("RSA encryption with ZaloPay's public key failed: {e}"),
            })?;
        Ok(STANDARD.encode(encrypted))
    }
}

fn decode_base64_body(text: &str) -> Result<Vec<u8>, Error> {
    let body: String = text
        .lines()
        .filter(|line| !line.trim_start().starts_with("-----"))
        .flat_map(|line| line.chars())
        .filter(|c| !c.is_whitespace())
        .collect();
    STANDARD
        .decode(body.as_bytes())
        .map_err(|e| Error::Config(format!("RSA key is not valid base64: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// api-facts §19.1: the public 512-bit test key of the Node SDK and the disbursement sample.
    const TEST_KEY: &str = "MIIBVQIBADANBgkqhkiG9w0BAQEFAASCAT8wggE7AgEAAkEAuhr9fssauZOaef4HCEJ4OAJQ6g8yO8de5KwB1LM/fIlRZGsnD0VO+YBGrdttnKsieErQPujmyV7Tnw19yLVGGwIDAQABAkEAgpPzbyZUrwbIqXW6O2pf7XR6j29wII9nnmytsC7AicCd2uGAd+yHKEOQGEHBN+rm/IZ8F5WWT2OpnOTY3DZTgQIhAPyzS24ahh0ogYuDy4VXsiLscEAngrAvZA5qpWWPFV9BAiEAvIkWcJzM9kaJ2YjoNcGvO3ydDsepNeC79dfIA7tL6lsCIELaRChayARKxQrd0SfzrWLj3kZ6rW5i+zt9J0iY8/SBAiEAsw53c2hX+KWxkhpGf5d9dz+4YisZ94OCv8+5tGGTjfUCIEs9pi1DsVZBi0HNibXIpVBO4KERvHBJ92bAbPeplIb2";

    #[test]
    fn published_rsa_vector() {
        // api-facts §19.2 (3), from the Node SDK's rsaUtils.test.ts.
        let key = MerchantRsaKey::from_pkcs8_base64(TEST_KEY).unwrap();
        let sig = key
            .sign_base64(b"cd7a32337eedd9763bda3a0654ac9855f36f8d759b7a505e4bfd646a5f5b8056")
            .unwrap();
        assert_eq!(
            sig,
            "FUsBSTRZAIuz5A8F+KZixT8q3s7iLgLQJLqFzPfazdJnoHv9FJxCRlLaGk10b3SUnsEtLOAkhpQk9QXsepFotw=="
        );
        assert_eq!(format!("{key:?}"), "MerchantRsaKey([REDACTED])");
        assert!(MerchantRsaKey::from_pkcs8_base64("not base64!").is_err());
        assert!(MerchantRsaKey::from_pkcs8_base64("AAAA").is_err());
    }

    #[test]
    fn payment_code_encryption_round_trips() {
        let private =
            RsaPrivateKey::from_pkcs8_der(&decode_base64_body(TEST_KEY).unwrap()).unwrap();
        let public = RsaPublicKey::from(&private);
        let der = rsa::pkcs8::EncodePublicKey::to_public_key_der(&public).unwrap();
        let key = ZaloPayPublicKey::from_base64_der(&STANDARD.encode(der.as_bytes())).unwrap();
        let encrypted = key.encrypt_payment_code("PAYMENTCODERAW123").unwrap();
        let bytes = STANDARD.decode(encrypted).unwrap();
        let plain = private.decrypt(Pkcs1v15Encrypt, &bytes).unwrap();
        assert_eq!(plain, b"PAYMENTCODERAW123");
    }
}
