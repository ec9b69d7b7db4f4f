package main

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// TestPopularCaseTakesEverySupport sends 400 supports of one case at once,
// each from an address of its own behind a trusted proxy: every one lands,
// none refused as stale, and the case counts 400 supporters. The same
// person supporting again, by address or by browser, counts once and gets
// the answer a first support gets. No address reaches the database.
func TestPopularCaseTakesEverySupport(t *testing.T) {
	t.Parallel()
	ts := startServerWith(t, func(c *config) { c.TrustedProxies = "127.0.0.1/32" })
	id := ts.report(nil)["id"].(string)
	path := "/api/v1/cases/" + id + "/support"
	address := func(i int) string { return fmt.Sprintf("198.18.%d.%d", i/200, i%200+1) }

	const people = 400
	var (
		wg                sync.WaitGroup
		inFlight, maxSeen atomic.Int32
		statuses          = make([]int, people)
		cookies           = make([]*http.Cookie, people)
		start             = make(chan struct{})
	)
	for i := range people {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			n := inFlight.Add(1)
			for seen := maxSeen.Load(); n > seen && !maxSeen.CompareAndSwap(seen, n); seen = maxSeen.Load() {
			}
			r := ts.do("POST", path, "", "{}", "X-Forwarded-For", address(i))
			inFlight.Add(-1)
			statuses[i] = r.status
			cookies[i] = supporterCookie(r.header)
		}()
	}
	close(start)
	wg.Wait()
	if maxSeen.Load() < 2 {
		t.Fatalf("at most %d supports were in flight at once: they did not race", maxSeen.Load())
	}
	refused := map[int]int{}
	for _, s := range statuses {
		if s != http.StatusOK {
			refused[s]++
		}
	}
	if len(refused) > 0 {
		t.Fatalf("supports refused, by status: %v", refused)
	}
	c := ts.must(http.StatusOK, "GET", "/api/v1/cases/"+id, "", nil)
	if c["supporters"] != float64(people) {
		t.Fatalf("%v supporters, want %d", c["supporters"], people)
	}
	version := c["version"]

	first := cookies[0]
	if first == nil || !first.HttpOnly || first.SameSite != http.SameSiteStrictMode || first.Path != "/" {
		t.Fatalf("supporter cookie %+v; want an HttpOnly, SameSite=Strict cookie for the whole site", first)
	}
	for _, again := range []struct {
		name    string
		headers []string
	}{
		{"SameAddress", []string{"X-Forwarded-For", address(0)}},
		{"SameBrowserOtherAddress", []string{"X-Forwarded-For", "203.0.113.9", "Cookie", first.String()}},
		{"SameAddressOtherBrowser", []string{"X-Forwarded-For", address(1), "Cookie", cookies[2].String()}},
	} {
		r := ts.do("POST", path, "", "{}", again.headers...)
		if r.status != http.StatusOK {
			t.Fatalf("%s: status %d: %s", again.name, r.status, r.body)
		}
		got := r.json(t)
		if got["id"] != id || got["version"] != version || got["status"] != "reported" || got["position"] == nil {
			t.Fatalf("%s: answered %s; want the case's id, status and current version %v, as a first support", again.name, r.body, version)
		}
	}
	if c := ts.must(http.StatusOK, "GET", "/api/v1/cases/"+id, "", nil); c["supporters"] != float64(people) || c["version"] != version {
		t.Fatalf("after repeats: %v supporters at version %v, want %d at %v", c["supporters"], c["version"], people, version)
	}
	// A repeat records nothing, not even its address: someone new there
	// still counts.
	if r := ts.do("POST", path, "", "{}", "X-Forwarded-For", "203.0.113.9"); r.status != http.StatusOK {
		t.Fatalf("a new supporter: status %d", r.status)
	}
	if c := ts.must(http.StatusOK, "GET", "/api/v1/cases/"+id, "", nil); c["supporters"] != float64(people+1) {
		t.Fatalf("%v supporters after a new one, want %d", c["supporters"], people+1)
	}

	dump := dumpTables(t, ts.pool)
	for _, a := range []string{"198.18.", "203.0.113."} {
		if strings.Contains(dump, a) {
			t.Fatalf("an address under %s is in the database", a)
		}
	}
}

// supporterCookie returns the supporter cookie a response sets, or nil.
func supporterCookie(h http.Header) *http.Cookie {
	for _, c := range (&http.Response{Header: h}).Cookies() {
		if c.Name == "bayt_supporter" {
			return c
		}
	}
	return nil
}
