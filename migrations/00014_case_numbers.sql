-- +goose Up
-- Every case gets a short public number per year (2026-0142): the year of
-- its report in the city's time zone and its rank among that year's reports
-- in the order of the log. The case list gives them as it folds the
-- reports; case_numbers holds each year's last rank given. The projection's
-- runner is the only writer of its tables, so the count needs no lock of
-- its own; the unique index is the backstop. Numbers are read by people and
-- looked up by search, so they are a column of their own.
--
-- A resident comes back with the tracking token their report gave them, and
-- nothing else: token_hash (the sha256 the report's event keeps, never the
-- token) finds their case.
ALTER TABLE case_list ADD COLUMN number text, ADD COLUMN token_hash bytea;
CREATE UNIQUE INDEX case_list_number ON case_list (number);
CREATE INDEX case_list_token_hash ON case_list (token_hash);
CREATE TABLE case_numbers (
    year int PRIMARY KEY,
    last int NOT NULL
);

-- The cases already listed have neither: the case list starts again from
-- the first event (as bayt projections rebuild does), and numbers every case
-- in the order of the log. Until it has caught up, the list shows fewer
-- cases; the log itself is untouched.
DELETE FROM case_list;
DELETE FROM public_feed;
DELETE FROM checkpoints WHERE name = 'case_list';

-- +goose Down
DROP TABLE case_numbers;
DROP INDEX case_list_token_hash;
DROP INDEX case_list_number;
ALTER TABLE case_list DROP COLUMN token_hash, DROP COLUMN number;
