-- +goose Up
-- The Atom feeds read the newest public events of one case, one campaign,
-- one district or one category: each an index walked backwards from the
-- newest, never a scan of the whole feed.
CREATE INDEX public_feed_stream ON public_feed (stream, position);
CREATE INDEX public_feed_district ON public_feed ((item->>'district'), position);
CREATE INDEX public_feed_category ON public_feed ((item->>'category'), position);
CREATE INDEX campaign_feed_stream ON campaign_feed (stream, position);

-- +goose Down
DROP INDEX campaign_feed_stream;
DROP INDEX public_feed_category;
DROP INDEX public_feed_district;
DROP INDEX public_feed_stream;
