-- +goose Up
-- The read models now keep rows of their own, with explicit snake_case JSON
-- names, instead of the aggregates serialised under their Go field names:
-- renaming a field in the domain could otherwise empty a stored value
-- without a word. Read models are derived from the log, so their rows are
-- emptied and their checkpoints removed: the runners fold the log again
-- from the start when Bayt next runs (or run bayt projections rebuild).
DELETE FROM case_list;
DELETE FROM public_feed;
DELETE FROM campaign_list;
DELETE FROM organisation_list;
DELETE FROM campaign_feed;
DELETE FROM checkpoints WHERE name IN ('case_list', 'network');

-- The SLA sweep looks for overdue cases whose breach is not on record:
-- what it filters on is a column, not a path into the state.
ALTER TABLE case_list ADD COLUMN sla_breached_for timestamptz;
CREATE INDEX case_list_due_idx ON case_list (due_at, id) WHERE due_at IS NOT NULL;

-- Ties are broken by id, departments and organisations sorted by code and
-- name, byte by byte whatever the database's collation: the in-memory read
-- models order the same way, so both answer in the same order.
ALTER TABLE case_list ALTER COLUMN id TYPE text COLLATE "C", ALTER COLUMN department TYPE text COLLATE "C";
ALTER TABLE campaign_list ALTER COLUMN id TYPE text COLLATE "C";
ALTER TABLE organisation_list ALTER COLUMN id TYPE text COLLATE "C", ALTER COLUMN name TYPE text COLLATE "C";

-- +goose Down
ALTER TABLE organisation_list ALTER COLUMN id TYPE text COLLATE "default", ALTER COLUMN name TYPE text COLLATE "default";
ALTER TABLE campaign_list ALTER COLUMN id TYPE text COLLATE "default";
ALTER TABLE case_list ALTER COLUMN id TYPE text COLLATE "default", ALTER COLUMN department TYPE text COLLATE "default";
DROP INDEX case_list_due_idx;
ALTER TABLE case_list DROP COLUMN sla_breached_for;
-- The earlier binaries read the aggregates' own JSON: fold the log again.
DELETE FROM campaign_feed;
DELETE FROM organisation_list;
DELETE FROM campaign_list;
DELETE FROM public_feed;
DELETE FROM case_list;
DELETE FROM checkpoints WHERE name IN ('case_list', 'network');
