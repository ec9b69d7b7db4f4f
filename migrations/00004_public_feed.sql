-- +goose Up
-- The responsiveness of departments is read from when each step of the
-- municipal response first happened.
ALTER TABLE case_list
    ADD COLUMN forwarded_at    timestamptz,
    ADD COLUMN acknowledged_at timestamptz,
    ADD COLUMN resolved_at     timestamptz,
    ADD COLUMN within_sla      boolean NOT NULL DEFAULT false;

-- public_feed holds the redacted public events, in log order: the live
-- feed replays from it and the board's "recent" list reads it. Written by
-- the case list projection in the same transaction as case_list.
CREATE TABLE public_feed (
    position bigint PRIMARY KEY,
    stream   text NOT NULL,
    item     jsonb NOT NULL
);

-- +goose Down
DROP TABLE public_feed;
ALTER TABLE case_list DROP COLUMN forwarded_at, DROP COLUMN acknowledged_at,
    DROP COLUMN resolved_at, DROP COLUMN within_sla;
