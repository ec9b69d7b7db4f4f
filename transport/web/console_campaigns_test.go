package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/citizenhouse/bayt/domain"
)

// englishPage is a page in English, for the messages a test reads.
func englishPage(t *testing.T) *pageData {
	t.Helper()
	s := newTestPages(t, false)
	return s.data(httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/console/campaigns?lang=en", nil), "console")
}

func TestNetRefusal(t *testing.T) {
	t.Parallel()
	d := englishPage(t)
	posted := url.Values{"attendance.women": {"-1"}}
	for _, tc := range []struct {
		name    string
		err     error
		status  int
		message string            // the form's reason
		fields  map[string]string // reasons by field
	}{
		{"InvalidByField", errors.Join(
			domain.Invalid("attendance.women", "must be between 0 and 1000000"),
			&domain.InvalidError{Field: "minutes", Reason: "too long", Rule: domain.RuleTooLong, Limit: 20000},
			domain.Invalid("attendance.women", "a second reason, not shown"),
		), http.StatusUnprocessableEntity, "", map[string]string{
			"attendance.women": "Enter a number between 0 and 1000000.",
			"minutes":          "Too long: at most 20000 characters.",
		}},
		{"ThemesAreOneField", domain.Invalid("themes[2]", "unknown theme"), http.StatusUnprocessableEntity, "",
			map[string]string{"themes": "Choose one from the list."}},
		{"Unreadable", formUnreadable{"count": "cw.err.number"}, http.StatusUnprocessableEntity, "",
			map[string]string{"count": "Enter a whole number."}},
		{"Stale", fmt.Errorf("update: %w", &domain.VersionConflictError{Stream: "campaign-x", Expected: 3, Actual: 4}),
			http.StatusConflict, "Someone else changed this campaign since you opened the page, so nothing was recorded. Check the campaign as it is now and try again.", nil},
		{"Closed", &domain.TransitionError{Command: "close", Status: "closed"}, http.StatusConflict,
			"The campaign is closed: this can no longer be done.", nil},
		{"Held", &domain.TransitionError{Command: "hold_activity", Status: "held"}, http.StatusConflict,
			"This activity was already recorded as held.", nil},
		{"Forbidden", domain.Forbidden("only advocates"), http.StatusForbidden, "You may not do this.", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ref, status, ok := d.netRefusalOf(tc.err, "held:act-1", "cw", posted)
			if !ok || status != tc.status || ref.Form != "held:act-1" || ref.Message != tc.message || ref.Values.Get("attendance.women") != "-1" {
				t.Fatalf("refusal = %+v, %d, %v; want %d with %q", ref, status, ok, tc.status, tc.message)
			}
			if len(ref.Fields) != len(tc.fields) {
				t.Errorf("fields = %v, want %v", ref.Fields, tc.fields)
			}
			for name, want := range tc.fields {
				if ref.Fields[name] != want {
					t.Errorf("field %s: %q, want %q", name, ref.Fields[name], want)
				}
			}
		})
	}

	t.Run("NotARefusal", func(t *testing.T) {
		t.Parallel()
		for _, err := range []error{
			&domain.TransitionError{Command: "close", Status: ""}, // no such campaign
			domain.NotFound("campaign-x"),
			errors.New("database on fire"),
		} {
			if ref, _, ok := d.netRefusalOf(err, "close", "cw", nil); ok {
				t.Errorf("%v is a refusal: %+v", err, ref)
			}
		}
	})

	t.Run("FormShowsWhatNoFieldHolds", func(t *testing.T) {
		t.Parallel()
		ref, _, _ := d.netRefusalOf(errors.Join(domain.Invalid("activity_id", "unknown activity"), domain.Invalid("minutes", "bad")), "held:act-1", "cw", posted)
		f := d.newNetForm("held:act-1", "/x", 3, "cw.held.submit", ref)
		f.field(ref, "minutes", "cw.field.minutes", "textarea", "", 10, false)
		f.finish(ref)
		if !f.Refused || f.Fields[0].Error != "This value is not accepted." || len(f.Messages) != 1 || f.Messages[0] != "This activity is unknown." {
			t.Errorf("form = %+v", f)
		}
		other := d.newNetForm("plan", "/y", 3, "cw.plan.submit", ref)
		other.field(ref, "minutes", "cw.field.minutes", "textarea", "kept", 10, false)
		if other.finish(ref).Refused || other.Fields[0].Error != "" || other.Fields[0].Value != "kept" {
			t.Errorf("another form shows the refusal: %+v", other)
		}
	})
}

func TestFormReader(t *testing.T) {
	t.Parallel()
	fr := formReader{form: url.Values{
		"local": {"2026-05-10T18:00"}, "seconds": {"2026-05-10T18:00:30"}, "zoned": {"2026-05-10T18:00:00+01:00"},
		"date": {"2026-05-10"}, "garbage": {"next Friday"}, "n": {" 42 "}, "neg": {"-3"}, "word": {"twelve"}, "empty": {""},
	}}
	for _, tc := range []struct {
		name     string
		endOfDay bool
		want     time.Time
	}{
		{"local", false, time.Date(2026, 5, 10, 18, 0, 0, 0, time.UTC)},
		{"seconds", false, time.Date(2026, 5, 10, 18, 0, 30, 0, time.UTC)},
		{"zoned", false, time.Date(2026, 5, 10, 17, 0, 0, 0, time.UTC)},
		{"date", false, time.Date(2026, 5, 10, 0, 0, 0, 0, time.UTC)},
		{"date", true, time.Date(2026, 5, 10, 23, 59, 59, 0, time.UTC)},
		{"empty", true, time.Time{}},
	} {
		if got := fr.Time(tc.name, tc.endOfDay); !got.Equal(tc.want) {
			t.Errorf("Time(%s, %v) = %v, want %v", tc.name, tc.endOfDay, got, tc.want)
		}
	}
	if n, neg, empty := fr.Int("n"), fr.Int("neg"), fr.Int("empty"); n != 42 || neg != -3 || empty != 0 {
		t.Errorf("Int = %d, %d, %d; want 42, -3 (the domain judges it), 0", n, neg, empty)
	}
	if fr.Err() != nil {
		t.Fatalf("readable fields reported: %v", fr.Err())
	}
	fr.Time("garbage", false)
	fr.Int("word")
	var bad formUnreadable
	if !errors.As(fr.Err(), &bad) || bad["garbage"] != "cw.err.date" || bad["word"] != "cw.err.number" || len(bad) != 2 {
		t.Errorf("unreadable = %v", fr.Err())
	}
}

func TestFormVersion(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]int64{"": domain.AnyVersion, "7": 7, " 12 ": 12} {
		if opts, ok := formVersion(url.Values{"version": {in}}); !ok || opts.IfMatch != want {
			t.Errorf("version %q: %+v, %v; want IfMatch %d", in, opts, ok, want)
		}
	}
	for _, in := range []string{"0", "-1", "seven", strings.Repeat("9", 30)} {
		if _, ok := formVersion(url.Values{"version": {in}}); ok {
			t.Errorf("version %q accepted", in)
		}
	}
}
