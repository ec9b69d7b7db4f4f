package stats

import (
	"cmp"
	"context"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/citizenhouse/bayt/domain/campaign"
	"github.com/citizenhouse/bayt/projections"
)

// Memory is the figures' read model in process memory, for Bayt without a
// database. It keeps the same rows as Postgres and answers alike, down to
// the order of ties (text byte by byte, as the "C" collation orders).
type Memory struct {
	mu       sync.RWMutex
	rows     rows
	position int64
	zone     *time.Location
}

var _ projections.Memory = (*Memory)(nil)

// NewMemory returns empty figures kept in process memory.
func NewMemory(cfg Config) *Memory { return &Memory{rows: newRows(), zone: cfg.zone()} }

// Apply folds events in; events at or below the position already applied
// are skipped, and a batch that cannot be folded whole changes nothing.
func (m *Memory) Apply(_ context.Context, events []projections.Event) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for len(events) > 0 && events[0].Position <= m.position {
		events = events[1:]
	}
	if len(events) == 0 {
		return nil
	}
	// Fold onto copies, so that a failure keeps nothing.
	work := rows{cases: maps.Clone(m.rows.cases), campaigns: maps.Clone(m.rows.campaigns),
		commitments: maps.Clone(m.rows.commitments), activities: maps.Clone(m.rows.activities), themes: maps.Clone(m.rows.themes)}
	if _, err := fold(events, work, m.zone); err != nil {
		return err
	}
	m.rows = work
	m.position = events[len(events)-1].Position
	return nil
}

// Needs returns the needs of f's period and their trend, as
// Postgres.Needs.
func (m *Memory) Needs(ctx context.Context, f NeedsFilter) (Needs, error) {
	return needsOf(ctx, f, m.needCounts)
}

func (m *Memory) needCounts(_ context.Context, f NeedsFilter) ([]NeedsItem, error) {
	m.mu.RLock()
	counts := map[[3]string]int{}
	for _, r := range m.rows.cases {
		if r.countsAsNeed() && f.Period.contains(r.ReportMonth) && (f.District == "" || r.District == f.District) &&
			(f.Theme == "" || r.Theme == f.Theme) {
			counts[[3]string{r.District, r.Theme, r.ReportMonth}]++
		}
	}
	m.mu.RUnlock()
	out := []NeedsItem{}
	for k, n := range counts {
		out = append(out, NeedsItem{District: k[0], Theme: k[1], Month: k[2], Count: n})
	}
	slices.SortFunc(out, func(a, b NeedsItem) int {
		return cmp.Or(strings.Compare(a.District, b.District), strings.Compare(a.Theme, b.Theme), strings.Compare(a.Month, b.Month))
	})
	return out, nil
}

// Responsiveness returns each department's figures for each month of p
// it received cases in, as of now, as Postgres.Responsiveness.
func (m *Memory) Responsiveness(_ context.Context, p Period, now time.Time) ([]DepartmentMonth, error) {
	type acc struct {
		d                DepartmentMonth
		ack, answer, res []float64
	}
	m.mu.RLock()
	accs := map[[2]string]*acc{}
	for _, r := range m.rows.cases {
		if !r.received() || !p.contains(r.ForwardMonth) {
			continue
		}
		k := [2]string{r.Department, r.ForwardMonth}
		a, ok := accs[k]
		if !ok {
			a = &acc{d: DepartmentMonth{Code: k[0], Month: k[1]}}
			accs[k] = a
		}
		a.d.Received++
		if r.AcknowledgedAt != nil {
			a.ack = append(a.ack, hoursBetween(*r.ForwardedAt, *r.AcknowledgedAt))
		}
		if r.AnsweredAt != nil {
			a.answer = append(a.answer, hoursBetween(*r.ForwardedAt, *r.AnsweredAt))
		}
		overdue := r.overdue(now)
		if r.ResolvedAt != nil {
			a.res = append(a.res, hoursBetween(*r.ForwardedAt, *r.ResolvedAt))
			a.d.Resolved++
			if r.ReopenedCount > 0 {
				a.d.Reopened++
			}
		}
		if judged, within := judgedBySLA(&r, overdue); judged {
			a.d.SLACases++
			if within {
				a.d.WithinSLA++
			}
		}
		if r.open() {
			a.d.Open++
		}
		if overdue {
			a.d.Overdue++
		}
	}
	m.mu.RUnlock()
	out := []DepartmentMonth{}
	for _, a := range accs {
		d := a.d
		d.MedianHoursToAcknowledge, d.P90HoursToAcknowledge = percentile(a.ack, 0.5), percentile(a.ack, 0.9)
		d.MedianHoursToAnswer = percentile(a.answer, 0.5)
		d.MedianHoursToResolve, d.P90HoursToResolve = percentile(a.res, 0.5), percentile(a.res, 0.9)
		d.WithinSLARatio, d.ReopenRate = ratio(d.WithinSLA, d.SLACases), ratio(d.Reopened, d.Resolved)
		out = append(out, d)
	}
	slices.SortFunc(out, func(a, b DepartmentMonth) int {
		return cmp.Or(strings.Compare(a.Code, b.Code), strings.Compare(a.Month, b.Month))
	})
	return out, nil
}

// Campaigns returns the campaigns' figures of p, as Postgres.Campaigns.
func (m *Memory) Campaigns(_ context.Context, p Period) (Campaigns, error) {
	out := Campaigns{Period: p, Commitments: []CommitmentsMonth{}, Attendance: []AttendanceMonth{}}
	m.mu.RLock()
	commits := map[[2]string]*CommitmentsMonth{}
	commit := func(dept, month string) *CommitmentsMonth {
		k := [2]string{dept, month}
		if c, ok := commits[k]; ok {
			return c
		}
		c := &CommitmentsMonth{Department: dept, Month: month}
		commits[k] = c
		return c
	}
	for _, c := range m.rows.commitments {
		if p.contains(c.RecordedMonth) {
			commit(c.Department, c.RecordedMonth).Made++
		}
		if p.contains(c.SettledMonth) {
			switch campaign.CommitmentState(c.State) {
			case campaign.CommitmentStateFulfilled:
				commit(c.Department, c.SettledMonth).Kept++
			case campaign.CommitmentStateBroken:
				commit(c.Department, c.SettledMonth).Broken++
			}
		}
	}
	attend := map[[2]string]*AttendanceMonth{}
	for _, a := range m.rows.activities {
		if !p.contains(a.HeldMonth) {
			continue
		}
		k := [2]string{a.Theme, a.HeldMonth}
		t, ok := attend[k]
		if !ok {
			t = &AttendanceMonth{Theme: a.Theme, Month: a.HeldMonth}
			attend[k] = t
		}
		t.Activities++
		t.People += a.Total
		t.Women += a.Women
		t.Men += a.Men
		t.Youth += a.Youth
	}
	m.mu.RUnlock()
	for _, c := range commits {
		out.Commitments = append(out.Commitments, *c)
	}
	for _, a := range attend {
		a.WomenShare, a.YouthShare = ratio(a.Women, a.People), ratio(a.Youth, a.People)
		out.Attendance = append(out.Attendance, *a)
	}
	slices.SortFunc(out.Commitments, func(a, b CommitmentsMonth) int {
		return cmp.Or(strings.Compare(a.Department, b.Department), strings.Compare(a.Month, b.Month))
	})
	slices.SortFunc(out.Attendance, func(a, b AttendanceMonth) int {
		return cmp.Or(strings.Compare(a.Theme, b.Theme), strings.Compare(a.Month, b.Month))
	})
	return out, nil
}
