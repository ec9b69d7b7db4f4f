package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"slices"
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
//go:embed templates static messages
var files embed.FS

// Page languages. Arabic is the default and the only right-to-left one.
const (
	langAR      = "ar"
	langFR      = "fr"
	langEN      = "en"
	defaultLang = langAR
)

// boardLatest is how many cases the public board lists.
const boardLatest = 20

// pageStatuses are the case statuses in the order of a case's life, as the
// board lists them.
var pageStatuses = [...]casefile.Status{
	casefile.StatusReported, casefile.StatusTriaged, casefile.StatusForwarded,
	casefile.StatusAcknowledged, casefile.StatusInProgress, casefile.StatusResolved,
	casefile.StatusClosed, casefile.StatusRejected, casefile.StatusDuplicate,
}

// parse reads the embedded templates, messages and stylesheet into s.
// They are part of the binary, so an error is a programmer error that the
// tests catch: it panics rather than serve broken pages.
func (s *Server) parse() {
	s.templates = map[string]*template.Template{}
	s.langs = []langLink{{Code: langAR, Name: "العربية"}, {Code: langFR, Name: "Français"}, {Code: langEN, Name: "English"}}
	msgs, err := loadMessages(files)
	if err != nil {
		panic(fmt.Sprintf("web: %v", err))
	}
	s.messages = msgs
	// Every page is its own file parsed with the layout and the shared
	// parts (files named part-*.html), and is rendered by its file's name.
	pages, err := fs.Glob(files, "templates/*.html")
	if err != nil {
		panic(fmt.Sprintf("web: %v", err))
	}
	for _, path := range pages {
		name := strings.TrimSuffix(strings.TrimPrefix(path, "templates/"), ".html")
		if name == "layout" || strings.HasPrefix(name, "part-") {
			continue
		}
		t, err := template.ParseFS(files, "templates/layout.html", "templates/part-*.html", path)
		if err != nil {
			panic(fmt.Sprintf("web: parse %s: %v", name, err))
		}
		s.templates[name] = t
	}
	s.css, s.consoleCSS = versioned("bayt.css"), versioned("console.css")
	s.mapAssets = newMapAssets()
	// cmd/bayt checks BAYT_TILE_URL with TileSource before it gets here.
	tiles, err := TileSource(s.cfg.TileURL)
	if s.cfg.TileURL != "" && err != nil {
		panic(fmt.Sprintf("web: %v", err))
	}
	s.csp = pageCSPFor(tiles)
	static, err := fs.Sub(files, "static")
	if err != nil {
		panic(fmt.Sprintf("web: %v", err))
	}
	etags, err := staticETags(static)
	if err != nil {
		panic(fmt.Sprintf("web: %v", err))
	}
	fileServer := http.StripPrefix("/static/", http.FileServerFS(static))
	s.static = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") {
			http.NotFound(w, r) // no directory listings
			return
		}
		// Embedded files have no modification time, so without an ETag
		// every conditional request failed: If-Match got a bare 412.
		if tag, ok := etags[strings.TrimPrefix(r.URL.Path, "/static/")]; ok {
			w.Header().Set("ETag", tag)
			if im := r.Header.Get("If-Match"); im != "" && !etagListed(im, tag) {
				w.Header().Set("Content-Type", "text/plain; charset=utf-8")
				w.WriteHeader(http.StatusPreconditionFailed)
				_, _ = fmt.Fprintf(w, "precondition failed: this file's ETag is %s\n", tag)
				return
			}
		}
		if r.URL.Query().Has("v") {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			w.Header().Set("Cache-Control", "public, max-age=3600")
		}
		w.Header().Set("X-Content-Type-Options", "nosniff")
		fileServer.ServeHTTP(w, r)
	})
}

// versioned returns the address of a static file with a version taken
// from its content, which may then be cached for good.
func versioned(name string) string {
	b, err := files.ReadFile("static/" + name)
	if err != nil {
		panic(fmt.Sprintf("web: %v", err))
	}
	sum := sha256.Sum256(b)
	return "/static/" + name + "?v=" + hex.EncodeToString(sum[:6])
}

// staticETags returns a strong ETag for each static file, from its
// content.
func staticETags(fsys fs.FS) (map[string]string, error) {
	tags := map[string]string{}
	err := fs.WalkDir(fsys, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, path)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		tags[path] = `"` + hex.EncodeToString(sum[:12]) + `"`
		return nil
	})
	return tags, err
}

// etagListed reports whether an If-Match value names tag or is "*".
func etagListed(ifMatch, tag string) bool {
	for _, t := range strings.Split(ifMatch, ",") {
		if t = strings.TrimSpace(t); t == "*" || t == tag {
			return true
		}
	}
	return false
}

// loadMessages reads messages/*.json, each one map of keys per language
// (one file per group of pages, so that each group keeps its own texts),
// into one map per language. A key defined twice is an error. The English
// ephemeral warning is transport.EphemeralWarning itself, so the log line
// and the banner can never drift apart. Every language must have every
// key.
func loadMessages(fsys fs.FS) (map[string]map[string]string, error) {
	names, err := fs.Glob(fsys, "messages/*.json")
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, errors.New("no messages/*.json")
	}
	msgs := map[string]map[string]string{}
	for _, name := range names {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		var file map[string]map[string]string
		if err := json.Unmarshal(b, &file); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		for lang, keys := range file {
			if msgs[lang] == nil {
				msgs[lang] = map[string]string{}
			}
			for k, v := range keys {
				if _, dup := msgs[lang][k]; dup {
					return nil, fmt.Errorf("%s: %s:%s is defined twice", name, lang, k)
				}
				msgs[lang][k] = v
			}
		}
	}
	if msgs[langEN] == nil {
		return nil, errors.New("messages: no English messages")
	}
	msgs[langEN]["ephemeral"] = transport.EphemeralWarning
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
		slices.Sort(missing)
		return nil, fmt.Errorf("messages: missing %s", strings.Join(missing, ", "))
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
	// Preview is what a link to the page shows when shared (Open Graph),
	// for the pages worth sharing: a case, a campaign.
	Preview *preview
	// Feeds are the Atom feeds that follow what the page shows, which
	// feed readers find from the page.
	Feeds []feedLink
	// Staff is who is signed in on a console page, nil elsewhere.
	Staff *staffNav
	// ConsoleCSS is the console's stylesheet, for console pages.
	ConsoleCSS string
	// Map is the page's map, nil on a page without one: only pages with
	// a map load its scripts and styles.
	Map  *mapView
	Body any

	msgs  map[string]string
	query string // "?lang=xx" when the language came from the query
	s     *Server
}

func (s *Server) data(r *http.Request, nav string) *pageData {
	lang, explicit := pageLanguage(r)
	d := &pageData{
		Lang: lang, Dir: "ltr", Nav: nav, CSS: s.css, ConsoleCSS: s.consoleCSS, Ephemeral: s.cfg.Ephemeral,
		msgs: s.messages[lang], s: s,
	}
	if lang == langAR {
		d.Dir = "rtl"
	}
	if explicit {
		d.query = "?lang=" + lang
	}
	path := r.URL.Path
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		// The switcher re-opens the form's page rather than re-posting it:
		// the report form, or the console page a form posts from.
		path = "/report"
		if p, ok := strings.CutPrefix(r.URL.Path, "/console/"); ok {
			path = consoleFormPage(p)
		} else if p, ok := publicFormPage(r.URL.Path); ok {
			path = p
		}
	}
	for _, l := range s.langs {
		l.Href = path + "?lang=" + l.Code
		l.Current = l.Code == lang
		d.Langs = append(d.Langs, l)
	}
	return d
}

// consoleFormPage is the console page that posts to /console/ + p: the
// workbench of a case, campaign or organisation for their actions
// (cases/{id}/triage → cases/{id}), the admin page of its tables
// (directory/categories → directory, tokens/{id}/revoke → tokens), the
// page of the same path for a list's own form (intake, campaigns), and
// the sign-in for the session's.
func consoleFormPage(p string) string {
	seg := strings.Split(strings.Trim(p, "/"), "/")
	switch {
	case seg[0] == "session" || seg[0] == "logout" || seg[0] == "":
		return "/console"
	case len(seg) == 1 || seg[0] == "tokens" || seg[0] == "directory":
		return "/console/" + seg[0]
	}
	return "/console/" + seg[0] + "/" + seg[1]
}

// preview is a page's Open Graph card.
type preview struct {
	Title, Description, URL, Type string
}

// feedLink names an Atom feed of a page.
type feedLink struct {
	Title, URL string
}

// setPreview gives the page a preview card: its title, the start of
// description, and its own address (absolute, as previews need), with no
// query so that a shared link carries nothing of the visitor's.
func (d *pageData) setPreview(r *http.Request, title, description string) {
	scheme := "http"
	if transport.Secure(r) {
		scheme = "https"
	}
	if runes := []rune(strings.TrimSpace(description)); len(runes) > 200 {
		description = string(runes[:199]) + "…"
	}
	d.Preview = &preview{Title: title, Description: description, URL: scheme + "://" + r.Host + r.URL.Path, Type: "article"}
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
	if c, ok := d.s.cfg.Directory.Category(code); ok {
		return c.Name.In(d.Lang)
	}
	return code
}

// districtName names a case's district in the page's language: a case
// records a district the directory knows by its code, and cases reported
// before that by the text typed, which the directory may still know.
// Anything else is shown as written.
func (d *pageData) districtName(s string) string {
	if dist, ok := d.s.cfg.Directory.District(s); ok {
		return dist.Name.In(d.Lang)
	}
	return s
}

// districtCode is what a filter on district looks for: the code of the
// district text names, or the text as written, which cases of unknown
// districts keep.
func (s *Server) districtCode(text string) string {
	if dist, ok := s.cfg.Directory.District(text); ok && text != "" {
		return dist.Code
	}
	return text
}

func (d *pageData) departmentName(code string) string {
	if dep, ok := d.s.cfg.Directory.Department(code); ok {
		return dep.Name.In(d.Lang)
	}
	return code
}

// stamp is a moment as pages show it: UTC, with the machine-readable form
// for <time datetime>.
type stamp struct {
	ISO, Date, Time string
}

// stamp dates t for the page: in the city's time zone, the month named
// in the page's language ("3 ديسمبر 2026", "3 décembre 2026"), the time
// on the 24-hour clock; and in UTC for <time datetime>.
func (d *pageData) stamp(t time.Time) stamp {
	local := t.In(d.s.location())
	return stamp{
		ISO:  t.UTC().Format(time.RFC3339),
		Date: fmt.Sprintf("%d %s %d", local.Day(), d.T(fmt.Sprintf("month.%d", int(local.Month()))), local.Year()),
		Time: local.Format("15:04"),
	}
}

// render executes page into a buffer first, so that a template error
// becomes a clean 500 rather than half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, page string, d *pageData) {
	var buf bytes.Buffer
	if err := s.templates[page].ExecuteTemplate(&buf, "layout", d); err != nil {
		s.log.ErrorContext(r.Context(), "render page", "page", page, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Language", d.Lang)
	h.Add("Vary", "Accept-Language")
	h.Set("Content-Security-Policy", s.csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	if h.Get("Cache-Control") == "" {
		h.Set("Cache-Control", "no-cache")
	}
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// errorBody is the body of the error page.
type errorBody struct {
	Message string
	// Back is where the page's one button leads: the board, or the
	// sign-in form for someone whose session ended.
	Back, BackLabel string
}

func (s *Server) renderError(w http.ResponseWriter, r *http.Request, d *pageData, status int, key string) {
	d.Title = d.T("error." + key + ".title")
	body := errorBody{Message: d.T("error." + key), Back: d.Link("/"), BackLabel: d.T("error.back")}
	if key == "signed_out" {
		body.Back, body.BackLabel = d.Link("/console"), d.T("console.signin.submit")
	}
	d.Body = body
	s.render(w, r, status, "error", d)
}

// fail answers err as a page: not found, or an internal error logged once
// here.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, d *pageData, err error) {
	status := transport.HTTPStatus(err)
	switch status {
	case http.StatusNotFound:
		s.renderError(w, r, d, status, "not_found")
		return
	case http.StatusServiceUnavailable:
		// Logged as a warning: the database being away is an operations
		// matter, said once per request rather than as a fault of the page.
		w.Header().Set("Retry-After", transport.RetryAfter)
		s.log.WarnContext(r.Context(), "page unavailable", "err", err, "path", r.URL.Path,
			"correlation_id", domain.MetadataFrom(r.Context()).CorrelationID)
		s.renderError(w, r, d, status, "unavailable")
		return
	}
	s.log.ErrorContext(r.Context(), "page failed", "err", err, "path", r.URL.Path,
		"correlation_id", domain.MetadataFrom(r.Context()).CorrelationID)
	s.renderError(w, r, d, status, "internal")
}

// caseItem is a case as the board lists it.
type caseItem struct {
	ID, Href, Title, Status, StatusName, Category, District string
	// Lang is the language the case was reported in, "" when not known:
	// the title and description are the reporter's words, marked with it
	// so that a screen reader reads them in their own language.
	Lang       string
	Number     string // "" until the case list has it
	Reported   stamp
	Overdue    bool
	Supporters int
}

func (d *pageData) newCaseItem(c *casefile.Case, now time.Time) caseItem {
	return caseItem{
		ID: c.ID, Href: d.Link("/cases/" + c.ID), Title: c.Title, Status: string(c.Status),
		StatusName: d.statusName(c.Status), Category: d.categoryName(c.Category), District: d.districtName(c.District),
		Reported: d.stamp(c.CreatedAt), Overdue: c.Overdue(now), Supporters: c.Supporters, Number: c.Number,
		Lang: c.Language,
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
	// CategoryNames maps each category's code to its name in the page's
	// language, as JSON, for the cards the live script adds; Months and
	// Timezone let it date them as the server does.
	CategoryNames, Months, Timezone string
	// DistrictNames maps each district's code to its name in the page's
	// language, as JSON, for the same cards.
	DistrictNames string
}

// home is the public live board: the board read model's counts and
// departments' figures, and the latest cases from the case list.
func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	d := s.data(r, "board")
	d.Title = d.T("home.title")
	d.Live = "/api/v1/live?board=public"
	now := s.now()
	board, err := s.cfg.Boards.Board(r.Context(), now)
	if err != nil {
		s.fail(w, r, d, err)
		return
	}
	latest, err := s.cfg.CaseList.List(r.Context(), caselist.Filter{Limit: boardLatest, Now: now})
	if err != nil {
		s.fail(w, r, d, err)
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
		body.Latest = append(body.Latest, d.newCaseItem(&latest.Items[i], now))
	}
	names := map[string]string{}
	for _, c := range s.cfg.Directory.Categories() {
		names[c.Code] = c.Name.In(d.Lang)
	}
	if b, err := json.Marshal(names); err == nil {
		body.CategoryNames = string(b)
	}
	districts := map[string]string{}
	for _, dist := range s.cfg.Directory.Districts() {
		districts[dist.Code] = dist.Name.In(d.Lang)
	}
	if b, err := json.Marshal(districts); err == nil {
		body.DistrictNames = string(b)
	}
	months := make([]string, 12)
	for i := range months {
		months[i] = d.T(fmt.Sprintf("month.%d", i+1))
	}
	if b, err := json.Marshal(months); err == nil {
		body.Months = string(b)
	}
	body.Timezone = s.location().String()
	d.Map = d.boardMap()
	d.Body = body
	d.Feeds = []feedLink{{Title: d.T("site.name"), URL: "/feeds/cases.atom"}}
	s.render(w, r, http.StatusOK, "home", d)
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
	// MergedInto is the title of the case this one was merged into, and
	// MergedNumber its number; MergedHref is its page.
	MergedInto   string
	MergedNumber string
	MergedLang   string
	MergedHref   string
	Verified     bool
	Timeline     []timelineItem
	Find         caseFind
	Photos       []galleryPhoto
}

// NotePrefix names the messages of the case page's timeline section.
func (caseBody) NotePrefix() string { return "case" }

// casePage shows a case and its public timeline: what anyone may see, as
// GET /api/v1/cases/{id}/history shows it to the anonymous public. A case
// moderation hides is not found; a replaced title and description show
// the public texts, in the timeline too.
func (s *Server) casePage(w http.ResponseWriter, r *http.Request) {
	d := s.data(r, "")
	id := r.PathValue("id")
	if !casefile.ValidID(id) {
		if n, ok := casefile.ParseNumber(id); ok {
			s.caseByNumber(w, r, d, n)
			return
		}
		s.renderError(w, r, d, http.StatusNotFound, "not_found")
		return
	}
	s.showCase(w, r, d, http.StatusOK, id, d.caseNotice(r), "")
}

// showCase renders the page of case id with status, and the notice or the
// refusal of the form that led there.
func (s *Server) showCase(w http.ResponseWriter, r *http.Request, d *pageData, status int, id, notice, refusal string) {
	loaded, _, err := s.cfg.Cases.Load(r.Context(), id)
	if err != nil {
		s.fail(w, r, d, err)
		return
	}
	if loaded.Number, err = s.cfg.CaseList.Number(r.Context(), id); err != nil {
		s.fail(w, r, d, err)
		return
	}
	c, ok := loaded.Public()
	if !ok {
		s.renderError(w, r, d, http.StatusNotFound, "not_found")
		return
	}
	h, err := s.cfg.Cases.History(r.Context(), id)
	if err != nil {
		s.fail(w, r, d, err)
		return
	}
	public, err := casefile.HistoryFor(h, domain.Anonymous)
	if err != nil {
		s.fail(w, r, d, err)
		return
	}
	v := &c
	body := caseBody{
		caseItem: d.newCaseItem(v, s.now()), Description: v.Description, Address: v.Address,
		Priority: d.T("priority." + string(v.Priority)), Reopened: v.ReopenedCount,
		RejectReason: v.RejectReason, Verified: public.Verified, Timeline: d.timeline(public.Events),
	}
	if v.Department != "" {
		body.Department = d.departmentName(v.Department)
	}
	if v.DueAt != nil {
		st := d.stamp(*v.DueAt)
		body.Due = &st
	}
	if v.MergedInto != "" {
		into, err := s.caseLink(r.Context(), d, v.MergedInto)
		if err != nil {
			s.fail(w, r, d, err)
			return
		}
		body.MergedInto, body.MergedNumber, body.MergedLang, body.MergedHref = into.Title, into.Number, into.Lang, into.Href
		for i := range body.Timeline {
			for j := range body.Timeline[i].Details {
				if dt := &body.Timeline[i].Details[j]; dt.Value == v.MergedInto {
					dt.Value = strings.TrimSpace(into.Number + " " + into.Title)
				}
			}
		}
	}
	if body.Find, err = s.caseFind(r.Context(), d, v, body.Timeline, notice, refusal); err != nil {
		s.fail(w, r, d, err)
		return
	}
	if s.cfg.Photos != nil {
		body.Photos = d.gallery(v, "/photos/")
	}
	d.Title = v.Title
	d.setPreview(r, v.Title, v.Description)
	d.Feeds = []feedLink{{Title: v.Title, URL: "/feeds/cases/" + url.PathEscape(id) + ".atom"}}
	d.Map = d.caseMap(v)
	d.Body = body
	s.render(w, r, status, "case", d)
}

// caseLink is another case as a page names it: by its number and title,
// as the public reads them. A case moderation hides keeps its number
// alone; one not found (or not numbered yet) is named by its id.
func (s *Server) caseLink(ctx context.Context, d *pageData, id string) (caseItem, error) {
	out := caseItem{ID: id, Href: d.Link("/cases/" + id), Title: id}
	loaded, _, err := s.cfg.Cases.Load(ctx, id)
	if errors.Is(err, domain.ErrNotFound) {
		return out, nil
	}
	if err != nil {
		return out, err
	}
	if out.Number, err = s.cfg.CaseList.Number(ctx, id); err != nil {
		return out, err
	}
	if c, ok := loaded.Public(); ok {
		out.Title, out.Lang = c.Title, c.Language
	} else if out.Number != "" {
		out.Title = ""
	}
	return out, nil
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

// timelineOf turns a public history (domain.History.For) into what a page shows: each event with
// its label, actor, time and hash. Runs of the event type collapse into one
// entry labelled with manyKey and the count, so a popular stream's history
// stays readable; describe adds what any other event says.
func (d *pageData) timelineOf(events []domain.Recorded, collapse, manyKey string, describe func(e domain.Recorded, it *timelineItem)) []timelineItem {
	var out []timelineItem
	run := 0
	for _, e := range events {
		name, hash := transport.EventName(e.Type), hex.EncodeToString(e.Hash)
		it := timelineItem{
			Type: name, Label: d.T("event." + name), Actor: d.T("role." + string(e.Metadata.Actor.Role)),
			At: d.stamp(happenedAt(e)), Hash: hash, ShortHash: hash,
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
func (d *pageData) timeline(events []domain.Recorded) []timelineItem {
	return d.timelineOf(events, casefile.TypeCaseSupported, "event.CaseSupportedMany", func(e domain.Recorded, it *timelineItem) {
		var f eventFields
		_ = json.Unmarshal(e.Data, &f) // a field of another shape is simply not shown
		it.Text = firstNonEmpty(f.Note, f.Reason, f.Response, f.Body)
		if e.Type == casefile.TypeCaseReported {
			it.Text = ""
		}
		if f.Department != "" {
			it.Details = append(it.Details, detail{Label: d.T("tl.department"), Value: d.departmentName(f.Department)})
		}
		if f.DueAt != nil {
			st := d.stamp(*f.DueAt)
			it.Details = append(it.Details, detail{Label: d.T("tl.due"), When: &st})
		}
		if f.Reference != "" {
			it.Details = append(it.Details, detail{Label: d.T("tl.reference"), Value: f.Reference})
		}
		if f.PlannedFor != nil {
			st := d.stamp(*f.PlannedFor)
			it.Details = append(it.Details, detail{Label: d.T("tl.planned"), When: &st})
		}
		if e.Type == casefile.TypeCaseTriaged {
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

// happenedAt is when an event's step happened: the time the domain
// decided it at (every event carries one as "at"), which is when it was
// recorded, except for a history loaded with its own dates (the demo
// city, an import).
func happenedAt(e domain.Recorded) time.Time {
	var at struct {
		At time.Time `json:"at"`
	}
	if err := json.Unmarshal(e.Data, &at); err != nil || at.At.IsZero() {
		return e.RecordedAt
	}
	return at.At
}

func firstNonEmpty(xs ...string) string {
	for _, x := range xs {
		if strings.TrimSpace(x) != "" {
			return x
		}
	}
	return ""
}
