-- +goose Up
-- audit_verifications records each run of bayt audit verify, so an
-- operator (and bayt doctor) can tell when the log was last proved intact.
CREATE TABLE audit_verifications (
    verified_at timestamptz NOT NULL DEFAULT now(),
    ok          boolean     NOT NULL,
    events      bigint      NOT NULL,
    head        bigint      NOT NULL,
    head_hash   bytea,
    failure     text        NOT NULL DEFAULT ''
);
CREATE INDEX audit_verifications_at ON audit_verifications (verified_at DESC);

-- +goose Down
DROP TABLE audit_verifications;
