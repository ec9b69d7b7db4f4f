package web

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/citizenhouse/bayt/projections/stats"
)

// Figures reads the figures' read model: the needs of a period and the
// departments' responsiveness. Both are safe for concurrent use.
type Figures interface {
	Needs(ctx context.Context, f stats.NeedsFilter) (stats.Needs, error)
	Responsiveness(ctx context.Context, p stats.Period, now time.Time) ([]stats.DepartmentMonth, error)
}

func (s *Server) statsRoutes() {
	if s.cfg.Figures != nil {
		s.mux.HandleFunc("GET /stats", s.statsPage)
	}
}

// chart is a horizontal bar chart drawn as inline SVG. Its bars are laid
// out here, mirrored on a right-to-left page, so that the template only
// places what it is given.
type chart struct {
	ID            string
	Title         string
	Width, Height int
	Bars          []chartBar
}

// chartBar is one bar, its label and its value's text.
type chartBar struct {
	Label, Text   string
	X, Y, W, H    int
	LabelX, TextX int
	LabelAnchor   string
	TextAnchor    string
	TextY         int
}

const (
	chartWidth  = 640
	chartLabelW = 200
	chartTextW  = 70
	chartRow    = 28
	chartBarH   = 18
)

// newChart lays out bars of values (each with its label and text) on a
// common scale whose full width is max (the largest value when max is 0).
func newChart(id, title string, rtl bool, labels, texts []string, values []float64, max float64) chart {
	c := chart{ID: id, Title: title, Width: chartWidth, Height: max1(len(values)) * chartRow}
	if max == 0 {
		for _, v := range values {
			max = maxf(max, v)
		}
	}
	span := chartWidth - chartLabelW - chartTextW
	for i, v := range values {
		w := 0
		if max > 0 {
			w = int(v / max * float64(span))
		}
		b := chartBar{Label: labels[i], Text: texts[i], Y: i*chartRow + (chartRow-chartBarH)/2, W: w, H: chartBarH, TextY: i*chartRow + chartRow/2 + 5}
		if rtl {
			b.X = chartWidth - chartLabelW - w
			b.LabelX, b.LabelAnchor = chartWidth-chartLabelW+8, "start"
			b.TextX, b.TextAnchor = b.X-6, "end"
		} else {
			b.X = chartLabelW
			b.LabelX, b.LabelAnchor = chartLabelW-8, "end"
			b.TextX, b.TextAnchor = chartLabelW+w+6, "start"
		}
		c.Bars = append(c.Bars, b)
	}
	return c
}

func max1(n int) int { return max(n, 1) }

func maxf(a, b float64) float64 {
	if b > a {
		return b
	}
	return a
}

// needsRow is a district and theme over the period and the one before.
type needsRow struct {
	District, Theme string
	Count, Previous int
	Change          string
}

// monthRow is a month's needs.
type monthRow struct {
	Month string
	Count int
}

// slaRow is a department over the period: sums of its months.
type slaRow struct {
	Name                                    string
	Received, Judged, Within, Open, Overdue int
	WithinSLA                               string
}

// responseRow is one department and month of the responsiveness table.
type responseRow struct {
	Name, Month                              string
	Received                                 int
	Ack, AckP90, Answer, Resolve, ResolveP90 string
	WithinSLA, Reopen                        string
	Open, Overdue                            int
}

type statsBody struct {
	Period, Previous stats.Period
	MonthsChart      chart
	Months           []monthRow
	NeedsChart       chart
	Needs            []needsRow
	SLAChart         chart
	Departments      []slaRow
	Responses        []responseRow
}

func (s *Server) statsPage(w http.ResponseWriter, r *http.Request) {
	d := s.data(r, "stats")
	d.Title = d.T("stats.title")
	now := s.now()
	q := r.URL.Query()
	// A period the page cannot read shows the default one: the page is
	// for reading, and its links only ever carry periods it made.
	period, err := stats.NewPeriod(q.Get("from"), q.Get("to"), now, s.location())
	if err != nil {
		period, _ = stats.NewPeriod("", "", now, s.location())
	}
	needs, err := s.cfg.Figures.Needs(r.Context(), stats.NeedsFilter{Period: period})
	if err != nil {
		s.fail(w, r, d, err)
		return
	}
	resp, err := s.cfg.Figures.Responsiveness(r.Context(), period, now)
	if err != nil {
		s.fail(w, r, d, err)
		return
	}
	rtl := d.Dir == "rtl"
	body := statsBody{Period: period, Previous: needs.Trend.Previous}

	perMonth := map[string]int{}
	for _, it := range needs.Items {
		perMonth[it.Month] += it.Count
	}
	var labels, texts []string
	var values []float64
	for m := range monthsOf(period) {
		body.Months = append(body.Months, monthRow{Month: m, Count: perMonth[m]})
		labels, texts, values = append(labels, m), append(texts, strconv.Itoa(perMonth[m])), append(values, float64(perMonth[m]))
	}
	body.MonthsChart = newChart("chart-months", d.T("stats.months_title"), rtl, labels, texts, values, 0)

	labels, texts, values = nil, nil, nil
	for _, t := range needs.Trend.Items {
		row := needsRow{District: d.districtName(t.District), Theme: d.themeName(t.Theme), Count: t.Count, Previous: t.PreviousCount, Change: fmt.Sprintf("%+d", t.Change)}
		if t.ChangeRatio != nil {
			row.Change += fmt.Sprintf(" (%+.0f %%)", *t.ChangeRatio*100)
		}
		body.Needs = append(body.Needs, row)
		if t.Count > 0 {
			labels = append(labels, row.District+" · "+row.Theme)
			texts, values = append(texts, strconv.Itoa(t.Count)), append(values, float64(t.Count))
		}
	}
	body.NeedsChart = newChart("chart-needs", d.T("stats.needs_title"), rtl, labels, texts, values, 0)

	dir := s.cfg.Directory
	name := func(code string) string {
		if dep, ok := dir.Department(code); ok {
			return dep.Name.In(d.Lang)
		}
		return code
	}
	hours := func(v *float64) string {
		if v == nil {
			return "—"
		}
		return strconv.FormatFloat(*v, 'f', 1, 64)
	}
	percent := func(v *float64) string {
		if v == nil {
			return "—"
		}
		return fmt.Sprintf("%.0f %%", *v*100)
	}
	byDept := map[string]*slaRow{}
	var order []string
	for _, m := range resp {
		dr, ok := byDept[m.Code]
		if !ok {
			dr = &slaRow{Name: name(m.Code)}
			byDept[m.Code] = dr
			order = append(order, m.Code)
		}
		dr.Received += m.Received
		dr.Judged += m.SLACases
		dr.Within += m.WithinSLA
		dr.Open += m.Open
		dr.Overdue += m.Overdue
		body.Responses = append(body.Responses, responseRow{Name: dr.Name, Month: m.Month, Received: m.Received,
			Ack: hours(m.MedianHoursToAcknowledge), AckP90: hours(m.P90HoursToAcknowledge), Answer: hours(m.MedianHoursToAnswer),
			Resolve: hours(m.MedianHoursToResolve), ResolveP90: hours(m.P90HoursToResolve),
			WithinSLA: percent(m.WithinSLARatio), Reopen: percent(m.ReopenRate), Open: m.Open, Overdue: m.Overdue})
	}
	labels, texts, values = nil, nil, nil
	for _, code := range order {
		dr := byDept[code]
		var ratio *float64
		if dr.Judged > 0 {
			v := float64(dr.Within) / float64(dr.Judged)
			ratio = &v
		}
		dr.WithinSLA = percent(ratio)
		body.Departments = append(body.Departments, *dr)
		labels, texts = append(labels, dr.Name), append(texts, dr.WithinSLA)
		if ratio != nil {
			values = append(values, *ratio*100)
		} else {
			values = append(values, 0)
		}
	}
	body.SLAChart = newChart("chart-sla", d.T("stats.sla_title"), rtl, labels, texts, values, 100)
	d.Body = body
	s.render(w, r, http.StatusOK, "stats", d)
}

// monthsOf yields the months of p in order.
func monthsOf(p stats.Period) func(yield func(string) bool) {
	return func(yield func(string) bool) {
		t, err := time.Parse("2006-01", p.From)
		if err != nil {
			return
		}
		for range p.Months() {
			if !yield(t.Format("2006-01")) {
				return
			}
			t = t.AddDate(0, 1, 0)
		}
	}
}
