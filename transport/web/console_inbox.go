package web

import (
	"cmp"
	"net/http"
	"slices"
	"time"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/domain/casefile"
	"github.com/citizenhouse/bayt/projections/caselist"
)

// inboxLimit bounds each queue of the inbox.
const inboxLimit = caselist.MaxLimit

// inboxQueue is one list of the inbox.
type inboxQueue struct {
	Key   string // its message key and element id
	Items []caseItem
}

type inboxBody struct {
	Queues []inboxQueue
}

// inbox is the work waiting for whoever is signed in: an officer's
// department's open cases, soonest due first; for advocates and admins the
// cases to triage, the overdue ones and the resolved ones awaiting the
// resident's confirmation.
func (s *Server) inbox(w http.ResponseWriter, r *http.Request, d *pageData, sr staffRequest) {
	d.Title, d.Nav = d.T("console.inbox.title"), "inbox"
	now := s.now()
	queue := func(key string, filters ...caselist.Filter) (inboxQueue, error) {
		q := inboxQueue{Key: key}
		var cases []casefile.Case
		for _, f := range filters {
			f.Limit, f.Now = inboxLimit, now
			page, err := s.cfg.CaseList.List(r.Context(), f)
			if err != nil {
				return q, err
			}
			cases = append(cases, page.Items...)
		}
		slices.SortStableFunc(cases, func(a, b casefile.Case) int { return cmp.Compare(dueKey(a), dueKey(b)) })
		for i := range cases {
			q.Items = append(q.Items, d.newConsoleItem(&cases[i], now))
		}
		return q, nil
	}
	var specs []struct {
		key     string
		filters []caselist.Filter
	}
	add := func(key string, filters ...caselist.Filter) {
		specs = append(specs, struct {
			key     string
			filters []caselist.Filter
		}{key, filters})
	}
	if sr.actor.Role == domain.RoleOfficer {
		dep := sr.actor.Department
		add("console.inbox.department",
			caselist.Filter{Department: dep, Status: string(casefile.StatusForwarded)},
			caselist.Filter{Department: dep, Status: string(casefile.StatusAcknowledged)},
			caselist.Filter{Department: dep, Status: string(casefile.StatusInProgress)})
	} else {
		overdue := true
		add("console.inbox.triage", caselist.Filter{Status: string(casefile.StatusReported)})
		add("console.inbox.overdue", caselist.Filter{Overdue: &overdue})
		add("console.inbox.confirm", caselist.Filter{Status: string(casefile.StatusResolved)})
	}
	var body inboxBody
	for _, spec := range specs {
		q, err := queue(spec.key, spec.filters...)
		if err != nil {
			s.fail(w, r, d, err)
			return
		}
		body.Queues = append(body.Queues, q)
	}
	d.Body = body
	s.render(w, r, http.StatusOK, "console-inbox", d)
}

// dueKey orders cases by due date, those without one last.
func dueKey(c casefile.Case) int64 {
	if c.DueAt == nil {
		return 1 << 62
	}
	return c.DueAt.Unix()
}

// newConsoleItem is a case as the console lists it: linked to its
// workbench rather than its public page.
func (d *pageData) newConsoleItem(c *casefile.Case, now time.Time) caseItem {
	it := d.newCaseItem(c, now)
	it.Href = d.Link("/console/cases/" + c.ID)
	return it
}
