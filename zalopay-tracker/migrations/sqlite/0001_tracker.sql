-- Orders, refunds and events of zalopay-tracker (SQLite).
CREATE TABLE tracked_orders (
    app_trans_id    TEXT PRIMARY KEY,
    app_id          INTEGER NOT NULL,
    amount          INTEGER NOT NULL,
    app_time        INTEGER NOT NULL,
    expire_at       INTEGER NOT NULL,
    state           TEXT NOT NULL,
    order_url       TEXT,
    zp_trans_id     INTEGER,
    paid_amount     INTEGER,
    sub_return_code INTEGER,
    confirmed_by    TEXT,
    next_poll_at    INTEGER,
    error_streak    INTEGER NOT NULL DEFAULT 0,
    polls           INTEGER NOT NULL DEFAULT 0,
    metadata        TEXT NOT NULL DEFAULT '{}',
    recorded_at     INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    lease_owner     TEXT,
    lease_until     INTEGER
);
CREATE INDEX tracked_orders_due ON tracked_orders (next_poll_at) WHERE next_poll_at IS NOT NULL;
CREATE INDEX tracked_orders_recorded ON tracked_orders (recorded_at);

CREATE TABLE tracked_refunds (
    m_refund_id     TEXT PRIMARY KEY,
    app_id          INTEGER NOT NULL,
    zp_trans_id     INTEGER NOT NULL,
    amount          INTEGER NOT NULL,
    "timestamp"     INTEGER NOT NULL,
    state           TEXT NOT NULL,
    refund_id       INTEGER,
    sub_return_code INTEGER,
    next_poll_at    INTEGER,
    error_streak    INTEGER NOT NULL DEFAULT 0,
    polls           INTEGER NOT NULL DEFAULT 0,
    recorded_at     INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    lease_owner     TEXT,
    lease_until     INTEGER
);
CREATE INDEX tracked_refunds_due ON tracked_refunds (next_poll_at) WHERE next_poll_at IS NOT NULL;

CREATE TABLE tracker_events (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    idempotency_key TEXT NOT NULL UNIQUE,
    subject         TEXT NOT NULL,
    kind            TEXT NOT NULL,
    payload         TEXT NOT NULL,
    status          TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    next_attempt_at INTEGER NOT NULL,
    done_at         INTEGER,
    lease_until     INTEGER
);
CREATE INDEX tracker_events_due ON tracker_events (next_attempt_at) WHERE status = 'pending';
CREATE INDEX tracker_events_subject ON tracker_events (subject);
