-- +goose Up
-- photos are the photos of cases as Bayt re-encoded them: JPEG files made
-- anew from the pixels, so no EXIF block, GPS position or camera serial
-- number reaches this table, and nothing in it refers to a person. A
-- photo's id is the SHA-256 of its full-size file: the same picture sent
-- twice is stored once. The bytes are JPEG already, which PostgreSQL could
-- not compress: they are stored out of line without trying.
CREATE TABLE photos (
    id           text PRIMARY KEY CHECK (id ~ '^[0-9a-f]{64}$'),
    bytes        bytea NOT NULL,
    thumb        bytea NOT NULL,
    content_type text NOT NULL,
    width        integer NOT NULL CHECK (width > 0),
    height       integer NOT NULL CHECK (height > 0),
    created_at   timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE photos ALTER COLUMN bytes SET STORAGE EXTERNAL;
ALTER TABLE photos ALTER COLUMN thumb SET STORAGE EXTERNAL;

-- case_photos are the cases each photo was added to, so that serving a
-- photo can ask those cases whether the public may see it. Whether it may
-- is the log's to say (a photo hidden by moderation, a hidden case), never
-- this table's: a row here may even name a case whose event was not
-- appended, which then simply does not show the photo.
CREATE TABLE case_photos (
    photo_id   text NOT NULL REFERENCES photos (id),
    case_id    text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (photo_id, case_id)
);

-- +goose Down
DROP TABLE case_photos;
DROP TABLE photos;
