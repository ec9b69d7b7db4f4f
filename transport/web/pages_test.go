package web

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/domain/casefile"
	"github.com/citizenhouse/bayt/domain/directory"
	"github.com/citizenhouse/bayt/transport"
)

// newTestPages builds the pages without routes or storage: enough to check
// languages, messages and templates. The end-to-end page tests are in
// cmd/bayt/pages_test.go.
func newTestPages(t *testing.T, ephemeral bool) *Server {
	t.Helper()
	s := &Server{
		cfg: Config{Directory: directory.Default(), Ephemeral: ephemeral, NowFunc: time.Now},
		log: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	s.parse()
	return s
}

func TestAcceptLanguage(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ header, want string }{
		{"", ""},
		{"en", "en"},
		{"en-GB,en;q=0.9", "en"},
		{"fr-TN, fr;q=0.9, en;q=0.8", "fr"},
		{"de-DE, en;q=0.5, fr;q=0.7", "fr"},
		{"AR-tn", "ar"},
		{"de, *;q=0.5", ""},
		{"en;q=0, fr;q=0.1", "fr"},
		{"en;q=nonsense, fr;q=0.2", "fr"},
		{"en;q=0.8, ar;q=0.8", "en"}, // a tie goes to the first
	} {
		if got := acceptLanguage(tc.header); got != tc.want {
			t.Errorf("acceptLanguage(%q) = %q, want %q", tc.header, got, tc.want)
		}
	}
}

func TestPageLanguage(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, target, accept, want string
		explicit                   bool
	}{
		{"DefaultArabic", "/", "", "ar", false},
		{"AcceptLanguage", "/", "fr-FR", "fr", false},
		{"QueryWins", "/?lang=en", "fr", "en", true},
		{"UnknownQueryIgnored", "/?lang=de", "en", "en", false},
		{"UnknownEverything", "/?lang=xx", "de", "ar", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequestWithContext(t.Context(), http.MethodGet, tc.target, nil)
			if tc.accept != "" {
				r.Header.Set("Accept-Language", tc.accept)
			}
			lang, explicit := pageLanguage(r)
			if lang != tc.want || explicit != tc.explicit {
				t.Fatalf("pageLanguage = %q, %v; want %q, %v", lang, explicit, tc.want, tc.explicit)
			}
		})
	}
}

// TestMessages checks that every key the templates and the Go code ask for
// exists in the three languages, so no page ever shows a bare key.
func TestMessages(t *testing.T) {
	t.Parallel()
	msgs, err := loadMessages(files)
	if err != nil {
		t.Fatal(err)
	}
	if msgs[langEN]["ephemeral"] != transport.EphemeralWarning {
		t.Errorf("English ephemeral warning = %q, want EphemeralWarning", msgs[langEN]["ephemeral"])
	}
	for _, lang := range []string{langAR, langFR} {
		w := msgs[lang]["ephemeral"]
		if w == transport.EphemeralWarning || !strings.Contains(w, "apt-get install postgresql") || !strings.Contains(w, "DATABASE_URL") {
			t.Errorf("%s ephemeral warning %q: want a translation that says how to install PostgreSQL", lang, w)
		}
	}

	used := map[string]bool{}
	re := regexp.MustCompile(`\.(?:T|Tf) "([^"]+)"`)
	err = fs.WalkDir(files, "templates", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(files, path)
		if err != nil {
			return err
		}
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			used[m[1]] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(used) < 20 {
		t.Fatalf("found only %d message keys in the templates: is the pattern right?", len(used))
	}
	for _, s := range pageStatuses {
		used["status."+string(s)] = true
	}
	for _, p := range []casefile.Priority{casefile.PriorityLow, casefile.PriorityNormal, casefile.PriorityHigh, casefile.PriorityUrgent} {
		used["priority."+string(p)] = true
	}
	for _, r := range []domain.Role{domain.RolePublic, domain.RoleReporter, domain.RoleAdvocate, domain.RoleOfficer, domain.RoleAdmin, domain.RoleSystem} {
		used["role."+string(r)] = true
	}
	for typ := range casefile.Events() {
		used["event."+transport.EventName(typ)] = true
	}
	for _, k := range []string{"not_found", "forbidden", "rate", "bad", "internal"} {
		used["error."+k], used["error."+k+".title"] = true, true
	}
	for _, k := range []string{
		"event.CaseSupportedMany", "home.title", "report.title", "done.title",
		"err.required", "err.too_long", "err.category", "err.email", "err.invalid",
		"tl.department", "tl.due", "tl.reference", "tl.planned", "tl.priority", "tl.category", "tl.into", "tl.campaign",
		"field.title", "field.description", "field.category", "field.district", "field.address",
		"field.name", "field.phone", "field.email", "field.choose",
	} {
		used[k] = true
	}
	for _, lang := range []string{langAR, langFR, langEN} {
		for key := range used {
			if strings.TrimSpace(msgs[lang][key]) == "" {
				t.Errorf("%s: no message %q", lang, key)
			}
		}
	}
}

func TestMessagesMissingKey(t *testing.T) {
	t.Parallel()
	fsys := fstestMap(`{"ar": {"a": "أ", "b": "ب"}, "fr": {"a": "a"}, "en": {"a": "a", "b": "b"}}`)
	if _, err := loadMessages(fsys); err == nil || !strings.Contains(err.Error(), "fr:b") {
		t.Fatalf("loadMessages = %v, want fr:b missing", err)
	}
}

func TestMessagesDefinedTwice(t *testing.T) {
	t.Parallel()
	fsys := fstest.MapFS{
		"messages/a.json": {Data: []byte(`{"ar": {"a": "أ"}, "fr": {"a": "a"}, "en": {"a": "a"}}`)},
		"messages/b.json": {Data: []byte(`{"ar": {"a": "ب"}, "fr": {"b": "b"}, "en": {"b": "b"}}`)},
	}
	if _, err := loadMessages(fsys); err == nil || !strings.Contains(err.Error(), "ar:a is defined twice") {
		t.Fatalf("loadMessages = %v, want ar:a defined twice", err)
	}
}

// fstestMap is a file system holding only one messages file.
func fstestMap(text string) fstest.MapFS {
	return fstest.MapFS{"messages/pages.json": {Data: []byte(text)}}
}

// TestTemplatesRender renders every page with made-up data: a template
// that parses can still fail when executed.
func TestTemplatesRender(t *testing.T) {
	t.Parallel()
	s := newTestPages(t, true)
	now := time.Date(2026, 3, 1, 10, 30, 0, 0, time.UTC)
	item := caseItem{
		ID: "case-01J00000000000000000000000", Href: "/cases/case-01J00000000000000000000000",
		Title: `<script>alert("x")</script>`, Status: "forwarded", StatusName: "Forwarded",
		Category: "Roads", District: "Bab Souika", Reported: newStamp(now), Overdue: true, Supporters: 3,
	}
	due := newStamp(now.Add(24 * time.Hour))
	for _, tc := range []struct {
		page string
		body any
		want []string
	}{
		{"home", homeBody{
			Position: 42, Total: 1, Overdue: 1,
			Counts:      []statusCount{{Status: "forwarded", Name: "Forwarded", N: 1}},
			Departments: []departmentRow{{Name: "Roads", Open: 1, Overdue: 1, WithinSLA: "50%"}},
			Latest:      []caseItem{item},
		}, []string{`data-live="/api/v1/live?board=public"`, `data-position="42"`, "&lt;script&gt;", "50%"}},
		{"case", caseBody{
			caseItem: item, Description: "line one\nline two", Department: "Roads", Priority: "High",
			Due: &due, Verified: true,
			Timeline: []timelineItem{{
				Type: "CaseForwarded", Label: "Forwarded", Actor: "Citizen's House", At: newStamp(now),
				Text: `<b>note</b>`, Details: []detail{{Label: "Due", When: &due}, {Label: "Case", Value: "case-x", Href: "/cases/case-x"}},
				Hash: "abcdef0123456789", ShortHash: "abcdef012345",
			}},
		}, []string{`data-verified="true"`, "&lt;b&gt;note&lt;/b&gt;", "abcdef012345"}},
		{"report", reportBody{
			Action: "/report", Key: "k",
			Fields:  []formField{{Name: "title", ID: "f-title", Label: "Title", Kind: "text", Value: `"quoted"`, Error: "Required", DescribedBy: "f-title-error", Max: 200, Required: true}},
			Contact: []formField{{Name: "email", ID: "f-email", Label: "Email", Kind: "email", Max: 254}},
			Errors:  []fieldError{{Name: "title", Label: "Title", Message: "Required"}},
		}, []string{`value="&#34;quoted&#34;"`, `aria-invalid="true"`, `href="#f-title"`}},
		{"reported", reportedBody{ID: item.ID, Href: item.Href, Token: "tok"}, []string{"data-tracking-token>tok<"}},
		{"error", errorBody{Message: "gone"}, []string{"gone"}},
	} {
		t.Run(tc.page, func(t *testing.T) {
			t.Parallel()
			for _, lang := range []string{langAR, langFR, langEN} {
				r := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/x?lang="+lang, nil)
				d := s.data(r, "")
				d.Title, d.Body = "T", tc.body
				if tc.page == "home" {
					d.Live = "/api/v1/live?board=public"
				}
				w := httptest.NewRecorder()
				s.render(w, r, http.StatusOK, tc.page, d)
				out := w.Body.String()
				if w.Code != http.StatusOK {
					t.Fatalf("%s: status %d: %s", lang, w.Code, out)
				}
				dir := "ltr"
				if lang == langAR {
					dir = "rtl"
				}
				want := append([]string{`<html lang="` + lang + `" dir="` + dir + `">`, "data-ephemeral"}, tc.want...)
				for _, s := range want {
					if !strings.Contains(out, s) {
						t.Errorf("%s: page lacks %q", lang, s)
					}
				}
				if strings.Contains(out, "<script>") {
					t.Errorf("%s: unescaped script in page", lang)
				}
			}
		})
	}
}

func TestFieldErrors(t *testing.T) {
	t.Parallel()
	s := newTestPages(t, false)
	d := s.data(httptest.NewRequestWithContext(t.Context(), http.MethodPost, "/report?lang=en", nil), "report")
	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		var v domain.Check
		v.Text("title", " ", 1, casefile.MaxTitle)
		v.Text("description", strings.Repeat("ب", casefile.MaxDescription+1), 1, casefile.MaxDescription)
		err := errors.Join(
			v.Err(),
			domain.Invalid("category", "unknown category"),
			domain.Invalid("reporter.email", "not an email address"),
			domain.Invalid("reporter.name", "must be valid UTF-8"),
		)
		got, ok := d.fieldErrors(err)
		want := map[string]string{
			"title":       "This field is required.",
			"description": "Too long: at most 5000 characters.",
			"category":    "Choose a category from the list.",
			"email":       "This is not a valid email address.",
			"name":        "This value is not accepted.",
		}
		if !ok || len(got) != len(want) {
			t.Fatalf("fieldErrors = %v, %v", got, ok)
		}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s: %q, want %q", k, got[k], v)
			}
		}
	})
	t.Run("NotTheVisitors", func(t *testing.T) {
		t.Parallel()
		for _, err := range []error{
			errors.New("disk on fire"),
			errors.Join(domain.Invalid("title", "required"), domain.Invalid("id", "bad")),
			errors.Join(domain.Invalid("title", "required"), errors.New("disk on fire")),
		} {
			if got, ok := d.fieldErrors(err); ok {
				t.Errorf("fieldErrors(%v) = %v, true; want false", err, got)
			}
		}
	})
}

func TestTimelineCollapsesSupports(t *testing.T) {
	t.Parallel()
	s := newTestPages(t, false)
	d := s.data(httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/?lang=en", nil), "")
	ev := func(typ, data string) domain.Recorded {
		return domain.Recorded{Type: typ, Data: []byte(data), Metadata: domain.Metadata{Actor: domain.Anonymous},
			Hash: []byte{0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99}}
	}
	got := d.timeline([]domain.Recorded{
		ev(casefile.TypeCaseReported, `{"title":"t","category":"roads","description":"d"}`),
		ev(casefile.TypeCaseSupported, `{}`),
		ev(casefile.TypeCaseSupported, `{}`),
		ev(casefile.TypeCaseSupported, `{}`),
		ev(casefile.TypeCaseForwarded, `{"department":"roads_works","due_at":"2026-04-01T00:00:00Z","note":"near the school"}`),
		ev(casefile.TypeCaseSupported, `{}`),
	})
	if len(got) != 4 {
		t.Fatalf("timeline has %d entries, want 4: %+v", len(got), got)
	}
	if got[0].Text != "" || len(got[0].Details) != 0 {
		t.Errorf("report entry repeats the case: %+v", got[0])
	}
	if got[1].Label != "3 residents support this case" || got[3].Label != "A resident supports this case" {
		t.Errorf("support labels %q, %q", got[1].Label, got[3].Label)
	}
	fw := got[2]
	if fw.Text != "near the school" || len(fw.Details) != 2 || fw.Details[0].Value != "Roads and Public Works" || fw.Details[1].When.Date != "1 April 2026" {
		t.Errorf("forward entry = %+v", fw)
	}
	if fw.ShortHash != "001122334455" {
		t.Errorf("short hash %q", fw.ShortHash)
	}
}

// TestTimelineShowsWhenItHappened: a step is dated by the time the domain
// decided it, which a history loaded with its own dates (the demo city)
// sets apart from when the store recorded it.
func TestTimelineShowsWhenItHappened(t *testing.T) {
	t.Parallel()
	s := newTestPages(t, false)
	d := s.data(httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/?lang=en", nil), "")
	recorded := time.Date(2026, 12, 3, 19, 0, 0, 0, time.UTC)
	got := d.timeline([]domain.Recorded{
		{Type: casefile.TypeCaseTriaged, Data: []byte(`{"priority":"high","at":"2026-02-14T09:30:00Z"}`), RecordedAt: recorded, Hash: []byte{1}},
		{Type: casefile.TypeCaseTriaged, Data: []byte(`{"priority":"high"}`), RecordedAt: recorded, Hash: []byte{2}},
	})
	if len(got) != 2 || got[0].At.ISO != "2026-02-14T09:30:00Z" || got[1].At.ISO != "2026-12-03T19:00:00Z" {
		t.Fatalf("timeline dates = %+v, want the event's own time, else when it was recorded", got)
	}
}

func TestConsoleFormPage(t *testing.T) {
	t.Parallel()
	for post, page := range map[string]string{
		"cases/case-1/triage":                    "/console/cases/case-1",
		"campaigns/camp-1/activities/act-1/held": "/console/campaigns/camp-1",
		"organisations/org-1/members/m-1/remove": "/console/organisations/org-1",
		"campaigns":                              "/console/campaigns",
		"intake":                                 "/console/intake",
		"tokens/tok-1/revoke":                    "/console/tokens",
		"directory/categories":                   "/console/directory",
		"session":                                "/console",
		"logout":                                 "/console",
	} {
		if got := consoleFormPage(post); got != page {
			t.Errorf("consoleFormPage(%q) = %q, want %q", post, got, page)
		}
	}
}

// newStamp dates t as a page in English in UTC would, for tests that
// build page bodies by hand.
func newStamp(t time.Time) stamp {
	t = t.UTC()
	return stamp{ISO: t.Format(time.RFC3339), Date: fmt.Sprintf("%d %s %d", t.Day(), t.Month(), t.Year()), Time: t.Format("15:04")}
}

// TestStampInTheCitysZoneAndLanguage: a moment shows in the city's time
// zone, its month named in the page's language.
func TestStampInTheCitysZoneAndLanguage(t *testing.T) {
	t.Parallel()
	s := newTestPages(t, false)
	tunis, err := time.LoadLocation("Africa/Tunis")
	if err != nil {
		t.Fatal(err)
	}
	s.cfg.Location = tunis
	at := time.Date(2026, 12, 31, 23, 30, 0, 0, time.UTC) // already the new year in Tunis
	for lang, want := range map[string]string{"ar": "1 جانفي 2027", "fr": "1 janvier 2027", "en": "1 January 2027"} {
		d := s.data(httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/?lang="+lang, nil), "")
		got := d.stamp(at)
		if got.Date != want || got.Time != "00:30" || got.ISO != "2026-12-31T23:30:00Z" {
			t.Errorf("%s: stamp = %+v, want %q 00:30 and the UTC instant", lang, got, want)
		}
	}
}
