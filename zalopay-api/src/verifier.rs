//! The one callback verifier every framework integration shares: keys, the app id it serves,
//! and what a refused callback looks like.

use std::sync::Arc;

use crate::callback::{Callback, CallbackError, CallbackReply, verify_callback};
use crate::sign::Keys;

/// Verifies ZaloPay callbacks for one app: the state a web framework keeps for its callback
/// route (axum's `State`, actix-web's `app_data`).
///
/// Cheap to clone (the keys are shared, never copied). `Debug` shows no key.
///
/// ```
/// use zalopay_api::{CallbackVerifier, Keys};
///
/// let keys = Keys::new("key1…", "key2…")?;
/// let verifier = CallbackVerifier::for_app(keys, 2553);
/// assert_eq!(verifier.app_id(), Some(2553));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct CallbackVerifier {
    keys: Arc<Keys>,
    app_id: Option<i64>,
}

impl CallbackVerifier {
    /// A verifier that accepts a correctly signed callback for any app id.
    pub fn new(keys: Keys) -> Self {
        Self {
            keys: Arc::new(keys),
            app_id: None,
        }
    }

    /// A verifier that also refuses correctly signed callbacks for another app
    /// ([`CallbackError::WrongAppId`]).
    pub fn for_app(keys: Keys, app_id: i64) -> Self {
        Self {
            keys: Arc::new(keys),
            app_id: Some(app_id),
        }
    }

    /// The app id callbacks must carry, if one was given.
    pub fn app_id(&self) -> Option<i64> {
        self.app_id
    }

    /// [`verify_callback`] with these keys and this app id.
    pub fn verify(&self, raw_body: &[u8]) -> Result<Callback, CallbackError> {
        verify_callback(&self.keys, self.app_id, raw_body)
    }
}

/// Why a framework integration did not hand a callback to the handler.
///
/// Turned into the response ZaloPay expects by the integration: HTTP 200 with
/// [`CallbackReply::for_error`] for a refused or unreadable callback, HTTP 500 when the route
/// has no [`CallbackVerifier`] (a deployment mistake; ZaloPay calls again).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CallbackRejection {
    /// The body could not be read or did not verify.
    #[error(transparent)]
    Refused(#[from] CallbackError),
    /// The route was mounted without a [`CallbackVerifier`] in the application's data.
    #[error("no CallbackVerifier is registered for the ZaloPay callback route")]
    NoVerifier,
}

impl CallbackRejection {
    /// The reply ZaloPay gets for this rejection, or `None` when the answer is an HTTP error
    /// without a reply body ([`NoVerifier`](Self::NoVerifier)).
    pub fn reply(&self) -> Option<CallbackReply> {
        match self {
            CallbackRejection::Refused(error) => Some(CallbackReply::for_error(error)),
            CallbackRejection::NoVerifier => None,
        }
    }

    /// Logs the rejection (the error kind only: nothing secret, nothing from the body).
    #[cfg(any(feature = "http", feature = "axum", feature = "actix"))]
    pub(crate) fn log(&self) {
        match self {
            CallbackRejection::Refused(CallbackError::Unreadable(_)) => {
                tracing::warn!(error = %self, "could not read a ZaloPay callback body");
            }
            CallbackRejection::Refused(_) => {
                tracing::warn!(error = %self, "refused a ZaloPay callback");
            }
            CallbackRejection::NoVerifier => tracing::error!(error = %self),
        }
    }
}
