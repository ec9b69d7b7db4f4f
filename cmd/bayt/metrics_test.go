package main

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/citizenhouse/bayt/eventstore"
	"github.com/citizenhouse/bayt/projections/caselist"
)

// TestMetrics scrapes /metrics on BAYT_METRICS_ADDR before and after a
// short load (reports over the API, a live client reading them, an SLA
// breach) and sees every figure an operator watches move.
func TestMetrics(t *testing.T) {
	t.Parallel()
	ts := startServerWith(t, func(c *config) { c.MetricsAddr = "127.0.0.1:0" })
	metricsURL := "http://" + ts.program.cfg.MetricsAddr + "/metrics"
	if r := ts.do("GET", "/metrics", "", nil); r.status != http.StatusNotFound {
		t.Fatalf("the public address answers /metrics with %d, want 404", r.status)
	}
	// Profiles are the operator's, beside the metrics, never public.
	if r := ts.do("GET", "/debug/pprof/", "", nil); r.status != http.StatusNotFound {
		t.Fatalf("the public address answers /debug/pprof/ with %d, want 404", r.status)
	}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, "http://"+ts.program.cfg.MetricsAddr+"/debug/pprof/cmdline", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	cmdline, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK || len(cmdline) == 0 {
		t.Fatalf("the metrics address answers /debug/pprof/cmdline with %d, %q; want 200 and the command line", resp.StatusCode, cmdline)
	}

	before := scrape(t, metricsURL)
	conn := dialLive(t, ts.url, "?board=public", nil)
	if m, err := readLive(t, conn, 10*time.Second); err != nil || m.Type != "snapshot" {
		t.Fatalf("live feed's first message: %+v, %v", m, err)
	}
	const reports = 5
	var id string
	for range reports {
		id = ts.report(map[string]any{"reporter": map[string]any{"name": "Salma", "email": "salma@example.org"}})["id"].(string)
	}
	readEvents(t, conn, reports)
	ts.settle()

	path := "/api/v1/cases/" + id
	ts.must(http.StatusOK, "POST", path+"/triage", "advocate", map[string]any{"priority": "normal"})
	ts.must(http.StatusOK, "POST", path+"/forward", "advocate", map[string]any{"department": "roads_works"})
	ts.settle()
	store := eventstore.New(ts.pool, eventstore.Config{})
	defer store.Close()
	w := slaWatchAt(ts, store, time.Now().Add(31*24*time.Hour))
	w.breachedFunc = ts.program.metrics.slaBreaches.Inc
	w.sweep(context.Background())
	w.sweep(context.Background()) // a breach already recorded is not counted again

	after := scrape(t, metricsURL)
	rose := func(name string, labels map[string]string, by float64) {
		t.Helper()
		b, a := value(before, name, labels), value(after, name, labels)
		if a-b < by {
			t.Errorf("%s%v went from %v to %v, want a rise of at least %v", name, labels, b, a, by)
		}
	}
	rose("bayt_http_requests_total", map[string]string{"route": "/api/v1/cases", "method": "POST", "status": "201"}, reports)
	rose("bayt_http_request_duration_seconds", map[string]string{"route": "/api/v1/cases", "method": "POST"}, reports)
	rose("bayt_http_requests_total", map[string]string{"route": "/api/v1/cases/{id}/forward", "method": "POST", "status": "200"}, 1)
	rose("bayt_append_batch_requests", nil, 1)
	rose("bayt_append_duration_seconds", nil, 1)
	rose("bayt_log_head_position", nil, reports)
	rose("bayt_projection_position", map[string]string{"name": caselist.Name}, reports)
	rose("bayt_live_frames_sent_total", map[string]string{"board": "public"}, reports)
	rose("bayt_vault_operations_total", map[string]string{"operation": "put", "outcome": "ok"}, reports)
	rose("bayt_db_pool_acquires_total", nil, 1)
	if n := value(after, "bayt_sla_breaches_recorded_total", nil); n != 1 {
		t.Errorf("bayt_sla_breaches_recorded_total is %v after one breach, want 1", n)
	}
	if n := value(after, "bayt_live_clients", map[string]string{"board": "public"}); n != 1 {
		t.Errorf("bayt_live_clients is %v with one client connected, want 1", n)
	}
	for _, name := range []string{"bayt_projection_lag_events", "bayt_live_clients_dropped_slow_total", "bayt_append_failures_total",
		"bayt_db_pool_connections", "bayt_db_pool_max_connections", "go_goroutines", "process_resident_memory_bytes"} {
		if _, ok := after[name]; !ok {
			t.Errorf("%s is not served", name)
		}
	}
	for _, name := range monitoredMetrics(t) {
		if _, ok := after[name]; !ok {
			t.Errorf("docs/monitoring queries %s, which a node does not serve", name)
		}
	}
	for name, f := range after {
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if strings.Contains(l.GetValue(), "case-") || strings.Contains(l.GetValue(), "@") {
					t.Errorf("%s has a label %s=%q: ids and personal data stay out of the metrics", name, l.GetName(), l.GetValue())
				}
			}
		}
	}
}

func scrape(t *testing.T, url string) map[string]*dto.MetricFamily {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("scrape %s: %s", url, resp.Status)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("scrape %s: %v", url, err)
	}
	return families
}

// value is the sum over the samples of name carrying labels (a counter's
// or gauge's value, a histogram's count); 0 when there is none.
func value(families map[string]*dto.MetricFamily, name string, labels map[string]string) float64 {
	f, ok := families[name]
	if !ok {
		return 0
	}
	sum := 0.0
next:
	for _, m := range f.GetMetric() {
		have := map[string]string{}
		for _, l := range m.GetLabel() {
			have[l.GetName()] = l.GetValue()
		}
		for k, v := range labels {
			if have[k] != v {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			sum += m.GetCounter().GetValue()
		case m.Gauge != nil:
			sum += m.GetGauge().GetValue()
		case m.Histogram != nil:
			sum += float64(m.GetHistogram().GetSampleCount())
		}
	}
	return sum
}
