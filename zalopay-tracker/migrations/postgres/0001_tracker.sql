-- Orders, refunds and events of zalopay-tracker (Postgres).
CREATE TABLE tracked_orders (
    app_trans_id    TEXT PRIMARY KEY,
    app_id          BIGINT NOT NULL,
    amount          BIGINT NOT NULL,
    app_time        BIGINT NOT NULL,
    expire_at       BIGINT NOT NULL,
    state           TEXT NOT NULL,
    order_url       TEXT,
    zp_trans_id     BIGINT,
    paid_amount     BIGINT,
    sub_return_code BIGINT,
    confirmed_by    TEXT,
    next_poll_at    BIGINT,
    error_streak    BIGINT NOT NULL DEFAULT 0,
    polls           BIGINT NOT NULL DEFAULT 0,
    metadata        TEXT NOT NULL DEFAULT '{}',
    recorded_at     BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    lease_owner     TEXT,
    lease_until     BIGINT
);
CREATE INDEX tracked_orders_due ON tracked_orders (next_poll_at) WHERE next_poll_at IS NOT NULL;
CREATE INDEX tracked_orders_recorded ON tracked_orders (recorded_at);

CREATE TABLE tracked_refunds (
    m_refund_id     TEXT PRIMARY KEY,
    app_id          BIGINT NOT NULL,
    zp_trans_id     BIGINT NOT NULL,
    amount          BIGINT NOT NULL,
    "timestamp"     BIGINT NOT NULL,
    state           TEXT NOT NULL,
    refund_id       BIGINT,
    sub_return_code BIGINT,
    next_poll_at    BIGINT,
    error_streak    BIGINT NOT NULL DEFAULT 0,
    polls           BIGINT NOT NULL DEFAULT 0,
    recorded_at     BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    lease_owner     TEXT,
    lease_until     BIGINT
);
CREATE INDEX tracked_refunds_due ON tracked_refunds (next_poll_at) WHERE next_poll_at IS NOT NULL;

CREATE TABLE tracker_events (
    id              BIGSERIAL PRIMARY KEY,
    idempotency_key TEXT NOT NULL UNIQUE,
    subject         TEXT NOT NULL,
    kind            TEXT NOT NULL,
    payload         TEXT NOT NULL,
    status          TEXT NOT NULL,
    attempts        BIGINT NOT NULL DEFAULT 0,
    created_at      BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    done_at         BIGINT,
    lease_until     BIGINT
);
CREATE INDEX tracker_events_due ON tracker_events (next_attempt_at) WHERE status = 'pending';
CREATE INDEX tracker_events_subject ON tracker_events (subject);
