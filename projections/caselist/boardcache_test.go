package caselist_test

import (
	"context"
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

// TestBoardIsComputedOncePerPosition holds the case list's table locked
// while many askers read the board at one position: they all wait on one
// computation, which runs once the lock goes. A write, a rebuild's swap
// (the checkpoint written again at the same position) and a due date
// passing each make the next board a new one.
func TestBoardIsComputedOncePerPosition(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const askers = 20
	pool, _ := eventstoretest.Schema(t, &eventstoretest.SchemaOpts{MaxConns: 8})
	pg := caselist.NewPostgres(pool, caselist.Config{})
	s := newScenario(t)
	ids := s.city()
	if _, err := projections.ApplyBatch(ctx, pool, pg, s.events); err != nil {
		t.Fatal(err)
	}
	joined := make(chan struct{}, askers)
	caselist.OnBoardJoined(pg, func() { joined <- struct{}{} })
	due := *s.cases[ids[2]].DueAt // forwarded, never acknowledged
	now := due.Add(-time.Hour)

	lock, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lock.Exec(ctx, "LOCK TABLE case_list IN ACCESS EXCLUSIVE MODE"); err != nil {
		t.Fatal(err)
	}
	type answer struct {
		b   caselist.Board
		err error
	}
	answers := make(chan answer, askers)
	for range askers {
		go func() {
			b, err := pg.Board(ctx, now)
			answers <- answer{b, err}
		}()
	}
	// No computation can end while the table is locked: every asker
	// waiting has joined the one computation started at this position.
	for range askers {
		<-joined
	}
	if err := lock.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	var first caselist.Board
	for i := range askers {
		a := <-answers
		if a.err != nil {
			t.Fatal(a.err)
		}
		if i == 0 {
			first = a.b
		} else if !reflect.DeepEqual(a.b, first) {
			t.Fatalf("askers at one position read different boards:\n%+v\n%+v", a.b, first)
		}
	}
	if n := caselist.BoardsComputed(pg); n != 1 {
		t.Fatalf("%d askers at one position: computed %d times, want once", askers, n)
	}
	if first.Position != int64(len(s.events)) || first.ByStatus["reported"] != 2 {
		t.Fatalf("board = position %d, %v", first.Position, first.ByStatus)
	}
	// A caller's board is its own: changing it changes no other's.
	first.ByStatus["reported"] = 99
	first.Recent[0].Title = "changed"

	read := func(now time.Time) caselist.Board {
		t.Helper()
		b, err := pg.Board(ctx, now)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	computed := func(want int64, what string) {
		t.Helper()
		if n := caselist.BoardsComputed(pg); n != want {
			t.Fatalf("%s: computed %d times, want %d", what, n, want)
		}
	}
	if b := read(now.Add(time.Minute)); b.ByStatus["reported"] != 2 || b.Recent[0].Title == "changed" {
		t.Fatalf("the shared board was changed by a caller: %v, %q", b.ByStatus, b.Recent[0].Title)
	}
	computed(1, "at the same position and before the due date")

	// A report: the next board counts it, whoever asks.
	id := "case-" + ulid.Make().String()
	s.run(id, t0.Add(100*time.Hour), func(c *casefile.Case) ([]domain.Event, error) {
		return c.Report(directory.Default(), casefile.Report{Actor: domain.Anonymous, Now: t0.Add(100 * time.Hour), ID: id,
			Title: "Water leak", Description: "in the street", Category: "water", District: "Medina"})
	})
	if _, err := projections.ApplyBatch(ctx, pool, pg, s.events); err != nil {
		t.Fatal(err)
	}
	if b := read(now); b.Position != int64(len(s.events)) || b.ByStatus["reported"] != 3 || b.Recent[0].CaseID != id {
		t.Fatalf("after a report: position %d, %v, newest %s", b.Position, b.ByStatus, b.Recent[0].CaseID)
	}
	computed(2, "after a report")

	// A rebuild swaps its rows in and writes the checkpoint at the same
	// position: the rows may differ, so the board is computed again.
	if _, err := pool.Exec(ctx, "UPDATE checkpoints SET updated_at = updated_at + interval '1 second' WHERE name = $1", caselist.Name); err != nil {
		t.Fatal(err)
	}
	read(now)
	computed(3, "after the checkpoint was written again")

	// The overdue counts change at a due date, not at a position.
	overdue := func(b caselist.Board) int {
		n := 0
		for _, d := range b.Departments {
			n += d.Overdue
		}
		return n
	}
	if n := overdue(read(due)); n != 0 {
		t.Fatalf("at the due date: %d overdue, want 0", n)
	}
	computed(3, "up to the due date")
	if n := overdue(read(due.Add(time.Microsecond))); n != 1 {
		t.Fatalf("past the due date: %d overdue, want 1", n)
	}
	computed(4, "past the due date")
	if n := overdue(read(due.Add(time.Hour))); n != 1 {
		t.Fatalf("an hour past the due date: %d overdue, want 1", n)
	}
	computed(4, "past the due date, again")
}
