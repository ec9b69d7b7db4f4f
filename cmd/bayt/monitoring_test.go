package main

import (
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// The Grafana dashboard and the Prometheus rules ship in docs/monitoring.
// .ci/run also passes the rules to promtool when it can be built; these
// tests hold without it: both files parse, have the shape their tools
// expect, and name only metrics a node serves (TestMetrics checks each
// name below against a real scrape).
const (
	dashboardFile = "../../docs/monitoring/grafana-dashboard.json"
	rulesFile     = "../../docs/monitoring/prometheus-rules.yml"
)

type alertRules struct {
	Groups []struct {
		Name  string `yaml:"name"`
		Rules []struct {
			Alert       string            `yaml:"alert"`
			Expr        string            `yaml:"expr"`
			For         string            `yaml:"for"`
			Labels      map[string]string `yaml:"labels"`
			Annotations map[string]string `yaml:"annotations"`
		} `yaml:"rules"`
	} `yaml:"groups"`
}

type dashboard struct {
	Title  string `json:"title"`
	UID    string `json:"uid"`
	Panels []struct {
		ID      int    `json:"id"`
		Type    string `json:"type"`
		Title   string `json:"title"`
		Targets []struct {
			RefID string `json:"refId"`
			Expr  string `json:"expr"`
		} `json:"targets"`
		GridPos struct{ H, W, X, Y int } `json:"gridPos"`
	} `json:"panels"`
}

func readRules(t *testing.T) alertRules {
	t.Helper()
	b, err := os.ReadFile(rulesFile)
	if err != nil {
		t.Fatal(err)
	}
	var r alertRules
	dec := yaml.NewDecoder(strings.NewReader(string(b)))
	dec.KnownFields(true)
	if err := dec.Decode(&r); err != nil {
		t.Fatalf("%s: %v", rulesFile, err)
	}
	return r
}

func readDashboard(t *testing.T) dashboard {
	t.Helper()
	b, err := os.ReadFile(dashboardFile)
	if err != nil {
		t.Fatal(err)
	}
	var d dashboard
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatalf("%s: %v", dashboardFile, err)
	}
	return d
}

func TestAlertRules(t *testing.T) {
	r := readRules(t)
	var alerts []string
	for _, g := range r.Groups {
		if g.Name == "" || len(g.Rules) == 0 {
			t.Errorf("group %q: a group needs a name and rules", g.Name)
		}
		for _, rule := range g.Rules {
			alerts = append(alerts, rule.Alert)
			if rule.Alert == "" || strings.TrimSpace(rule.Expr) == "" {
				t.Errorf("rule %q: an alerting rule needs alert and expr", rule.Alert)
			}
			if !balanced(rule.Expr) {
				t.Errorf("rule %q: unbalanced brackets in %q", rule.Alert, rule.Expr)
			}
			if rule.Labels["severity"] == "" || rule.Annotations["summary"] == "" {
				t.Errorf("rule %q: every alert says its severity and a summary", rule.Alert)
			}
		}
	}
	// What an operator was promised an alert for.
	for _, want := range []string{"BaytProjectionLagging", "BaytAppendSlow", "BaytServerErrors", "BaytManySLABreaches"} {
		if !slices.Contains(alerts, want) {
			t.Errorf("no alert %s in %s", want, rulesFile)
		}
	}
}

func TestGrafanaDashboard(t *testing.T) {
	d := readDashboard(t)
	if d.Title == "" || d.UID == "" || len(d.Panels) == 0 {
		t.Fatalf("dashboard without title, uid or panels: %+v", d)
	}
	ids := map[int]bool{}
	graphs := 0
	for _, p := range d.Panels {
		if ids[p.ID] {
			t.Errorf("panel id %d used twice", p.ID)
		}
		ids[p.ID] = true
		if p.GridPos.X+p.GridPos.W > 24 {
			t.Errorf("panel %q overflows Grafana's 24-column grid", p.Title)
		}
		if p.Type == "row" {
			continue
		}
		graphs++
		if len(p.Targets) == 0 {
			t.Errorf("panel %q queries nothing", p.Title)
		}
		for _, q := range p.Targets {
			if q.RefID == "" || !balanced(q.Expr) || !strings.Contains(q.Expr, "bayt_") {
				t.Errorf("panel %q: query %q (refId %q) is not a query of Bayt's metrics", p.Title, q.Expr, q.RefID)
			}
		}
	}
	if graphs < 10 {
		t.Errorf("the dashboard draws %d graphs; it should cover requests, appends, read models, the live feed, SLA, vault and pool", graphs)
	}
}

var metricName = regexp.MustCompile(`\bbayt_[a-z_]+`)

// monitoredMetrics is every metric the dashboard and the rules query, with
// a histogram's _bucket, _sum and _count series named by the histogram.
func monitoredMetrics(t *testing.T) []string {
	t.Helper()
	var exprs []string
	for _, g := range readRules(t).Groups {
		for _, r := range g.Rules {
			exprs = append(exprs, r.Expr)
		}
	}
	for _, p := range readDashboard(t).Panels {
		for _, q := range p.Targets {
			exprs = append(exprs, q.Expr)
		}
	}
	var names []string
	for _, e := range exprs {
		for _, n := range metricName.FindAllString(e, -1) {
			for _, suffix := range []string{"_bucket", "_sum", "_count"} {
				if strings.HasSuffix(n, suffix) && (strings.HasSuffix(n, "_seconds"+suffix) || strings.HasSuffix(n, "_requests"+suffix)) {
					n = strings.TrimSuffix(n, suffix)
				}
			}
			if !slices.Contains(names, n) {
				names = append(names, n)
			}
		}
	}
	return names
}

func balanced(expr string) bool {
	var stack []rune
	pairs := map[rune]rune{')': '(', ']': '[', '}': '{'}
	for _, c := range expr {
		switch c {
		case '(', '[', '{':
			stack = append(stack, c)
		case ')', ']', '}':
			if len(stack) == 0 || stack[len(stack)-1] != pairs[c] {
				return false
			}
			stack = stack[:len(stack)-1]
		}
	}
	return len(stack) == 0
}
