//! How many times each (operation, app, merchant id) was sent: the faults' choice for a request
//! is derived from it, so a re-sent id gets a fresh roll and a replay the same ones.
//!
//! Kept in two generations so memory stays flat under endless new ids (a soak, a long-running
//! test bench): an id's count lives while it keeps being sent, and is forgotten between one and
//! two [`EmulatorConfig::fault_memory`](crate::EmulatorConfig::fault_memory) after its last
//! request (then its next request counts as a first attempt again).

use std::collections::HashMap;
use std::time::{Duration, Instant};

type Key = (&'static str, Option<i64>, String);

pub(crate) struct Attempts {
    current: HashMap<Key, u64>,
    previous: HashMap<Key, u64>,
    rotated_at: Instant,
    generation: Duration,
}

impl Attempts {
    pub(crate) fn new(memory: Duration) -> Self {
        Self {
            current: HashMap::new(),
            previous: HashMap::new(),
            rotated_at: Instant::now(),
            generation: memory,
        }
    }

    /// Counts one more request for the key at `now` and returns its attempt number (1 first).
    pub(crate) fn count(&mut self, key: Key, now: Instant) -> u64 {
        if now.saturating_duration_since(self.rotated_at) >= self.generation {
            self.previous = std::mem::take(&mut self.current);
            self.rotated_at = now;
        }
        let before = match self.current.get(&key) {
            Some(count) => *count,
            None => self.previous.remove(&key).unwrap_or(0),
        };
        let count = before.saturating_add(1);
        self.current.insert(key, count);
        count
    }

    /// Ids remembered now (both generations).
    #[cfg(test)]
    fn len(&self) -> usize {
        self.current.len().saturating_add(self.previous.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GEN: Duration = Duration::from_secs(60);

    #[test]
    fn counts_an_id_across_generations_while_it_keeps_coming() {
        let start = Instant::now();
        let mut attempts = Attempts::new(GEN);
        let key = || ("refund", Some(2553), "241207_2553_1".to_owned());
        assert_eq!(attempts.count(key(), start), 1);
        assert_eq!(attempts.count(key(), start + GEN / 2), 2);
        // One rotation later the count moved along with the id.
        assert_eq!(attempts.count(key(), start + GEN + GEN / 2), 3);
        assert_eq!(attempts.count(key(), start + 2 * GEN + GEN / 2), 4);
    }

    #[test]
    fn forgets_ids_not_sent_for_two_generations_so_memory_stays_flat() {
        let start = Instant::now();
        let mut attempts = Attempts::new(GEN);
        let mut peak = 0;
        // 10 new ids a second for 10 generations: what is remembered stays within two
        // generations' worth of ids, however long it runs.
        for second in 0..600u64 {
            for n in 0..10u64 {
                let id = format!("id{second}_{n}");
                attempts.count(
                    ("query", Some(2553), id),
                    start + Duration::from_secs(second),
                );
            }
            peak = peak.max(attempts.len());
        }
        assert!(peak <= 2 * 60 * 10 + 10, "remembered {peak} ids");
        assert!(peak >= 60 * 10, "remembered only {peak} ids");
        // A forgotten id starts again at 1.
        let old = ("query", Some(2553), "id0_0".to_owned());
        assert_eq!(attempts.count(old, start + Duration::from_secs(600)), 1);
    }
}
