package main

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/domain/casefile"
	"github.com/citizenhouse/bayt/domain/directory"
)

const day = 24 * time.Hour

// demoCity is a year of a Citizen's House, planned before anything is
// recorded: every case's life as a list of dated commands, every campaign
// as a script. Planning draws only from generators seeded by the seed and
// the case's number, and dates everything relative to the end of the year
// (now, unless told), so the same seed and end make the same city however
// the workers share the work. Recording then goes through the domain
// services, which decide every step as they would for a person.
type demoCity struct {
	seed       uint64
	dir        *directory.Directory
	zone       *time.Location
	start, end time.Time
	staff      demoStaff
	lives      []*caseLife
}

// demoFate is how far the Citizen's House takes a case; how far the
// municipality then goes is decided as the case lives.
type demoFate int

const (
	fateReported  demoFate = iota // still waiting for an advocate
	fateTriaged                   // waiting for the reporter's details
	fateRejected                  // turned down with a reason
	fateDuplicate                 // merged into an earlier case
	fateMunicipal                 // forwarded to its department
)

// caseLife is one case, planned: what the resident reports and every
// command after it.
type caseLife struct {
	n   int
	rnd *rand.Rand // every choice about the case
	ids *rand.Rand // the randomness of its id

	at          time.Time // reported
	category    directory.Category
	final       directory.Category // after triage
	district    directory.District
	typed       string // the district as the resident wrote it
	lang        string
	channel     casefile.Channel
	title       string
	description string
	address     string
	location    *casefile.Location
	reporter    domain.PersonalData
	handler     demoStaffer // the advocate who follows it
	priority    casefile.Priority
	fate        demoFate
	into        int // the case a duplicate is merged into
	supporters  int
	campaign    int       // the campaign that takes it up, or -1
	linkAt      time.Time // when

	steps []demoStep
	next  int // the first step not recorded yet

	// Known once recorded.
	id, token, status string
}

// demoStep is one command of a case's life.
type demoStep struct {
	at    time.Time
	actor domain.Actor // who the log records as acting
	// barrier holds the step until every case is reported: a merge needs
	// the case it merges into.
	barrier bool
	do      func(ctx context.Context, s *casefile.Service, l *caseLife) (domain.Outcome, error)
	// photo, when not 0, makes the step the reporter's photo drawn from
	// photo-1 (see demoPhotos), in place of do.
	photo uint64
}

var anyVersion = domain.UpdateOptions{IfMatch: domain.AnyVersion}

func (l *caseLife) add(at time.Time, actor domain.Actor, do func(context.Context, *casefile.Service, *caseLife) (domain.Outcome, error)) {
	l.steps = append(l.steps, demoStep{at: at.Truncate(time.Second), actor: actor, do: do})
}

// record keeps what a recorded step tells about the case.
func (l *caseLife) record(out domain.Outcome) {
	if l.id == "" {
		l.id = out.Stream
	}
	if out.TrackingToken != "" {
		l.token = out.TrackingToken
	}
	if out.Status != "" {
		l.status = out.Status
	}
}

// demoStaffer is a member of staff and the language they write in.
type demoStaffer struct {
	actor domain.Actor
	lang  string
}

// demoStaff is the team: advocates of the Citizen's House, its admin, and
// one officer in each municipal department.
type demoStaff struct {
	advocates []demoStaffer
	admin     demoStaffer
	officers  map[string]demoStaffer
}

// demoOfficerNames names the officer of each department of the default
// directory; a department an admin added gets one named after it.
var demoOfficerNames = map[string][2]string{
	"roads_works":       {"رياض", "ar"},
	"public_lighting":   {"Sami", "fr"},
	"cleanliness":       {"منيرة", "ar"},
	"sanitation":        {"Hédi", "fr"},
	"parks_gardens":     {"ليلى", "ar"},
	"urban_planning":    {"نزار", "ar"},
	"traffic_transport": {"فتحي", "ar"},
	"economic_affairs":  {"Olfa", "fr"},
	"social_affairs":    {"سنية", "ar"},
	"citizen_relations": {"وليد", "ar"},
}

func newDemoStaff(dir *directory.Directory) demoStaff {
	s := demoStaff{
		advocates: []demoStaffer{
			{domain.Actor{ID: "demo-advocate-1", Name: "سلمى", Role: domain.RoleAdvocate}, "ar"},
			{domain.Actor{ID: "demo-advocate-2", Name: "Karim", Role: domain.RoleAdvocate}, "fr"},
			{domain.Actor{ID: "demo-advocate-3", Name: "نور", Role: domain.RoleAdvocate}, "ar"},
		},
		admin:    demoStaffer{domain.Actor{ID: "demo-admin-1", Name: "مراد", Role: domain.RoleAdmin}, "ar"},
		officers: map[string]demoStaffer{},
	}
	for _, dep := range dir.Departments() {
		n, ok := demoOfficerNames[dep.Code]
		if !ok {
			n = [2]string{"مسؤول " + dep.Name.AR, "ar"}
		}
		s.officers[dep.Code] = demoStaffer{domain.Actor{ID: "demo-officer-" + dep.Code, Name: n[0], Role: domain.RoleOfficer, Department: dep.Code}, n[1]}
	}
	return s
}

// The rhythm of the city. Residents report more on weekdays and in the
// day, and more as the House becomes known over the year; each category
// has its season.
var (
	demoHours    = [24]float64{0.2, 0.1, 0.05, 0.05, 0.05, 0.15, 0.4, 1, 2, 3, 3.2, 3, 2.5, 2.2, 2.3, 2.5, 2.6, 2.8, 3, 3, 2.8, 2.4, 1.6, 0.8}
	demoWeekdays = [7]float64{0.6, 1.15, 1.1, 1.05, 1, 0.9, 0.7} // Sunday first
	demoMonths   = [12]float64{1, 1, 1, 1, 1, 1, 0.95, 0.8, 1.1, 1.1, 1, 0.95}
	// demoCategories weighs each category, then by month from January:
	// potholes after the rains, lighting in the long nights, water and
	// waste in the heat, schools in term and most at the start of it,
	// prices around Ramadan and the return to school.
	demoCategories = map[string]struct {
		weight float64
		months [12]float64
	}{
		"roads":           {16, [12]float64{1.4, 1.4, 1.2, 1, 0.9, 0.8, 0.8, 0.8, 0.9, 1.2, 1.4, 1.5}},
		"lighting":        {10, [12]float64{1.6, 1.4, 1.1, 0.9, 0.7, 0.6, 0.6, 0.6, 0.8, 1.1, 1.5, 1.7}},
		"waste":           {14, [12]float64{0.8, 0.8, 0.9, 1, 1.2, 1.5, 1.7, 1.7, 1.3, 1, 0.8, 0.8}},
		"water":           {11, [12]float64{0.7, 0.7, 0.8, 0.9, 1.1, 1.6, 2.1, 2.2, 1.5, 1, 0.9, 0.8}},
		"housing":         {5, [12]float64{1.5, 1.3, 1.1, 0.9, 0.8, 0.7, 0.7, 0.7, 0.9, 1.2, 1.4, 1.5}},
		"transport":       {7, [12]float64{1, 1, 1, 1, 1, 0.9, 0.7, 0.7, 1.5, 1.3, 1.1, 1}},
		"green_spaces":    {5, [12]float64{0.6, 0.7, 1.2, 1.5, 1.5, 1.3, 1.1, 1, 0.9, 0.9, 0.8, 0.7}},
		"markets_prices":  {6, [12]float64{0.9, 1.2, 1.6, 1.2, 0.9, 0.9, 1, 1.2, 1.3, 0.9, 0.9, 1}},
		"schools":         {6, [12]float64{1, 1, 0.9, 0.9, 0.8, 0.5, 0.1, 0.2, 1.8, 1.6, 1.2, 1.1}},
		"health":          {5, [12]float64{1.4, 1.3, 1.1, 0.9, 0.8, 0.8, 0.9, 0.9, 0.9, 1, 1.2, 1.4}},
		"public_freedoms": {3, [12]float64{1.3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}},
		"admin_services":  {7, [12]float64{1, 0.9, 0.9, 0.9, 1, 1.2, 1.6, 1.6, 1.3, 1, 0.9, 0.9}},
	}
	// demoDistricts weighs the districts of the default directory (the
	// popular ones report most) and the categories each knows best.
	demoDistricts = map[string]struct {
		weight float64
		lat    float64
		lon    float64
		more   map[string]float64
	}{
		"medina":        {1, 36.7985, 10.1700, map[string]float64{"housing": 2, "markets_prices": 1.5}},
		"bab_souika":    {1, 36.8060, 10.1660, map[string]float64{"housing": 1.5, "markets_prices": 1.4}},
		"lafayette":     {0.7, 36.8150, 10.1830, map[string]float64{"green_spaces": 1.3, "transport": 1.3}},
		"el_menzah":     {0.7, 36.8400, 10.1700, map[string]float64{"green_spaces": 1.5}},
		"ettadhamen":    {1.4, 36.8380, 10.1030, map[string]float64{"water": 1.8, "public_freedoms": 1.5, "lighting": 1.3}},
		"el_mellassine": {1.1, 36.7960, 10.1510, map[string]float64{"water": 1.3, "schools": 1.3}},
		"sidi_hassine":  {1.3, 36.7720, 10.1080, map[string]float64{"water": 1.6, "lighting": 1.4}},
		"el_omrane":     {1, 36.8250, 10.1500, map[string]float64{"public_freedoms": 1.3}},
	}
	// demoPaces is how briskly each department works, 1 the briskest.
	demoPaces = map[string]float64{
		"roads_works": 0.6, "public_lighting": 0.85, "cleanliness": 0.8, "sanitation": 0.7, "parks_gardens": 0.65,
		"urban_planning": 0.45, "traffic_transport": 0.6, "economic_affairs": 0.7, "social_affairs": 0.55, "citizen_relations": 0.75,
	}
	// demoRecategorisations are the categories an advocate sometimes finds a
	// report really belongs to.
	demoRecategorisations = map[string]string{"roads": "water", "green_spaces": "waste", "transport": "roads", "waste": "green_spaces"}
)

func newDemoCity(seed uint64, dir *directory.Directory, end time.Time) *demoCity {
	end = end.UTC().Truncate(time.Second)
	return &demoCity{
		seed: seed, dir: dir, zone: time.FixedZone("Africa/Tunis", 3600),
		start: end.Add(-365 * day), end: end, staff: newDemoStaff(dir),
	}
}

// plan plans n cases: each one's report, then the links between cases
// (duplicates, campaigns), then each one's life.
func (d *demoCity) plan(n int, campaigns []*demoCampaign) {
	d.lives = make([]*caseLife, n)
	for i := range d.lives {
		d.lives[i] = d.sketch(i)
	}
	d.pair()
	d.enlist(campaigns)
	for _, l := range d.lives {
		d.live(l)
	}
}

// sketch plans what the resident reports.
func (d *demoCity) sketch(n int) *caseLife {
	r := rand.New(rand.NewPCG(d.seed, uint64(n)))
	l := &caseLife{n: n, rnd: r, ids: rand.New(rand.NewPCG(d.seed^0x1d5, uint64(n))), into: -1, campaign: -1}
	l.at = d.reportTime(r)
	l.category = d.pickCategory(r, l.at)
	l.final = l.category
	l.district = d.pickDistrict(r, l.category.Code)
	l.lang = "ar"
	if r.Float64() < 0.2 {
		l.lang = "fr"
	}
	l.handler = d.staff.advocates[r.IntN(len(d.staff.advocates))]
	// Some come to the desk or call, in opening hours; the advocate
	// records their report.
	switch u := r.Float64(); {
	case u < 0.1:
		l.channel = casefile.ChannelDesk
	case u < 0.17:
		l.channel = casefile.ChannelPhone
	}
	if l.channel != "" {
		if at := d.office(l.at, r); at.Before(d.end) {
			l.at = at.Truncate(time.Second)
		} else {
			l.channel = ""
		}
	}
	d.describe(l, r)
	named := 0.3
	if l.channel != "" {
		named = 0.85
	}
	if r.Float64() < named {
		l.reporter = demoPerson(r, l.lang)
	}
	switch u := r.Float64(); {
	case u < 0.02:
		l.fate = fateReported
	case u < 0.05:
		l.fate = fateTriaged
	case u < 0.12:
		l.fate = fateRejected
	case u < 0.19:
		l.fate = fateDuplicate
	default:
		l.fate = fateMunicipal
		if to, ok := demoRecategorisations[l.category.Code]; ok && r.Float64() < 0.05 {
			if c, ok := d.dir.Category(to); ok {
				l.final = c
			}
		}
	}
	// Most cases move nobody else; a few move a whole street.
	switch u := r.Float64(); {
	case u < 0.55:
	case u < 0.82:
		l.supporters = 1 + r.IntN(3)
	case u < 0.96:
		l.supporters = 4 + r.IntN(7)
	default:
		l.supporters = 11 + r.IntN(20)
	}
	return l
}

// describe writes the report of a case of its category and district: the
// resident's title and words, the district as they write it, sometimes a
// street, and often where on the map.
func (d *demoCity) describe(l *caseLife, r *rand.Rand) {
	l.typed = d.typedDistrict(r, l.district, l.lang, l.channel != "")
	reports := demoReports[l.category.Code][l.lang]
	text := demoReport{l.category.Name.In(l.lang), l.category.Name.In(l.lang) + " {place}"}
	if len(reports) > 0 {
		text = reports[r.IntN(len(reports))]
	}
	l.title = text.title
	l.description = strings.ReplaceAll(text.description, "{place}", pick(r, demoPlaces[l.lang]))
	if r.Float64() < 0.45 {
		l.description += " " + pick(r, demoAfterwords[l.lang])
	}
	l.address = ""
	if r.Float64() < 0.35 {
		l.address = pick(r, demoStreets[l.lang])
	}
	located := 0.7
	if l.channel != "" {
		located = 0.25
	}
	l.location = nil
	if c, ok := demoDistricts[l.district.Code]; ok && r.Float64() < located {
		l.location = &casefile.Location{
			Lat: float64(int((c.lat+(r.Float64()-0.5)*0.008)*1e6)) / 1e6,
			Lon: float64(int((c.lon+(r.Float64()-0.5)*0.010)*1e6)) / 1e6,
		}
	}
}

// pair finds, for each case to be merged, the case it repeats: the latest
// earlier case of the same category and district within six weeks, or
// else a neighbour reporting again what someone reported in the last three
// weeks, the most supported problems most often, in words of their own
// and near the same spot. A case with neither goes on to its department.
func (d *demoCity) pair() {
	order := make([]*caseLife, len(d.lives))
	copy(order, d.lives)
	slices.SortStableFunc(order, func(a, b *caseLife) int { return a.at.Compare(b.at) })
	for pos, l := range order {
		if l.fate != fateDuplicate {
			continue
		}
		var recent []*caseLife
		for p := pos - 1; p >= 0 && l.at.Sub(order[p].at) < 42*day; p-- {
			o := order[p]
			if o.fate == fateDuplicate || o.fate == fateRejected {
				continue
			}
			if o.category.Code == l.category.Code && o.district.Code == l.district.Code {
				l.into = o.n
				break
			}
			if l.at.Sub(o.at) < 21*day {
				recent = append(recent, o)
			}
		}
		if l.into >= 0 {
			continue
		}
		if len(recent) == 0 {
			l.fate = fateMunicipal
			continue
		}
		o := weighted(l.rnd, recent, func(o *caseLife) float64 { return float64(1 + o.supporters) })
		l.into, l.category, l.final, l.district = o.n, o.category, o.category, o.district
		d.describe(l, l.rnd)
		if o.location != nil {
			l.location = &casefile.Location{
				Lat: float64(int((o.location.Lat+(l.rnd.Float64()-0.5)*0.001)*1e6)) / 1e6,
				Lon: float64(int((o.location.Lon+(l.rnd.Float64()-0.5)*0.001)*1e6)) / 1e6,
			}
		}
	}
}

// live plans every command of a case after its report.
func (d *demoCity) live(l *caseLife) {
	r, adv := l.rnd, l.handler
	reporter := domain.Anonymous
	if l.channel != "" {
		reporter = adv.actor
	}
	report := casefile.Report{Actor: reporter, Title: l.title, Description: l.description, Category: l.category.Code,
		District: l.typed, Location: l.location, Address: l.address, Language: l.lang, Channel: l.channel}
	person := l.reporter
	l.add(l.at, reporter, func(ctx context.Context, s *casefile.Service, _ *caseLife) (domain.Outcome, error) {
		return s.Report(ctx, report, person, anyVersion)
	})
	stop := d.end // supports come until the case is settled
	t := l.at
	switch l.fate {
	case fateReported:
	case fateTriaged:
		t = d.triage(l, t)
		d.comment(l, d.office(t.Add(dur(r, 10*time.Minute, 2*day)), r), adv.actor, demoWaitingNotes[adv.lang], casefile.VisibilityInternal)
	case fateRejected:
		if r.Float64() < 0.4 {
			t = d.triage(l, t)
		}
		stop = d.office(t.Add(dur(r, 2*time.Hour, 3*day)), r)
		reason := pick(r, demoRejections[adv.lang])
		if own, ok := demoRejectionsByCategory[l.category.Code][adv.lang]; ok && r.Float64() < 0.6 {
			reason = own
		}
		l.add(stop, adv.actor, func(ctx context.Context, s *casefile.Service, l *caseLife) (domain.Outcome, error) {
			return s.Reject(ctx, l.id, casefile.Reject{Actor: adv.actor, Reason: reason}, anyVersion)
		})
	case fateDuplicate:
		if r.Float64() < 0.3 {
			t = d.triage(l, t)
		}
		stop = d.office(t.Add(dur(r, time.Hour, 2*day)), r)
		into := d.lives[l.into]
		l.add(stop, adv.actor, func(ctx context.Context, s *casefile.Service, l *caseLife) (domain.Outcome, error) {
			return s.Merge(ctx, l.id, casefile.Merge{Actor: adv.actor, Into: into.id}, anyVersion)
		})
		l.steps[len(l.steps)-1].barrier = true
	case fateMunicipal:
		stop = d.municipality(l, d.triage(l, t))
	}
	d.supports(l, stop)
	d.planPhotos(l)
	slices.SortStableFunc(l.steps, func(a, b demoStep) int { return a.at.Compare(b.at) })
	// What the plan puts after the end of the year has not happened yet.
	l.steps = slices.DeleteFunc(l.steps, func(s demoStep) bool { return s.at.After(d.end) })
}

// triage plans the advocate's check of a case, and returns when.
func (d *demoCity) triage(l *caseLife, t time.Time) time.Time {
	r, adv := l.rnd, l.handler
	t = d.office(t.Add(dur(r, time.Hour, 2*day)), r)
	l.priority = demoPriority(r, l.category.Code)
	cmd := casefile.Triage{Actor: adv.actor, Priority: l.priority}
	if l.final.Code != l.category.Code {
		cmd.Category, cmd.Note = l.final.Code, demoRecategorised[adv.lang]
	} else if r.Float64() < 0.3 {
		cmd.Note = pick(r, demoTriageNotes[adv.lang])
	}
	l.add(t, adv.actor, func(ctx context.Context, s *casefile.Service, l *caseLife) (domain.Outcome, error) {
		return s.Triage(ctx, l.id, cmd, anyVersion)
	})
	if r.Float64() < 0.2 {
		d.comment(l, d.office(t.Add(dur(r, 10*time.Minute, day)), r), adv.actor, pick(r, demoInternalNotes[adv.lang]), casefile.VisibilityInternal)
	}
	return t
}

// municipality plans a case's forwarding and what its department does,
// and returns when the case is settled (the end of the year if never).
func (d *demoCity) municipality(l *caseLife, t time.Time) time.Time {
	r, adv := l.rnd, l.handler
	dept := l.final.Department
	officer, ok := d.staff.officers[dept]
	if !ok {
		return d.end // a department the directory lost: the case waits
	}
	fwd := d.office(t.Add(dur(r, 30*time.Minute, 30*time.Hour)), r)
	cmd := casefile.Forward{Actor: adv.actor, Department: dept}
	switch urgent := l.priority == casefile.PriorityUrgent || l.priority == casefile.PriorityHigh; {
	case urgent && r.Float64() < 0.6:
		cmd.Note = demoUrgentNotes[adv.lang]
	case r.Float64() < 0.3:
		cmd.Note = pick(r, demoForwardNotes[adv.lang])
	}
	l.add(fwd, adv.actor, func(ctx context.Context, s *casefile.Service, l *caseLife) (domain.Outcome, error) {
		return s.Forward(ctx, l.id, cmd, anyVersion)
	})
	if r.Float64() < 0.25 {
		name := dept
		if dep, ok := d.dir.Department(dept); ok {
			name = dep.Name.In(adv.lang)
		}
		d.comment(l, d.office(fwd.Add(dur(r, time.Hour, 2*day)), r), adv.actor,
			strings.ReplaceAll(pick(r, demoFollowNotes[adv.lang]), "{dept}", name), casefile.VisibilityPublic)
	}
	done, ok := d.department(l, officer, fwd)
	if !ok {
		return d.end
	}
	switch u := r.Float64(); {
	case u < 0.07: // the problem came back
		at := d.awake(done.Add(dur(r, day, 8*day)), r)
		if r.Float64() < 0.7 {
			reason := pick(r, demoReopenReasons[l.lang])
			l.add(at, domain.Anonymous, func(ctx context.Context, s *casefile.Service, l *caseLife) (domain.Outcome, error) {
				return s.Reopen(ctx, l.id, casefile.Reopen{Actor: domain.Anonymous, Reason: reason}, l.token, anyVersion)
			})
		} else {
			at = d.office(at, r)
			reason := demoAdvocateReopens[adv.lang]
			l.add(at, adv.actor, func(ctx context.Context, s *casefile.Service, l *caseLife) (domain.Outcome, error) {
				return s.Reopen(ctx, l.id, casefile.Reopen{Actor: adv.actor, Reason: reason}, "", anyVersion)
			})
		}
		again, ok := d.department(l, officer, at)
		if !ok || r.Float64() < 0.3 {
			return d.end
		}
		return d.confirmByReporter(l, again)
	case u < 0.62:
		return d.confirmByReporter(l, done)
	case u < 0.77: // the reporter told the House
		at := d.office(done.Add(dur(r, 5*day, 12*day)), r)
		note := demoAdvocateConfirms[adv.lang]
		l.add(at, adv.actor, func(ctx context.Context, s *casefile.Service, l *caseLife) (domain.Outcome, error) {
			return s.Confirm(ctx, l.id, casefile.Confirm{Actor: adv.actor, Note: note}, "", anyVersion)
		})
		return at
	default: // nobody came back to say
		return d.end
	}
}

// confirmByReporter plans the reporter closing the case with the tracking
// token the report gave them.
func (d *demoCity) confirmByReporter(l *caseLife, done time.Time) time.Time {
	r := l.rnd
	at := d.awake(done.Add(dur(r, 3*time.Hour, 5*day)), r)
	note := pick(r, demoReporterConfirms[l.lang])
	l.add(at, domain.Anonymous, func(ctx context.Context, s *casefile.Service, l *caseLife) (domain.Outcome, error) {
		return s.Confirm(ctx, l.id, casefile.Confirm{Actor: domain.Anonymous, Note: note}, l.token, anyVersion)
	})
	if r.Float64() < 0.08 {
		adv := l.handler
		d.comment(l, d.office(at.Add(dur(r, time.Hour, 3*day)), r), adv.actor, pick(r, demoThanks[adv.lang]), casefile.VisibilityPublic)
	}
	return at
}

// department plans what a department does with a case forwarded to it at
// from. A brisk department solves most cases within their SLA, a slow one
// fewer; some it never answers, some it answers with a planned date and
// then postpones or forgets. It acknowledges, answers and resolves, or
// resolves at once what is quickly fixed. It returns when the case was
// resolved, and false if it never was.
func (d *demoCity) department(l *caseLife, officer demoStaffer, from time.Time) (time.Time, bool) {
	r, cat := l.rnd, l.final
	sla := cat.SLADays
	if sla <= 0 {
		sla = casefile.DefaultSLADays
	}
	pace := demoPaces[cat.Department]
	if pace == 0 {
		pace = 0.65
	}
	due := from.UTC().AddDate(0, 0, sla)
	// Some cases the department never answers, or answers and forgets;
	// months of reminders get most of the old ones resolved in the end.
	silent := r.Float64() < 0.04+0.16*(1-pace)
	stuck := r.Float64() < 0.05+0.15*(1-pace)
	late := r.Float64() > 0.3+0.7*pace
	if (silent || stuck) && from.Before(d.end.Add(-90*day)) && r.Float64() < 0.7 {
		silent, stuck, late = false, false, true
	}
	// When the department has it solved, as a share of the SLA.
	share := 0.2 + 0.75*r.Float64()
	if late {
		share = 1.05 + 2*r.Float64()*r.Float64()
	}
	target := from.Add(time.Duration(share * float64(time.Duration(sla)*day)))
	// within is a moment between least and most of the way from a to b,
	// or a when b is not later: office hours may push a step past target.
	within := func(a, b time.Time, least, most float64) time.Time {
		return a.Add(time.Duration((least + (most-least)*r.Float64()) * float64(max(b.Sub(a), 0))))
	}
	t, since := from, from
	if u := r.Float64(); (!silent && u < 0.7) || (silent && u < 0.5) {
		t = d.office(within(from, target, 0.05, 0.2), r)
		cmd := casefile.Acknowledge{Actor: officer.actor, Reference: demoReference(r, cat.Department, t.In(d.zone).Year())}
		if r.Float64() < 0.35 {
			cmd.Note = pick(r, demoAckNotes[officer.lang])
		}
		l.add(t, officer.actor, func(ctx context.Context, s *casefile.Service, l *caseLife) (domain.Outcome, error) {
			return s.Acknowledge(ctx, l.id, cmd, anyVersion)
		})
		since = t
	}
	if silent {
		d.overdue(l, due, time.Time{})
		return time.Time{}, false
	}
	done := d.office(target, r)
	if earliest := t.Add(time.Hour); done.Before(earliest) {
		done = d.office(earliest.Add(dur(r, 0, day)), r)
	}
	if quick := (cat.Code == "waste" || cat.Code == "lighting") && r.Float64() < 0.35; !quick {
		t = d.office(within(t, target, 0.2, 0.5), r)
		planned := d.date(within(t, target, 0.7, 1.1))
		answer := casefile.Answer{Actor: officer.actor, Response: demoIn(demoAnswers, cat.Code, officer.lang), PlannedFor: &planned}
		l.add(t, officer.actor, func(ctx context.Context, s *casefile.Service, l *caseLife) (domain.Outcome, error) {
			return s.Answer(ctx, l.id, answer, anyVersion)
		})
		if stuck {
			if at := d.office(planned.Add(dur(r, -day, 2*day)), r); at.After(t) && r.Float64() < 0.5 {
				later := d.date(at.Add(dur(r, 7*day, 21*day)))
				postponed := casefile.Answer{Actor: officer.actor, Response: demoPostponed[officer.lang], PlannedFor: &later}
				l.add(at, officer.actor, func(ctx context.Context, s *casefile.Service, l *caseLife) (domain.Outcome, error) {
					return s.Answer(ctx, l.id, postponed, anyVersion)
				})
			}
			d.overdue(l, due, time.Time{})
			return time.Time{}, false
		}
		if earliest := t.Add(4 * time.Hour); done.Before(earliest) {
			done = d.office(earliest.Add(dur(r, 0, day)), r)
		}
	}
	if r.Float64() < 0.2 {
		if at := d.office(within(since, done, 0.2, 0.8), r); at.After(since) && at.Before(done) {
			d.comment(l, at, officer.actor, pick(r, demoOfficerNotes[officer.lang]), casefile.VisibilityPublic)
		}
	}
	resolve := casefile.Resolve{Actor: officer.actor, Note: demoIn(demoResolutions, cat.Code, officer.lang)}
	l.add(done, officer.actor, func(ctx context.Context, s *casefile.Service, l *caseLife) (domain.Outcome, error) {
		return s.Resolve(ctx, l.id, resolve, anyVersion)
	})
	d.overdue(l, due, done)
	return done, true
}

// overdue plans, when the department resolves the case after its due date
// or never (done zero), the breach Bayt records and, often, an advocate
// reminding the department in public.
func (d *demoCity) overdue(l *caseLife, due, done time.Time) {
	r := l.rnd
	if !done.IsZero() && done.Sub(due) < 2*time.Second {
		return
	}
	at := due.Add(dur(r, 5*time.Minute, 3*time.Hour))
	if !done.IsZero() && !at.Before(done) {
		at = due.Add(done.Sub(due) / 2)
	}
	l.add(at, domain.System, func(ctx context.Context, s *casefile.Service, l *caseLife) (domain.Outcome, error) {
		return s.RecordSLABreach(ctx, l.id, anyVersion)
	})
	if r.Float64() < 0.45 {
		adv := l.handler
		if at := d.office(due.Add(dur(r, day, 5*day)), r); done.IsZero() || at.Before(done) {
			d.comment(l, at, adv.actor, pick(r, demoOverdueNotes[adv.lang]), casefile.VisibilityPublic)
		}
	}
}

// supports plans the "me too" of residents between the report and stop,
// most of them soon after the report, each from an address and a browser
// of their own.
func (d *demoCity) supports(l *caseLife, stop time.Time) {
	r := l.rnd
	from := l.at.Add(20 * time.Minute)
	if stop.After(d.end) {
		stop = d.end
	}
	span := stop.Sub(from)
	if span <= 0 {
		return
	}
	for k := range l.supporters {
		u := r.Float64()
		at := from.Add(time.Duration(u * u * float64(span)))
		address, browser := demoSupporter(r, l.n, k)
		l.add(at, domain.Anonymous, func(ctx context.Context, s *casefile.Service, l *caseLife) (domain.Outcome, error) {
			return s.Support(ctx, l.id, casefile.Support{Actor: domain.Anonymous}, address, browser, anyVersion)
		})
	}
}

func (d *demoCity) comment(l *caseLife, at time.Time, actor domain.Actor, body string, visibility casefile.Visibility) {
	l.add(at, actor, func(ctx context.Context, s *casefile.Service, l *caseLife) (domain.Outcome, error) {
		return s.Comment(ctx, l.id, casefile.Comment{Actor: actor, Body: body, Visibility: visibility}, anyVersion)
	})
}

// reportTime draws when a resident reports: rejection sampling over the
// year by weekday, month, hour and the House's growing reach.
func (d *demoCity) reportTime(r *rand.Rand) time.Time {
	const most = 1.15 * 1.1 * 1.3 * 3.2
	year := d.end.Sub(d.start)
	for {
		t := d.start.Add(time.Duration(r.Int64N(int64(year))))
		local := t.In(d.zone)
		reach := 0.7 + 0.6*float64(t.Sub(d.start))/float64(year)
		w := demoWeekdays[local.Weekday()] * demoMonths[local.Month()-1] * reach * demoHours[local.Hour()]
		if r.Float64()*most < w {
			return t.Truncate(time.Second)
		}
	}
}

func (d *demoCity) pickCategory(r *rand.Rand, at time.Time) directory.Category {
	cats := d.dir.Categories()
	month := at.In(d.zone).Month() - 1
	return weighted(r, cats, func(c directory.Category) float64 {
		if w, ok := demoCategories[c.Code]; ok {
			return w.weight * w.months[month]
		}
		return 3
	})
}

func (d *demoCity) pickDistrict(r *rand.Rand, category string) directory.District {
	return weighted(r, d.dir.Districts(), func(dist directory.District) float64 {
		w, ok := demoDistricts[dist.Code]
		if !ok {
			return 0.8
		}
		return w.weight * cmp.Or(w.more[category], 1)
	})
}

// typedDistrict is the district as a resident writes it: its name in the
// report's language or, often, one of the spellings residents use in the
// same script. Staff recording a report write the name.
func (d *demoCity) typedDistrict(r *rand.Rand, dist directory.District, lang string, staff bool) string {
	name := dist.Name.In(lang)
	if staff {
		return name
	}
	var own []string
	for _, s := range dist.Spellings {
		if arabic(s) == (lang == "ar") {
			own = append(own, s)
		}
	}
	if len(own) > 0 && r.Float64() < 0.35 {
		return own[r.IntN(len(own))]
	}
	return name
}

// office returns the first moment at or after t when staff are at work:
// 8:30 to 17:00 on weekdays, 9:00 to 13:00 on Saturdays, in the city's
// time, starting within an hour and a half of opening.
func (d *demoCity) office(t time.Time, r *rand.Rand) time.Time {
	local := t.In(d.zone)
	for range 8 {
		y, m, dd := local.Date()
		midnight := time.Date(y, m, dd, 0, 0, 0, 0, d.zone)
		opens, closes := 8*time.Hour+30*time.Minute, 17*time.Hour
		switch local.Weekday() {
		case time.Saturday:
			opens, closes = 9*time.Hour, 13*time.Hour
		case time.Sunday:
			opens, closes = 0, 0
		}
		if closes > opens {
			if local.Before(midnight.Add(opens)) {
				return midnight.Add(opens + dur(r, 0, 90*time.Minute)).UTC().Truncate(time.Second)
			}
			if local.Before(midnight.Add(closes)) {
				return local.UTC().Truncate(time.Second)
			}
		}
		local = midnight.AddDate(0, 0, 1)
	}
	return local.UTC()
}

// awake moves a resident's night-time action to the next morning.
func (d *demoCity) awake(t time.Time, r *rand.Rand) time.Time {
	local := t.In(d.zone)
	if h := local.Hour(); h >= 7 {
		return t.Truncate(time.Second)
	}
	y, m, dd := local.Date()
	return time.Date(y, m, dd, 7, 0, 0, 0, d.zone).Add(dur(r, 0, 2*time.Hour)).UTC()
}

// date is t's day in the city, as a planned date is given.
func (d *demoCity) date(t time.Time) time.Time {
	y, m, dd := t.In(d.zone).Date()
	return time.Date(y, m, dd, 0, 0, 0, 0, d.zone).UTC()
}

// dur draws a duration between least and most, in whole seconds.
func dur(r *rand.Rand, least, most time.Duration) time.Duration {
	if most-least < time.Second {
		return least
	}
	return least + time.Duration(r.Int64N(int64((most-least)/time.Second)))*time.Second
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

func weighted[T any](r *rand.Rand, xs []T, weight func(T) float64) T {
	var sum float64
	for _, x := range xs {
		sum += weight(x)
	}
	u := r.Float64() * sum
	for _, x := range xs {
		if u -= weight(x); u < 0 {
			return x
		}
	}
	return xs[len(xs)-1]
}

func arabic(s string) bool {
	for _, c := range s {
		if unicode.IsLetter(c) {
			return unicode.Is(unicode.Arabic, c)
		}
	}
	return false
}

// demoIn returns a category's text in lang, or the general one.
func demoIn(texts map[string]map[string]string, category, lang string) string {
	if t, ok := texts[category]; ok {
		return t[lang]
	}
	return texts[""][lang]
}

func demoPriority(r *rand.Rand, category string) casefile.Priority {
	urgent, high := 0.03, 0.2
	switch category {
	case "water", "housing":
		urgent, high = 0.15, 0.45
	case "lighting", "roads", "health":
		urgent, high = 0.05, 0.3
	case "public_freedoms", "markets_prices":
		urgent, high = 0.02, 0.15
	}
	switch u := r.Float64(); {
	case u < urgent:
		return casefile.PriorityUrgent
	case u < urgent+high:
		return casefile.PriorityHigh
	case u > 0.88:
		return casefile.PriorityLow
	default:
		return casefile.PriorityNormal
	}
}

// demoReference is a department's file number: its initials, the year and
// a number.
func demoReference(r *rand.Rand, dept string, year int) string {
	var initials strings.Builder
	for _, w := range strings.Split(dept, "_") {
		if w != "" {
			initials.WriteString(strings.ToUpper(w[:1]))
		}
	}
	return fmt.Sprintf("%s-%d-%04d", initials.String(), year, 1+r.IntN(9999))
}

// demoPerson makes up a person who leaves their name and phone, and
// sometimes an email.
func demoPerson(r *rand.Rand, lang string) domain.PersonalData {
	p := domain.PersonalData{
		Name:  pick(r, demoFirstNames[lang]) + " " + pick(r, demoFamilies[lang]),
		Phone: fmt.Sprintf("+216 00 %03d %03d", r.IntN(1000), r.IntN(1000)),
	}
	if r.Float64() < 0.25 {
		p.Email = fmt.Sprintf("resident.%04d@example.org", r.IntN(10000))
	}
	return p
}

// demoSupporter gives supporter k of case n an address of the ranges kept
// for documentation, distinct from the case's other supporters', and a
// browser id of its own.
func demoSupporter(r *rand.Rand, n, k int) (address, browser string) {
	ranges := [...]string{"192.0.2", "198.51.100", "203.0.113"}
	i := (n*131 + k) % (len(ranges) * 254)
	return fmt.Sprintf("%s.%d", ranges[i/254], i%254+1), fmt.Sprintf("%016x%016x", r.Uint64(), r.Uint64())
}
