package eventstore

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Photos keeps the photos of cases on PostgreSQL (tables photos and
// case_photos): files Bayt re-encoded, named by the SHA-256 of the
// full-size file, and the cases each was added to. Whether the public may
// see a photo is not kept here: the case's events decide it. It is safe
// for concurrent use.
type Photos struct {
	pool *pgxpool.Pool
}

// NewPhotos returns a Photos on pool, whose schema must be migrated.
func NewPhotos(pool *pgxpool.Pool) *Photos {
	if pool == nil {
		panic("eventstore: nil pool")
	}
	return &Photos{pool: pool}
}

// Put stores photo id (full file and thumbnail, of contentType, width ×
// height pixels) as added to case caseID. It is idempotent: a photo
// already stored keeps its files, since the id is their content's hash,
// and gains caseID among its cases.
func (p *Photos) Put(ctx context.Context, caseID, id, contentType string, full, thumb []byte, width, height int) error {
	// One transaction: a photo is never listed for a case without its
	// files.
	err := pgx.BeginFunc(ctx, p.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO photos (id, bytes, thumb, content_type, width, height)
VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING`, id, full, thumb, contentType, width, height); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO case_photos (photo_id, case_id) VALUES ($1, $2)
ON CONFLICT (photo_id, case_id) DO NOTHING`, id, caseID)
		return err
	})
	if err != nil {
		return fmt.Errorf("put photo %s: %w", id, translate(err))
	}
	return nil
}

// Get returns the full file of photo id, or its thumbnail, with its
// content type and the cases it was added to, oldest first. An unknown id
// is domain.ErrNotFound.
func (p *Photos) Get(ctx context.Context, id string, thumb bool) (data []byte, contentType string, caseIDs []string, err error) {
	column := "bytes"
	if thumb {
		column = "thumb"
	}
	err = p.pool.QueryRow(ctx, `SELECT p.`+column+`, p.content_type,
  ARRAY(SELECT c.case_id FROM case_photos c WHERE c.photo_id = p.id ORDER BY c.created_at, c.case_id)
FROM photos p WHERE p.id = $1`, id).Scan(&data, &contentType, &caseIDs)
	if err != nil {
		return nil, "", nil, fmt.Errorf("get photo %s: %w", id, translate(err))
	}
	return data, contentType, caseIDs, nil
}
