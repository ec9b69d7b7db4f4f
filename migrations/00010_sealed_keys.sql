-- +goose Up
-- Data keys and remembered answers are sealed under a master key kept
-- outside the database, so that a copy of the database alone opens
-- nobody. master_key_id names the master key a row is sealed under: a
-- wrong key is then told apart from a damaged row, and a rotation that
-- stopped half-way resumes with the rows not yet under the new key. Rows
-- from before sealing have no id; `bayt serve` seals them under the
-- configured master key when it starts, and `bayt keys rotate` does too.
ALTER TABLE vault_keys ADD COLUMN master_key_id text;
-- A clear key is 32 bytes; a sealed one adds a 12-byte nonce and a 16-byte
-- tag.
ALTER TABLE vault_keys DROP CONSTRAINT vault_keys_key_check;
ALTER TABLE vault_keys ADD CONSTRAINT vault_keys_key_check
    CHECK (octet_length(key) = CASE WHEN master_key_id IS NULL THEN 32 ELSE 60 END);

-- request_hash and body are sealed as well: the body holds a report's
-- tracking token, and the hash of a request that is little more than a
-- name would let anyone holding a dump test names against it.
ALTER TABLE idempotency_keys ADD COLUMN master_key_id text;

-- vault_secrets holds the application's own keys, sealed under the master
-- key like a person's: the secret of the keyed hashes that let a person
-- sign a petition once. It is not derived from the master key itself, so
-- that rotating the master key leaves every keyed hash in the log valid.
CREATE TABLE vault_secrets (
    name          text PRIMARY KEY,
    key           bytea NOT NULL CHECK (octet_length(key) = 60),
    master_key_id text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
-- Sealed keys cannot be opened in SQL: going down fails on the check below
-- while any data key is sealed, rather than leave keys nobody can use.
-- Sealed answers are forgotten: they are only retries' memory.
DROP TABLE vault_secrets;
DELETE FROM idempotency_keys WHERE master_key_id IS NOT NULL;
ALTER TABLE idempotency_keys DROP COLUMN master_key_id;
ALTER TABLE vault_keys DROP CONSTRAINT vault_keys_key_check;
ALTER TABLE vault_keys ADD CONSTRAINT vault_keys_key_check CHECK (octet_length(key) = 32);
ALTER TABLE vault_keys DROP COLUMN master_key_id;
