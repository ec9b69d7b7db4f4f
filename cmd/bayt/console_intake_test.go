package main

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var intakeCaseID = regexp.MustCompile(`data-case-id="(case-[0-9A-Z]+)"`)

func TestConsoleIntake(t *testing.T) {
	t.Parallel()
	ts := startServer(t)
	c := newConsoleClient(ts)
	c.signIn("advocate")

	form := func() url.Values {
		p := c.get("/console/intake")
		if p.status != http.StatusOK || !strings.Contains(p.body, `name="channel"`) {
			t.Fatalf("intake form: %d", p.status)
		}
		key := regexp.MustCompile(`name="form_key" value="([^"]+)"`).FindStringSubmatch(p.body)
		if key == nil {
			t.Fatal("the intake form has no form_key")
		}
		return url.Values{
			"form_key": {key[1]}, "channel": {"phone"}, "language": {"fr"},
			"title": {"Fuite d'eau rue de Marseille"}, "description": {"L'eau coule depuis trois jours devant le numéro 12."},
			"category": {"water"}, "district": {"Bab Bhar"},
			"name": {"Mounir Ben Salah"}, "phone": {"+216 71 000 111"},
		}
	}

	t.Run("Recorded", func(t *testing.T) {
		f := form()
		p := c.postOnce("/console/intake", "/console/intake/done", f)
		m := intakeCaseID.FindStringSubmatch(p.body)
		if m == nil || !strings.Contains(p.body, "data-tracking-token") {
			t.Fatalf("intake: %d, want the case and its tracking token:\n%s", p.status, p.body)
		}
		if again := c.get("/console/intake/done"); again.status != http.StatusSeeOther || strings.Contains(again.body, "data-tracking-token") {
			t.Fatalf("reloading the done page: %d, want 303 back to the form and no token", again.status)
		}
		id := m[1]
		staffView := ts.must(http.StatusOK, "GET", "/api/v1/cases/"+id, "advocate", nil)
		reporter, _ := staffView["reporter"].(map[string]any)
		if staffView["channel"] != "phone" || staffView["language"] != "fr" || reporter["phone"] != "+216 71 000 111" {
			t.Errorf("staff view: channel %v, language %v, reporter %v; want phone, fr and the contact", staffView["channel"], staffView["language"], reporter)
		}
		ts.settle()
		if wb := c.get("/console/cases/" + id); !strings.Contains(wb.body, "data-channel>بالهاتف<") {
			t.Errorf("the workbench does not show the channel to the advocate (%d)", wb.status)
		}
		o := newConsoleClient(ts)
		o.signIn("officer")
		if wb := o.get("/console/cases/" + id); strings.Contains(wb.body, "data-channel") {
			t.Error("the workbench shows the channel to an officer")
		}
		public := ts.must(http.StatusOK, "GET", "/api/v1/cases/"+id, "", nil)
		if _, ok := public["channel"]; ok {
			t.Errorf("the public view names the channel: %v", public["channel"])
		}
		history := ts.do("GET", "/api/v1/cases/"+id+"/history", "", nil)
		if strings.Contains(string(history.body), `"channel"`) || strings.Contains(string(history.body), "Mounir") {
			t.Errorf("the public history names the channel or the resident: %s", history.body)
		}
		// The same form sent again (a double click) is one case.
		if again := c.postOnce("/console/intake", "/console/intake/done", f); intakeCaseID.FindStringSubmatch(again.body) == nil ||
			intakeCaseID.FindStringSubmatch(again.body)[1] != id {
			t.Errorf("resending the form made another case: %d", again.status)
		}
	})

	t.Run("Invalid", func(t *testing.T) {
		f := form()
		f.Set("title", "")
		before := ts.head()
		p := c.post("/console/intake", f)
		if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, `id="f-title-error"`) || !strings.Contains(p.body, "trois jours") {
			t.Fatalf("intake without a title: %d, want 422 with the error by the field and the values kept", p.status)
		}
		f.Set("title", "Fuite")
		f.Set("channel", "web")
		if p := c.post("/console/intake", f); p.status != http.StatusUnprocessableEntity {
			t.Fatalf("intake by the web channel: %d, want 422", p.status)
		}
		if ts.head() != before {
			t.Error("a refused intake recorded something")
		}
	})

	t.Run("AdvocatesOnly", func(t *testing.T) {
		o := newConsoleClient(ts)
		o.signIn("officer")
		if p := o.get("/console/intake"); p.status != http.StatusForbidden {
			t.Fatalf("officer on the intake form: %d, want 403", p.status)
		}
		// Nor may the public claim a desk report through the API.
		r := ts.do("POST", "/api/v1/cases", "", map[string]any{
			"title": "t", "description": "d", "category": "water", "district": "Bab Bhar", "channel": "desk",
		})
		expectProblem(t, r, http.StatusForbidden, "forbidden")
	})
}
