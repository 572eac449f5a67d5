-- The simulator's own state, outside the shop's tables: its clock and counters, and the support
-- desk's tickets (so that a ticket reported open on one day can really be resolved on a later one).
CREATE SCHEMA simulator;

CREATE TABLE simulator.state (
    id             integer PRIMARY KEY CHECK (id = 1),
    seed           bigint      NOT NULL,
    scale_factor   numeric     NOT NULL,
    clock          timestamptz NOT NULL,
    next_event_seq bigint      NOT NULL DEFAULT 1,
    last_report    date
);

CREATE TABLE simulator.support_tickets (
    ticket_id         uuid PRIMARY KEY,
    customer_id       integer NOT NULL,
    issue_category    text    NOT NULL,
    issue_description text    NOT NULL,
    date_created      date    NOT NULL,
    status            text    NOT NULL CHECK (status IN ('Resolved', 'Pending', 'Escalated')),
    resolution_date   date,
    CHECK ((status = 'Resolved') = (resolution_date IS NOT NULL))
);
CREATE INDEX support_tickets_open_idx ON simulator.support_tickets (date_created) WHERE status <> 'Resolved';
