//! Waking dispatchers when events are committed, so that the handler runs without waiting
//! for a pass (D-151): the store rings a bell after each commit that stored a new event;
//! every dispatcher of the process holds a [`EventWakeups`] on it. On Postgres a listener
//! rings the same bell when another instance commits one (LISTEN/NOTIFY).

use std::sync::Arc;

use tokio::sync::watch;

/// The Postgres channel an event insert notifies on, and the listener of every other
/// instance listens to (D-151).
pub(crate) const EVENTS_CHANNEL: &str = "zalopay_tracker_events";

/// The bell a store rings after committing new events. Clones ring the same bell.
#[derive(Debug, Clone)]
pub(crate) struct EventBell {
    /// A counter: a dispatcher wakes when it changed since it last looked, so a ring while
    /// a pass runs is never lost and many rings make one more pass.
    rung: Arc<watch::Sender<u64>>,
}

impl Default for EventBell {
    fn default() -> Self {
        Self {
            rung: Arc::new(watch::Sender::new(0)),
        }
    }
}

impl EventBell {
    /// Wakes every dispatcher waiting on this bell (or makes its next wait return at once).
    pub(crate) fn ring(&self) {
        self.rung.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// A dispatcher's side of the bell.
    pub(crate) fn subscribe(&self) -> EventWakeups {
        EventWakeups {
            rung: Some(self.rung.subscribe()),
            #[cfg(feature = "postgres")]
            _listener: None,
        }
    }
}

/// Stops a background task when dropped.
#[cfg(feature = "postgres")]
#[derive(Debug)]
pub(crate) struct AbortOnDrop(pub(crate) tokio::task::JoinHandle<()>);

#[cfg(feature = "postgres")]
impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// What wakes one dispatcher: events committed by this process and, on Postgres, by other
/// instances ([`Store::event_wakeups`](super::Store::event_wakeups)). Dropping it stops the
/// listener it may hold.
#[derive(Debug)]
pub struct EventWakeups {
    rung: Option<watch::Receiver<u64>>,
    /// The task listening for other instances' events, if any: it lives as long as this.
    #[cfg(feature = "postgres")]
    _listener: Option<AbortOnDrop>,
}

impl EventWakeups {
    /// Wakeups that never come: the dispatcher relies on its poll tick alone.
    pub fn never() -> Self {
        Self {
            rung: None,
            #[cfg(feature = "postgres")]
            _listener: None,
        }
    }

    #[cfg(feature = "postgres")]
    pub(crate) fn with_listener(mut self, listener: AbortOnDrop) -> Self {
        self._listener = Some(listener);
        self
    }

    /// Returns once events may have been committed since the last call returned (at once if
    /// they were while the caller was busy); never, for [`never`](Self::never).
    pub async fn wait(&mut self) {
        match self.rung.as_mut() {
            Some(rung) => {
                if rung.changed().await.is_err() {
                    // The store is gone: nothing will ring again.
                    self.rung = None;
                    std::future::pending::<()>().await;
                }
            }
            None => std::future::pending::<()>().await,
        }
    }
}
