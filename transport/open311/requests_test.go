package open311

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/citizenhouse/bayt/domain/casefile"
)

func TestTitleOf(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("word ", 30)
	for _, tc := range []struct{ description, want string }{
		{"Deep pothole\nTwo scooters fell", "Deep pothole"},
		{"  title:  Pothole\n\ndetail: deep", "title:  Pothole"},
		{long, strings.TrimSpace(strings.Repeat("word ", 16)) + "…"},
		{strings.Repeat("x", 100), strings.Repeat("x", 80) + "…"},
	} {
		if got := titleOf(tc.description); got != tc.want {
			t.Errorf("titleOf(%q) = %q, want %q", tc.description, got, tc.want)
		}
		if n := len([]rune(titleOf(tc.description))); n > titleRunes+1 {
			t.Errorf("titleOf(%q) has %d runes", tc.description, n)
		}
	}
}

func TestDate(t *testing.T) {
	t.Parallel()
	want := time.Date(1994, 11, 5, 13, 15, 30, 0, time.UTC)
	// The specification's two examples of one instant, and the offset's
	// + unescaped in a query string, which arrives as a space.
	for _, s := range []string{"1994-11-05T08:15:30-05:00", "1994-11-05T13:15:30Z", "1994-11-05T14:15:30 01:00"} {
		if got, err := date(s); err != nil || !got.Equal(want) {
			t.Errorf("date(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	if got, err := date("1994-11-05"); err != nil || !got.Equal(time.Date(1994, 11, 5, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("a bare date = %v, %v", got, err)
	}
	for _, s := range []string{"yesterday", "1994-11-05T13:15:30", "05/11/1994"} {
		if _, err := date(s); err == nil {
			t.Errorf("date(%q) accepted", s)
		}
	}
}

func TestOpenOrClosed(t *testing.T) {
	t.Parallel()
	closed := map[casefile.Status]bool{casefile.StatusClosed: true, casefile.StatusRejected: true, casefile.StatusDuplicate: true}
	for _, s := range []casefile.Status{casefile.StatusReported, casefile.StatusTriaged, casefile.StatusForwarded, casefile.StatusAcknowledged,
		casefile.StatusInProgress, casefile.StatusResolved, casefile.StatusClosed, casefile.StatusRejected, casefile.StatusDuplicate} {
		want := "open"
		if closed[s] {
			want = "closed"
		}
		if got := openOrClosed(s); got != want {
			t.Errorf("%s is %s, want %s", s, got, want)
		}
		// Every status is told in every language.
		for lang, tx := range textsByLang {
			if s != casefile.StatusDuplicate && tx.statuses[s] == "" {
				t.Errorf("no %s words for %s", lang, s)
			}
		}
	}
}

func TestCheckForm(t *testing.T) {
	t.Parallel()
	ok := url.Values{"description": {"line one\r\nline two\ttab"}, "attribute[kind]": {"a", "b"}, "jurisdiction_id": {""}}
	if errs := checkForm(ok); len(errs) != 0 {
		t.Fatalf("checkForm(%v) = %v", ok, errs)
	}
	bad := url.Values{"description": {"a", "b"}, "email": {"a\x00b"}, "phone": {"\xff"}}
	if errs := checkForm(bad); len(errs) != 3 {
		t.Fatalf("checkForm(%v) = %v, want 3 errors", bad, errs)
	}
}
