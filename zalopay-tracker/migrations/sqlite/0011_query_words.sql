-- One name per idea (issue 25 item 7, D-173): a query is one status request to the gateway,
-- a poll is the pass that sends the due ones. The columns say query, like the Rust fields.
ALTER TABLE tracked_orders RENAME COLUMN next_poll_at TO next_query_at;
ALTER TABLE tracked_orders RENAME COLUMN polls TO queries;
ALTER TABLE tracked_refunds RENAME COLUMN next_poll_at TO next_query_at;
ALTER TABLE tracked_refunds RENAME COLUMN polls TO queries;
