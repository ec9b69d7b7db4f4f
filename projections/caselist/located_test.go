package caselist_test

import (
	"testing"

	"github.com/citizenhouse/bayt/projections/caselist"
	"github.com/citizenhouse/bayt/projections/projectionstest"
)

// TestListLocated lists the located cases of the suite's log, where four
// cases have a place and moderation hides one of them: the public reads
// the other three, staff all four, and no case without a place. (TestSuite
// checks that Postgres answers as Memory does.)
func TestListLocated(t *testing.T) {
	t.Parallel()
	log := projectionstest.NewLog(t)
	m := caselist.NewMemory(caselist.Config{})
	if err := m.Apply(t.Context(), log.Events); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		staff bool
		want  int
	}{{"Public", false, 3}, {"Staff", true, 4}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			page, err := m.List(t.Context(), caselist.Filter{Located: true, Staff: tc.staff, Now: log.Now})
			if err != nil {
				t.Fatal(err)
			}
			if len(page.Items) != tc.want {
				t.Fatalf("%d located cases, want %d", len(page.Items), tc.want)
			}
			for _, c := range page.Items {
				if c.Location == nil {
					t.Errorf("case %s (%q) has no location", c.ID, c.Title)
				}
				if _, public := c.Public(); !public && !tc.staff {
					t.Errorf("the public reads hidden case %s", c.ID)
				}
			}
		})
	}
}
