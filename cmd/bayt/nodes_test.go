package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/citizenhouse/bayt/eventstore/eventstoretest"
	"github.com/gorilla/websocket"
	"github.com/jackc/pgx/v5/pgxpool"
)

// natsURL is where the NATS tests expect JetStream; .ci/run starts it.
func natsURL() string {
	if u := os.Getenv("NATS_URL"); u != "" {
		return u
	}
	return "nats://127.0.0.1:4222"
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := new(net.ListenConfig).Listen(t.Context(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// node is one bayt serve process.
type node struct {
	name string
	addr string
	cmd  *exec.Cmd
}

func startNode(t *testing.T, bin, name, dbURL, keyFile string) *node {
	t.Helper()
	n := &node{name: name, addr: freeAddr(t)}
	n.cmd = exec.CommandContext(t.Context(), bin, "serve")
	n.cmd.Env = append(os.Environ(),
		"DATABASE_URL="+dbURL+"&application_name="+name, "BAYT_MASTER_KEY_FILE="+keyFile,
		"BAYT_ADDR="+n.addr, "BAYT_BUS=nats", "NATS_URL="+natsURL(), "BAYT_PUBLIC_WRITE_LIMIT=0")
	logf, err := os.Create(filepath.Join(t.TempDir(), name+".log"))
	if err != nil {
		t.Fatal(err)
	}
	n.cmd.Stdout, n.cmd.Stderr = logf, logf
	if err := n.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = n.cmd.Process.Kill()
		_ = n.cmd.Wait()
		if t.Failed() {
			b, _ := os.ReadFile(logf.Name())
			t.Logf("%s log:\n%s", name, b)
		}
	})
	waitFor(t, name+" to be ready", func() bool {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, "http://"+n.addr+"/readyz", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	return n
}

// leaseHolders counts the advisory locks held per application name.
func leaseHolders(t *testing.T, pool *pgxpool.Pool) map[string]int {
	t.Helper()
	rows, err := pool.Query(context.Background(), `SELECT a.application_name, count(*) FROM pg_locks l
JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted GROUP BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var (
			name string
			n    int
		)
		if err := rows.Scan(&name, &n); err != nil {
			t.Fatal(err)
		}
		out[name] = n
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func reportOn(t *testing.T, addr, title string) {
	t.Helper()
	body := fmt.Sprintf(`{"title":%q,"description":"d","category":"water","district":"Medina"}`, title)
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, "http://"+addr+"/api/v1/cases", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("report on %s: %d", addr, resp.StatusCode)
	}
}

// TestTwoNodesOverNATS runs two bayt processes on one database with the
// NATS bus: a client on node B sees what node A records, and when node A
// (holding the relay and projection leases) dies, B takes over and nothing
// is lost.
func TestTwoNodesOverNATS(t *testing.T) {
	t.Parallel()
	bin := filepath.Join(t.TempDir(), "bayt")
	if out, err := exec.CommandContext(t.Context(), "go", "build", "-race", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	pool, schema := eventstoretest.Schema(t, nil)
	// The test's own pool holds no lease; the nodes are told apart by
	// application_name.
	dbURL := eventstoretest.URLFor(t, schema) + "&pool_max_conns=5"
	keyFile, _ := eventstoretest.MasterKeyFile(t)
	a := startNode(t, bin, "node_a_"+schema, dbURL, keyFile)
	waitFor(t, "node A to hold the relay and the projection leases", func() bool {
		return leaseHolders(t, pool)[a.name] == 1+len(readModels(time.UTC))
	})
	b := startNode(t, bin, "node_b_"+schema, dbURL, keyFile)

	conn, _, err := websocket.DefaultDialer.Dial("ws://"+b.addr+"/api/v1/live?since=0", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	next := int64(1)
	expect := func(within time.Duration) time.Duration {
		t.Helper()
		start := time.Now()
		for {
			_ = conn.SetReadDeadline(start.Add(within))
			_, data, err := conn.ReadMessage()
			if err != nil {
				t.Fatalf("waiting for position %d on node B: %v", next, err)
			}
			var m struct {
				Type     string `json:"type"`
				Position int64  `json:"position"`
			}
			if err := json.Unmarshal(data, &m); err != nil {
				t.Fatal(err)
			}
			if m.Type != "event" {
				continue
			}
			if m.Position != next {
				t.Fatalf("node B sent position %d, want %d", m.Position, next)
			}
			next++
			return time.Since(start)
		}
	}
	reportOn(t, a.addr, "reported on A")
	took := expect(time.Second)
	t.Logf("node B delivered node A's case in %s", took)

	// Kill A without a goodbye; B must take both leases over.
	killed := time.Now()
	if err := a.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = a.cmd.Wait()
	waitFor(t, "node B to take the leases over", func() bool {
		return leaseHolders(t, pool)[b.name] == 1+len(readModels(time.UTC))
	})
	t.Logf("node B took the leases over %s after node A died", time.Since(killed).Round(time.Millisecond))
	for i := range 5 {
		reportOn(t, b.addr, fmt.Sprintf("reported on B %d", i))
	}
	for range 5 {
		expect(5 * time.Second)
	}
	var relayed int64
	waitFor(t, "the relay to publish every event", func() bool {
		_ = pool.QueryRow(context.Background(), "SELECT COALESCE((SELECT position FROM checkpoints WHERE name = 'relay'), 0)").Scan(&relayed)
		return relayed == 6
	})
}

// waitFor polls cond until it holds, failing the test after 10 s. Only the
// tests of nodes running as other processes use it: there the database is
// all the test shares with them, and a node's readiness or a lease taken
// over sends no signal a test could wait on.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
