-- +goose Up
-- The personal-data vault (crypto-shredding). Each data subject has a key of
-- their own in vault_keys and one sealed record in vault_data, encrypted
-- with AES-256-GCM under that key and bound to the subject id. Erasing a
-- person deletes the key row only: the ciphertext stays, unreadable, and the
-- event log, which holds subject ids and never personal data, is untouched.
-- vault_data deliberately has no foreign key to vault_keys, because the key
-- goes first and for good.
CREATE TABLE vault_keys (
    subject    text PRIMARY KEY,
    key        bytea NOT NULL CHECK (octet_length(key) = 32),
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE vault_data (
    subject    text PRIMARY KEY,
    nonce      bytea NOT NULL CHECK (octet_length(nonce) = 12),
    ciphertext bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- vault_erasures remembers who was erased, so that reading an erased
-- subject answers "erased" rather than "unknown".
CREATE TABLE vault_erasures (
    subject   text PRIMARY KEY,
    erased_at timestamptz NOT NULL
);

-- tokens are staff bearer credentials. Only sha256 of the secret is kept:
-- a leaked table grants nobody access. An officer acts for one department;
-- nobody else has one.
CREATE TABLE tokens (
    id         text PRIMARY KEY,
    name       text NOT NULL,
    role       text NOT NULL CHECK (role IN ('admin', 'advocate', 'officer')),
    department text,
    hash       bytea NOT NULL UNIQUE CHECK (octet_length(hash) = 32),
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz,
    CHECK ((role = 'officer') = (department IS NOT NULL))
);

-- +goose Down
DROP TABLE tokens;
DROP TABLE vault_erasures;
DROP TABLE vault_data;
DROP TABLE vault_keys;
