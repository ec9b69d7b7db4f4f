package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/eventstore"
	"github.com/citizenhouse/bayt/eventstore/eventstoretest"
	"github.com/jackc/pgx/v5/pgxpool"
)

// testServer is a running bayt serve on a fresh schema.
type testServer struct {
	t      *testing.T
	url    string
	pool   *pgxpool.Pool
	schema string
	// mk is the server's master key, read from a key file of the test's
	// own.
	mk      *eventstore.MasterKey
	keyFile string
	tokens  map[string]string // who -> bearer secret
	read    *readPositions
	program *program
}

// readPositions tracks the position each read model of a test server
// reflects, as the server reports it after each batch.
type readPositions struct {
	mu    sync.Mutex
	pos   map[string]int64
	moved chan struct{} // closed and replaced on every report
}

func newReadPositions() *readPositions {
	return &readPositions{pos: map[string]int64{}, moved: make(chan struct{})}
}

func (r *readPositions) projected(name string, position int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.pos[name] = max(r.pos[name], position)
	close(r.moved)
	r.moved = make(chan struct{})
}

// settle waits until every read model reflects the log as it stands now,
// so that what a test reads next from a list or a board is final.
func (ts *testServer) settle() {
	ts.t.Helper()
	head := ts.head()
	deadline := time.After(10 * time.Second)
	for {
		ts.read.mu.Lock()
		behind := ""
		for _, name := range readModels(nil).Names() {
			if ts.read.pos[name] < head {
				behind = fmt.Sprintf("%s at %d", name, ts.read.pos[name])
			}
		}
		moved := ts.read.moved
		ts.read.mu.Unlock()
		if behind == "" {
			return
		}
		select {
		case <-moved:
		case <-deadline:
			ts.t.Fatalf("read models behind the log's head %d: %s", head, behind)
		}
	}
}

// expectRead waits for the read models to catch up with the log, then
// asserts cond once: what the test reads then is what the read models hold.
func (ts *testServer) expectRead(what string, cond func() bool) {
	ts.t.Helper()
	ts.settle()
	if !cond() {
		ts.t.Fatalf("read models caught up with the log, but not %s", what)
	}
}

func startServer(t *testing.T) *testServer {
	t.Helper()
	return startServerWith(t, nil)
}

// startServerWith is startServer with configure, when set, changing the
// configuration first.
//
// Subtests that share a test's server run one after another, not in
// parallel: a test waiting for paused parallel subtests keeps its server
// (a pool, leases, a listener) open while other tests start theirs, and a
// stock PostgreSQL's 100 connections run out.
func startServerWith(t *testing.T, configure func(*config)) *testServer {
	t.Helper()
	pool, schema := eventstoretest.Schema(t, nil)
	cfg := configFromEnv()
	// A small pool: many servers run at once against one PostgreSQL.
	cfg.DatabaseURL = eventstoretest.URLFor(t, schema) + "&pool_max_conns=5"
	keyFile, mk := eventstoretest.MasterKeyFile(t)
	cfg.MasterKeyFile = keyFile
	cfg.PublicWriteLimit = 0
	// No test reaches the internet for map tiles: these are on the
	// server's own origin, where they are not found (the map tests serve
	// their own).
	cfg.TileURL = "/test-tiles/{z}/{x}/{y}.png"
	if configure != nil {
		configure(&cfg)
	}
	url, read, p := runProgram(t, cfg)
	ctx := context.Background()
	ts := &testServer{t: t, url: url, pool: pool, schema: schema, mk: mk, keyFile: keyFile, tokens: map[string]string{}, read: read, program: p}
	tokens := eventstore.NewTokens(pool)
	for who, spec := range map[string]struct {
		role domain.Role
		dept string
	}{
		"advocate":       {domain.RoleAdvocate, ""},
		"admin":          {domain.RoleAdmin, ""},
		"officer":        {domain.RoleOfficer, "roads_works"},
		"officer_other":  {domain.RoleOfficer, "sanitation"},
		"officer_lights": {domain.RoleOfficer, "public_lighting"},
	} {
		secret, _, err := tokens.Create(ctx, "Test "+who, spec.role, spec.dept, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		ts.tokens[who] = secret
	}
	return ts
}

// runProgram runs Bayt as cfg says, with the test's hook on the read
// models, on a random port until the test ends. It
// returns the server's address, what its read models have reflected, and
// the program.
func runProgram(t *testing.T, cfg config) (string, *readPositions, *program) {
	t.Helper()
	// Over 5 s: the server waits up to 5 s for a connection the client
	// dialled but never used (a dial race under load) before calling it
	// idle.
	cfg.ShutdownTimeout = 10 * time.Second
	read := newReadPositions()
	cfg.projectedFunc = read.projected
	ctx, cancel := context.WithCancel(context.Background())
	p, err := newProgram(ctx, cfg, eventstoretest.Logger(t))
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if cfg.MetricsAddr != "" {
		addr, err := p.listenMetrics(ctx, cfg.MetricsAddr)
		if err != nil {
			cancel()
			p.close()
			t.Fatal(err)
		}
		p.cfg.MetricsAddr = addr.String()
	}
	ln, err := new(net.ListenConfig).Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		cancel()
		p.close()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- p.run(ctx, ln) }()
	t.Cleanup(func() {
		http.DefaultClient.CloseIdleConnections()
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
		p.close()
	})
	return "http://" + ln.Addr().String(), read, p
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("response %d is not a JSON object: %s", r.status, r.body)
	}
	return m
}

// do sends a request as who ("" for anonymous) with body (a string is sent
// as is, anything else as JSON) and extra headers as key, value pairs.
func (ts *testServer) do(method, path, who string, body any, headers ...string) response {
	ts.t.Helper()
	var (
		rd  io.Reader
		raw []byte
	)
	switch b := body.(type) {
	case nil:
	case string:
		raw = []byte(b)
	case []byte:
		raw = b
	default:
		j, err := json.Marshal(b)
		if err != nil {
			ts.t.Fatal(err)
		}
		raw = j
	}
	if body != nil {
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ts.t.Context(), method, ts.url+path, rd)
	if err != nil {
		ts.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if who != "" {
		req.Header.Set("Authorization", "Bearer "+ts.tokens[who])
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		ts.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		ts.t.Fatal(err)
	}
	out := response{status: resp.StatusCode, header: resp.Header, body: b}
	ts.checkContract(req, raw, out)
	return out
}

// must is do that fails the test unless the status is want.
func (ts *testServer) must(want int, method, path, who string, body any, headers ...string) map[string]any {
	ts.t.Helper()
	r := ts.do(method, path, who, body, headers...)
	if r.status != want {
		ts.t.Fatalf("%s %s as %q: status %d, want %d: %s", method, path, who, r.status, want, r.body)
	}
	if len(r.body) == 0 {
		return nil
	}
	return r.json(ts.t)
}

func (ts *testServer) head() int64 {
	ts.t.Helper()
	var n int64
	if err := ts.pool.QueryRow(context.Background(), "SELECT COALESCE(max(position), 0) FROM events").Scan(&n); err != nil {
		ts.t.Fatal(err)
	}
	return n
}

func (ts *testServer) report(extra map[string]any) map[string]any {
	ts.t.Helper()
	body := map[string]any{
		"title":       "حفرة كبيرة في شارع الحرية",
		"description": "A deep pothole in front of the school; two scooters fell this week.",
		"category":    "roads",
		"district":    "Bab Souika",
	}
	for k, v := range extra {
		body[k] = v
	}
	return ts.must(http.StatusCreated, "POST", "/api/v1/cases", "", body)
}

func expectProblem(t *testing.T, r response, status int, code string) map[string]any {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("content type %q, want application/problem+json", ct)
	}
	p := r.json(t)
	if p["code"] != code {
		t.Fatalf("code %v, want %s: %s", p["code"], code, r.body)
	}
	return p
}
