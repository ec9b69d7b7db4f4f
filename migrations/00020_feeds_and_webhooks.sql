-- +goose Up
-- The Atom feeds read the newest public events of one case, one campaign,
-- one district or one category: each an index walked backwards from the
-- newest, never a scan of the whole feed.
CREATE INDEX public_feed_stream ON public_feed (stream, position);
CREATE INDEX public_feed_district ON public_feed ((item->>'district'), position);
CREATE INDEX public_feed_category ON public_feed ((item->>'category'), position);
CREATE INDEX campaign_feed_stream ON campaign_feed (stream, position);

-- webhooks are the partner organisations' addresses that hear of public
-- case events. No secret is kept: each hook's is derived from the master
-- key's keyed hash and its id. A removed hook keeps its row (deleted_at),
-- so that its delivery log stays readable.
CREATE TABLE webhooks (
    id              text        PRIMARY KEY,
    url             text        NOT NULL,
    description     text        NOT NULL DEFAULT '',
    district        text        NOT NULL DEFAULT '',
    category        text        NOT NULL DEFAULT '',
    created_by      text        NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now(),
    deleted_at      timestamptz,
    -- The Idempotency-Key the hook was registered with, and the hash of
    -- that request's body: a repeat answers the same hook.
    idempotency_key text        UNIQUE,
    request_hash    bytea
);

-- webhook_deliveries is the delivery log: one row per hook and event,
-- which makes a redelivered event (a relay that restarts, every node
-- hearing every event) reach a partner once. The body is fixed at the
-- first attempt, so every retry sends, and signs, the same bytes.
CREATE TABLE webhook_deliveries (
    hook_id         text        NOT NULL REFERENCES webhooks (id),
    event_id        text        NOT NULL,
    position        bigint      NOT NULL,
    event_type      text        NOT NULL,
    body            bytea       NOT NULL,
    -- pending until the partner answered 2xx (delivered), or until every
    -- retry failed and the event went to the poison queue (failed).
    status          text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts        integer     NOT NULL DEFAULT 0,
    last_status     integer,
    last_error      text        NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_attempt_at timestamptz,
    delivered_at    timestamptz,
    PRIMARY KEY (hook_id, event_id)
);
CREATE INDEX webhook_deliveries_log ON webhook_deliveries (hook_id, position DESC);
CREATE INDEX webhook_deliveries_event ON webhook_deliveries (event_id) WHERE status = 'pending';

-- +goose Down
DROP TABLE webhook_deliveries;
DROP TABLE webhooks;
DROP INDEX campaign_feed_stream;
DROP INDEX public_feed_category;
DROP INDEX public_feed_district;
DROP INDEX public_feed_stream;
