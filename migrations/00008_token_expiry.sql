-- +goose Up
-- A staff token may be issued for a limited time: past expires_at it
-- authenticates nobody, exactly as a revoked one. NULL is a token that
-- lives until it is revoked, which every token issued before this
-- migration remains.
ALTER TABLE tokens ADD COLUMN expires_at timestamptz;

-- +goose Down
ALTER TABLE tokens DROP COLUMN expires_at;
