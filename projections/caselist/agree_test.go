package caselist_test

import (
	"context"
	"fmt"
	"time"

	"testing"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/domain/casefile"
	"github.com/citizenhouse/bayt/eventstore/eventstoretest"
	"github.com/citizenhouse/bayt/projections"
	"github.com/citizenhouse/bayt/projections/caselist"
	"github.com/citizenhouse/bayt/projections/projectionstest"
	"github.com/jackc/pgx/v5/pgxpool"
)

// queries is every query the case list answers.
type queries interface {
	List(ctx context.Context, f caselist.Filter) (caselist.Page, error)
	Board(ctx context.Context, now time.Time) (caselist.Board, error)
	Inbox(ctx context.Context, department string) ([]casefile.Case, error)
	FeedAfter(ctx context.Context, after int64, limit int) ([]projections.FeedRecord, error)
	Snapshot(ctx context.Context, now time.Time) (int64, any, error)
	Unbreached(ctx context.Context, now time.Time, limit int) ([]string, error)
	CountResolved(ctx context.Context, ids []string) (int, error)
	Number(ctx context.Context, id string) (string, error)
	Tracked(ctx context.Context, token string) (string, error)
}

type query = projectionstest.Query[queries]

// TestSuite runs the read model suite: Postgres and Memory
// answer every query alike.
func TestSuite(t *testing.T) {
	t.Parallel()
	yes, no := true, false
	qs := []query{
		{Name: "Board", Ask: func(ctx context.Context, m queries, log *projectionstest.Log) (any, error) {
			return m.Board(ctx, log.Now)
		}},
		{Name: "Snapshot", Ask: func(ctx context.Context, m queries, log *projectionstest.Log) (any, error) {
			pos, b, err := m.Snapshot(ctx, log.Now)
			return []any{pos, b}, err
		}},
		{Name: "FeedAfter", Ask: func(ctx context.Context, m queries, _ *projectionstest.Log) (any, error) {
			return m.FeedAfter(ctx, 0, 1000)
		}},
		{Name: "FeedAfterMiddle", Ask: func(ctx context.Context, m queries, log *projectionstest.Log) (any, error) {
			return m.FeedAfter(ctx, int64(len(log.Events)/2), 3)
		}},
		{Name: "Unbreached", Ask: func(ctx context.Context, m queries, log *projectionstest.Log) (any, error) {
			return m.Unbreached(ctx, log.Now, 100)
		}},
		{Name: "UnbreachedFirst", Ask: func(ctx context.Context, m queries, log *projectionstest.Log) (any, error) {
			return m.Unbreached(ctx, log.Now, 1)
		}},
		{Name: "CountResolved", Ask: func(ctx context.Context, m queries, log *projectionstest.Log) (any, error) {
			return m.CountResolved(ctx, append(log.Cases, log.Cases[0]))
		}},
	}
	qs = append(qs,
		query{Name: "Numbers", Ask: func(ctx context.Context, m queries, log *projectionstest.Log) (any, error) {
			var out []string
			for _, id := range append(log.Cases, "case-unknown") {
				n, err := m.Number(ctx, id)
				if err != nil {
					return nil, err
				}
				out = append(out, n)
			}
			return out, nil
		}},
		query{Name: "Tracked", Ask: func(ctx context.Context, m queries, log *projectionstest.Log) (any, error) {
			var out []string
			for _, id := range log.Cases {
				found, err := m.Tracked(ctx, projectionstest.TrackingToken(id))
				if err != nil {
					return nil, err
				}
				out = append(out, found)
			}
			_, err := m.Tracked(ctx, projectionstest.TrackingToken("case-unknown"))
			return append(out, fmt.Sprint(domain.KindOf(err))), nil
		}},
		query{Name: "List/IDs", Ask: func(ctx context.Context, m queries, log *projectionstest.Log) (any, error) {
			// A hidden case among them: the public never gets it.
			return m.List(ctx, caselist.Filter{IDs: log.Cases[3:], Now: log.Now})
		}},
		query{Name: "List/IDsStaff", Ask: func(ctx context.Context, m queries, log *projectionstest.Log) (any, error) {
			return m.List(ctx, caselist.Filter{IDs: log.Cases[3:], Staff: true, Limit: 3, Now: log.Now})
		}},
	)
	// Pages of one split the cases reported in the same microsecond.
	for _, limit := range []int{1, 2} {
		qs = append(qs, query{Name: fmt.Sprintf("ListPagedBy%d", limit), Ask: func(ctx context.Context, m queries, log *projectionstest.Log) (any, error) {
			return projectionstest.Pages(ctx, func(ctx context.Context, cursor string) (caselist.Page, string, error) {
				p, err := m.List(ctx, caselist.Filter{Limit: limit, Cursor: cursor, Now: log.Now})
				return p, p.NextCursor, err
			})
		}})
	}
	for i := range 3 {
		qs = append(qs, query{Name: fmt.Sprintf("Inbox/%d", i), Ask: func(ctx context.Context, m queries, log *projectionstest.Log) (any, error) {
			return m.Inbox(ctx, log.Departments[i])
		}})
	}
	for name, f := range map[string]caselist.Filter{
		"All": {}, "Status": {Status: "forwarded"}, "District": {District: "medina"}, "Category": {Category: "roads"},
		"Department": {Department: "roads_works"}, "Overdue": {Overdue: &yes}, "NotOverdue": {Overdue: &no},
		"Located": {Located: true}, "LocatedStaff": {Located: true, Staff: true}, "LocatedDistrict": {Located: true, District: "medina"},
		"Search": {Q: "PAVEMENT"}, "SearchModerated": {Q: "graffiti on a wall"}, "SearchArabic": {Q: "حفرة"},
		// Shorter than a trigram: the index cannot narrow it, the answer
		// is the same.
		"SearchShort": {Q: "ro"}, "Combined": {Category: "waste", District: "bab_souika", Limit: 1},
		// As staff read it: hidden cases, the reporter's texts, searched
		// too; and the work queues, soonest due first.
		"Staff": {Staff: true}, "StaffSearchOriginal": {Staff: true, Q: "naming a NEIGHBOUR"},
		"StaffSearchHidden": {Staff: true, Q: "quarrel"}, "StaffSearchPublic": {Staff: true, Q: "graffiti on a wall"},
		"Due": {Order: caselist.OrderDue}, "DueStaff": {Order: caselist.OrderDue, Staff: true},
		"DueDepartment": {Order: caselist.OrderDue, Staff: true, Department: "roads_works", Limit: 2},
		"DueOverdue":    {Order: caselist.OrderDue, Overdue: &yes},
		// Numbers: the case of a number alone; a search for one, typed as
		// residents do, finds it beside any text that holds it.
		"Number": {Number: "2026-3"}, "SearchNumber": {Q: "2026-0002"}, "SearchRank": {Q: "٤"},
		"NumberHiddenStaff": {Number: "2026-0009", Staff: true},
	} {
		qs = append(qs, query{Name: "List/" + name, Ask: func(ctx context.Context, m queries, log *projectionstest.Log) (any, error) {
			f.Now = log.Now
			return m.List(ctx, f)
		}})
	}
	projectionstest.Run(t, projectionstest.Model[queries]{
		Pool: func(t *testing.T) *pgxpool.Pool {
			pool, _ := eventstoretest.Schema(t, nil)
			return pool
		},
		Postgres: func(pool *pgxpool.Pool) queries { return caselist.NewPostgres(pool, caselist.Config{}) },
		Memory:   func() queries { return caselist.NewMemory(caselist.Config{}) },
		Queries:  qs,
	})
}
