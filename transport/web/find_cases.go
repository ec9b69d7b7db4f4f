package web

import (
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/domain/casefile"
	"github.com/citizenhouse/bayt/projections/caselist"
)

// findRoutes registers what lets a resident find and follow a case: the
// search (/cases), a case by its number, "me too", /track and the
// petition's form.
func (s *Server) findRoutes() {
	s.mux.HandleFunc("GET /cases", s.casesPage)
	s.mux.HandleFunc("POST /cases/{id}/support", s.supportCase)
	s.mux.HandleFunc("GET /track", s.trackPage)
	s.mux.HandleFunc("POST /track", s.track)
	s.mux.HandleFunc("POST /track/{action}", s.trackAction)
	if s.cfg.Campaigns != nil && s.cfg.CampaignService != nil {
		s.mux.HandleFunc("POST /campaigns/{id}/signatures", s.signPetition)
	}
}

// publicFormPage is the page a public form posted to path is on, for the
// language switcher of the answer: the case of a support, the campaign of
// a signature, /track for its forms.
func publicFormPage(path string) (string, bool) {
	seg := strings.Split(strings.Trim(path, "/"), "/")
	switch {
	case seg[0] == "track":
		return "/track", true
	case len(seg) == 3 && (seg[0] == "cases" || seg[0] == "campaigns"):
		return "/" + seg[0] + "/" + seg[1], true
	}
	return "", false
}

// casesPageSize is how many cases a page of the search lists.
const casesPageSize = 20

// maxSearchText bounds the search's texts, as the API bounds q.
const maxSearchText = 200

// casesSearch is the search form of /cases, as the request set it.
type casesSearch struct {
	Action string
	// Lang carries the page's language through the GET form, whose
	// action's own query a browser drops.
	Lang                                      string
	Q, District, Status, Category, Department string
	Overdue                                   bool
	Statuses, Categories, Departments         []option
	// Districts are the directory's, named in the page's language; none
	// when the directory has no districts, and the district is then typed.
	Districts []option
	Active    bool
}

type casesBody struct {
	Search casesSearch
	Items  []caseItem
	// Next is the address of the next page, First of the first page when
	// this is a later one.
	Next, First string
	// Number is the case number the search read in Q, when it did.
	Number string
}

// casesPage is the public search: the case list's filters and text, one
// page at a time with the list's cursor, as GET /api/v1/cases answers. It
// is a GET form, whole without JavaScript.
func (s *Server) casesPage(w http.ResponseWriter, r *http.Request) {
	d := s.data(r, "cases")
	d.Title = d.T("find.cases.title")
	q := r.URL.Query()
	f := d.casesSearch(q)
	now := s.now()
	lf := caselist.Filter{
		Status: f.Status, District: s.districtCode(f.District), Category: f.Category, Department: f.Department, Q: f.Q,
		Cursor: q.Get("cursor"), Limit: casesPageSize, Now: now,
	}
	if f.Overdue {
		yes := true
		lf.Overdue = &yes
	}
	page, err := s.cfg.CaseList.List(r.Context(), lf)
	if domain.KindOf(err) == domain.KindInvalid {
		// The cursor is the only thing left that can be wrong: one this
		// server never gave.
		s.renderError(w, r, d, http.StatusBadRequest, "bad")
		return
	}
	if err != nil {
		s.fail(w, r, d, err)
		return
	}
	body := casesBody{Search: f}
	if n, ok := casefile.ParseNumber(f.Q); ok {
		body.Number = n
	}
	for i := range page.Items {
		body.Items = append(body.Items, d.newCaseItem(&page.Items[i], now))
	}
	if page.NextCursor != "" {
		body.Next = d.searchLink(f, page.NextCursor)
	}
	if lf.Cursor != "" {
		body.First = d.searchLink(f, "")
	}
	// The search's place and theme can be followed; its other filters
	// are a moment's view, not news.
	feed := url.Values{}
	if f.District != "" {
		feed.Set("district", f.District)
	}
	if f.Category != "" {
		feed.Set("category", f.Category)
	}
	d.Feeds = []feedLink{{Title: d.Title, URL: "/feeds/cases.atom"}}
	if len(feed) > 0 {
		d.Feeds[0].URL += "?" + feed.Encode()
	}
	d.Body = body
	s.render(w, r, http.StatusOK, "cases", d)
}

// casesSearch reads the search form from the query. A status, category
// or department that does not exist filters nothing: the form offers only
// those that do.
func (d *pageData) casesSearch(q url.Values) casesSearch {
	f := casesSearch{
		Action: "/cases", Lang: strings.TrimPrefix(d.query, "?lang="),
		Q: clip(strings.TrimSpace(q.Get("q")), maxSearchText), District: clip(strings.TrimSpace(q.Get("district")), maxSearchText),
		Status: q.Get("status"), Category: q.Get("category"), Department: q.Get("department"),
		Overdue: q.Get("overdue") != "",
	}
	if !casefile.Status(f.Status).Valid() {
		f.Status = ""
	}
	if _, ok := d.s.cfg.Directory.Category(f.Category); !ok {
		f.Category = ""
	}
	if _, ok := d.s.cfg.Directory.Department(f.Department); !ok {
		f.Department = ""
	}
	anyValue := option{Value: "", Label: d.T("find.any")}
	f.Statuses = []option{anyValue}
	for _, st := range pageStatuses {
		f.Statuses = append(f.Statuses, option{Value: string(st), Label: d.statusName(st), Selected: string(st) == f.Status})
	}
	f.Categories = append([]option{anyValue}, d.categoryOptions(f.Category)...)
	f.Departments = append([]option{anyValue}, d.departmentOptions(f.Department)...)
	if opts := d.districtOptions(f.District); len(opts) > 0 {
		f.Districts = append([]option{anyValue}, opts...)
	}
	f.Active = f.Q != "" || f.District != "" || f.Status != "" || f.Category != "" || f.Department != "" || f.Overdue
	return f
}

// searchLink is the address of the search f at cursor, in the page's
// language when the visitor chose it.
func (d *pageData) searchLink(f casesSearch, cursor string) string {
	v := url.Values{}
	for name, value := range map[string]string{
		"q": f.Q, "district": f.District, "status": f.Status, "category": f.Category,
		"department": f.Department, "cursor": cursor, "lang": f.Lang,
	} {
		if value != "" {
			v.Set(name, value)
		}
	}
	if f.Overdue {
		v.Set("overdue", "1")
	}
	if len(v) == 0 {
		return "/cases"
	}
	return "/cases?" + v.Encode()
}

// clip shortens s to at most n characters.
func clip(s string, n int) string {
	for utf8.RuneCountInString(s) > n {
		_, size := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-size]
	}
	return s
}

// caseByNumber answers GET /cases/2026-0142: 303 to the page of the case of
// that number, when the public may read it; the not-found page otherwise.
func (s *Server) caseByNumber(w http.ResponseWriter, r *http.Request, d *pageData, number string) {
	page, err := s.cfg.CaseList.List(r.Context(), caselist.Filter{Number: number, Limit: 1, Now: s.now()})
	if err != nil {
		s.fail(w, r, d, err)
		return
	}
	if len(page.Items) == 0 {
		s.renderError(w, r, d, http.StatusNotFound, "not_found")
		return
	}
	http.Redirect(w, r, d.Link("/cases/"+page.Items[0].ID), http.StatusSeeOther)
}

// cardData is a case of a list with its page, for the "find-card"
// template.
type cardData struct {
	Page *pageData
	Item caseItem
}

// Card gives the "find-card" template a case and the page's methods.
func (d *pageData) Card(it caseItem) cardData { return cardData{Page: d, Item: it} }
