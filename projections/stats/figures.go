package stats

import (
	"cmp"
	"context"
	"slices"
	"strings"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/domain/directory"
)

// NeedsFilter selects the needs counted; empty District and Theme do not
// filter.
type NeedsFilter struct {
	Period   Period
	District string
	Theme    string
}

func (f NeedsFilter) validate() error {
	if f.Theme != "" && !directory.Theme(f.Theme).Valid() {
		return domain.Invalid("theme", "unknown theme")
	}
	return nil
}

// NeedsItem is how many cases of a theme a district reported in a month.
type NeedsItem struct {
	District string `json:"district"`
	Theme    string `json:"theme"`
	Month    string `json:"month"`
	Count    int    `json:"count"`
}

// Needs are the needs of a period, by district, theme and month (months
// without a case left out), and their trend.
type Needs struct {
	Period
	Items []NeedsItem `json:"items"`
	Trend Trend       `json:"trend"`
}

// Trend compares each district and theme over a period with the period of
// as many months just before it.
type Trend struct {
	Previous Period      `json:"previous"`
	Items    []TrendItem `json:"items"`
}

// TrendItem is one district and theme over the period and the one before.
// Change is Count − PreviousCount; ChangeRatio is Change / PreviousCount,
// null when the previous period had none.
type TrendItem struct {
	District      string   `json:"district"`
	Theme         string   `json:"theme"`
	Count         int      `json:"count"`
	PreviousCount int      `json:"previous_count"`
	Change        int      `json:"change"`
	ChangeRatio   *float64 `json:"change_ratio"`
}

// needsOf assembles the needs of f from the counts of its period and of
// the one before, each in district, theme, month order.
func needsOf(ctx context.Context, f NeedsFilter, counts func(ctx context.Context, f NeedsFilter) ([]NeedsItem, error)) (Needs, error) {
	if err := f.validate(); err != nil {
		return Needs{}, err
	}
	items, err := counts(ctx, f)
	if err != nil {
		return Needs{}, err
	}
	prev := f
	prev.Period = f.Period.Previous()
	before, err := counts(ctx, prev)
	if err != nil {
		return Needs{}, err
	}
	n := Needs{Period: f.Period, Items: items, Trend: Trend{Previous: prev.Period, Items: []TrendItem{}}}
	if n.Items == nil {
		n.Items = []NeedsItem{}
	}
	byKey := map[[2]string]*TrendItem{}
	item := func(district, theme string) *TrendItem {
		k := [2]string{district, theme}
		if t, ok := byKey[k]; ok {
			return t
		}
		t := &TrendItem{District: district, Theme: theme}
		byKey[k] = t
		return t
	}
	for _, it := range items {
		item(it.District, it.Theme).Count += it.Count
	}
	for _, it := range before {
		item(it.District, it.Theme).PreviousCount += it.Count
	}
	for _, t := range byKey {
		t.Change = t.Count - t.PreviousCount
		t.ChangeRatio = ratio(t.Change, t.PreviousCount)
		n.Trend.Items = append(n.Trend.Items, *t)
	}
	slices.SortFunc(n.Trend.Items, func(a, b TrendItem) int {
		return cmp.Or(strings.Compare(a.District, b.District), strings.Compare(a.Theme, b.Theme))
	})
	return n, nil
}

// DepartmentMonth is how a department responded to the cases it received
// in a month; see the package documentation for each figure. WithinSLA
// and SLACases, Reopened and Resolved are the counts the ratios divide, so
// that months add up (the board's figures are the sums over all months).
type DepartmentMonth struct {
	Code                     string   `json:"code"`
	Month                    string   `json:"month"`
	Received                 int      `json:"received"`
	MedianHoursToAcknowledge *float64 `json:"median_hours_to_acknowledge"`
	P90HoursToAcknowledge    *float64 `json:"p90_hours_to_acknowledge"`
	MedianHoursToAnswer      *float64 `json:"median_hours_to_answer"`
	MedianHoursToResolve     *float64 `json:"median_hours_to_resolve"`
	P90HoursToResolve        *float64 `json:"p90_hours_to_resolve"`
	WithinSLARatio           *float64 `json:"within_sla_ratio"`
	ReopenRate               *float64 `json:"reopen_rate"`
	Open                     int      `json:"open"`
	Overdue                  int      `json:"overdue"`
	WithinSLA                int      `json:"within_sla"`
	SLACases                 int      `json:"sla_cases"`
	Resolved                 int      `json:"resolved"`
	Reopened                 int      `json:"reopened"`
}

// CommitmentsMonth counts a department's commitments of a month.
type CommitmentsMonth struct {
	Department string `json:"department"`
	Month      string `json:"month"`
	Made       int    `json:"made"`
	Kept       int    `json:"kept"`
	Broken     int    `json:"broken"`
}

// AttendanceMonth counts who came to a theme's activities of a month.
// WomenShare and YouthShare divide by People, null when nobody was
// counted.
type AttendanceMonth struct {
	Theme      string   `json:"theme"`
	Month      string   `json:"month"`
	Activities int      `json:"activities"`
	People     int      `json:"people"`
	Women      int      `json:"women"`
	Men        int      `json:"men"`
	Youth      int      `json:"youth"`
	WomenShare *float64 `json:"women_share"`
	YouthShare *float64 `json:"youth_share"`
}

// Campaigns are the campaigns' figures over a period.
type Campaigns struct {
	Period
	Commitments []CommitmentsMonth `json:"commitments"`
	Attendance  []AttendanceMonth  `json:"attendance"`
}
