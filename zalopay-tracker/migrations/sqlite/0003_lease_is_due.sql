-- The lease is the next due time (D-140): a row under a live lease is not due before the
-- lease runs out, so leased rows leave the due range.
UPDATE tracked_orders SET next_poll_at = lease_until
WHERE next_poll_at IS NOT NULL AND lease_owner IS NOT NULL AND lease_until > next_poll_at;
UPDATE tracked_refunds SET next_poll_at = lease_until
WHERE next_poll_at IS NOT NULL AND lease_owner IS NOT NULL AND lease_until > next_poll_at;
