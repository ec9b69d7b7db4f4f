package stats_test

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/domain/campaign"
	"github.com/citizenhouse/bayt/domain/casefile"
	"github.com/citizenhouse/bayt/domain/directory"
	"github.com/citizenhouse/bayt/eventstore/eventstoretest"
	"github.com/citizenhouse/bayt/projections"
	"github.com/citizenhouse/bayt/projections/caselist"
	"github.com/citizenhouse/bayt/projections/stats"
)

// known is a log written by hand, so that every figure can be computed by
// hand. Times are UTC; the city is an hour ahead (tunis).
type known struct {
	t      *testing.T
	events []projections.Event
}

func (k *known) add(stream string, e domain.Event) {
	k.t.Helper()
	data, err := json.Marshal(e)
	if err != nil {
		k.t.Fatal(err)
	}
	at := reflect.ValueOf(e).Elem().FieldByName("At").Interface().(time.Time)
	k.events = append(k.events, projections.Event{ID: "evt-" + stream + e.EventType(), Position: int64(len(k.events) + 1),
		Stream: stream, Type: e.EventType(), Data: data, RecordedAt: at})
}

// F is when cases A to E are forwarded to roads_works, each due 72 hours
// later unless said otherwise; now is when the figures are asked.
var (
	forwardedAt = time.Date(2026, 3, 10, 8, 0, 0, 0, time.UTC)
	now         = time.Date(2026, 4, 5, 0, 0, 0, 0, time.UTC)
)

func h(n float64) time.Time { return forwardedAt.Add(time.Duration(n * float64(time.Hour))) }

func knownLog(t *testing.T) []projections.Event {
	k := &known{t: t}
	report := func(id, district, category string, at time.Time) {
		k.add(id, &casefile.CaseReported{ID: id, Title: "t", Description: "d", Category: category, District: district, At: at})
	}
	forward := func(id, dept string, at, due time.Time) {
		k.add(id, &casefile.CaseForwarded{Department: dept, DueAt: due, At: at})
	}
	ack := func(id string, at time.Time) { k.add(id, &casefile.CaseAcknowledged{At: at}) }
	answer := func(id string, at time.Time) { k.add(id, &casefile.CaseAnswered{Response: "r", At: at}) }
	resolve := func(id string, at time.Time) { k.add(id, &casefile.CaseResolved{Note: "n", At: at}) }

	// A: acknowledged at 2 h, answered at 5 h, resolved at 24 h, in time.
	// B: acknowledged at 4 h, answered at 10 h, resolved at 96 h, late.
	// C: acknowledged at 6 h, resolved at 48 h in time, reopened at 100 h
	//    with a new due date at 172 h, now past.
	// D: acknowledged at 10 h, open, due at 72 h, now past.
	// E: never acknowledged, open, due at 1000 h, not past now.
	// F: forwarded, then hidden by moderation: counts nowhere.
	for _, c := range []struct{ id, district string }{{"case-A", "Medina"}, {"case-B", "Medina"}, {"case-C", "Medina"},
		{"case-D", "Lafayette"}, {"case-E", "Lafayette"}, {"case-F", "Medina"}} {
		report(c.id, c.district, "roads", h(-24))
		due := h(72)
		if c.id == "case-E" {
			due = h(1000)
		}
		forward(c.id, "roads_works", h(0), due)
	}
	ack("case-A", h(2))
	answer("case-A", h(5))
	resolve("case-A", h(24))
	ack("case-B", h(4))
	answer("case-B", h(10))
	resolve("case-B", h(96))
	ack("case-C", h(6))
	resolve("case-C", h(48))
	k.add("case-C", &casefile.CaseReopened{Reason: "again", DueAt: h(172), At: h(100)})
	ack("case-D", h(10))
	k.add("case-F", &casefile.CaseModerated{Hidden: true, Reason: "private", At: h(1)})

	// H: a duplicate, merged: not a need of its own.
	report("case-H", "Medina", "roads", h(-20))
	k.add("case-H", &casefile.CaseMerged{Into: "case-A", At: h(-19)})
	// I and J: the period before (January and February).
	report("case-I", "Medina", "roads", time.Date(2026, 2, 15, 10, 0, 0, 0, time.UTC))
	report("case-J", "Medina", "water", time.Date(2026, 1, 20, 10, 0, 0, 0, time.UTC))
	k.add("case-J", &casefile.CaseRejected{Reason: "national utility", At: time.Date(2026, 1, 21, 10, 0, 0, 0, time.UTC)})

	// An admin moves lighting under the political theme; then G, a
	// lighting case, is reported at 23:00 UTC on 31 March, midnight on
	// 1 April in the city: an April need, under the political theme.
	k.add(directory.StreamID, &directory.CategorySaved{Code: "lighting", Name: directory.Names{AR: "إنارة", FR: "Éclairage", EN: "Lighting"},
		Department: "public_lighting", SLADays: 7, Theme: directory.ThemePolitical, At: time.Date(2026, 3, 20, 9, 0, 0, 0, time.UTC)})
	g := time.Date(2026, 3, 31, 23, 0, 0, 0, time.UTC)
	report("case-G", "Bab Souika", "lighting", g)
	forward("case-G", "public_lighting", g.Add(30*time.Minute), g.Add(30*time.Minute+7*24*time.Hour))
	ack("case-G", g.Add(150*time.Minute))

	// A campaign of the community theme targeting roads_works.
	camp := "campaign-K"
	k.add(camp, &campaign.CampaignLaunched{ID: camp, Title: "Roads", Demand: "d", Theme: directory.ThemeCommunity,
		TargetDepartment: "roads_works", LeadOrganisation: "organisation-1", At: h(1)})
	k.add(camp, &campaign.CommitmentRecorded{CommitmentID: "c1", Text: "a", DueBy: h(500), RecordedBy: domain.RoleOfficer, At: h(50)})
	k.add(camp, &campaign.CommitmentRecorded{CommitmentID: "c2", Text: "b", DueBy: h(500), RecordedBy: domain.RoleOfficer, At: h(50)})
	k.add(camp, &campaign.CommitmentBroken{CommitmentID: "c2", At: time.Date(2026, 3, 20, 10, 0, 0, 0, time.UTC)})
	k.add(camp, &campaign.CommitmentRecorded{CommitmentID: "c3", Text: "c", DueBy: h(900), RecordedBy: domain.RoleOfficer,
		At: time.Date(2026, 4, 1, 10, 0, 0, 0, time.UTC)})
	k.add(camp, &campaign.CommitmentFulfilled{CommitmentID: "c1", At: time.Date(2026, 4, 2, 10, 0, 0, 0, time.UTC)})
	k.add(camp, &campaign.ActivityHeld{ActivityID: "a1", Attendance: campaign.Attendance{Women: 12, Men: 8, Youth: 9, Total: 25},
		At: time.Date(2026, 3, 15, 17, 0, 0, 0, time.UTC)})
	k.add(camp, &campaign.ActivityHeld{ActivityID: "a2", Attendance: campaign.Attendance{Women: 5, Men: 10, Youth: 2, Total: 15},
		At: time.Date(2026, 4, 3, 17, 0, 0, 0, time.UTC)})
	return k.events
}

func f(v float64) *float64 { return &v }

// TestFiguresByHand compares every figure of the known log, as of now,
// with the figure computed by hand, on both implementations; and the
// public board's department figures with the same definitions.
func TestFiguresByHand(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	events := knownLog(t)
	cfg := stats.Config{Zone: tunis}
	pool, _ := eventstoretest.Schema(t, nil)
	pg := stats.NewPostgres(pool, cfg)
	if _, err := projections.ApplyBatch(ctx, pool, pg, events[:len(events)/2]); err != nil {
		t.Fatal(err)
	}
	if _, err := projections.ApplyBatch(ctx, pool, pg, events); err != nil {
		t.Fatal(err)
	}
	mem := stats.NewMemory(cfg)
	if err := mem.Apply(ctx, events); err != nil {
		t.Fatal(err)
	}

	// Needs of March and April (in the city), against January and
	// February. March: A, B, C (Medina), D, E (Lafayette), all roads,
	// community; F is hidden and H merged, so neither counts. April: G in
	// Bab Souika, political since the admin's edit. Before: I (Medina,
	// roads, February) and J (Medina, water: social, January; rejected,
	// still a need).
	wantNeeds := stats.Needs{
		Period: stats.Period{From: "2026-03", To: "2026-04"},
		Items: []stats.NeedsItem{
			{District: "Bab Souika", Theme: "political", Month: "2026-04", Count: 1},
			{District: "Lafayette", Theme: "community", Month: "2026-03", Count: 2},
			{District: "Medina", Theme: "community", Month: "2026-03", Count: 3},
		},
		Trend: stats.Trend{Previous: stats.Period{From: "2026-01", To: "2026-02"}, Items: []stats.TrendItem{
			// 1 now, none before: a change of 1, no ratio to a zero.
			{District: "Bab Souika", Theme: "political", Count: 1, PreviousCount: 0, Change: 1},
			{District: "Lafayette", Theme: "community", Count: 2, PreviousCount: 0, Change: 2},
			// 3 now, 1 before: +2, twice as many again: (3−1)/1 = 2.
			{District: "Medina", Theme: "community", Count: 3, PreviousCount: 1, Change: 2, ChangeRatio: f(2)},
			// none now, 1 before: −1, (0−1)/1 = −1.
			{District: "Medina", Theme: "social", Count: 0, PreviousCount: 1, Change: -1, ChangeRatio: f(-1)},
		}},
	}

	// roads_works received A, B, C, D, E in March (F is hidden).
	//  - to acknowledge: 2, 4, 6, 10 h. Median: rank 0.5·3 = 1.5, between
	//    4 and 6: 5. 90th: rank 0.9·3 = 2.7, 6 + 0.7·(10−6) = 8.8.
	//  - to answer: 5, 10 h. Median: 7.5.
	//  - to resolve (first resolution): A 24, C 48, B 96 h. Median: 48.
	//    90th: rank 0.9·2 = 1.8, 48 + 0.8·(96−48) = 86.4.
	//  - within SLA: judged are A (in time), B (late), C (resolved in time
	//    but reopened and past its new due date now: a breach) and D (open
	//    past its due date: a breach); E is open within its time. 1 of 4:
	//    0.25. Counting resolved cases only would say 2 of 3.
	//  - reopen rate: C of the resolved A, B, C: 1/3.
	//  - open now: C, D, E; overdue now: C, D.
	// public_lighting received G on 31 March at 23:30 UTC, April in the
	// city: acknowledged 2 h later, open within its 7 days.
	wantResp := []stats.DepartmentMonth{
		{Code: "public_lighting", Month: "2026-04", Received: 1, MedianHoursToAcknowledge: f(2), P90HoursToAcknowledge: f(2),
			Open: 1},
		{Code: "roads_works", Month: "2026-03", Received: 5, MedianHoursToAcknowledge: f(5), P90HoursToAcknowledge: f(8.8),
			MedianHoursToAnswer: f(7.5), MedianHoursToResolve: f(48), P90HoursToResolve: f(86.4),
			WithinSLARatio: f(0.25), ReopenRate: f(1.0 / 3), Open: 3, Overdue: 2,
			WithinSLA: 1, SLACases: 4, Resolved: 3, Reopened: 1},
	}

	// Commitments of roads_works: c1 and c2 made in March, c2 broken in
	// March; c3 made in April, c1 kept in April. Attendance of the
	// community theme: 25 people in March (12 women: 0.48, 9 youth:
	// 0.36), 15 in April (5 women: 1/3, 2 youth: 2/15).
	wantCamps := stats.Campaigns{
		Period: stats.Period{From: "2026-03", To: "2026-04"},
		Commitments: []stats.CommitmentsMonth{
			{Department: "roads_works", Month: "2026-03", Made: 2, Broken: 1},
			{Department: "roads_works", Month: "2026-04", Made: 1, Kept: 1},
		},
		Attendance: []stats.AttendanceMonth{
			{Theme: "community", Month: "2026-03", Activities: 1, People: 25, Women: 12, Men: 8, Youth: 9, WomenShare: f(0.48), YouthShare: f(0.36)},
			{Theme: "community", Month: "2026-04", Activities: 1, People: 15, Women: 5, Men: 10, Youth: 2, WomenShare: f(1.0 / 3), YouthShare: f(2.0 / 15)},
		},
	}

	period := stats.Period{From: "2026-03", To: "2026-04"}
	for name, m := range map[string]queries{"Postgres": pg, "Memory": mem} {
		needs, err := m.Needs(ctx, stats.NeedsFilter{Period: period})
		if err != nil {
			t.Fatal(err)
		}
		equal(t, name+" needs", needs, wantNeeds)
		resp, err := m.Responsiveness(ctx, period, now)
		if err != nil {
			t.Fatal(err)
		}
		equal(t, name+" responsiveness", resp, wantResp)
		camps, err := m.Campaigns(ctx, period)
		if err != nil {
			t.Fatal(err)
		}
		equal(t, name+" campaigns", camps, wantCamps)
		medina, err := m.Needs(ctx, stats.NeedsFilter{Period: period, District: "Medina", Theme: "social"})
		if err != nil {
			t.Fatal(err)
		}
		if len(medina.Items) != 0 || len(medina.Trend.Items) != 1 || medina.Trend.Items[0].PreviousCount != 1 {
			t.Errorf("%s: Medina's social needs = %+v", name, medina)
		}
	}

	// The board, from the case list, judges by the same definition:
	// roads_works 1 of 4 within SLA, 3 open, 2 overdue.
	for name, board := range map[string]interface {
		Board(ctx context.Context, now time.Time) (caselist.Board, error)
	}{"Postgres": caselist.NewPostgres(pool, caselist.Config{}), "Memory": caselist.NewMemory(caselist.Config{})} {
		if h, ok := board.(projections.Handler); ok {
			if _, err := projections.ApplyBatch(ctx, pool, h, events); err != nil {
				t.Fatal(err)
			}
		} else if err := board.(projections.Memory).Apply(ctx, events); err != nil {
			t.Fatal(err)
		}
		b, err := board.Board(ctx, now)
		if err != nil {
			t.Fatal(err)
		}
		var roads *caselist.DepartmentFigures
		for i := range b.Departments {
			if b.Departments[i].Code == "roads_works" {
				roads = &b.Departments[i]
			}
		}
		if roads == nil || roads.WithinSLARatio == nil || *roads.WithinSLARatio != 0.25 || roads.Open != 3 || roads.Overdue != 2 {
			t.Errorf("%s board's roads_works = %+v", name, roads)
		}
	}
}

// equal fails when got and want differ once encoded: numbers within a
// relative 1e-9 (hours are counted from microseconds).
func equal(t *testing.T, what string, got, want any) {
	t.Helper()
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(want)
	var gv, wv any
	_ = json.Unmarshal(g, &gv)
	_ = json.Unmarshal(w, &wv)
	if !near(gv, wv) {
		t.Errorf("%s:\n got %s\nwant %s", what, g, w)
	}
}

func near(a, b any) bool {
	switch a := a.(type) {
	case float64:
		b, ok := b.(float64)
		return ok && (a == b || (a-b)*(a-b) <= 1e-18*(a*a+b*b))
	case []any:
		b, ok := b.([]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for i := range a {
			if !near(a[i], b[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		b, ok := b.(map[string]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for k := range a {
			if !near(a[k], b[k]) {
				return false
			}
		}
		return true
	}
	return a == b
}

// TestFiguresCachedPerState asks the same questions again: answered from
// the cache while the read model's state and the overdue cases stay, and
// aggregated again once a batch is applied or a due date passes.
func TestFiguresCachedPerState(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	events := knownLog(t)
	pool, _ := eventstoretest.Schema(t, nil)
	pg := stats.NewPostgres(pool, stats.Config{Zone: tunis})
	if _, err := projections.ApplyBatch(ctx, pool, pg, events); err != nil {
		t.Fatal(err)
	}
	period := stats.Period{From: "2026-03", To: "2026-04"}
	computed := func(what string, want int64, ask func() error) {
		t.Helper()
		before := stats.Computed(pg)
		if err := ask(); err != nil {
			t.Fatal(err)
		}
		if got := stats.Computed(pg) - before; got != want {
			t.Errorf("%s: %d aggregations, want %d", what, got, want)
		}
	}
	needs := func() error { _, err := pg.Needs(ctx, stats.NeedsFilter{Period: period}); return err }
	roads := func(at time.Time) (overdue int) {
		t.Helper()
		months, err := pg.Responsiveness(ctx, period, at)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range months {
			if m.Code == "roads_works" {
				overdue = m.Overdue
			}
		}
		return overdue
	}
	// The period and the one before.
	computed("needs", 2, needs)
	computed("needs again", 0, needs)
	computed("campaigns", 1, func() error { _, err := pg.Campaigns(ctx, period); return err })
	computed("campaigns again", 0, func() error { _, err := pg.Campaigns(ctx, period); return err })
	computed("responsiveness", 1, func() error { roads(now); return nil })
	computed("responsiveness an hour later", 0, func() error { roads(now.Add(time.Hour)); return nil })
	// E falls due at 1000 h: past it, three of roads_works' cases are
	// overdue, not two.
	var overdue int
	computed("responsiveness past a due date", 1, func() error { overdue = roads(h(1001)); return nil })
	if overdue != 3 {
		t.Errorf("past E's due date, roads_works has %d overdue, want 3", overdue)
	}

	k := &known{t: t, events: events}
	k.add("case-L", &casefile.CaseReported{ID: "case-L", Title: "t", Description: "d", Category: "roads", District: "Lafayette", At: h(2)})
	if _, err := projections.ApplyBatch(ctx, pool, pg, k.events); err != nil {
		t.Fatal(err)
	}
	computed("needs after a batch", 2, needs)
	n, err := pg.Needs(ctx, stats.NeedsFilter{Period: period, District: "Lafayette"})
	if err != nil {
		t.Fatal(err)
	}
	if len(n.Items) != 1 || n.Items[0].Count != 3 {
		t.Errorf("Lafayette's needs after a third report: %+v", n.Items)
	}
}
