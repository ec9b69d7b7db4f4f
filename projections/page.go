package projections

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/citizenhouse/bayt/domain"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Cursor marks a place in a list ordered newest first by creation time,
// then by id: keyset paging, stable while rows are added.
type Cursor struct {
	CreatedAt time.Time
	ID        string
}

// String encodes c for clients; they only hand it back.
func (c Cursor) String() string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(c.CreatedAt.UnixMicro(), 10) + "|" + c.ID))
}

// After reports whether a row created at createdAt with id comes after c
// in newest-first order, that is on a later page. It compares at the
// microsecond, as PostgreSQL keeps created_at, so that an in-memory model
// pages exactly as the table does.
func (c *Cursor) After(createdAt time.Time, id string) bool {
	if c == nil {
		return true
	}
	at, cur := createdAt.UnixMicro(), c.CreatedAt.UnixMicro()
	return at < cur || (at == cur && id < c.ID)
}

var errBadCursor = domain.Invalid("cursor", "not a cursor this server gave")

// ParseCursor decodes a cursor a client handed back; "" is the first page.
func ParseCursor(s string) (*Cursor, error) {
	if s == "" {
		return nil, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, errBadCursor
	}
	micros, id, ok := strings.Cut(string(b), "|")
	n, err := strconv.ParseInt(micros, 10, 64)
	// The id goes to the database as text, which refuses NUL and invalid
	// UTF-8; no id this server gave holds either, nor any control character.
	if !ok || err != nil || id == "" || !utf8.ValidString(id) || strings.ContainsFunc(id, unicode.IsControl) {
		return nil, errBadCursor
	}
	return &Cursor{CreatedAt: time.UnixMicro(n).UTC(), ID: id}, nil
}

// NewestFirst reads up to limit+1 JSON states from table (which has
// state, created_at and id columns) matching the conditions where, with
// args numbered from $1, after cur, newest first. The extra row tells the
// caller there is a next page.
func NewestFirst[T any](ctx context.Context, pool *pgxpool.Pool, table string, where []string, args []any, cur *Cursor, limit int) ([]T, error) {
	if cur != nil {
		args = append(args, cur.CreatedAt, cur.ID)
		where = append(where, fmt.Sprintf("(created_at, id) < ($%d, $%d)", len(args)-1, len(args)))
	}
	q := "SELECT state FROM " + pgx.Identifier{table}.Sanitize()
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	args = append(args, limit+1)
	q += fmt.Sprintf(" ORDER BY created_at DESC, id DESC LIMIT $%d", len(args))
	//nolint:rowserrcheck // pgx.ForEachRow checks rows.Err
	rows, err := pool.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", table, Translate(err))
	}
	var (
		out   []T
		state []byte
	)
	if _, err := pgx.ForEachRow(rows, []any{&state}, func() error {
		var v T
		if err := json.Unmarshal(state, &v); err != nil {
			return err
		}
		out = append(out, v)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("list %s: %w", table, Translate(err))
	}
	return out, nil
}
