package caselist_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/domain/casefile"
	"github.com/citizenhouse/bayt/domain/directory"
	"github.com/citizenhouse/bayt/eventstore/eventstoretest"
	"github.com/citizenhouse/bayt/projections"
	"github.com/citizenhouse/bayt/projections/caselist"
	"github.com/oklog/ulid/v2"
)

var (
	advocate = domain.Actor{Role: domain.RoleAdvocate, Name: "Amal"}
	officer  = domain.Actor{Role: domain.RoleOfficer, Name: "Karim", Department: "roads_works"}
	t0       = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
)

// scenario records what commands decide as a log of projection events.
type scenario struct {
	t      *testing.T
	events []projections.Event
	cases  map[string]*casefile.Case
}

func newScenario(t *testing.T) *scenario {
	return &scenario{t: t, cases: map[string]*casefile.Case{}}
}

func (s *scenario) run(id string, at time.Time, decide func(c *casefile.Case) ([]domain.Event, error)) {
	s.t.Helper()
	c, ok := s.cases[id]
	if !ok {
		c = &casefile.Case{}
		s.cases[id] = c
	}
	evs, err := decide(c)
	if err != nil {
		s.t.Fatalf("%s: %v", id, err)
	}
	for _, e := range evs {
		c.Apply(e)
		data, err := json.Marshal(e)
		if err != nil {
			s.t.Fatal(err)
		}
		s.events = append(s.events, projections.Event{
			Position: int64(len(s.events) + 1), Stream: id, Version: c.Version, Type: e.EventType(), Data: data, RecordedAt: at,
		})
	}
}

// city reports cases in three districts and takes some through the
// municipal response; it returns the ids in report order.
func (s *scenario) city() []string {
	dir := directory.Default()
	var ids []string
	for i, spec := range []struct{ district, category, title string }{
		{"Medina", "roads", "حفرة في الطريق"},
		{"Medina", "lighting", "Lampadaire en panne"},
		{"Lafayette", "roads", "Broken pavement near the market"},
		{"Bab Souika", "waste", "Overflowing bins"},
		{"Lafayette", "roads", "Road sign missing"},
	} {
		id := "case-" + ulid.Make().String()
		ids = append(ids, id)
		at := t0.Add(time.Duration(i) * time.Hour)
		s.run(id, at, func(c *casefile.Case) ([]domain.Event, error) {
			return c.Report(dir, casefile.Report{Actor: domain.Anonymous, Now: at, ID: id, Title: spec.title,
				Description: "reported by a resident", Category: spec.category, District: spec.district})
		})
	}
	// ids[0]: forwarded and answered within SLA; ids[2]: forwarded, overdue
	// later; ids[4]: internal comment only; ids[3]: rejected.
	for _, id := range []string{ids[0], ids[2]} {
		s.run(id, t0.Add(24*time.Hour), func(c *casefile.Case) ([]domain.Event, error) {
			return c.Triage(dir, casefile.Triage{Actor: advocate, Now: t0.Add(24 * time.Hour), Priority: casefile.PriorityHigh})
		})
		s.run(id, t0.Add(25*time.Hour), func(c *casefile.Case) ([]domain.Event, error) {
			return c.Forward(dir, casefile.Forward{Actor: advocate, Now: t0.Add(25 * time.Hour), Department: "roads_works"})
		})
	}
	s.run(ids[0], t0.Add(35*time.Hour), func(c *casefile.Case) ([]domain.Event, error) {
		return c.Acknowledge(casefile.Acknowledge{Actor: officer, Now: t0.Add(35 * time.Hour), Reference: "R-1"})
	})
	s.run(ids[0], t0.Add(73*time.Hour), func(c *casefile.Case) ([]domain.Event, error) {
		return c.Resolve(casefile.Resolve{Actor: officer, Now: t0.Add(73 * time.Hour), Note: "Fixed"})
	})
	s.run(ids[4], t0.Add(30*time.Hour), func(c *casefile.Case) ([]domain.Event, error) {
		return c.Comment(casefile.Comment{Actor: advocate, Now: t0.Add(30 * time.Hour), Body: "secret note", Visibility: casefile.VisibilityInternal})
	})
	s.run(ids[3], t0.Add(31*time.Hour), func(c *casefile.Case) ([]domain.Event, error) {
		return c.Reject(casefile.Reject{Actor: advocate, Now: t0.Add(31 * time.Hour), Reason: "Handled by the national utility"})
	})
	return ids
}

// model is what both implementations answer.
type model interface {
	List(ctx context.Context, f caselist.Filter) (caselist.Page, error)
	Board(ctx context.Context, now time.Time) (caselist.Board, error)
	Inbox(ctx context.Context, department string) ([]casefile.Case, error)
	FeedAfter(ctx context.Context, after int64, limit int) ([]caselist.FeedRecord, error)
}

func TestReadModels(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	build := map[string]func(t *testing.T, events []projections.Event) model{
		"Postgres": func(t *testing.T, events []projections.Event) model {
			pool, _ := eventstoretest.Schema(t, nil)
			pg := caselist.NewPostgres(pool, caselist.Config{})
			// Two batches, to exercise loading existing rows.
			for _, part := range [][]projections.Event{events[:7], events[7:]} {
				if _, err := projections.ApplyBatch(ctx, pool, pg, part); err != nil {
					t.Fatal(err)
				}
			}
			// A batch delivered again is applied once.
			if _, err := projections.ApplyBatch(ctx, pool, pg, events); err != nil {
				t.Fatal(err)
			}
			return pg
		},
		"Memory": func(t *testing.T, events []projections.Event) model {
			m := caselist.NewMemory(caselist.Config{})
			for _, part := range [][]projections.Event{events[:7], events[7:], events} {
				if err := m.Apply(ctx, part); err != nil {
					t.Fatal(err)
				}
			}
			return m
		},
	}
	for name, newModel := range build {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := newScenario(t)
			ids := s.city()
			m := newModel(t, s.events)
			now := t0.Add(40 * 24 * time.Hour) // the roads SLA (30 days) has passed for ids[2]

			list := func(f caselist.Filter) []string {
				t.Helper()
				f.Now = now
				p, err := m.List(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				var out []string
				for _, c := range p.Items {
					out = append(out, c.ID)
				}
				return out
			}
			yes, no := true, false
			for _, tc := range []struct {
				name string
				f    caselist.Filter
				want []string
			}{
				{"All", caselist.Filter{}, []string{ids[4], ids[3], ids[2], ids[1], ids[0]}},
				{"District", caselist.Filter{District: "lafayette"}, []string{ids[4], ids[2]}},
				{"Category", caselist.Filter{Category: "roads"}, []string{ids[4], ids[2], ids[0]}},
				{"Status", caselist.Filter{Status: "forwarded"}, []string{ids[2]}},
				{"Department", caselist.Filter{Department: "roads_works"}, []string{ids[2], ids[0]}},
				{"Overdue", caselist.Filter{Overdue: &yes}, []string{ids[2]}},
				{"NotOverdue", caselist.Filter{Overdue: &no}, []string{ids[4], ids[3], ids[1], ids[0]}},
				{"Search", caselist.Filter{Q: "PAVEMENT"}, []string{ids[2]}},
				{"SearchArabic", caselist.Filter{Q: "حفرة"}, []string{ids[0]}},
				{"SearchLikeChars", caselist.Filter{Q: "%"}, nil},
				// Soonest due first (two forwarded at once: the older first),
				// then the cases without a due date, the oldest first.
				{"Due", caselist.Filter{Order: caselist.OrderDue}, []string{ids[0], ids[2], ids[1], ids[3], ids[4]}},
				{"DueOverdue", caselist.Filter{Order: caselist.OrderDue, Overdue: &yes}, []string{ids[2]}},
				{"DueLimit", caselist.Filter{Order: caselist.OrderDue, Limit: 3}, []string{ids[0], ids[2], ids[1]}},
			} {
				if got := list(tc.f); !reflect.DeepEqual(got, tc.want) {
					t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
				}
			}
			// Paging walks every case once, newest first.
			var paged []string
			f := caselist.Filter{Limit: 2, Now: now}
			for {
				p, err := m.List(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				for _, c := range p.Items {
					paged = append(paged, c.ID)
				}
				if p.NextCursor == "" {
					break
				}
				f.Cursor = p.NextCursor
			}
			if want := []string{ids[4], ids[3], ids[2], ids[1], ids[0]}; !reflect.DeepEqual(paged, want) {
				t.Errorf("paged %v, want %v", paged, want)
			}
			if _, err := m.List(ctx, caselist.Filter{Cursor: "not-a-cursor"}); domain.KindOf(err) != domain.KindInvalid {
				t.Errorf("bad cursor: %v", err)
			}

			b, err := m.Board(ctx, now)
			if err != nil {
				t.Fatal(err)
			}
			if b.Position != int64(len(s.events)) {
				t.Errorf("board position %d, want %d", b.Position, len(s.events))
			}
			wantStatus := map[string]int{"reported": 2, "forwarded": 1, "resolved": 1, "rejected": 1}
			if !reflect.DeepEqual(b.ByStatus, wantStatus) || b.ByDistrict["lafayette"] != 2 || b.ByCategory["roads"] != 3 {
				t.Errorf("board counts: %v %v %v", b.ByStatus, b.ByDistrict, b.ByCategory)
			}
			if len(b.Departments) != 1 {
				t.Fatalf("departments = %+v", b.Departments)
			}
			d := b.Departments[0]
			if d.Code != "roads_works" || d.Open != 1 || d.Overdue != 1 || d.MedianHoursToAcknowledge == nil || *d.MedianHoursToAcknowledge != 10 ||
				// One case resolved in time, one open past its due date: a
				// breach, so half, not "all within SLA".
				d.MedianHoursToResolve == nil || *d.MedianHoursToResolve != 48 || d.WithinSLARatio == nil || *d.WithinSLARatio != 0.5 {
				t.Errorf("roads_works figures = %+v", d)
			}
			if len(b.Recent) == 0 || b.Recent[0].Position <= b.Recent[len(b.Recent)-1].Position {
				t.Errorf("recent feed not newest first: %+v", b.Recent)
			}

			inbox, err := m.Inbox(ctx, "roads_works")
			if err != nil || len(inbox) != 1 || inbox[0].ID != ids[2] || !inbox[0].Overdue(now) {
				t.Errorf("inbox = %v, %v", inbox, err)
			}

			feed, err := m.FeedAfter(ctx, 0, 100)
			if err != nil {
				t.Fatal(err)
			}
			if len(feed) != len(s.events)-1 { // every event but the internal comment
				t.Errorf("feed has %d items, want %d", len(feed), len(s.events)-1)
			}
			for i, r := range feed {
				var it caselist.FeedItem
				if err := json.Unmarshal(r.JSON, &it); err != nil {
					t.Fatal(err)
				}
				if it.Type != "event" || it.Position != r.Position || (i > 0 && r.Position <= feed[i-1].Position) {
					t.Errorf("feed item %d = %s", i, r.JSON)
				}
				if it.Event == "CommentAdded" {
					t.Errorf("internal comment on the public feed: %s", r.JSON)
				}
			}
			tail, err := m.FeedAfter(ctx, feed[len(feed)-2].Position, 100)
			if err != nil || len(tail) != 1 {
				t.Errorf("feed after the second last = %d items, %v", len(tail), err)
			}
		})
	}
}

// TestRebuildMatchesLive processes a log live, rebuilds the projection
// from zero and checks that the tables are identical, and that events
// appended during the rebuild are not lost.
func TestRebuildMatchesLive(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool, _ := eventstoretest.Schema(t, nil)
	pg := caselist.NewPostgres(pool, caselist.Config{})
	s := newScenario(t)
	s.city()
	for i := range 40 {
		id := fmt.Sprintf("case-%s", ulid.Make())
		at := t0.Add(time.Duration(i) * time.Minute)
		s.run(id, at, func(c *casefile.Case) ([]domain.Event, error) {
			return c.Report(directory.Default(), casefile.Report{Actor: domain.Anonymous, Now: at, ID: id, Title: fmt.Sprintf("case %d", i),
				Description: "d", Category: "water", District: "Medina"})
		})
	}
	for i := 0; i < len(s.events); i += 5 {
		if _, err := projections.ApplyBatch(ctx, pool, pg, s.events[i:min(i+5, len(s.events))]); err != nil {
			t.Fatal(err)
		}
	}
	dump := func() string {
		t.Helper()
		var out string
		for _, q := range []string{
			"SELECT string_agg(c::text, E'\\n' ORDER BY id) FROM case_list c",
			"SELECT string_agg(f::text, E'\\n' ORDER BY position) FROM public_feed f",
			"SELECT position::text FROM checkpoints WHERE name = 'case_list'",
			"SELECT string_agg(n::text, E'\\n' ORDER BY year) FROM case_numbers n",
			// The swapped-in tables are the live ones' equals: logged,
			// with the same indexes under the same names.
			`SELECT string_agg(indexdef, E'\\n' ORDER BY indexname) FROM pg_indexes
			 WHERE schemaname = current_schema() AND tablename IN ('case_list', 'public_feed', 'case_numbers')`,
			`SELECT string_agg(relname || ' ' || relpersistence::text || ' ' || coalesce(relacl::text, ''), ', ' ORDER BY relname) FROM pg_class
			 WHERE relnamespace = current_schema()::regnamespace AND relname IN ('case_list', 'public_feed', 'case_numbers')`,
		} {
			var part string
			if err := pool.QueryRow(ctx, q).Scan(&part); err != nil {
				t.Fatal(err)
			}
			out += part + "\n---\n"
		}
		return out
	}
	// An operator's grant, which the rebuilt table must keep.
	if _, err := pool.Exec(ctx, "GRANT SELECT ON case_list TO PUBLIC"); err != nil {
		t.Fatal(err)
	}
	before := dump()
	// The log grows while the rebuild reads it, as appends go on.
	applied, err := projections.Rebuild(ctx, pool, &growingLog{events: s.events, visible: 10}, pg, 7, nil)
	if err != nil {
		t.Fatal(err)
	}
	if applied != int64(len(s.events)) {
		t.Fatalf("rebuild applied %d events, want %d", applied, len(s.events))
	}
	if after := dump(); after != before {
		t.Fatalf("rebuilt tables differ from live ones:\nlive:\n%s\nrebuilt:\n%s", before, after)
	}
	var shadows int
	if err := pool.QueryRow(ctx, "SELECT count(*) FROM information_schema.schemata WHERE schema_name LIKE '%rebuild%' AND schema_name LIKE current_schema() || '%'").Scan(&shadows); err != nil || shadows != 0 {
		t.Fatalf("shadow schema left behind: %d, %v", shadows, err)
	}
	// The pool's connections prepared their statements on the tables the
	// swap dropped: the runner goes on through them, on the new tables.
	built := len(s.events)
	id := fmt.Sprintf("case-%s", ulid.Make())
	s.run(id, t0.Add(time.Hour), func(c *casefile.Case) ([]domain.Event, error) {
		return c.Report(directory.Default(), casefile.Report{Actor: domain.Anonymous, Now: t0.Add(time.Hour), ID: id, Title: "after the rebuild",
			Description: "d", Category: "water", District: "Medina"})
	})
	if _, err := projections.ApplyBatch(ctx, pool, pg, s.events[built:]); err != nil {
		t.Fatal(err)
	}
	var title string
	if err := pool.QueryRow(ctx, "SELECT state->>'title' FROM case_list WHERE id = $1", id).Scan(&title); err != nil || title != "after the rebuild" {
		t.Fatalf("case applied after the rebuild: %q, %v", title, err)
	}
}

// growingLog serves a log of which three more events become visible at
// every read, as if they were being appended meanwhile.
type growingLog struct {
	events  []projections.Event
	visible int
}

func (l *growingLog) ReadAll(_ context.Context, after int64, limit int) ([]projections.Event, error) {
	l.visible = min(l.visible+3, len(l.events))
	if after >= int64(l.visible) {
		return nil, nil
	}
	return l.events[after:min(after+int64(limit), int64(l.visible))], nil
}

func (l *growingLog) Head(context.Context) (int64, error) { return int64(l.visible), nil }

// BenchmarkRebuild rebuilds the case list from a log of 50,000 events
// (reported, triaged, forwarded, acknowledged, resolved cases). The figure
// over 1,000,000 events comes from bayt demo load and bayt projections
// rebuild; see README.md.
func BenchmarkRebuild(b *testing.B) {
	ctx := context.Background()
	pool, _ := eventstoretest.Schema(b, nil)
	pg := caselist.NewPostgres(pool, caselist.Config{})
	dir := directory.Default()
	var events []projections.Event
	for len(events) < 50_000 {
		id := "case-" + ulid.Make().String()
		c := &casefile.Case{}
		at := t0.Add(time.Duration(len(events)) * time.Second)
		steps := []func() ([]domain.Event, error){
			func() ([]domain.Event, error) {
				return c.Report(dir, casefile.Report{Actor: domain.Anonymous, Now: at, ID: id, Title: "طريق مهترئة", Description: "d", Category: "roads", District: "Medina"})
			},
			func() ([]domain.Event, error) {
				return c.Triage(dir, casefile.Triage{Actor: advocate, Now: at, Priority: casefile.PriorityNormal})
			},
			func() ([]domain.Event, error) {
				return c.Forward(dir, casefile.Forward{Actor: advocate, Now: at, Department: "roads_works"})
			},
			func() ([]domain.Event, error) {
				return c.Acknowledge(casefile.Acknowledge{Actor: officer, Now: at})
			},
			func() ([]domain.Event, error) {
				return c.Resolve(casefile.Resolve{Actor: officer, Now: at, Note: "done"})
			},
		}
		for _, step := range steps {
			evs, err := step()
			if err != nil {
				b.Fatal(err)
			}
			for _, e := range evs {
				c.Apply(e)
				data, _ := json.Marshal(e)
				events = append(events, projections.Event{Position: int64(len(events) + 1), Stream: id, Version: c.Version, Type: e.EventType(), Data: data, RecordedAt: at})
			}
		}
	}
	b.ResetTimer()
	for range b.N {
		if _, err := projections.Rebuild(ctx, pool, &growingLog{events: events, visible: len(events)}, pg, 5000, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*len(events))/b.Elapsed().Seconds(), "events/s")
}

// TestModeration folds a replaced and a hidden case, with the moderations
// in the same batch as the report and in a later one: no public answer
// holds what moderation withdrew, and staff's inbox still reads it.
func TestModeration(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := directory.Default()
	const original, replacement, hiddenTitle = "Insult naming Mr Zarrouk", "Damaged road surface", "Private dispute on Rue de Marseille"
	yes := true
	s := newScenario(t)
	replaced, hidden := "case-"+ulid.Make().String(), "case-"+ulid.Make().String()
	for i, spec := range []struct{ id, title string }{{replaced, original}, {hidden, hiddenTitle}} {
		at := t0.Add(time.Duration(i) * time.Hour)
		s.run(spec.id, at, func(c *casefile.Case) ([]domain.Event, error) {
			return c.Report(dir, casefile.Report{Actor: domain.Anonymous, Now: at, ID: spec.id, Title: spec.title,
				Description: spec.title + ", reported by a resident", Category: "roads", District: "Medina"})
		})
		s.run(spec.id, at.Add(time.Minute), func(c *casefile.Case) ([]domain.Event, error) {
			return c.Triage(dir, casefile.Triage{Actor: advocate, Now: at.Add(time.Minute), Priority: casefile.PriorityHigh})
		})
	}
	s.run(hidden, t0.Add(3*time.Hour), func(c *casefile.Case) ([]domain.Event, error) {
		return c.Forward(dir, casefile.Forward{Actor: advocate, Now: t0.Add(3 * time.Hour), Department: "roads_works"})
	})
	reported := len(s.events)
	s.run(replaced, t0.Add(4*time.Hour), func(c *casefile.Case) ([]domain.Event, error) {
		title, description := replacement, "A resident reports a damaged road surface."
		return c.Moderate(casefile.Moderate{Actor: advocate, Now: t0.Add(4 * time.Hour), PublicTitle: &title,
			PublicDescription: &description, Reason: "names a person"})
	})
	s.run(hidden, t0.Add(4*time.Hour), func(c *casefile.Case) ([]domain.Event, error) {
		return c.Moderate(casefile.Moderate{Actor: advocate, Now: t0.Add(4 * time.Hour), Hidden: &yes, Reason: "private matter"})
	})
	for _, id := range []string{replaced, hidden} {
		s.run(id, t0.Add(5*time.Hour), func(c *casefile.Case) ([]domain.Event, error) {
			return c.Support(casefile.Support{Actor: domain.Anonymous, Now: t0.Add(5 * time.Hour)})
		})
	}
	splits := map[string][][]projections.Event{
		"OneBatch":          {s.events},
		"ModeratedLater":    {s.events[:reported], s.events[reported:]},
		"EventAfterEachOne": nil,
	}
	for i := range s.events {
		splits["EventAfterEachOne"] = append(splits["EventAfterEachOne"], s.events[i:i+1])
	}
	for split, batches := range splits {
		for impl, newModel := range map[string]func(t *testing.T) model{
			"Postgres": func(t *testing.T) model {
				pool, _ := eventstoretest.Schema(t, nil)
				pg := caselist.NewPostgres(pool, caselist.Config{})
				for _, b := range batches {
					if _, err := projections.ApplyBatch(ctx, pool, pg, b); err != nil {
						t.Fatal(err)
					}
				}
				return pg
			},
			"Memory": func(t *testing.T) model {
				m := caselist.NewMemory(caselist.Config{})
				for _, b := range batches {
					if err := m.Apply(ctx, b); err != nil {
						t.Fatal(err)
					}
				}
				return m
			},
		} {
			t.Run(impl+"/"+split, func(t *testing.T) {
				t.Parallel()
				m := newModel(t)
				now := t0.Add(40 * 24 * time.Hour)
				public := func(what string, v any) {
					t.Helper()
					b, err := json.Marshal(v)
					if err != nil {
						t.Fatal(err)
					}
					for _, withdrawn := range []string{original, hiddenTitle, "names a person", "private matter"} {
						if bytes.Contains(b, []byte(withdrawn)) {
							t.Errorf("%s holds %q: %s", what, withdrawn, b)
						}
					}
				}
				for name, f := range map[string]caselist.Filter{
					"All": {}, "Overdue": {Overdue: &yes}, "Department": {Department: "roads_works"}, "Search": {Q: "zarrouk"},
					"SearchHidden": {Q: "marseille"}, "Status": {Status: "forwarded"},
				} {
					f.Now = now
					p, err := m.List(ctx, f)
					if err != nil {
						t.Fatal(err)
					}
					public("list "+name, p)
					for _, c := range p.Items {
						if c.ID == hidden || (c.ID == replaced && (c.Title != replacement || c.Moderation != nil)) {
							t.Errorf("list %s: %+v", name, c)
						}
					}
					if (name == "All") != (len(p.Items) == 1) {
						t.Errorf("list %s: %d cases", name, len(p.Items))
					}
				}
				if p, err := m.List(ctx, caselist.Filter{Q: "damaged road", Now: now}); err != nil || len(p.Items) != 1 {
					t.Errorf("search for the public title: %+v, %v", p, err)
				}
				b, err := m.Board(ctx, now)
				if err != nil {
					t.Fatal(err)
				}
				public("board", b)
				if !reflect.DeepEqual(b.ByStatus, map[string]int{"triaged": 1}) || len(b.Departments) != 0 {
					t.Errorf("board counts the hidden case: %v %+v", b.ByStatus, b.Departments)
				}
				for _, it := range b.Recent {
					if it.CaseID == hidden {
						t.Errorf("the board's recent items name the hidden case: %+v", it)
					}
				}
				feed, err := m.FeedAfter(ctx, 0, 100)
				if err != nil {
					t.Fatal(err)
				}
				var hides, retitled int
				for _, r := range feed {
					public("feed", string(r.JSON))
					var it caselist.FeedItem
					if err := json.Unmarshal(r.JSON, &it); err != nil {
						t.Fatal(err)
					}
					switch {
					case it.CaseID == hidden && (it.Event != "CaseModerated" || !it.Hidden || it.Status != "" || it.District != ""):
						t.Errorf("feed says more than that the case is hidden: %s", r.JSON)
					case it.CaseID == hidden:
						hides++
					case it.Title != replacement:
						t.Errorf("feed item of the replaced case: %s", r.JSON)
					default:
						retitled++
					}
				}
				if hides != 1 || retitled != 4 { // reported, triaged, moderated, supported
					t.Errorf("feed: %d hiding items, %d of the replaced case", hides, retitled)
				}
				staff := func(name string, f caselist.Filter, want ...string) []casefile.Case {
					t.Helper()
					f.Staff, f.Now = true, now
					p, err := m.List(ctx, f)
					if err != nil {
						t.Fatal(err)
					}
					var got []string
					for _, c := range p.Items {
						got = append(got, c.ID)
					}
					if !reflect.DeepEqual(got, want) {
						t.Errorf("staff list %s = %v, want %v", name, got, want)
					}
					return p.Items
				}
				all := staff("All", caselist.Filter{}, hidden, replaced)
				if all[0].Title != hiddenTitle || !all[0].Hidden() || all[1].Title != original || all[1].Moderation == nil ||
					all[1].Moderation.PublicTitle != replacement {
					t.Errorf("staff list: %+v, want the reporter's texts and the moderation", all)
				}
				staff("SearchOriginal", caselist.Filter{Q: "zarrouk"}, replaced)
				staff("SearchPublic", caselist.Filter{Q: "damaged road"}, replaced)
				staff("SearchHidden", caselist.Filter{Q: "marseille"}, hidden)
				// The due order: the forwarded case has a due date, the other
				// none; the newest first order is the other way round.
				staff("Due", caselist.Filter{Order: caselist.OrderDue}, hidden, replaced)
				staff("DueOne", caselist.Filter{Order: caselist.OrderDue, Limit: 1}, hidden)
				if _, err := m.List(ctx, caselist.Filter{Order: caselist.OrderDue, Cursor: all[0].ID}); domain.KindOf(err) != domain.KindInvalid {
					t.Errorf("due order with a cursor: %v, want invalid", err)
				}
				inbox, err := m.Inbox(ctx, "roads_works")
				if err != nil || len(inbox) != 1 || inbox[0].ID != hidden || inbox[0].Title != hiddenTitle || !inbox[0].Hidden() {
					t.Errorf("staff inbox = %+v, %v; want the hidden case as reported", inbox, err)
				}
			})
		}
	}
}

// TestRebuildSwapOutlivesADeadlock holds the public feed in a reader's
// transaction while the swap runs: the swap drops the case list, then
// waits for the feed, and the reader then asks for the case list. That
// is a deadlock, and PostgreSQL cancels the swap, which waited first. The
// rebuild must run its swap again and still leave tables equal to the
// live ones.
func TestRebuildSwapOutlivesADeadlock(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool, schema := eventstoretest.Schema(t, nil)
	pg := caselist.NewPostgres(pool, caselist.Config{})
	s := newScenario(t)
	s.city()
	if _, err := projections.ApplyBatch(ctx, pool, pg, s.events); err != nil {
		t.Fatal(err)
	}
	var before string
	if err := pool.QueryRow(ctx, "SELECT string_agg(c::text, E'\\n' ORDER BY id) FROM case_list c").Scan(&before); err != nil {
		t.Fatal(err)
	}
	reader, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = reader.Rollback(ctx) }()
	var feed int
	if err := reader.QueryRow(ctx, "SELECT count(*) FROM public_feed").Scan(&feed); err != nil {
		t.Fatal(err)
	}
	rebuilt := make(chan error, 1)
	go func() {
		_, err := projections.Rebuild(ctx, pool, &growingLog{events: s.events, visible: len(s.events)}, pg, 5000, nil)
		rebuilt <- err
	}()
	// The swap holds the case list and waits for the feed.
	for waiting := false; !waiting; {
		if err := pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
			WHERE NOT l.granted AND c.relname = 'public_feed' AND c.relnamespace = $1::regnamespace)`, schema).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
		select {
		case err := <-rebuilt:
			t.Fatalf("the rebuild ended before its swap waited for the reader: %v", err)
		default:
		}
	}
	var cases int
	if err := reader.QueryRow(ctx, "SELECT count(*) FROM case_list").Scan(&cases); err != nil {
		t.Fatalf("the reader was cancelled, not the swap: %v", err)
	}
	if err := reader.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-rebuilt; err != nil {
		t.Fatalf("rebuild after a deadlock: %v", err)
	}
	var after string
	if err := pool.QueryRow(ctx, "SELECT string_agg(c::text, E'\\n' ORDER BY id) FROM case_list c").Scan(&after); err != nil {
		t.Fatal(err)
	}
	if after != before {
		t.Fatalf("rebuilt case list differs from the live one:\nlive:\n%s\nrebuilt:\n%s", before, after)
	}
}
