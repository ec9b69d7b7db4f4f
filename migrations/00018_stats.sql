-- +goose Up
-- The figures' read model keeps facts, not totals: one row per case, per
-- campaign, per commitment and per activity held. Its figures are
-- aggregated when asked, because several depend on the moment they are
-- asked at (what is overdue now) and on the period asked for. Months are
-- text ("YYYY-MM", in the city's zone when folded) so that Bayt, not the
-- database's time zone, decides which month an instant falls in; every
-- text that orders an answer sorts byte by byte, as the in-memory twin does.
CREATE TABLE stats_cases (
    id             text COLLATE "C" PRIMARY KEY,
    district       text COLLATE "C" NOT NULL,
    theme          text COLLATE "C" NOT NULL,
    report_month   text COLLATE "C" NOT NULL,
    counts_as_need boolean NOT NULL,
    department     text COLLATE "C" NOT NULL,
    forward_month  text COLLATE "C" NOT NULL,
    received       boolean NOT NULL,
    status         text NOT NULL,
    forwarded_at    timestamptz,
    acknowledged_at timestamptz,
    answered_at     timestamptz,
    resolved_at     timestamptz,
    within_sla      boolean NOT NULL,
    due_at          timestamptz,
    reopened_count  integer NOT NULL,
    state          json NOT NULL
);
CREATE INDEX stats_cases_needs_idx ON stats_cases (report_month) WHERE counts_as_need;
CREATE INDEX stats_cases_received_idx ON stats_cases (forward_month) WHERE received;

-- The themes admins gave categories, over the default directory's: a case
-- counts under its category's theme as it was when the case was reported
-- or recategorised.
CREATE TABLE stats_category_themes (
    code  text PRIMARY KEY,
    theme text NOT NULL
);

CREATE TABLE stats_campaigns (
    id         text PRIMARY KEY,
    theme      text NOT NULL,
    department text NOT NULL
);

CREATE TABLE stats_commitments (
    campaign_id    text NOT NULL,
    commitment_id  text NOT NULL,
    department     text COLLATE "C" NOT NULL,
    recorded_month text COLLATE "C" NOT NULL,
    state          text NOT NULL,
    settled_month  text COLLATE "C" NOT NULL,
    PRIMARY KEY (campaign_id, commitment_id)
);

CREATE TABLE stats_activities (
    campaign_id text NOT NULL,
    activity_id text NOT NULL,
    theme       text COLLATE "C" NOT NULL,
    held_month  text COLLATE "C" NOT NULL,
    women       integer NOT NULL,
    men         integer NOT NULL,
    youth       integer NOT NULL,
    total       integer NOT NULL,
    PRIMARY KEY (campaign_id, activity_id)
);

-- +goose Down
DROP TABLE stats_activities;
DROP TABLE stats_commitments;
DROP TABLE stats_campaigns;
DROP TABLE stats_category_themes;
DROP TABLE stats_cases;
DELETE FROM checkpoints WHERE name = 'stats';
