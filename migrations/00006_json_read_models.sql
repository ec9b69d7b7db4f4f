-- +goose Up
-- Read models keep folded state and feed items as json, not jsonb: they are
-- written whole and read whole, never searched inside, and json stores the
-- text as given, which spares a parse on every write and a re-encoding on
-- every read.
ALTER TABLE case_list ALTER COLUMN state TYPE json;
ALTER TABLE public_feed ALTER COLUMN item TYPE json;
ALTER TABLE campaign_list ALTER COLUMN state TYPE json;
ALTER TABLE organisation_list ALTER COLUMN state TYPE json;
ALTER TABLE campaign_feed ALTER COLUMN item TYPE json;

-- +goose Down
ALTER TABLE campaign_feed ALTER COLUMN item TYPE jsonb;
ALTER TABLE organisation_list ALTER COLUMN state TYPE jsonb;
ALTER TABLE campaign_list ALTER COLUMN state TYPE jsonb;
ALTER TABLE public_feed ALTER COLUMN item TYPE jsonb;
ALTER TABLE case_list ALTER COLUMN state TYPE jsonb;
