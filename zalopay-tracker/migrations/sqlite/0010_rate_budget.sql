-- The shared rate budget (D-160): one token bucket per app for everything the tracker sends,
-- drawn from by every instance on this database. tokens: milli-tokens held at refilled_at;
-- paused_until: nothing is sent before it (a -429 or Retry-After paused the group).
CREATE TABLE tracker_rate_budget (
    app_id       INTEGER PRIMARY KEY,
    tokens       INTEGER NOT NULL,
    refilled_at  INTEGER NOT NULL,
    paused_until INTEGER NOT NULL DEFAULT 0
);
-- Deadline-first leasing (D-161): the due rows past their expiry (the final query, the 48-hour
-- edge) are leased before routine polls through their own index.
CREATE INDEX tracked_orders_due_final ON tracked_orders (next_poll_at)
    WHERE next_poll_at IS NOT NULL AND next_poll_at >= expire_at;
