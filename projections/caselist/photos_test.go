package caselist_test

import (
	"context"
	"strings"
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

// TestPhotos folds a case's photos, one of them hidden, in batches that
// make the row go through its stored form between them: the list gives
// the public the shown photo alone and staff both.
func TestPhotos(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	shown, hidden := strings.Repeat("ab", 32), strings.Repeat("cd", 32)
	id := "case-" + ulid.Make().String()
	s := newScenario(t)
	s.run(id, t0, func(c *casefile.Case) ([]domain.Event, error) {
		return c.Report(directory.Default(), casefile.Report{Actor: domain.Anonymous, Now: t0, ID: id, Title: "Broken bench",
			Description: "In the park", Category: "roads", District: "Medina"})
	})
	for i, photo := range []string{shown, hidden} {
		at := t0.Add(time.Duration(i+1) * time.Minute)
		s.run(id, at, func(c *casefile.Case) ([]domain.Event, error) {
			return c.AddPhoto(casefile.AddPhoto{Actor: domain.Actor{Role: domain.RoleReporter}, Now: at, PhotoID: photo, Width: 1600, Height: 900})
		})
	}
	s.run(id, t0.Add(time.Hour), func(c *casefile.Case) ([]domain.Event, error) {
		return c.ModeratePhoto(casefile.ModeratePhoto{Actor: advocate, Now: t0.Add(time.Hour), PhotoID: hidden, Hidden: true, Reason: "a face"})
	})
	s.run(id, t0.Add(2*time.Hour), func(c *casefile.Case) ([]domain.Event, error) {
		return c.Support(casefile.Support{Actor: domain.Anonymous, Now: t0.Add(2 * time.Hour)})
	})
	var batches [][]projections.Event
	for i := range s.events {
		batches = append(batches, s.events[i:i+1])
	}
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
		t.Run(impl, func(t *testing.T) {
			t.Parallel()
			m := newModel(t)
			for _, staff := range []bool{false, true} {
				page, err := m.List(ctx, caselist.Filter{Staff: staff, Now: t0.Add(3 * time.Hour)})
				if err != nil || len(page.Items) != 1 {
					t.Fatalf("staff %v: %d items, %v", staff, len(page.Items), err)
				}
				c := page.Items[0]
				switch {
				case c.Supporters != 1:
					t.Errorf("staff %v: the last batch was not folded: %+v", staff, c)
				case !staff && (len(c.Photos) != 1 || c.Photos[0].ID != shown || c.Photos[0].Width != 1600 || !c.Photos[0].ByReporter):
					t.Errorf("public photos = %+v, want the shown one alone", c.Photos)
				case staff && (len(c.Photos) != 2 || c.Photos[0].Hidden || !c.Photos[1].Hidden || c.Photos[1].ID != hidden):
					t.Errorf("staff photos = %+v, want both, the second hidden", c.Photos)
				}
			}
		})
	}
}
