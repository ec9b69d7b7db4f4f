package stats

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/domain/campaign"
	"github.com/citizenhouse/bayt/domain/casefile"
	"github.com/citizenhouse/bayt/domain/directory"
	"github.com/citizenhouse/bayt/projections"
)

// Name is the projection's name in checkpoints and leases.
const Name = "stats"

// Config is what the figures need besides their storage.
type Config struct {
	// Zone is the city's time zone, which months are counted in; UTC when
	// nil.
	Zone *time.Location
}

func (c Config) zone() *time.Location {
	if c.Zone == nil {
		return time.UTC
	}
	return c.Zone
}

// CaseRow is what the figures keep of a case. Its JSON names are the
// stored format (the state column of stats_cases).
type CaseRow struct {
	ID            string `json:"id"`
	District      string `json:"district"`
	Category      string `json:"category"`
	Theme         string `json:"theme"`
	ReportMonth   string `json:"report_month"`
	Status        string `json:"status"`
	Hidden        bool   `json:"hidden"`
	Department    string `json:"department"`
	ForwardMonth  string `json:"forward_month"`
	ReopenedCount int    `json:"reopened_count"`
	// The first time each step of the response happened, and whether the
	// first resolution came by the due date then in force.
	ForwardedAt    *time.Time `json:"forwarded_at"`
	AcknowledgedAt *time.Time `json:"acknowledged_at"`
	AnsweredAt     *time.Time `json:"answered_at"`
	ResolvedAt     *time.Time `json:"resolved_at"`
	WithinSLA      bool       `json:"within_sla"`
	DueAt          *time.Time `json:"due_at"`
	CreatedAt      time.Time  `json:"created_at"`
}

// countsAsNeed reports whether the case counts among the needs.
func (r *CaseRow) countsAsNeed() bool {
	return !r.Hidden && r.Status != string(casefile.StatusDuplicate)
}

// received reports whether the case counts in its department's
// responsiveness.
func (r *CaseRow) received() bool { return !r.Hidden && r.Department != "" && r.ForwardedAt != nil }

// open reports whether the case awaits its department.
func (r *CaseRow) open() bool { return casefile.Status(r.Status).AwaitsDepartment() }

// overdue compares at the microsecond PostgreSQL keeps, as the SQL does.
func (r *CaseRow) overdue(now time.Time) bool {
	return r.open() && r.DueAt != nil && r.DueAt.UnixMicro() < now.UnixMicro()
}

// caseOf returns the part of a case the row keeps, for the aggregate's own
// Apply to fold onto.
func (r *CaseRow) caseOf() casefile.Case {
	c := casefile.Case{ID: r.ID, Category: r.Category, District: r.District, Status: casefile.Status(r.Status),
		Department: r.Department, DueAt: r.DueAt, ForwardedAt: r.ForwardedAt, AcknowledgedAt: r.AcknowledgedAt,
		ResolvedAt: r.ResolvedAt, ResolvedWithinSLA: r.WithinSLA, ReopenedCount: r.ReopenedCount, CreatedAt: r.CreatedAt}
	if r.Hidden {
		c.Moderation = &casefile.Moderation{Hidden: true}
	}
	return c
}

// CampaignRow is what the figures keep of a campaign: what its commitments
// and activities count under.
type CampaignRow struct {
	ID         string `json:"id"`
	Theme      string `json:"theme"`
	Department string `json:"department"`
}

// CommitmentRow is one commitment of a campaign.
type CommitmentRow struct {
	CampaignID    string `json:"campaign_id"`
	CommitmentID  string `json:"commitment_id"`
	Department    string `json:"department"`
	RecordedMonth string `json:"recorded_month"`
	State         string `json:"state"`
	SettledMonth  string `json:"settled_month"`
}

// ActivityRow is one activity a campaign held.
type ActivityRow struct {
	CampaignID string `json:"campaign_id"`
	ActivityID string `json:"activity_id"`
	Theme      string `json:"theme"`
	HeldMonth  string `json:"held_month"`
	Women      int    `json:"women"`
	Men        int    `json:"men"`
	Youth      int    `json:"youth"`
	Total      int    `json:"total"`
}

// rows is what one batch reads and writes.
type rows struct {
	cases       map[string]CaseRow
	campaigns   map[string]CampaignRow
	commitments map[[2]string]CommitmentRow
	activities  map[[2]string]ActivityRow
	// themes are the categories' themes the directory's edits set, over
	// the default directory's.
	themes map[string]string
}

func newRows() rows {
	return rows{cases: map[string]CaseRow{}, campaigns: map[string]CampaignRow{}, commitments: map[[2]string]CommitmentRow{},
		activities: map[[2]string]ActivityRow{}, themes: map[string]string{}}
}

// themeOf returns the theme of a category: as an edit set it, or as the
// default directory has it.
func (rs rows) themeOf(category string) string {
	if t, ok := rs.themes[category]; ok {
		return t
	}
	if c, ok := directory.Default().Category(category); ok {
		return string(c.Theme)
	}
	return ""
}

// wanted lists the case and campaign streams of a batch whose rows it
// folds onto.
func wanted(events []projections.Event) (cases, camps []string) {
	seenCase, seenCamp := map[string]bool{}, map[string]bool{}
	for _, e := range events {
		switch {
		case strings.HasPrefix(e.Stream, casefile.StreamPrefix) && caseEvents[e.Type] && !seenCase[e.Stream]:
			seenCase[e.Stream] = true
			cases = append(cases, e.Stream)
		case strings.HasPrefix(e.Stream, campaign.StreamPrefix) && campaignEvents[e.Type] && !seenCamp[e.Stream]:
			seenCamp[e.Stream] = true
			camps = append(camps, e.Stream)
		}
	}
	return cases, camps
}

// caseEvents are the case events that change a figure; the rest (supports,
// comments, photos…) are not even decoded.
var caseEvents = map[string]bool{
	casefile.TypeCaseReported: true, casefile.TypeCaseTriaged: true, casefile.TypeCaseRejected: true,
	casefile.TypeCaseMerged: true, casefile.TypeCaseForwarded: true, casefile.TypeCaseAcknowledged: true,
	casefile.TypeCaseAnswered: true, casefile.TypeCaseResolved: true, casefile.TypeResolutionConfirmed: true,
	casefile.TypeCaseReopened: true, casefile.TypeCaseModerated: true,
}

var campaignEvents = map[string]bool{
	campaign.TypeCampaignLaunched: true, campaign.TypeActivityHeld: true, campaign.TypeCommitmentRecorded: true,
	campaign.TypeCommitmentFulfilled: true, campaign.TypeCommitmentBroken: true,
}

// folded is what a batch changed, each key once, in first-changed order.
type folded struct {
	cases       []string
	campaigns   []string
	commitments [][2]string
	activities  [][2]string
	themes      []string
}

func (f *folded) touch(list *[]string, id string) {
	if !slices.Contains(*list, id) {
		*list = append(*list, id)
	}
}

// fold folds events onto rs, which holds the stored rows of the streams
// wanted names (and every theme edit), and says what it changed. Both
// implementations fold through it. A batch that cannot be decoded whole
// returns an error; the caller then keeps nothing of rs.
func fold(events []projections.Event, rs rows, zone *time.Location) (folded, error) {
	var f folded
	month := func(t time.Time) string { return t.In(zone).Format("2006-01") }
	for _, e := range events {
		switch {
		case e.Stream == directory.StreamID:
			ev, err := directory.Decode(e.Type, e.Data)
			if errors.Is(err, directory.ErrUnknownEventType) {
				continue
			}
			if err != nil {
				return folded{}, fmt.Errorf("decode %s at %d: %w", e.Type, e.Position, err)
			}
			if c, ok := ev.(*directory.CategorySaved); ok {
				rs.themes[c.Code] = string(c.Theme)
				f.touch(&f.themes, c.Code)
			}
		case strings.HasPrefix(e.Stream, casefile.StreamPrefix) && caseEvents[e.Type]:
			ev, err := casefile.Decode(e.Type, e.Data)
			if err != nil {
				return folded{}, fmt.Errorf("decode %s at %d: %w", e.Type, e.Position, err)
			}
			r := rs.cases[e.Stream]
			c := r.caseOf()
			c.Apply(ev)
			r = CaseRow{ID: c.ID, District: c.District, Category: c.Category, Theme: r.Theme, ReportMonth: r.ReportMonth,
				Status: string(c.Status), Hidden: c.Hidden(), Department: c.Department, ForwardMonth: r.ForwardMonth,
				ReopenedCount: c.ReopenedCount, ForwardedAt: c.ForwardedAt, AcknowledgedAt: c.AcknowledgedAt,
				AnsweredAt: r.AnsweredAt, ResolvedAt: c.ResolvedAt, WithinSLA: c.ResolvedWithinSLA, DueAt: c.DueAt, CreatedAt: c.CreatedAt}
			switch ev := ev.(type) {
			case *casefile.CaseReported:
				r.Theme, r.ReportMonth = rs.themeOf(c.Category), month(ev.At)
			case *casefile.CaseTriaged:
				if ev.Category != "" {
					r.Theme = rs.themeOf(c.Category)
				}
			case *casefile.CaseForwarded:
				r.ForwardMonth = month(*c.ForwardedAt)
			case *casefile.CaseAnswered:
				if r.AnsweredAt == nil {
					at := ev.At
					r.AnsweredAt = &at
				}
			}
			rs.cases[e.Stream] = r
			f.touch(&f.cases, e.Stream)
		case strings.HasPrefix(e.Stream, campaign.StreamPrefix) && campaignEvents[e.Type]:
			ev, err := campaign.Decode(e.Type, e.Data)
			if err != nil {
				return folded{}, fmt.Errorf("decode %s at %d: %w", e.Type, e.Position, err)
			}
			camp := rs.campaigns[e.Stream]
			switch ev := ev.(type) {
			case *campaign.CampaignLaunched:
				rs.campaigns[e.Stream] = CampaignRow{ID: e.Stream, Theme: string(ev.Theme), Department: ev.TargetDepartment}
				f.touch(&f.campaigns, e.Stream)
			case *campaign.ActivityHeld:
				k := [2]string{e.Stream, ev.ActivityID}
				a := ev.Attendance
				rs.activities[k] = ActivityRow{CampaignID: e.Stream, ActivityID: ev.ActivityID, Theme: camp.Theme, HeldMonth: month(ev.At),
					Women: a.Women, Men: a.Men, Youth: a.Youth, Total: a.Total}
				if !slices.Contains(f.activities, k) {
					f.activities = append(f.activities, k)
				}
			case *campaign.CommitmentRecorded:
				k := [2]string{e.Stream, ev.CommitmentID}
				rs.commitments[k] = CommitmentRow{CampaignID: e.Stream, CommitmentID: ev.CommitmentID, Department: camp.Department,
					RecordedMonth: month(ev.At), State: string(campaign.CommitmentStateOpen)}
				if !slices.Contains(f.commitments, k) {
					f.commitments = append(f.commitments, k)
				}
			case *campaign.CommitmentFulfilled:
				f.settle(rs, [2]string{e.Stream, ev.CommitmentID}, campaign.CommitmentStateFulfilled, month(ev.At))
			case *campaign.CommitmentBroken:
				f.settle(rs, [2]string{e.Stream, ev.CommitmentID}, campaign.CommitmentStateBroken, month(ev.At))
			}
		}
	}
	return f, nil
}

func (f *folded) settle(rs rows, k [2]string, state campaign.CommitmentState, month string) {
	c, ok := rs.commitments[k]
	if !ok {
		return
	}
	c.State, c.SettledMonth = string(state), month
	rs.commitments[k] = c
	if !slices.Contains(f.commitments, k) {
		f.commitments = append(f.commitments, k)
	}
}

// Period is a span of whole months, From to To included, "YYYY-MM" each.
type Period struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// MaxMonths bounds a period.
const MaxMonths = 120

// DefaultMonths is the length of a period a caller leaves open.
const DefaultMonths = 12

// NewPeriod reads a period from its two ends as a request gives them
// ("YYYY-MM", or a date "YYYY-MM-DD" standing for its month; either may be
// empty): an open end makes a period of DefaultMonths ending with the
// month of now in zone, or starting at from.
func NewPeriod(from, to string, now time.Time, zone *time.Location) (Period, error) {
	var errs []error
	f, okF := parseMonth(from)
	t, okT := parseMonth(to)
	if from != "" && !okF {
		errs = append(errs, domain.Invalid("from", "a month (YYYY-MM) or a date (YYYY-MM-DD)"))
	}
	if to != "" && !okT {
		errs = append(errs, domain.Invalid("to", "a month (YYYY-MM) or a date (YYYY-MM-DD)"))
	}
	if len(errs) > 0 {
		return Period{}, errors.Join(errs...)
	}
	switch {
	case from == "" && to == "":
		t = firstOfMonth(now.In(zone))
		f = t.AddDate(0, 1-DefaultMonths, 0)
	case from == "":
		f = t.AddDate(0, 1-DefaultMonths, 0)
	case to == "":
		t = f.AddDate(0, DefaultMonths-1, 0)
	}
	n := months(f, t)
	if n < 1 {
		return Period{}, domain.Invalid("to", "before from")
	}
	if n > MaxMonths {
		return Period{}, domain.Invalid("to", fmt.Sprintf("at most %d months after from", MaxMonths))
	}
	return Period{From: f.Format("2006-01"), To: t.Format("2006-01")}, nil
}

// Months returns how many months p spans.
func (p Period) Months() int {
	f, _ := parseMonth(p.From)
	t, _ := parseMonth(p.To)
	return months(f, t)
}

// Previous returns the period of as many months just before p.
func (p Period) Previous() Period {
	f, _ := parseMonth(p.From)
	n := p.Months()
	return Period{From: f.AddDate(0, -n, 0).Format("2006-01"), To: f.AddDate(0, -1, 0).Format("2006-01")}
}

// contains reports whether month falls in p: months compare as text.
func (p Period) contains(month string) bool { return month != "" && p.From <= month && month <= p.To }

func parseMonth(s string) (time.Time, bool) {
	for _, layout := range []string{"2006-01", time.DateOnly} {
		if t, err := time.Parse(layout, s); err == nil && t.Year() >= 1000 && t.Year() <= 9999 {
			return firstOfMonth(t), true
		}
	}
	return time.Time{}, false
}

func firstOfMonth(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
}

// months counts the months from f to t, both included.
func months(f, t time.Time) int {
	return (t.Year()-f.Year())*12 + int(t.Month()) - int(f.Month()) + 1
}

// percentile is PostgreSQL's percentile_cont(p) over xs: see the package
// documentation. It is nil over no value.
func percentile(xs []float64, p float64) *float64 {
	if len(xs) == 0 {
		return nil
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	pos := p * float64(len(s)-1)
	lo, hi := math.Floor(pos), math.Ceil(pos)
	v := s[int(lo)] + (s[int(hi)]-s[int(lo)])*(pos-lo)
	return &v
}

// hoursBetween is the time from a to b in hours, from the microseconds
// PostgreSQL keeps.
func hoursBetween(a, b time.Time) float64 {
	return float64(b.UnixMicro()-a.UnixMicro()) / float64(time.Hour/time.Microsecond)
}

// ratio is n/d, nil when d is 0.
func ratio(n, d int) *float64 {
	if d == 0 {
		return nil
	}
	v := float64(n) / float64(d)
	return &v
}

// judgedBySLA applies casefile.JudgedBySLA to a row.
func judgedBySLA(r *CaseRow, overdueNow bool) (judged, within bool) {
	return casefile.JudgedBySLA(r.ResolvedAt != nil, r.WithinSLA, overdueNow)
}
