-- +goose Up
-- A search (q=) matches any part of a case's public text, in Arabic, French
-- or English: LIKE '%…%' on the lower-cased text. A B-tree cannot serve a
-- pattern that starts with a wildcard, and full-text search matches words,
-- not substrings, and has no Arabic configuration; a GIN index of pg_trgm's
-- trigrams serves LIKE '%…%' for any script, so the query and its answers
-- stay what they were.
--
-- pg_trgm is a trusted extension (the database's owner may create it) and
-- exists once per database: it goes in public, or stays wherever it already
-- is, and the index names its operator class there, so that a schema whose
-- search_path leaves public out still finds it. The lock keeps two schemas
-- of one database migrating at once from both creating it.
-- +goose StatementBegin
DO $$
DECLARE
    ext_schema text;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('bayt.pg_trgm'));
    SELECT extnamespace::regnamespace::text INTO ext_schema FROM pg_extension WHERE extname = 'pg_trgm';
    IF ext_schema IS NULL THEN
        CREATE EXTENSION pg_trgm SCHEMA public;
        ext_schema := 'public';
    END IF;
    EXECUTE format('CREATE INDEX case_list_search_trgm ON case_list USING gin (search %s.gin_trgm_ops)', ext_schema);
END
$$;
-- +goose StatementEnd

-- +goose Down
-- The extension stays: other schemas of the database may use it.
DROP INDEX case_list_search_trgm;
