-- +goose Up
-- streams is the head row of each stream: optimistic concurrency reads and
-- moves it, and its last_hash lets audit verify notice a removed newest event.
CREATE TABLE streams (
    id         text PRIMARY KEY,
    type       text NOT NULL,
    version    bigint NOT NULL CHECK (version > 0),
    last_hash  bytea NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);

-- events is the log: one total order (position) handed out under the append
-- lock, so positions are dense and known at commit. Every index here costs
-- each append; event ids are ULIDs made by the store, unique without one.
CREATE TABLE events (
    position        bigint PRIMARY KEY,
    stream_id       text NOT NULL,
    stream_version  bigint NOT NULL,
    event_id        text NOT NULL,
    type            text NOT NULL,
    schema_version  int NOT NULL,
    payload         jsonb NOT NULL,
    metadata        jsonb NOT NULL,
    actor_id        text,
    actor_role      text NOT NULL,
    correlation_id  text,
    causation_id    text,
    recorded_at     timestamptz NOT NULL,
    prev_hash       bytea NOT NULL,
    hash            bytea NOT NULL,
    log_prev_hash   bytea NOT NULL,
    log_hash        bytea NOT NULL,
    UNIQUE (stream_id, stream_version)
);

-- +goose StatementBegin
CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'events are append-only: % refused', TG_OP;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER events_append_only
    BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION events_append_only();
CREATE TRIGGER events_no_truncate
    BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION events_append_only();

-- idempotency_keys remembers the first answer to a keyed request; it is
-- written in the same transaction as the events that request appended.
CREATE TABLE idempotency_keys (
    key          text PRIMARY KEY,
    request_hash bytea NOT NULL,
    status       int NOT NULL,
    body         bytea NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);

-- checkpoints is where each projection or relay keeps the last position it
-- applied, updated in the same transaction as its read model.
CREATE TABLE checkpoints (
    name       text PRIMARY KEY,
    position   bigint NOT NULL DEFAULT 0,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE checkpoints;
DROP TABLE idempotency_keys;
DROP TABLE events;
DROP FUNCTION events_append_only();
DROP TABLE streams;
