//! Sandbox, production, or your own base URL (an emulator, a proxy).

use crate::endpoint::Host;

/// Where requests go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Environment {
    /// ZaloPay's sandbox hosts (`sb-openapi`, `sbgateway`, `sbapimep`).
    Sandbox,
    /// ZaloPay's production hosts (`openapi`, `gateway`, `apimep`).
    Production,
    /// One base URL for every host family, e.g. `http://127.0.0.1:8090` for the emulator.
    Custom(String),
}

impl Environment {
    /// Parses `sandbox`, `production`, or a base URL starting with `http://` or `https://`.
    pub fn parse(text: &str) -> Result<Self, crate::Error> {
        match text {
            "sandbox" => Ok(Self::Sandbox),
            "production" => Ok(Self::Production),
            url if url.starts_with("http://") || url.starts_with("https://") => {
                Ok(Self::Custom(url.trim_end_matches('/').to_owned()))
            }
            other => Err(crate::Error::Config(format!(
                "unknown environment `{other}`: expected `sandbox`, `production` or a base URL such as http://127.0.0.1:8090"
            ))),
        }
    }

    /// The base URL (no trailing `/`) for a host family.
    pub fn base_url(&self, host: Host) -> &str {
        match (self, host) {
            (Self::Custom(url), _) => url,
            (Self::Sandbox, Host::OpenApi) => "https://sb-openapi.zalopay.vn",
            (Self::Sandbox, Host::Gateway) => "https://sbgateway.zalopay.vn",
            (Self::Sandbox, Host::Zod) => "https://sbapimep.zalopay.vn",
            (Self::Production, Host::OpenApi) => "https://openapi.zalopay.vn",
            (Self::Production, Host::Gateway) => "https://gateway.zalopay.vn",
            (Self::Production, Host::Zod) => "https://apimep.zalopay.vn",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_per_family() {
        assert_eq!(
            Environment::Sandbox.base_url(Host::OpenApi),
            "https://sb-openapi.zalopay.vn"
        );
        assert_eq!(
            Environment::Production.base_url(Host::Zod),
            "https://apimep.zalopay.vn"
        );
        let custom = Environment::parse("http://127.0.0.1:8090/").unwrap();
        assert_eq!(custom.base_url(Host::Gateway), "http://127.0.0.1:8090");
        assert!(Environment::parse("staging").is_err());
    }
}
