package casefile_test

import (
	"testing"
	"time"

	"github.com/citizenhouse/bayt/domain/casefile"
)

func TestFormatNumber(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		year, n int
		want    string
	}{{2026, 1, "2026-0001"}, {2026, 142, "2026-0142"}, {2026, 9999, "2026-9999"}, {2027, 12345, "2027-12345"}} {
		if got := casefile.FormatNumber(tc.year, tc.n); got != tc.want {
			t.Errorf("FormatNumber(%d, %d) = %q, want %q", tc.year, tc.n, got, tc.want)
		}
	}
}

func TestParseNumber(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"2026-0142": "2026-0142", " 2026-142 ": "2026-0142", "2026/0142": "2026-0142", "2026–142": "2026-0142",
		"٢٠٢٦-٠١٤٢": "2026-0142", "۲۰۲۶-۱۴۲": "2026-0142", "2027-12345": "2027-12345",
		"": "", "2026": "", "2026-": "", "-0142": "", "26-0142": "", "2026-0": "", "2026-01a2": "",
		"2026-0142-1": "", "abcd-0142": "", "2026-1234567890": "",
	} {
		got, ok := casefile.ParseNumber(in)
		if got != want || ok != (want != "") {
			t.Errorf("ParseNumber(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for in, want := range map[string]int{"142": 142, "٠١٤٢": 142, " 7 ": 7, "0": 0, "": 0, "14a": 0, "-3": 0} {
		got, ok := casefile.ParseRank(in)
		if got != want || ok != (want != 0) {
			t.Errorf("ParseRank(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
}

func TestNumberYear(t *testing.T) {
	t.Parallel()
	tunis := time.FixedZone("Africa/Tunis", 3600)
	eve := time.Date(2026, 12, 31, 23, 30, 0, 0, time.UTC)
	if got := casefile.NumberYear(eve, tunis); got != 2027 {
		t.Errorf("half past eleven UTC on 31 December is %d in Tunis, want 2027", got)
	}
	if got := casefile.NumberYear(eve, time.UTC); got != 2026 {
		t.Errorf("in UTC: %d, want 2026", got)
	}
}
