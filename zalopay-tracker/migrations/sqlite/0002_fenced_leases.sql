-- Fenced leases (D-110): every lease granted raises the row's generation; writes, renewals
-- and deliveries made under a lease name it and are refused once the row was leased again.
ALTER TABLE tracked_orders ADD COLUMN lease_token INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tracked_refunds ADD COLUMN lease_token INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tracker_events ADD COLUMN lease_owner TEXT;
ALTER TABLE tracker_events ADD COLUMN lease_token INTEGER NOT NULL DEFAULT 0;
