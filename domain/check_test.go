package domain_test

import (
	"errors"
	"testing"
	"time"

	"github.com/citizenhouse/bayt/domain"
)

func TestCheck(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		run   func(v *domain.Check)
		field string // "" when the input is fine
	}{
		{"OK", func(v *domain.Check) { v.Text("title", "  حفرة  ", 1, 10) }, ""},
		{"ErrRequired", func(v *domain.Check) { v.Text("title", "   ", 1, 10) }, "title"},
		{"ErrTooLong", func(v *domain.Check) { v.Text("title", "حفرة في الطريق", 1, 5) }, "title"},
		{"ErrNUL", func(v *domain.Check) { v.Text("note", "a\x00b", 0, 10) }, "note"},
		{"ErrControl", func(v *domain.Check) { v.Text("note", "a\x1bb", 0, 10) }, "note"},
		{"LineBreaksOK", func(v *domain.Check) { v.Text("note", "a\nb\tc", 0, 10) }, ""},
		{"ErrBadUTF8", func(v *domain.Check) { v.Text("note", "a\xffb", 0, 10) }, "note"},
		{"ErrNowZero", func(v *domain.Check) { v.Now(time.Time{}) }, "now"},
		{"ErrYearTooLate", func(v *domain.Check) {
			v.Time("due_by", time.Date(9999, 12, 31, 23, 0, 0, 0, time.FixedZone("", -5*3600)), true)
		}, "due_by"},
		{"ErrDateRequired", func(v *domain.Check) { v.Time("due_by", time.Time{}, true) }, "due_by"},
		{"OptionalDateOK", func(v *domain.Check) { v.Time("planned_for", time.Time{}, false) }, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var v domain.Check
			tc.run(&v)
			err := v.Err()
			var inv *domain.InvalidError
			switch {
			case tc.field == "" && err != nil:
				t.Fatalf("unexpected error %v", err)
			case tc.field != "" && (!errors.As(err, &inv) || inv.Field != tc.field):
				t.Fatalf("err = %v, want an invalid %s", err, tc.field)
			}
		})
	}
}
