-- +goose Up
-- console_sessions are the staff console's sign-ins. A session is opened
-- with a token and lives on the server: the browser holds only a random
-- secret, of which only sha256 is kept here. A session authenticates
-- nobody once its token is revoked or expired (the look-up joins tokens
-- every time) or once it has been idle too long (last_seen_at).
CREATE TABLE console_sessions (
    hash         bytea PRIMARY KEY CHECK (octet_length(hash) = 32),
    token_id     text NOT NULL REFERENCES tokens (id),
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX console_sessions_token ON console_sessions (token_id);

-- +goose Down
DROP TABLE console_sessions;
