package api

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/domain/casefile"
	"github.com/citizenhouse/bayt/projections/caselist"
	"github.com/citizenhouse/bayt/transport"
)

// The pages are rendered on the server with html/template from files
// embedded in the binary: no front-end build step, nothing to install next
// to bayt, and every value escaped for its context.
//
//go:embed web
var webFS embed.FS

// Page languages. Arabic is the default and the only right-to-left one.
const (
	langAR      = "ar"
	langFR      = "fr"
	langEN      = "en"
	defaultLang = langAR
)

// boardLatest is how many cases the public board lists.
const boardLatest = 20

// pageCSP allows nothing but this origin: no inline script or style, no
// framing, and forms that post only here.
const pageCSP = "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; " +
	"form-action 'self'; frame-ancestors 'none'"

// pageStatuses are the case statuses in the order of a case's life, as the
// board lists them.
var pageStatuses = [...]casefile.Status{
	casefile.StatusReported, casefile.StatusTriaged, casefile.StatusForwarded,
	casefile.StatusAcknowledged, casefile.StatusInProgress, casefile.StatusResolved,
	casefile.StatusClosed, casefile.StatusRejected, casefile.StatusDuplicate,
}

// pages serves the server-rendered web pages. It is built once, when the
// routes are registered, and only read afterwards.
type pages struct {
	s         *Server
	templates map[string]*template.Template // page name -> layout and page
	messages  map[string]map[string]string  // language -> key -> text
	langs     []langLink                    // the switcher's languages, in order
	css       string                        // versioned URL of the stylesheet
	static    http.Handler
	origin    *http.CrossOriginProtection
}

// pageRoutes registers the web pages of API.md ("Pages"). Campaign pages,
// the console and statistics are registered elsewhere.
func (s *Server) pageRoutes() {
	p := newPages(s)
	s.mux.HandleFunc("GET /{$}", p.home)
	s.mux.HandleFunc("GET /cases/{id}", p.casePage)
	s.mux.HandleFunc("GET /report", p.reportForm)
	s.mux.HandleFunc("POST /report", p.submitReport)
	s.mux.Handle("GET /static/", p.static)
	p.campaignRoutes()
}

// newPages parses the embedded templates and messages. They are part of
// the binary, so a parse error is a programmer error that the tests catch:
// it panics rather than serve broken pages.
func newPages(s *Server) *pages {
	p := &pages{
		s:         s,
		templates: map[string]*template.Template{},
		langs:     []langLink{{Code: langAR, Name: "العربية"}, {Code: langFR, Name: "Français"}, {Code: langEN, Name: "English"}},
		origin:    http.NewCrossOriginProtection(),
	}
	msgs, err := loadMessages(webFS)
	if err != nil {
		panic(fmt.Sprintf("api: pages: %v", err))
	}
	p.messages = msgs
	for _, name := range []string{"home", "case", "report", "reported", "error"} {
		t, err := template.ParseFS(webFS, "web/templates/layout.html", "web/templates/"+name+".html")
		if err != nil {
			panic(fmt.Sprintf("api: pages: parse %s: %v", name, err))
		}
		p.templates[name] = t
	}
	css, err := webFS.ReadFile("web/static/bayt.css")
	if err != nil {
		panic(fmt.Sprintf("api: pages: %v", err))
	}
	sum := sha256.Sum256(css)
	p.css = "/static/bayt.css?v=" + hex.EncodeToString(sum[:6])
	static, err := fs.Sub(webFS, "web/static")
	if err != nil {
		panic(fmt.Sprintf("api: pages: %v", err))
	}
	files := http.StripPrefix("/static/", http.FileServerFS(static))
	p.static = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") {
			http.NotFound(w, r) // no directory listings
			return
		}
		if r.URL.Query().Has("v") {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			w.Header().Set("Cache-Control", "public, max-age=3600")
		}
		w.Header().Set("X-Content-Type-Options", "nosniff")
		files.ServeHTTP(w, r)
	})
	return p
}

// loadMessages reads web/messages.json: one map of keys per language. The
// English ephemeral warning is EphemeralWarning itself, so the log line and
// the banner can never drift apart. Every language must have every key.
func loadMessages(fsys fs.FS) (map[string]map[string]string, error) {
	b, err := fs.ReadFile(fsys, "web/messages.json")
	if err != nil {
		return nil, err
	}
	var msgs map[string]map[string]string
	if err := json.Unmarshal(b, &msgs); err != nil {
		return nil, fmt.Errorf("messages.json: %w", err)
	}
	if msgs[langEN] == nil {
		return nil, errors.New("messages.json: no English messages")
	}
	msgs[langEN]["ephemeral"] = EphemeralWarning
	var missing []string
	for _, lang := range []string{langAR, langFR, langEN} {
		for _, other := range []string{langAR, langFR, langEN} {
			for key := range msgs[other] {
				if _, ok := msgs[lang][key]; !ok {
					missing = append(missing, lang+":"+key)
				}
			}
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("messages.json: missing %s", strings.Join(missing, ", "))
	}
	return msgs, nil
}

// pageLanguage picks the page's language: ?lang=ar|fr|en, then the best
// supported language of Accept-Language, then Arabic. explicit says that
// the query chose it, so links carry the choice on.
func pageLanguage(r *http.Request) (lang string, explicit bool) {
	switch l := r.URL.Query().Get("lang"); l {
	case langAR, langFR, langEN:
		return l, true
	}
	if l := acceptLanguage(r.Header.Get("Accept-Language")); l != "" {
		return l, false
	}
	return defaultLang, false
}

// acceptLanguage returns the supported language with the highest quality
// in an Accept-Language header (the first one on a tie), or "".
func acceptLanguage(header string) string {
	best, bestQ := "", 0.0
	for part := range strings.SplitSeq(header, ",") {
		tag, params, _ := strings.Cut(part, ";")
		q := 1.0
		for param := range strings.SplitSeq(params, ";") {
			if v, ok := strings.CutPrefix(strings.TrimSpace(param), "q="); ok {
				f, err := strconv.ParseFloat(v, 64)
				if err != nil || f < 0 || f > 1 {
					f = 0
				}
				q = f
			}
		}
		primary, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(tag)), "-")
		switch primary {
		case langAR, langFR, langEN:
			if q > bestQ {
				best, bestQ = primary, q
			}
		}
	}
	return best
}

// langLink is one entry of the language switcher.
type langLink struct {
	Code, Name, Href string
	Current          bool
}

// pageData is what every template gets: the layout's fields, the page's
// own Body, and methods to translate and link.
type pageData struct {
	Lang      string
	Dir       string
	Title     string
	Nav       string // "board" or "report": the current menu entry
	CSS       string
	Ephemeral bool
	Langs     []langLink
	Live      string // the live feed the page's script will follow, if any
	Body      any

	msgs  map[string]string
	query string // "?lang=xx" when the language came from the query
	p     *pages
}

func (p *pages) data(r *http.Request, nav string) *pageData {
	lang, explicit := pageLanguage(r)
	d := &pageData{
		Lang: lang, Dir: "ltr", Nav: nav, CSS: p.css, Ephemeral: p.s.cfg.Ephemeral,
		msgs: p.messages[lang], p: p,
	}
	if lang == langAR {
		d.Dir = "rtl"
	}
	if explicit {
		d.query = "?lang=" + lang
	}
	path := r.URL.Path
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		path = "/report" // the switcher re-opens the form rather than re-posting it
	}
	for _, l := range p.langs {
		l.Href = path + "?lang=" + l.Code
		l.Current = l.Code == lang
		d.Langs = append(d.Langs, l)
	}
	return d
}

// T returns the message key in the page's language, or the key itself if
// there is none (a test makes sure every key the templates use exists).
func (d *pageData) T(key string) string {
	if m, ok := d.msgs[key]; ok {
		return m
	}
	return key
}

// Tf is T with fmt.Sprintf arguments.
func (d *pageData) Tf(key string, args ...any) string { return fmt.Sprintf(d.T(key), args...) }

// Link returns path carrying the page's language when the visitor chose it.
func (d *pageData) Link(path string) string { return path + d.query }

func (d *pageData) statusName(s casefile.Status) string { return d.T("status." + string(s)) }

func (d *pageData) categoryName(code string) string {
	if c, ok := d.p.s.cfg.Directory.Category(code); ok {
		return c.Name.In(d.Lang)
	}
	return code
}

func (d *pageData) departmentName(code string) string {
	if dep, ok := d.p.s.cfg.Directory.Department(code); ok {
		return dep.Name.In(d.Lang)
	}
	return code
}

// stamp is a moment as pages show it: UTC, with the machine-readable form
// for <time datetime>.
type stamp struct {
	ISO, Date, Time string
}

func newStamp(t time.Time) stamp {
	t = t.UTC()
	return stamp{ISO: t.Format(time.RFC3339), Date: t.Format("2006-01-02"), Time: t.Format("15:04") + " UTC"}
}

// render executes page into a buffer first, so that a template error
// becomes a clean 500 rather than half a page.
func (p *pages) render(w http.ResponseWriter, r *http.Request, status int, page string, d *pageData) {
	var buf bytes.Buffer
	if err := p.templates[page].ExecuteTemplate(&buf, "layout", d); err != nil {
		p.s.log.ErrorContext(r.Context(), "render page", "page", page, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Language", d.Lang)
	h.Add("Vary", "Accept-Language")
	h.Set("Content-Security-Policy", pageCSP)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	if h.Get("Cache-Control") == "" {
		h.Set("Cache-Control", "no-cache")
	}
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// errorBody is the body of the error page.
type errorBody struct{ Message string }

func (p *pages) renderError(w http.ResponseWriter, r *http.Request, d *pageData, status int, key string) {
	d.Title = d.T("error." + key + ".title")
	d.Body = errorBody{Message: d.T("error." + key)}
	p.render(w, r, status, "error", d)
}

// fail answers err as a page: not found, or an internal error logged once
// here.
func (p *pages) fail(w http.ResponseWriter, r *http.Request, d *pageData, err error) {
	status := transport.HTTPStatus(err)
	switch status {
	case http.StatusNotFound:
		p.renderError(w, r, d, status, "not_found")
		return
	case http.StatusServiceUnavailable:
		w.Header().Set("Retry-After", transport.RetryAfter)
	}
	p.s.log.ErrorContext(r.Context(), "page failed", "err", err, "path", r.URL.Path,
		"correlation_id", domain.MetadataFrom(r.Context()).CorrelationID)
	p.renderError(w, r, d, status, "internal")
}

// caseItem is a case as the board lists it.
type caseItem struct {
	ID, Href, Title, Status, StatusName, Category, District string
	Reported                                                stamp
	Overdue                                                 bool
	Supporters                                              int
}

func (d *pageData) newCaseItem(v caseView) caseItem {
	return caseItem{
		ID: v.ID, Href: d.Link("/cases/" + v.ID), Title: v.Title, Status: string(v.Status),
		StatusName: d.statusName(v.Status), Category: d.categoryName(v.Category), District: v.District,
		Reported: newStamp(v.CreatedAt), Overdue: v.Overdue, Supporters: v.Supporters,
	}
}

type statusCount struct {
	Status, Name string
	N            int
}

// departmentRow is how one department answers, as the board shows it.
type departmentRow struct {
	Name               string
	Open, Overdue      int
	HoursToAcknowledge string // "" when no case was acknowledged yet
	HoursToResolve     string
	WithinSLA          string // a percentage, or "" before any resolution
}

type homeBody struct {
	Position       int64 // the board's position in the log, for the live script's since=
	Counts         []statusCount
	Total, Overdue int
	Departments    []departmentRow
	Latest         []caseItem
}

// home is the public live board: the board read model's counts and
// departments' figures, and the latest cases from the case list.
func (p *pages) home(w http.ResponseWriter, r *http.Request) {
	d := p.data(r, "board")
	d.Title = d.T("home.title")
	d.Live = "/api/v1/live?board=public"
	now := p.s.now()
	board, err := p.s.cfg.Boards.Board(r.Context(), now)
	if err != nil {
		p.fail(w, r, d, err)
		return
	}
	latest, err := p.s.cfg.CaseList.List(r.Context(), caselist.Filter{Limit: boardLatest, Now: now})
	if err != nil {
		p.fail(w, r, d, err)
		return
	}
	body := homeBody{Position: board.Position}
	for _, s := range pageStatuses {
		n := board.ByStatus[string(s)]
		body.Total += n
		body.Counts = append(body.Counts, statusCount{Status: string(s), Name: d.statusName(s), N: n})
	}
	for _, dep := range board.Departments {
		body.Overdue += dep.Overdue
		body.Departments = append(body.Departments, departmentRow{
			Name: d.departmentName(dep.Code), Open: dep.Open, Overdue: dep.Overdue,
			HoursToAcknowledge: hours(dep.MedianHoursToAcknowledge), HoursToResolve: hours(dep.MedianHoursToResolve),
			WithinSLA: percent(dep.WithinSLARatio),
		})
	}
	for i := range latest.Items {
		body.Latest = append(body.Latest, d.newCaseItem(newCaseView(&latest.Items[i], now)))
	}
	d.Body = body
	p.render(w, r, http.StatusOK, "home", d)
}

func hours(h *float64) string {
	if h == nil {
		return ""
	}
	return strconv.FormatFloat(*h, 'f', 1, 64)
}

func percent(r *float64) string {
	if r == nil {
		return ""
	}
	return strconv.FormatFloat(*r*100, 'f', 0, 64) + "%"
}

// detail is one labelled fact of a timeline entry.
type detail struct {
	Label, Value, Href string
	When               *stamp
}

// timelineItem is one public step of a case, or a run of supports.
type timelineItem struct {
	Type      string
	Label     string
	Actor     string
	At        stamp
	Text      string
	Details   []detail
	Hash      string
	ShortHash string
}

type caseBody struct {
	caseItem
	Description  string
	Address      string
	Department   string
	Priority     string
	Due          *stamp
	Reopened     int
	RejectReason string
	MergedInto   string
	MergedHref   string
	Verified     bool
	Timeline     []timelineItem
}

// casePage shows a case and its public timeline: what anyone may see, as
// GET /api/v1/cases/{id}/history shows it to the anonymous public.
func (p *pages) casePage(w http.ResponseWriter, r *http.Request) {
	d := p.data(r, "")
	id := r.PathValue("id")
	if !casefile.ValidID(id) {
		p.renderError(w, r, d, http.StatusNotFound, "not_found")
		return
	}
	c, _, err := p.s.cfg.Cases.Load(r.Context(), id)
	if err != nil {
		p.fail(w, r, d, err)
		return
	}
	h, err := p.s.cfg.Cases.History(r.Context(), id)
	if err != nil {
		p.fail(w, r, d, err)
		return
	}
	hv, err := newHistoryView(h, domain.Anonymous, casePublic)
	if err != nil {
		p.fail(w, r, d, err)
		return
	}
	v := newCaseView(c, p.s.now())
	body := caseBody{
		caseItem: d.newCaseItem(v), Description: v.Description, Address: v.Address,
		Priority: d.T("priority." + string(v.Priority)), Reopened: v.ReopenedCount,
		RejectReason: v.RejectReason, Verified: hv.Verified, Timeline: d.timeline(hv.Events),
	}
	if v.Department != nil {
		body.Department = d.departmentName(*v.Department)
	}
	if v.DueAt != nil {
		st := newStamp(*v.DueAt)
		body.Due = &st
	}
	if v.MergedInto != "" {
		body.MergedInto, body.MergedHref = v.MergedInto, d.Link("/cases/"+v.MergedInto)
	}
	d.Title = v.Title
	d.Body = body
	p.render(w, r, http.StatusOK, "case", d)
}

// eventFields are the public fields of case events that the timeline
// shows; each event has a few of them.
type eventFields struct {
	Department string            `json:"department"`
	DueAt      *time.Time        `json:"due_at"`
	Note       string            `json:"note"`
	Reason     string            `json:"reason"`
	Response   string            `json:"response"`
	Body       string            `json:"body"`
	Reference  string            `json:"reference"`
	PlannedFor *time.Time        `json:"planned_for"`
	Priority   casefile.Priority `json:"priority"`
	Category   string            `json:"category"`
	Into       string            `json:"into"`
	CampaignID string            `json:"campaign_id"`
}

// timelineOf turns a public history into what a page shows: each event with
// its label, actor, time and hash. Runs of the event named collapse into one
// entry labelled with manyKey and the count, so a popular stream's history
// stays readable; describe adds what any other event says.
func (d *pageData) timelineOf(events []historyEvent, collapse, manyKey string, describe func(e historyEvent, it *timelineItem)) []timelineItem {
	var out []timelineItem
	run := 0
	for _, e := range events {
		it := timelineItem{
			Type: e.Type, Label: d.T("event." + e.Type), Actor: d.T("role." + string(e.Actor.Role)),
			At: newStamp(e.RecordedAt), Hash: e.Hash, ShortHash: e.Hash,
		}
		if len(it.ShortHash) > 12 {
			it.ShortHash = it.ShortHash[:12]
		}
		if e.Type == collapse {
			if run > 0 && len(out) > 0 {
				run++
				it.Label = d.Tf(manyKey, run)
				out[len(out)-1] = it
				continue
			}
			run = 1
			out = append(out, it)
			continue
		}
		run = 0
		describe(e, &it)
		out = append(out, it)
	}
	return out
}

// timeline is a case's timeline; supports collapse.
func (d *pageData) timeline(events []historyEvent) []timelineItem {
	return d.timelineOf(events, EventName(casefile.TypeCaseSupported), "event.CaseSupportedMany", func(e historyEvent, it *timelineItem) {
		var f eventFields
		_ = json.Unmarshal(e.Data, &f) // a field of another shape is simply not shown
		it.Text = firstNonEmpty(f.Note, f.Reason, f.Response, f.Body)
		if e.Type == EventName(casefile.TypeCaseReported) {
			it.Text = ""
		}
		if f.Department != "" {
			it.Details = append(it.Details, detail{Label: d.T("tl.department"), Value: d.departmentName(f.Department)})
		}
		if f.DueAt != nil {
			st := newStamp(*f.DueAt)
			it.Details = append(it.Details, detail{Label: d.T("tl.due"), When: &st})
		}
		if f.Reference != "" {
			it.Details = append(it.Details, detail{Label: d.T("tl.reference"), Value: f.Reference})
		}
		if f.PlannedFor != nil {
			st := newStamp(*f.PlannedFor)
			it.Details = append(it.Details, detail{Label: d.T("tl.planned"), When: &st})
		}
		if e.Type == EventName(casefile.TypeCaseTriaged) {
			if f.Priority != "" {
				it.Details = append(it.Details, detail{Label: d.T("tl.priority"), Value: d.T("priority." + string(f.Priority))})
			}
			if f.Category != "" {
				it.Details = append(it.Details, detail{Label: d.T("tl.category"), Value: d.categoryName(f.Category)})
			}
		}
		if f.Into != "" {
			it.Details = append(it.Details, detail{Label: d.T("tl.into"), Value: f.Into, Href: d.Link("/cases/" + f.Into)})
		}
		if f.CampaignID != "" {
			it.Details = append(it.Details, detail{Label: d.T("tl.campaign"), Value: f.CampaignID})
		}
	})
}

func firstNonEmpty(xs ...string) string {
	for _, x := range xs {
		if strings.TrimSpace(x) != "" {
			return x
		}
	}
	return ""
}

// reportInput is the report form as posted.
type reportInput struct {
	Title, Description, Category, District, Address string
	Name, Phone, Email                              string
	// Key is the form's one-time key, made when the form was shown: it
	// turns a reload or a double click into one report, not two.
	Key string
}

// option is one choice of a select.
type option struct {
	Value, Label string
	Selected     bool
}

// formField is one field of the report form.
type formField struct {
	Name, ID, Label, Hint, Kind, Value, Error, Autocomplete string
	DescribedBy                                             string // ids of the hint and the error
	Max                                                     int
	Required                                                bool
	Options                                                 []option
}

// fieldData is a form field with its page, for the "field" template.
type fieldData struct {
	formField
	*pageData
}

// Field gives the "field" template a field and the page's methods.
func (d *pageData) Field(f formField) fieldData { return fieldData{f, d} }

type fieldError struct{ Name, Label, Message string }

type reportBody struct {
	Action  string
	Key     string
	Fields  []formField
	Contact []formField
	Errors  []fieldError
}

// reportForm shows an empty report form.
func (p *pages) reportForm(w http.ResponseWriter, r *http.Request) {
	d := p.data(r, "report")
	p.showForm(w, r, d, http.StatusOK, reportInput{Key: newFormKey()}, nil)
}

func (p *pages) showForm(w http.ResponseWriter, r *http.Request, d *pageData, status int, in reportInput, errs map[string]string) {
	d.Title = d.T("report.title")
	cats := []option{{Value: "", Label: d.T("field.choose")}}
	for _, c := range p.s.cfg.Directory.Categories() {
		cats = append(cats, option{Value: c.Code, Label: c.Name.In(d.Lang), Selected: c.Code == in.Category})
	}
	field := func(name, kind, value string, max int, required bool, autocomplete string) formField {
		f := formField{
			Name: name, Label: d.T("field." + name), Kind: kind, Value: value, Max: max,
			Required: required, Autocomplete: autocomplete, Error: errs[name],
		}
		f.ID = "f-" + name
		var ids []string
		if h, ok := d.msgs["field."+name+"_hint"]; ok {
			f.Hint = h
			ids = append(ids, f.ID+"-hint")
		}
		if f.Error != "" {
			ids = append(ids, f.ID+"-error")
		}
		f.DescribedBy = strings.Join(ids, " ")
		return f
	}
	body := reportBody{
		Action: d.Link("/report"),
		Key:    in.Key,
		Fields: []formField{
			field("title", "text", in.Title, casefile.MaxTitle, true, "off"),
			field("description", "textarea", in.Description, casefile.MaxDescription, true, "off"),
			field("category", "select", in.Category, 0, true, "off"),
			field("district", "text", in.District, casefile.MaxDistrict, true, "address-level3"),
			field("address", "text", in.Address, casefile.MaxAddress, false, "street-address"),
		},
		Contact: []formField{
			field("name", "text", in.Name, maxName, false, "name"),
			field("phone", "tel", in.Phone, maxPhone, false, "tel"),
			field("email", "email", in.Email, maxEmail, false, "email"),
		},
	}
	body.Fields[2].Options = cats
	for _, f := range append(append([]formField(nil), body.Fields...), body.Contact...) {
		if f.Error != "" {
			body.Errors = append(body.Errors, fieldError{Name: f.Name, Label: f.Label, Message: f.Error})
		}
	}
	d.Body = body
	p.render(w, r, status, "report", d)
}

// The vault's limits.
const (
	maxName  = domain.MaxPersonName
	maxPhone = domain.MaxPhone
	maxEmail = domain.MaxEmail
)

type reportedBody struct {
	ID, Href, Token string
}

var errPageRateLimited = errors.New("too many anonymous writes")

// submitReport creates a case from the report form, without JavaScript:
// the confirmation page, or the form again with its values and the errors
// next to their fields (422).
//
// Cross-site request forgery: the form is anonymous and sets no cookie, so
// a forged post carries no one's authority; what the check prevents is
// another site making visitors' browsers file reports (and spend their
// address's write limit). Refusing posts whose Origin (or, from browsers
// that send none, Referer) is not this Host is enough for that, and needs
// no token. http.CrossOriginProtection does the Origin part, trusting the
// browser's Sec-Fetch-Site where it is sent.
func (p *pages) submitReport(w http.ResponseWriter, r *http.Request) {
	d := p.data(r, "report")
	if !p.sameOrigin(r) {
		p.renderError(w, r, d, http.StatusForbidden, "forbidden")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	if err := r.ParseForm(); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			p.renderError(w, r, d, http.StatusRequestEntityTooLarge, "bad")
			return
		}
		p.renderError(w, r, d, http.StatusBadRequest, "bad")
		return
	}
	f := r.PostForm
	in := reportInput{
		Title: f.Get("title"), Description: f.Get("description"), Category: f.Get("category"),
		District: f.Get("district"), Address: f.Get("address"),
		Name: f.Get("name"), Phone: f.Get("phone"), Email: f.Get("email"), Key: f.Get("form_key"),
	}
	if !validFormKey(in.Key) {
		in.Key = "" // a post from elsewhere than the form: no replay protection
	}
	res, err := p.report(r.Context(), r, in, d.Lang)
	if err != nil {
		if errors.Is(err, errPageRateLimited) {
			p.renderError(w, r, d, http.StatusTooManyRequests, "rate")
			return
		}
		if errs, ok := d.fieldErrors(err); ok {
			if in.Key == "" {
				in.Key = newFormKey()
			}
			p.showForm(w, r, d, http.StatusUnprocessableEntity, in, errs)
			return
		}
		p.fail(w, r, d, err)
		return
	}
	d.Title = d.T("done.title")
	d.Body = reportedBody{ID: res.ID, Href: d.Link("/cases/" + res.ID), Token: res.TrackingToken}
	// The page holds the tracking token: no cache may keep it.
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Location", "/cases/"+res.ID)
	p.render(w, r, http.StatusCreated, "reported", d)
}

// sameOrigin reports whether a form post comes from this site; see
// submitReport.
func (p *pages) sameOrigin(r *http.Request) bool {
	if p.origin.Check(r) != nil {
		return false
	}
	if r.Header.Get("Origin") != "" || r.Header.Get("Sec-Fetch-Site") != "" {
		return true // Check has judged it
	}
	if ref := r.Header.Get("Referer"); ref != "" {
		u, err := url.Parse(ref)
		return err == nil && u.Host == r.Host
	}
	return true // not a browser's post, or one that says nothing: as for the API
}

// report creates a case from the form the way reportCase does for POST
// /api/v1/cases: the same command, the same vault entry, the same update.
// The form's key stands in for Idempotency-Key, with the form's content
// folded into the key, so an identical resend replays the first answer
// and a changed one is a new report.
func (p *pages) report(ctx context.Context, r *http.Request, in reportInput, lang string) (commandResponse, error) {
	s := p.s
	opts := domain.UpdateOptions{IfMatch: domain.AnyVersion}
	if in.Key != "" {
		h := sha256.New()
		h.Write([]byte("POST /report\x00"))
		h.Write([]byte(r.PostForm.Encode()))
		hash := h.Sum(nil)
		key := "page:report:" + in.Key + ":" + hex.EncodeToString(hash[:16])
		stored, err := s.cfg.Idempotency.Idempotent(ctx, key, hash)
		if err != nil {
			return commandResponse{}, err
		}
		if stored != nil {
			return storedReport(*stored)
		}
		opts.Idempotency = &domain.Idempotency{Key: key, RequestHash: hash, ResponseFunc: func(o domain.Outcome) (domain.Response, error) {
			return jsonResponse(http.StatusCreated, newCommandResponse(o, createsNothing))
		}}
	}
	if !s.limiter.allow(clientAddress(r), s.now()) {
		return commandResponse{}, errPageRateLimited
	}
	out, err := s.cfg.CaseService.Report(ctx, casefile.Report{
		Actor: domain.Anonymous, Title: in.Title, Description: in.Description, Category: in.Category,
		District: in.District, Address: in.Address, Language: lang,
	}, domain.PersonalData{Name: in.Name, Phone: in.Phone, Email: in.Email}, opts)
	if err != nil {
		return commandResponse{}, err
	}
	if out.Replayed != nil {
		return storedReport(*out.Replayed)
	}
	return newCommandResponse(out, createsNothing), nil
}

// storedReport reads the remembered answer to an earlier, identical post.
func storedReport(resp domain.Response) (commandResponse, error) {
	var out commandResponse
	if err := json.Unmarshal(resp.Body, &out); err != nil || out.ID == "" {
		return out, fmt.Errorf("read remembered report answer: %w", errors.Join(err, errors.New("no case id")))
	}
	return out, nil
}

// formFieldNames maps the wire fields of a report to the form's fields.
var formFieldNames = map[string]string{
	"title": "title", "description": "description", "category": "category", "district": "district",
	"address": "address", "reporter.name": "name", "reporter.phone": "phone", "reporter.email": "email",
}

// fieldErrors translates the input errors in err to messages by form
// field. It reports false when err holds anything else, or an input error
// the form has no field for: that is not the visitor's to correct.
func (d *pageData) fieldErrors(err error) (map[string]string, bool) {
	out := map[string]string{}
	ok := true
	var walk func(error)
	walk = func(e error) {
		if j, isJoin := e.(interface{ Unwrap() []error }); isJoin {
			for _, x := range j.Unwrap() {
				walk(x)
			}
			return
		}
		var inv *domain.InvalidError
		if !errors.As(e, &inv) {
			ok = false
			return
		}
		name, known := formFieldNames[inv.Field]
		if !known {
			ok = false
			return
		}
		if _, seen := out[name]; seen {
			return
		}
		switch {
		case inv.Rule == domain.RuleRequired:
			out[name] = d.T("err.required")
		case inv.Rule == domain.RuleTooLong:
			out[name] = d.Tf("err.too_long", inv.Limit)
		case name == "category":
			out[name] = d.T("err.category")
		case name == "email":
			out[name] = d.T("err.email")
		default:
			out[name] = d.T("err.invalid")
		}
	}
	walk(err)
	return out, ok && len(out) > 0
}

// newFormKey returns a fresh one-time key for a report form: 128 random
// bits, so no one can guess another visitor's key and read their answer.
func newFormKey() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func validFormKey(k string) bool {
	b, err := base64.RawURLEncoding.DecodeString(k)
	return err == nil && len(b) == 16
}
