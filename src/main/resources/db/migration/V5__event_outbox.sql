-- The transactional outbox: the simulator writes each event in the same database transaction as
-- the rows it describes, and a relay publishes it to Kafka afterwards. A crash or a broker that is
-- down between the two commits used to lose the tick's events while its rows stayed; now they
-- wait here until a relay sends them. Rows are marked, not deleted, when sent (kept for
-- outbox.keep-days), so what the shop did can be compared with what the stream holds.
CREATE SCHEMA outbox;

CREATE TABLE outbox.events (
    id             bigserial PRIMARY KEY,
    topic          text        NOT NULL,                -- the EventTopic (STORE, CHECKOUT, STOCK, WEBSITE)
    message_key    text        NOT NULL,
    payload        text        NOT NULL,                -- the Kafka message value: one JSON object
    event_time     timestamptz NOT NULL,                -- the Kafka record timestamp
    created_at     timestamptz NOT NULL DEFAULT now(),
    published_at   timestamptz,                         -- when a relay's Kafka transaction committed it
    refused_reason text                                 -- the broker refused this record for good: why
);

-- what a relay reads: the pending rows, in the order they were written
CREATE INDEX events_pending_idx ON outbox.events (id) WHERE published_at IS NULL AND refused_reason IS NULL;
