//! Postgres: events committed by other instances, through LISTEN/NOTIFY (D-151). The insert
//! of an event notifies in its own transaction (so only on commit); a listener per running
//! dispatcher rings the process's bell. Polling stays the fallback: while the listener is
//! down the dispatcher still runs on its tick, and every (re)connection rings once, since
//! events committed meanwhile were announced to nobody.

use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgListener, PgPoolOptions};

use super::wakeups::{EVENTS_CHANNEL, EventBell};

/// Wait before connecting again after the listener failed.
const RETRY: Duration = Duration::from_secs(1);

/// Where the listener connects. `Debug` leaves the options (and their password) out.
#[derive(Clone)]
pub(crate) struct ListenTarget(pub(crate) PgConnectOptions);

impl std::fmt::Debug for ListenTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ListenTarget(..)")
    }
}

/// Listens until the task is aborted, ringing `bell` for every notification but those of
/// the store named `origin` (which rang it already) and after every (re)connection.
pub(crate) async fn listen(target: ListenTarget, bell: EventBell, origin: Arc<str>) {
    loop {
        let pool = PgPoolOptions::new()
            .max_connections(1)
            .connect_lazy_with(target.0.clone());
        match PgListener::connect_with(&pool).await {
            Ok(mut listener) => match listener.listen(EVENTS_CHANNEL).await {
                Ok(()) => {
                    bell.ring();
                    loop {
                        match listener.try_recv().await {
                            Ok(Some(notice)) => {
                                // The payload is `<origin> <event id>`.
                                if notice.payload().split(' ').next() != Some(&*origin) {
                                    bell.ring();
                                }
                            }
                            // Reconnected and listening again: what came meanwhile is lost.
                            Ok(None) => bell.ring(),
                            Err(error) => {
                                tracing::warn!(%error, "event listener dropped: polling until it is back");
                                break;
                            }
                        }
                    }
                }
                Err(error) => tracing::warn!(%error, "could not listen for events"),
            },
            Err(error) => tracing::warn!(%error, "could not connect the event listener"),
        }
        pool.close().await;
        tokio::time::sleep(RETRY).await;
    }
}
