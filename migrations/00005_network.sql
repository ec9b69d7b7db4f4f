-- +goose Up
-- campaign_list and organisation_list are the read models of the network:
-- one row per campaign or organisation, the columns the lists filter on
-- and the folded state. campaign_feed is the campaigns' live feed.
CREATE TABLE campaign_list (
    id                text PRIMARY KEY,
    theme             text NOT NULL,
    status            text NOT NULL,
    target_department text NOT NULL,
    organisations     text[] NOT NULL,
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL,
    state             jsonb NOT NULL,
    position          bigint NOT NULL
);
CREATE INDEX campaign_list_created_idx ON campaign_list (created_at DESC, id DESC);
CREATE INDEX campaign_list_organisations_idx ON campaign_list USING gin (organisations);

CREATE TABLE organisation_list (
    id         text PRIMARY KEY,
    name       text NOT NULL,
    kind       text NOT NULL,
    themes     text[] NOT NULL,
    created_at timestamptz NOT NULL,
    state      jsonb NOT NULL,
    position   bigint NOT NULL
);

CREATE TABLE campaign_feed (
    position bigint PRIMARY KEY,
    stream   text NOT NULL,
    item     jsonb NOT NULL
);

-- +goose Down
DROP TABLE campaign_feed;
DROP TABLE organisation_list;
DROP TABLE campaign_list;
