-- +goose Up
-- Moderation hides a case from the public: every public query of the case
-- list filters on a column of its own rather than a path into the state.
-- No case was moderated before this column, so every row starts visible.
ALTER TABLE case_list ADD COLUMN hidden boolean NOT NULL DEFAULT false;

-- +goose Down
ALTER TABLE case_list DROP COLUMN hidden;
