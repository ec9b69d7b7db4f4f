package main

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/eventstore"
	"github.com/citizenhouse/bayt/eventstore/eventstoretest"
	"github.com/gorilla/websocket"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// cluster is a PostgreSQL server of the test's own, in a temporary
// directory on a port of its own, that the test stops and starts.
type cluster struct {
	t        *testing.T
	bin, dir string
	port     int
	asUser   string // run the server as this user ("" for the test's own)
}

// newCluster makes and starts a private cluster with the Debian binaries,
// skipping the test when they are absent. initdb refuses to run as root,
// so as root the cluster belongs to the postgres user.
func newCluster(t *testing.T) *cluster {
	t.Helper()
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(bins) == 0 {
		t.Skip("no PostgreSQL server binaries under /usr/lib/postgresql")
	}
	slices.Sort(bins)
	c := &cluster{t: t, bin: filepath.Dir(bins[len(bins)-1])}
	dir, err := os.MkdirTemp("", "bayt-outage-")
	if err != nil {
		t.Fatal(err)
	}
	c.dir = dir
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Skip("running as root without a postgres user to own the cluster")
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
		c.asUser = "postgres"
	}
	ln, err := new(net.ListenConfig).Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c.port = ln.Addr().(*net.TCPAddr).Port
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	c.run("initdb", "-D", c.data(), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync")
	c.start()
	t.Cleanup(func() {
		// Whatever state the test left it in; an error says it was down.
		line := c.cmd("pg_ctl", "-D", c.data(), "-m", "immediate", "-w", "stop")
		_ = exec.CommandContext(context.Background(), line[0], line[1:]...).Run()
	})
	conn, err := pgx.Connect(context.Background(), c.url("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(context.Background(), "CREATE DATABASE bayt"); err != nil {
		t.Fatal(err)
	}
	return c
}

func (c *cluster) data() string { return filepath.Join(c.dir, "data") }

func (c *cluster) url(db string) string {
	return "postgres://postgres@127.0.0.1:" + strconv.Itoa(c.port) + "/" + db
}

// cmd is the command line running a cluster binary as the cluster's owner.
func (c *cluster) cmd(name string, args ...string) []string {
	line := append([]string{filepath.Join(c.bin, name)}, args...)
	if c.asUser != "" {
		line = append([]string{"runuser", "-u", c.asUser, "--"}, line...)
	}
	return line
}

func (c *cluster) run(name string, args ...string) {
	c.t.Helper()
	line := c.cmd(name, args...)
	out, err := exec.CommandContext(c.t.Context(), line[0], line[1:]...).CombinedOutput()
	if err != nil {
		c.t.Fatalf("%s: %v\n%s", strings.Join(line, " "), err, out)
	}
}

func (c *cluster) start() {
	c.t.Helper()
	c.run("pg_ctl", "-D", c.data(), "-l", filepath.Join(c.dir, "log"), "-w",
		"-o", "-p "+strconv.Itoa(c.port)+" -k "+c.dir+" -c listen_addresses=127.0.0.1", "start")
}

// stop shuts the server down as an operator's restart does: every session
// is ended, in flight or idle.
func (c *cluster) stop() { c.t.Helper(); c.run("pg_ctl", "-D", c.data(), "-m", "fast", "-w", "stop") }

// load reports cases from several clients until stopped, keeping the id of
// every report answered 201 and failing on any answer but 201 or a proper
// 503.
type load struct {
	t      *testing.T
	ts     *testServer
	client *http.Client

	mu        sync.Mutex
	acked     []string
	refused   int
	slowest   time.Duration // of the 503s
	created   chan struct{} // one per 201, never blocking
	refusedCh chan struct{} // one per 503, never blocking
	stop      chan struct{}
	wg        sync.WaitGroup
}

func startLoad(t *testing.T, ts *testServer, client *http.Client, workers int) *load {
	l := &load{t: t, ts: ts, client: client, created: make(chan struct{}, 1), refusedCh: make(chan struct{}, 1), stop: make(chan struct{})}
	for range workers {
		l.wg.Go(l.work)
	}
	return l
}

func (l *load) work() {
	body := `{"title":"عمود إنارة معطّل","description":"The street light has been out for a week.","category":"roads","district":"Medina"}`
	for {
		select {
		case <-l.stop:
			return
		default:
		}
		began := time.Now()
		r, err := send(l.t.Context(), l.client, http.MethodPost, l.ts.url+"/api/v1/cases", "", body)
		took := time.Since(began)
		if err != nil {
			l.t.Errorf("report: %v after %s (a hang, or the server closed the connection)", err, took)
			return
		}
		switch r.status {
		case http.StatusCreated:
			var out struct{ ID string }
			if err := json.Unmarshal(r.body, &out); err != nil || out.ID == "" {
				l.t.Errorf("201 without an id: %s", r.body)
				return
			}
			l.mu.Lock()
			l.acked = append(l.acked, out.ID)
			l.mu.Unlock()
			ring(l.created)
		case http.StatusServiceUnavailable:
			if !isUnavailable(r) {
				l.t.Errorf("report: 503 without problem+json code unavailable and Retry-After: %v %s", r.header, r.body)
				return
			}
			l.mu.Lock()
			l.refused++
			l.slowest = max(l.slowest, took)
			l.mu.Unlock()
			ring(l.refusedCh)
			// A client honouring Retry-After would wait; these press on,
			// as a crowd of clients would.
		default:
			l.t.Errorf("report: status %d, want 201 or 503: %s", r.status, r.body)
			return
		}
	}
}

func (l *load) halt() []string {
	close(l.stop)
	l.wg.Wait()
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.acked)
}

// wait returns after n more signals on ch, or fails the test if a worker
// stopped (it has reported why).
func (l *load) wait(ch chan struct{}, n int, what string) {
	l.t.Helper()
	for range n {
		select {
		case <-ch:
		case <-l.t.Context().Done():
			l.t.Fatalf("waiting for %s: test ended", what)
		case <-time.After(2 * time.Minute):
			l.t.Fatalf("no %s in two minutes", what)
		}
	}
}

func ring(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

func send(ctx context.Context, client *http.Client, method, u, token, body string) (response, error) {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return response{}, err
	}
	switch {
	case strings.HasPrefix(body, "{"):
		req.Header.Set("Content-Type", "application/json")
	case body != "":
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := client.Do(req)
	if err != nil {
		return response{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, header: resp.Header, body: b}, err
}

func isUnavailable(r response) bool {
	var p struct{ Code string }
	return r.status == http.StatusServiceUnavailable && r.header.Get("Retry-After") != "" &&
		r.header.Get("Content-Type") == "application/problem+json" && json.Unmarshal(r.body, &p) == nil && p.Code == "unavailable"
}

// TestDatabaseOutage stops PostgreSQL under load with a live client
// connected, checks that every endpoint and page answers 503 with
// Retry-After at once instead of hanging or failing with 500, starts it
// again, and checks that Bayt recovers by itself: reports are accepted,
// every acknowledged report is in the log, the live client gets what
// happens next on the same socket, the log verifies, and goroutines and
// connections come back to their level before the outage.
//
// Not parallel: it counts the process's goroutines, which tests running
// beside it would change.
func TestDatabaseOutage(t *testing.T) {
	pg := newCluster(t)
	dbURL := pg.url("bayt")
	const maxConns = 8
	cfg := configFromEnv()
	cfg.DatabaseURL = dbURL + "?pool_max_conns=" + strconv.Itoa(maxConns)
	keyFile, _ := eventstoretest.MasterKeyFile(t)
	cfg.MasterKeyFile = keyFile
	cfg.PublicWriteLimit = 0
	addr, read, p := runProgram(t, cfg)
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, dbURL+"?pool_max_conns=2")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	ts := &testServer{t: t, url: addr, pool: pool, tokens: map[string]string{}, read: read}
	secret, _, err := eventstore.NewTokens(pool).Create(ctx, "Test advocate", domain.RoleAdvocate, "", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	ts.tokens["advocate"] = secret
	client := &http.Client{Transport: &http.Transport{}, Timeout: time.Minute}
	t.Cleanup(client.CloseIdleConnections)

	first := ts.report(nil)["id"].(string)
	ts.settle()
	conn := dialLive(t, ts.url, "", nil)
	if m, err := readLive(t, conn, 10*time.Second); err != nil || m.Type != "snapshot" {
		t.Fatalf("live client: %+v, %v; want a snapshot", m, err)
	}
	client.CloseIdleConnections()
	goroutinesBefore := runtime.NumGoroutine()

	l := startLoad(t, ts, client, 4)
	l.wait(l.created, 20, "report accepted before the outage")
	connsBefore := serverConns(t, pool)
	statBefore := p.pool.Stat()

	pg.stop()
	stopped := time.Now()
	l.wait(l.refusedCh, 1, "503 once PostgreSQL stopped")
	firstRefusal := time.Since(stopped)

	// Every surface, while the database is away.
	campaign := "campaign-01ARZ3NDEKTSV4RRFFQ69G5FAV"
	report := url.Values{"title": {"حفرة"}, "description": {"A deep pothole."}, "category": {"roads"}, "district": {"Medina"}}.Encode()
	var slowestProbe time.Duration
	for _, pr := range []struct {
		method, path, who, body string
		page                    bool
	}{
		{"GET", "/api/v1/cases", "", "", false},
		{"GET", "/api/v1/cases/" + first, "", "", false},
		{"GET", "/api/v1/cases/" + first + "/history", "", "", false},
		{"POST", "/api/v1/cases", "", `{"title":"t","description":"d","category":"roads","district":"Medina"}`, false},
		{"POST", "/api/v1/cases/" + first + "/support", "", "{}", false},
		{"POST", "/api/v1/cases/" + first + "/triage", "advocate", `{"priority":"high"}`, false},
		{"GET", "/api/v1/boards/public", "", "", false},
		{"GET", "/api/v1/boards/inbox?department=roads_works", "advocate", "", false},
		{"GET", "/api/v1/campaigns", "", "", false},
		{"GET", "/api/v1/campaigns/" + campaign, "", "", false},
		{"GET", "/api/v1/campaigns/" + campaign + "/history", "", "", false},
		{"POST", "/api/v1/campaigns/" + campaign + "/signatures", "", `{"name":"Amal"}`, false},
		{"GET", "/api/v1/organisations", "", "", false},
		{"GET", "/readyz", "", "", false},
		{"GET", "/", "", "", true},
		{"GET", "/cases/" + first, "", "", true},
		{"GET", "/campaigns", "", "", true},
		{"GET", "/campaigns/" + campaign, "", "", true},
		{"POST", "/report", "", report, true},
	} {
		began := time.Now()
		r, err := send(ctx, client, pr.method, ts.url+pr.path, ts.tokens[pr.who], pr.body)
		slowestProbe = max(slowestProbe, time.Since(began))
		name := pr.method + " " + pr.path
		switch {
		case err != nil:
			t.Errorf("%s: %v", name, err)
		case pr.path == "/readyz":
			if r.status != http.StatusServiceUnavailable {
				t.Errorf("%s: %d, want 503: %s", name, r.status, r.body)
			}
		case pr.page:
			if r.status != http.StatusServiceUnavailable || r.header.Get("Retry-After") == "" ||
				!strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
				t.Errorf("%s: %d %v, want the 503 page with Retry-After", name, r.status, r.header)
			}
		case !isUnavailable(r):
			t.Errorf("%s: %d %v %s, want 503 problem+json code unavailable with Retry-After", name, r.status, r.header, r.body)
		}
	}
	began := time.Now()
	_, resp, err := websocket.DefaultDialer.DialContext(ctx, "ws"+strings.TrimPrefix(ts.url, "http")+"/api/v1/live", nil)
	slowestProbe = max(slowestProbe, time.Since(began))
	if err == nil || resp == nil || !isUnavailable(response{status: resp.StatusCode, header: resp.Header, body: readAll(resp)}) {
		t.Errorf("live feed while the database is away: %v, %v; want 503 problem+json with Retry-After", resp, err)
	}

	// Forget a 201 signalled before the outage: the next one must come
	// from a report accepted after the restart.
	select {
	case <-l.created:
	default:
	}
	pg.start()
	restarted := time.Now()
	l.wait(l.created, 1, "report accepted after PostgreSQL restarted")
	recovery := time.Since(restarted)
	l.wait(l.created, 20, "reports accepted after the restart")
	acked := l.halt()

	after := ts.report(nil)["id"].(string)
	for {
		m, err := readLive(t, conn, 30*time.Second)
		if err != nil {
			t.Fatalf("live client, on the socket it held through the outage: %v; want the event of %s", err, after)
		}
		if m.Type == "event" && m.CaseID == after {
			break
		}
	}
	ts.settle()
	var present int
	if err := pool.QueryRow(ctx, "SELECT count(DISTINCT stream_id) FROM events WHERE stream_id = ANY($1)", acked).Scan(&present); err != nil {
		t.Fatal(err)
	}
	if present != len(acked) {
		t.Fatalf("%d of %d acknowledged reports are in the log", present, len(acked))
	}
	if out, err := run(t, "audit", "verify", "-database-url", dbURL); err != nil || !strings.HasPrefix(out, "ok: ") {
		t.Fatalf("audit verify after the outage: %q, %v", out, err)
	}

	// Back to the level before the outage. Nothing signals that a
	// goroutine ended or a connection went back to the pool (the
	// projection runners, the hub and the SLA watcher borrow one now and
	// then), so this looks again until both are back or a minute has
	// passed.
	client.CloseIdleConnections()
	const tolerance = 10
	// A backend whose connection was replaced lingers in the server's
	// view until it has exited, so the server's count is looked at again
	// too.
	goroutinesAfter := runtime.NumGoroutine()
	statAfter := p.pool.Stat()
	connsAfter := serverConns(t, pool)
	for deadline := time.Now().Add(time.Minute); (goroutinesAfter > goroutinesBefore+tolerance || statAfter.AcquiredConns() != 0 || connsAfter > maxConns+2) && time.Now().Before(deadline); {
		<-time.After(50 * time.Millisecond)
		goroutinesAfter, statAfter, connsAfter = runtime.NumGoroutine(), p.pool.Stat(), serverConns(t, pool)
	}
	if goroutinesAfter > goroutinesBefore+tolerance {
		t.Errorf("%d goroutines after the outage, %d before", goroutinesAfter, goroutinesBefore)
	}
	// The pool's own, plus the listener's and the leases' connections.
	if statAfter.AcquiredConns() != 0 || statAfter.TotalConns() > maxConns || connsAfter > maxConns+2 {
		t.Errorf("after the outage: pool %d acquired, %d open; server sees %d connections of bayt (at most %d)",
			statAfter.AcquiredConns(), statAfter.TotalConns(), connsAfter, maxConns+2)
	}
	t.Logf("reports acknowledged: %d; refused with 503 during the outage: %d", len(acked), l.refused)
	t.Logf("first 503 %s after PostgreSQL stopped; slowest 503: %s under load, %s probing every surface",
		firstRefusal.Round(time.Millisecond), l.slowest.Round(time.Millisecond), slowestProbe.Round(time.Millisecond))
	t.Logf("first report accepted %s after PostgreSQL started again", recovery.Round(time.Millisecond))
	t.Logf("goroutines %d before, %d after; pool %d/%d open before (under load), %d/%d after; server connections of bayt %d before, %d after",
		goroutinesBefore, goroutinesAfter, statBefore.TotalConns(), statBefore.MaxConns(), statAfter.TotalConns(), statAfter.MaxConns(),
		connsBefore, connsAfter)
}

func readAll(resp *http.Response) []byte {
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return b
}

// serverConns counts the connections the server sees from Bayt.
func serverConns(t *testing.T, pool *pgxpool.Pool) int {
	t.Helper()
	var n int
	if err := pool.QueryRow(context.Background(), "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'bayt'").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
