-- +goose Up
-- case_list is the case read model: one row per case, with the columns the
-- list filters on and the folded state for rendering.
CREATE TABLE case_list (
    id         text PRIMARY KEY,
    status     text NOT NULL,
    district   text NOT NULL,
    category   text NOT NULL,
    department text NOT NULL DEFAULT '',
    priority   text NOT NULL,
    due_at     timestamptz,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    search     text NOT NULL,
    state      jsonb NOT NULL,
    position   bigint NOT NULL
);
CREATE INDEX case_list_created_idx ON case_list (created_at DESC, id DESC);
CREATE INDEX case_list_status_idx ON case_list (status, created_at DESC, id DESC);
CREATE INDEX case_list_department_idx ON case_list (department, status);

-- +goose Down
DROP TABLE case_list;
