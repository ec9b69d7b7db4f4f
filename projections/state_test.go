package projections

import (
	"testing"
	"time"
)

func TestDueSpanHoldsBetweenTheDueDatesAroundNow(t *testing.T) {
	passed := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	toCome := passed.Add(48 * time.Hour)
	span := SpanBetween(&passed, &toCome)
	for _, c := range []struct {
		now  time.Time
		want bool
	}{
		{passed, false}, // the case passed its due date at that instant: overdue from then on
		{passed.Add(time.Microsecond), true},
		{toCome, true},
		{toCome.Add(time.Microsecond), false},
	} {
		if got := span.Holds(c.now); got != c.want {
			t.Errorf("Holds(%v) = %v, want %v", c.now, got, c.want)
		}
	}
	open := SpanBetween(nil, nil)
	if !open.Holds(passed) || !open.Holds(time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Error("a span with no due date on either side must hold at every instant")
	}
}
