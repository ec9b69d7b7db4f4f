package web

import (
	"cmp"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/domain/casefile"
	"github.com/citizenhouse/bayt/projections/caselist"
)

// inboxLimit bounds each queue of the inbox; the filters narrow a longer
// one.
const inboxLimit = 100

// maxInboxQuery bounds the inbox's search text, as the API bounds q.
const maxInboxQuery = 200

// inboxItem is a case as a queue lists it.
type inboxItem struct {
	caseItem
	Priority, PriorityName string
	Due                    *stamp
	DueText                string
	Hidden                 bool
}

// inboxQueue is one list of the inbox.
type inboxQueue struct {
	Key   string // its message key and element id
	Items []inboxItem
	// More says the queue holds more than inboxLimit cases.
	More bool
}

// inboxFilters is the inbox's filter form, as the request set it.
type inboxFilters struct {
	Action string
	// Lang carries the page's language through the GET form, whose
	// action's own query a browser drops.
	Lang                  string
	District, Category, Q string
	Status                string
	Categories, Statuses  []option
	Active                bool
}

type inboxBody struct {
	Filters inboxFilters
	Queues  []inboxQueue
	Limit   int
}

// inboxSpec is one queue: the cases of statuses (any status when nil),
// of department when set, only the overdue ones when overdue is set.
type inboxSpec struct {
	key        string
	statuses   []casefile.Status
	department string
	overdue    bool
}

// inbox is the work waiting for whoever is signed in: an officer's
// department's open cases; for advocates and admins the cases to triage,
// the overdue ones and the resolved ones awaiting the resident's
// confirmation, hidden cases among them. Every queue lists the soonest due
// first, and the filters and the search apply to every queue. The page is
// whole without JavaScript; console.js only reloads its queues when the
// live feed says something happened.
func (s *Server) inbox(w http.ResponseWriter, r *http.Request, d *pageData, sr staffRequest) {
	d.Title, d.Nav = d.T("console.inbox.title"), "inbox"
	now := s.now()
	f := d.inboxFilters(r)
	var specs []inboxSpec
	if sr.actor.Role == domain.RoleOfficer {
		specs = append(specs, inboxSpec{key: "console.inbox.department", department: sr.actor.Department,
			statuses: []casefile.Status{casefile.StatusForwarded, casefile.StatusAcknowledged, casefile.StatusInProgress}})
	} else {
		if f.Active {
			// A search reaches every case, whatever queue it is in or
			// whether it is in none (closed, rejected, a duplicate).
			specs = append(specs, inboxSpec{key: "console.inbox.matching"})
		}
		specs = append(specs,
			inboxSpec{key: "console.inbox.triage", statuses: []casefile.Status{casefile.StatusReported}},
			inboxSpec{key: "console.inbox.to_forward", statuses: []casefile.Status{casefile.StatusTriaged}},
			inboxSpec{key: "console.inbox.overdue", overdue: true},
			inboxSpec{key: "console.inbox.municipality",
				statuses: []casefile.Status{casefile.StatusForwarded, casefile.StatusAcknowledged, casefile.StatusInProgress}},
			inboxSpec{key: "console.inbox.confirm", statuses: []casefile.Status{casefile.StatusResolved}})
	}
	body := inboxBody{Filters: f, Limit: inboxLimit}
	for _, spec := range specs {
		q := inboxQueue{Key: spec.key}
		statuses := spec.statuses
		if f.Status != "" {
			// The chosen status narrows the queue, and empties one it is
			// not part of.
			if statuses != nil && !slices.Contains(statuses, casefile.Status(f.Status)) {
				body.Queues = append(body.Queues, q)
				continue
			}
			statuses = []casefile.Status{casefile.Status(f.Status)}
		}
		base := caselist.Filter{
			District: s.districtCode(f.District), Category: f.Category, Department: spec.department, Q: f.Q, Now: now,
			Staff: sr.actor.Role.Staff(), Order: caselist.OrderDue, Limit: inboxLimit + 1,
		}
		if spec.overdue {
			yes := true
			base.Overdue = &yes
		}
		if statuses == nil {
			statuses = []casefile.Status{""}
		}
		var cases []casefile.Case
		for _, st := range statuses {
			lf := base
			lf.Status = string(st)
			page, err := s.cfg.CaseList.List(r.Context(), lf)
			if err != nil {
				s.fail(w, r, d, err)
				return
			}
			cases = append(cases, page.Items...)
		}
		// Each list is in caselist.OrderDue; so is their merge.
		slices.SortStableFunc(cases, dueOrder)
		if len(cases) > inboxLimit {
			cases, q.More = cases[:inboxLimit], true
		}
		for i := range cases {
			q.Items = append(q.Items, d.newInboxItem(&cases[i], now))
		}
		body.Queues = append(body.Queues, q)
	}
	d.Body = body
	s.render(w, r, http.StatusOK, "console-inbox", d)
}

// inboxFilters reads the filter form from the query. A status or category
// that does not exist filters nothing: the form offers only those that do.
func (d *pageData) inboxFilters(r *http.Request) inboxFilters {
	q := r.URL.Query()
	f := inboxFilters{
		Action:   "/console/inbox",
		Lang:     strings.TrimPrefix(d.query, "?lang="),
		District: strings.TrimSpace(q.Get("district")), Category: q.Get("category"), Status: q.Get("status"),
		Q: strings.TrimSpace(q.Get("q")),
	}
	for utf8.RuneCountInString(f.Q) > maxInboxQuery {
		_, size := utf8.DecodeLastRuneInString(f.Q)
		f.Q = f.Q[:len(f.Q)-size]
	}
	if len(f.District) > maxInboxQuery {
		f.District = ""
	}
	if _, ok := d.s.cfg.Directory.Category(f.Category); !ok {
		f.Category = ""
	}
	if !casefile.Status(f.Status).Valid() {
		f.Status = ""
	}
	f.Categories = append([]option{{Value: "", Label: d.T("inbox.any")}}, d.categoryOptions(f.Category)...)
	f.Statuses = []option{{Value: "", Label: d.T("inbox.any")}}
	for _, st := range pageStatuses {
		f.Statuses = append(f.Statuses, option{Value: string(st), Label: d.statusName(st), Selected: string(st) == f.Status})
	}
	f.Active = f.District != "" || f.Category != "" || f.Status != "" || f.Q != ""
	return f
}

// dueOrder is caselist.OrderDue: the soonest due first, the cases
// without a due date last, ties the oldest first.
func dueOrder(a, b casefile.Case) int {
	switch {
	case a.DueAt == nil && b.DueAt != nil:
		return 1
	case a.DueAt != nil && b.DueAt == nil:
		return -1
	case a.DueAt != nil:
		if c := cmp.Compare(a.DueAt.UnixMicro(), b.DueAt.UnixMicro()); c != 0 {
			return c
		}
	}
	if c := cmp.Compare(a.CreatedAt.UnixMicro(), b.CreatedAt.UnixMicro()); c != 0 {
		return c
	}
	return strings.Compare(a.ID, b.ID)
}

// newInboxItem is a case as a queue lists it, with how long its
// department has left.
func (d *pageData) newInboxItem(c *casefile.Case, now time.Time) inboxItem {
	it := inboxItem{
		caseItem: d.newConsoleItem(c, now), Priority: string(c.Priority), Hidden: c.Hidden(),
	}
	if c.Priority != "" {
		it.PriorityName = d.T("priority." + string(c.Priority))
	}
	if c.DueAt != nil {
		st := d.stamp(*c.DueAt)
		it.Due = &st
		if c.Status.AwaitsDepartment() {
			it.DueText = d.dueText(*c.DueAt, now)
		}
	}
	return it
}

// newConsoleItem is a case as the console lists it: linked to its
// workbench rather than its public page.
func (d *pageData) newConsoleItem(c *casefile.Case, now time.Time) caseItem {
	it := d.newCaseItem(c, now)
	it.Href = d.Link("/console/cases/" + c.ID)
	return it
}
