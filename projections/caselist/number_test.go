package caselist_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"
	_ "time/tzdata" // Africa/Tunis wherever the tests run

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/domain/casefile"
	"github.com/citizenhouse/bayt/domain/directory"
	"github.com/citizenhouse/bayt/eventstore/eventstoretest"
	"github.com/citizenhouse/bayt/projections"
	"github.com/citizenhouse/bayt/projections/caselist"
	"github.com/oklog/ulid/v2"
)

// numbered is what a case list says of the numbers of a log.
type numbered interface {
	List(ctx context.Context, f caselist.Filter) (caselist.Page, error)
	Number(ctx context.Context, id string) (string, error)
	Tracked(ctx context.Context, token string) (string, error)
}

// yearEnd is a log whose reports straddle the new year in Tunis (UTC+1):
// some reported on the evening of 31 December UTC fall in the next year
// there. A report recorded late with an earlier time (a node's clock
// behind) takes the next number of its own year: the order is the log's.
// It returns the log, the cases in report order and their tokens.
func yearEnd(t *testing.T) ([]projections.Event, []string, []string) {
	t.Helper()
	s := newScenario(t)
	dir := directory.Default()
	var ids, tokens []string
	report := func(at time.Time) string {
		id := "case-" + ulid.Make().String()
		token := "token-" + id
		s.run(id, at, func(c *casefile.Case) ([]domain.Event, error) {
			return c.Report(dir, casefile.Report{Actor: domain.Anonymous, Now: at, ID: id, Title: "Lampe éteinte",
				Description: "Rue sombre", Category: "lighting", District: "Medina", TrackingTokenHash: casefile.TrackingTokenHash(token)})
		})
		ids, tokens = append(ids, id), append(tokens, token)
		return id
	}
	dec31 := time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)
	first := report(dec31.Add(21 * time.Hour))
	report(dec31.Add(22*time.Hour + 59*time.Minute)) // 23:59 in Tunis
	report(dec31.Add(23 * time.Hour))                // midnight in Tunis: 2027
	s.run(first, dec31.Add(23*time.Hour+30*time.Minute), func(c *casefile.Case) ([]domain.Event, error) {
		return c.Triage(dir, casefile.Triage{Actor: advocate, Now: dec31.Add(23*time.Hour + 30*time.Minute), Priority: casefile.PriorityHigh})
	})
	report(dec31.Add(34 * time.Hour))
	report(dec31.Add(22 * time.Hour)) // recorded late: the third of 2026
	return s.events, ids, tokens
}

// TestNumbers numbers a year's reports in the order of the log, by the
// year of the report in the city's zone, and gives the same numbers
// however the log is cut into batches, in memory, and after a rebuild.
func TestNumbers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tunis, err := time.LoadLocation("Africa/Tunis")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		zone *time.Location
		want []string
	}{
		{"Tunis", tunis, []string{"2026-0001", "2026-0002", "2027-0001", "2027-0002", "2026-0003"}},
		// The same log in UTC: the zone decides the year.
		{"UTC", time.UTC, []string{"2026-0001", "2026-0002", "2026-0003", "2027-0001", "2026-0004"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			events, ids, tokens := yearEnd(t)
			cfg := caselist.Config{Zone: tc.zone}
			pool, _ := eventstoretest.Schema(t, nil)
			pg := caselist.NewPostgres(pool, cfg)
			// Batches of one, two and three events.
			for i, size := 0, 1; i < len(events); i, size = i+size, size%3+1 {
				if _, err := projections.ApplyBatch(ctx, pool, pg, events[i:min(i+size, len(events))]); err != nil {
					t.Fatal(err)
				}
			}
			mem := caselist.NewMemory(cfg)
			if err := mem.Apply(ctx, events); err != nil {
				t.Fatal(err)
			}
			numbers := func(t *testing.T, m numbered) []string {
				t.Helper()
				var out []string
				for _, id := range ids {
					n, err := m.Number(ctx, id)
					if err != nil {
						t.Fatal(err)
					}
					out = append(out, n)
				}
				return out
			}
			for name, m := range map[string]numbered{"Postgres": pg, "Memory": mem} {
				if got := numbers(t, m); !reflect.DeepEqual(got, tc.want) {
					t.Errorf("%s: numbers %v, want %v", name, got, tc.want)
				}
				expectFinds(t, m, ids, tc.want, tokens)
			}
			if n, err := pg.Number(ctx, "case-"+ulid.Make().String()); n != "" || err != nil {
				t.Errorf("number of a case not listed: %q, %v", n, err)
			}

			var counts string
			if err := pool.QueryRow(ctx, "SELECT string_agg(year || ':' || last, ' ' ORDER BY year) FROM case_numbers").Scan(&counts); err != nil {
				t.Fatal(err)
			}
			if want := map[string]string{"Tunis": "2026:3 2027:2", "UTC": "2026:4 2027:1"}[tc.name]; counts != want {
				t.Errorf("counts %q, want %q", counts, want)
			}
			if _, err := projections.Rebuild(ctx, pool, &growingLog{events: events, visible: 2}, pg, 2, nil); err != nil {
				t.Fatal(err)
			}
			if got := numbers(t, pg); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("after a rebuild: numbers %v, want %v", got, tc.want)
			}
			// A case reported after the rebuild takes the next number of
			// its year: the counts were rebuilt too.
			at := time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC)
			next := "case-" + ulid.Make().String()
			late := newScenario(t)
			late.run(next, at, func(c *casefile.Case) ([]domain.Event, error) {
				return c.Report(directory.Default(), casefile.Report{Actor: domain.Anonymous, Now: at, ID: next, Title: "Trou",
					Description: "d", Category: "roads", District: "Medina"})
			})
			late.events[0].Position = int64(len(events) + 1)
			if _, err := projections.ApplyBatch(ctx, pool, pg, late.events); err != nil {
				t.Fatal(err)
			}
			wantNext := map[string]string{"Tunis": "2027-0003", "UTC": "2027-0002"}[tc.name]
			if n, err := pg.Number(ctx, next); n != wantNext || err != nil {
				t.Errorf("the case after the rebuild: %q, %v; want %s", n, err, wantNext)
			}
		})
	}
}

// expectFinds checks that a search for each case's number finds it, and
// its token finds it, and that a wrong token finds nothing.
func expectFinds(t *testing.T, m numbered, ids, numbers, tokens []string) {
	t.Helper()
	ctx := context.Background()
	now := time.Date(2027, 2, 1, 12, 0, 0, 0, time.UTC)
	for i, id := range ids {
		for _, f := range []caselist.Filter{{Number: numbers[i]}, {Q: numbers[i]}, {Q: " " + arabicDigits(numbers[i]) + " "}} {
			f.Now = now
			p, err := m.List(ctx, f)
			if err != nil || len(p.Items) != 1 || p.Items[0].ID != id || p.Items[0].Number != numbers[i] {
				t.Errorf("%+v: %+v, %v; want %s alone", f, p.Items, err, id)
			}
		}
		if got, err := m.Tracked(ctx, tokens[i]); got != id || err != nil {
			t.Errorf("token of %s finds %q, %v", id, got, err)
		}
	}
	// A bare rank is of the current year; 2027-01 is 2027-0001.
	for q, want := range map[string]string{"1": "2027-0001", "2027-01": "2027-0001", "٠٠١": "2027-0001"} {
		p, err := m.List(ctx, caselist.Filter{Q: q, Now: now})
		if err != nil || len(p.Items) != 1 || p.Items[0].Number != want {
			t.Errorf("q=%q: %+v, %v; want %s", q, p.Items, err, want)
		}
	}
	for _, q := range []string{"2025-0001", "7", "2027-0"} {
		if p, err := m.List(ctx, caselist.Filter{Q: q, Now: now}); err != nil || len(p.Items) != 0 {
			t.Errorf("q=%q finds %+v, %v; want nothing", q, p.Items, err)
		}
	}
	if _, err := m.List(ctx, caselist.Filter{Number: "last year's"}); domain.KindOf(err) != domain.KindInvalid {
		t.Errorf("a number that is none: %v", err)
	}
	if got, err := m.Tracked(ctx, "token-wrong"); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("a wrong token finds %q, %v", got, err)
	}
	if got, err := m.Tracked(ctx, ""); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("no token finds %q, %v", got, err)
	}
}

func arabicDigits(s string) string {
	out := []rune{}
	for _, r := range s {
		if r >= '0' && r <= '9' {
			r = '٠' + (r - '0')
		}
		out = append(out, r)
	}
	return string(out)
}

// TestNumbersSurviveLaterEvents checks that a case keeps its number
// through the rest of its life, moderation included, and that staff and
// the public read the same number.
func TestNumbersSurviveLaterEvents(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newScenario(t)
	ids := s.city()
	hide := true
	s.run(ids[1], t0.Add(50*time.Hour), func(c *casefile.Case) ([]domain.Event, error) {
		return c.Moderate(casefile.Moderate{Actor: advocate, Now: t0.Add(50 * time.Hour), Hidden: &hide, Reason: "private"})
	})
	pool, _ := eventstoretest.Schema(t, nil)
	pg := caselist.NewPostgres(pool, caselist.Config{})
	for _, e := range s.events {
		if _, err := projections.ApplyBatch(ctx, pool, pg, []projections.Event{e}); err != nil {
			t.Fatal(err)
		}
	}
	staff, err := pg.List(ctx, caselist.Filter{Staff: true, Now: t0})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, c := range staff.Items {
		got[c.ID] = c.Number
	}
	for i, id := range ids {
		if want := fmt.Sprintf("2026-%04d", i+1); got[id] != want {
			t.Errorf("case %d: %q, want %s", i, got[id], want)
		}
	}
	// The hidden case is not found by its number, by the public.
	if p, err := pg.List(ctx, caselist.Filter{Number: got[ids[1]]}); err != nil || len(p.Items) != 0 {
		t.Errorf("the public finds a hidden case by its number: %+v, %v", p.Items, err)
	}
	inbox, err := pg.Inbox(ctx, "roads_works")
	if err != nil || len(inbox) != 1 || inbox[0].Number != got[ids[2]] {
		t.Errorf("inbox: %+v, %v", inbox, err)
	}
	// The row keeps the number in its state too.
	var state []byte
	if err := pool.QueryRow(ctx, "SELECT state FROM case_list WHERE id = $1", ids[0]).Scan(&state); err != nil {
		t.Fatal(err)
	}
	var r caselist.Row
	if err := json.Unmarshal(state, &r); err != nil || r.Number != "2026-0001" {
		t.Errorf("state number %q, %v", r.Number, err)
	}
}
