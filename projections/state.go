package projections

import (
	"context"
	"math"
	"time"

	"github.com/jackc/pgx/v5"
)

// State names one state of a read model: its checkpoint's position and
// when the checkpoint was last written (in microseconds), which tells a
// rebuild swapped in at the same position from the rows it replaced. A
// read model caches what it computes under the State it computed it at:
// reading the State is one row, where the figures are a scan.
type State struct {
	Position int64
	Written  int64
}

const stateQuery = `SELECT COALESCE(max(position), 0), COALESCE((extract(epoch FROM max(updated_at)) * 1000000)::bigint, 0)
FROM checkpoints WHERE name = $1`

// rowQuerier is a pool or a transaction: a figure computed in a snapshot
// reads its State in the same snapshot.
type rowQuerier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// StateOf reads the State of the read model called name.
func StateOf(ctx context.Context, q rowQuerier, name string) (State, error) {
	var s State
	err := q.QueryRow(ctx, stateQuery, name).Scan(&s.Position, &s.Written)
	return s, err
}

// DueSpan is the span of instants over which figures counting overdue
// cases hold: any now with after < now <= until, between the due dates of
// open cases on either side of the now they were computed at. Outside it
// a case became overdue (or a now before it asks), and the figures must be
// computed again even at the same State.
type DueSpan struct {
	after, until int64
}

// SpanBetween returns the DueSpan from the due dates closest to now on
// either side: the latest one passed and the earliest one to come, nil
// when there is none.
func SpanBetween(passed, toCome *time.Time) DueSpan {
	s := DueSpan{after: math.MinInt64, until: math.MaxInt64}
	if passed != nil {
		s.after = passed.UnixMicro()
	}
	if toCome != nil {
		s.until = toCome.UnixMicro()
	}
	return s
}

// Holds reports whether figures computed for the span are those at now.
func (s DueSpan) Holds(now time.Time) bool {
	n := now.UnixMicro()
	return s.after < n && n <= s.until
}
