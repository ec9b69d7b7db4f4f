// Command baytload measures a running bayt. By default it measures the
// live feed's fan-out: it opens N WebSocket clients, reports cases over
// HTTP at a steady rate, and reports the share of events every client
// received and the latency from the report request to each client's
// receipt (p50, p99, max), and with -pid the server's memory per client.
//
//	baytload -addr 127.0.0.1:8080 -clients 10000 -events 100 -rate 20 -pid PID
//
// With -reporters it measures reports instead: N connections report back
// to back, and with -baseline it sets their rate beside pgbench's raw
// single-row INSERT rate with as many clients, measured in the same run.
//
//	baytload -reporters 16 -for 60s -baseline postgres://postgres@127.0.0.1/bayt_baseline
//
// It only talks to the address it is given; run it against a server on
// this machine.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "baytload:", err)
		os.Exit(1)
	}
}

type receipt struct {
	position int64
	at       time.Time
}

func run() error {
	addr := flag.String("addr", "127.0.0.1:8080", "bayt's address")
	clients := flag.Int("clients", 1000, "WebSocket clients to open")
	events := flag.Int("events", 100, "cases to report")
	rate := flag.Float64("rate", 50, "reports per second")
	wait := flag.Duration("wait", 15*time.Second, "how long to wait for the last deliveries")
	reporters := flag.Int("reporters", 0, "instead of the fan-out: this many connections report cases back to back for -for, printing reports/s every 10 s")
	duration := flag.Duration("for", time.Minute, "with -reporters, how long to report")
	baseline := flag.String("baseline", "", "with -reporters: a PostgreSQL URL (a scratch database) where pgbench measures the raw single-row INSERT rate with as many clients, before and after the reports, to print the reports' ratio to it; pgbench and psql must be on PATH")
	serverPID := flag.Int("pid", 0, "the server's process id, to report its resident memory per connected client (read from /proc)")
	flag.Parse()
	if *reporters > 0 {
		return reportLoad(*addr, *reporters, *duration, *baseline)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rssBefore, err := residentKB(*serverPID)
	if err != nil {
		return err
	}
	dialer := websocket.Dialer{HandshakeTimeout: 30 * time.Second}
	conns := make([]*websocket.Conn, *clients)
	received := make([][]receipt, *clients)
	var connected atomic.Int64
	var wg sync.WaitGroup
	sem := make(chan struct{}, 100)
	start := time.Now()
	var dialErr atomic.Value
	for i := range conns {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			c, resp, err := dialer.DialContext(ctx, "ws://"+*addr+"/api/v1/live?board=public", nil)
			if err != nil {
				if resp != nil && resp.StatusCode == http.StatusTooManyRequests {
					err = fmt.Errorf("%w: 429 (set BAYT_LIVE_PER_ADDRESS=0 on the server: every client comes from one address)", err)
				} else if resp != nil {
					err = fmt.Errorf("%w: %s", err, resp.Status)
				}
				dialErr.Store(err)
				return
			}
			if _, _, err := c.ReadMessage(); err != nil { // the snapshot
				dialErr.Store(err)
				return
			}
			conns[i] = c
			connected.Add(1)
		}()
	}
	wg.Wait()
	if err, _ := dialErr.Load().(error); err != nil {
		return fmt.Errorf("%d of %d clients connected: %w", connected.Load(), *clients, err)
	}
	fmt.Printf("%d clients connected in %s\n", *clients, time.Since(start).Round(time.Millisecond))
	if *serverPID > 0 {
		rss, err := residentKB(*serverPID)
		if err != nil {
			return err
		}
		fmt.Printf("server resident memory %d MB before, %d MB with the clients: %.1f KB per client\n",
			rssBefore/1024, rss/1024, float64(rss-rssBefore)/float64(*clients))
	}

	var (
		readers   sync.WaitGroup
		delivered atomic.Int64
		// allDelivered closes when the last expected event arrives, so
		// the run ends then rather than at the next look at a counter.
		allDelivered = make(chan struct{})
		want         = int64(*clients) * int64(*events)
	)
	if want == 0 {
		close(allDelivered)
	}
	for i, c := range conns {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for {
				_, data, err := c.ReadMessage()
				if err != nil {
					return
				}
				now := time.Now()
				// Parsing only what is measured keeps the load generator's
				// own cost out of the latency it reports.
				if pos, ok := eventPosition(data); ok {
					received[i] = append(received[i], receipt{pos, now})
					if delivered.Add(1) == want {
						close(allDelivered)
					}
				}
			}
		}()
	}

	sent := map[int64]time.Time{}
	interval := time.Duration(float64(time.Second) / *rate)
	tick := time.NewTicker(interval)
	for n := range *events {
		<-tick.C
		at := time.Now()
		pos, err := report(ctx, *addr, n)
		if err != nil {
			return err
		}
		sent[pos] = at
	}
	tick.Stop()
	select {
	case <-allDelivered:
	case <-time.After(*wait):
	}
	for _, c := range conns {
		_ = c.Close()
	}
	readers.Wait()

	var lat []time.Duration
	for _, rs := range received {
		for _, r := range rs {
			if at, ok := sent[r.position]; ok {
				lat = append(lat, r.at.Sub(at))
			}
		}
	}
	slices.Sort(lat)
	if len(lat) == 0 {
		return errors.New("no event delivered")
	}
	pct := func(p float64) time.Duration { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
	fmt.Printf("clients %d, events %d, delivered %d of %d (%.2f%%)\n", *clients, *events, len(lat), want, 100*float64(len(lat))/float64(want))
	fmt.Printf("latency from report request to receipt: p50 %s, p99 %s, max %s\n",
		pct(0.50).Round(time.Millisecond), pct(0.99).Round(time.Millisecond), lat[len(lat)-1].Round(time.Millisecond))
	return nil
}

var httpClient = &http.Client{Timeout: 10 * time.Second}

func report(ctx context.Context, addr string, n int) (int64, error) {
	body, _ := json.Marshal(map[string]string{
		"title": fmt.Sprintf("Load test case %d", n), "description": "generated by baytload",
		"category": "roads", "district": "Medina",
	})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+addr+"/api/v1/cases", bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := httpClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer func() { _ = resp.Body.Close() }()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusCreated {
		return 0, fmt.Errorf("report: %d %s (set BAYT_PUBLIC_WRITE_LIMIT=0 on the server)", resp.StatusCode, b)
	}
	var r struct {
		Position int64 `json:"position"`
	}
	if err := json.Unmarshal(b, &r); err != nil {
		return 0, err
	}
	return r.Position, nil
}

// eventPosition returns the position of an event message, reading only the
// fields it needs.
func eventPosition(data []byte) (int64, bool) {
	if !bytes.Contains(data, []byte(`"type": "event"`)) && !bytes.Contains(data, []byte(`"type":"event"`)) {
		return 0, false
	}
	for _, key := range [][]byte{[]byte(`"position": `), []byte(`"position":`)} {
		if i := bytes.Index(data, key); i >= 0 {
			var n int64
			j := i + len(key)
			for ; j < len(data) && data[j] >= '0' && data[j] <= '9'; j++ {
				n = n*10 + int64(data[j]-'0')
			}
			return n, j > i+len(key)
		}
	}
	return 0, false
}

// reportLoad reports cases over HTTP from n connections, each as fast as
// it is answered, for d, and prints the reports accepted per second in
// every 10 s window: a server whose rate falls from window to window slows
// down as it runs.
func reportLoad(addr string, n int, d time.Duration, baselineURL string) error {
	var before float64
	if baselineURL != "" {
		var err error
		if before, err = insertRate(context.Background(), baselineURL, n); err != nil {
			return err
		}
		fmt.Printf("pgbench, raw single-row INSERT, %d clients: %.0f/s\n", n, before)
	}
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	start := time.Now()
	body := []byte(reportJSON)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: n}}
	defer client.CloseIdleConnections()
	var accepted, refused atomic.Int64
	var firstRefusal atomic.Value
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+addr+"/api/v1/cases", bytes.NewReader(body))
				if err != nil {
					return
				}
				req.Header.Set("Content-Type", "application/json")
				resp, err := client.Do(req)
				if err != nil {
					if ctx.Err() == nil {
						refused.Add(1)
					}
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				_ = resp.Body.Close()
				if resp.StatusCode == http.StatusCreated {
					accepted.Add(1)
				} else {
					refused.Add(1)
					firstRefusal.CompareAndSwap(nil, resp.Status)
				}
			}
		}()
	}
	tick := time.NewTicker(10 * time.Second)
	defer tick.Stop()
	last, window := int64(0), 0
	for done := false; !done; {
		select {
		case <-tick.C:
		case <-ctx.Done():
			done = true
		}
		now := accepted.Load()
		if !done {
			window++
			fmt.Printf("%d–%d s: %d reports/s\n", 10*(window-1), 10*window, (now-last)/10)
		}
		last = now
	}
	wg.Wait()
	rate := float64(accepted.Load()) / time.Since(start).Seconds()
	fmt.Printf("accepted %d, refused %d: %.0f reports/s\n", accepted.Load(), refused.Load(), rate)
	if refused.Load() > accepted.Load() {
		status, _ := firstRefusal.Load().(string)
		return fmt.Errorf("most reports were refused (%s): set BAYT_PUBLIC_WRITE_LIMIT=0 on the server", status)
	}
	if baselineURL != "" {
		after, err := insertRate(context.Background(), baselineURL, n)
		if err != nil {
			return err
		}
		fmt.Printf("pgbench, raw single-row INSERT, %d clients: %.0f/s\n", n, after)
		fmt.Printf("reports over HTTP / raw INSERT: %.2f\n", rate/((before+after)/2))
	}
	return nil
}

// reportJSON is the case every report sends, and the row pgbench inserts
// beside it: the same bytes on both sides of the ratio.
const reportJSON = `{"title":"حفرة كبيرة في شارع الحرية","description":"A deep pothole","category":"roads","district":"Bab Souika"}`

// insertRate runs pgbench with clients connections for 10 s, each
// inserting one row of jsonb per transaction into a table of its own in
// the database at url, and returns the transactions per second. It is
// the floor a report is measured against: one durable row, nothing else.
func insertRate(ctx context.Context, url string, clients int) (float64, error) {
	const table = "baytload_baseline"
	setup := "DROP TABLE IF EXISTS " + table + "; CREATE TABLE " + table + " (id bigserial PRIMARY KEY, doc jsonb NOT NULL)"
	if out, err := exec.CommandContext(ctx, "psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", setup, url).CombinedOutput(); err != nil {
		return 0, fmt.Errorf("baseline table: %w: %s", err, out)
	}
	defer func() {
		_ = exec.CommandContext(context.WithoutCancel(ctx), "psql", "-X", "-q", "-c", "DROP TABLE IF EXISTS "+table, url).Run()
	}()
	script, err := os.CreateTemp("", "baytload-*.sql")
	if err != nil {
		return 0, err
	}
	defer func() { _ = os.Remove(script.Name()) }()
	if _, err := script.WriteString("INSERT INTO " + table + " (doc) VALUES ('" + reportJSON + "');\n"); err != nil {
		return 0, err
	}
	if err := script.Close(); err != nil {
		return 0, err
	}
	out, err := exec.CommandContext(ctx, "pgbench", "-n", "-c", strconv.Itoa(clients), "-j", "2", "-T", "10", "-f", script.Name(), url).CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("pgbench: %w: %s", err, out)
	}
	for line := range strings.Lines(string(out)) {
		if rest, ok := strings.CutPrefix(line, "tps = "); ok {
			f, _, _ := strings.Cut(rest, " ")
			return strconv.ParseFloat(f, 64)
		}
	}
	return 0, fmt.Errorf("pgbench printed no tps: %s", out)
}

// residentKB reads a process's resident set size from /proc, in KB; 0
// when pid is 0. Resident memory, not the Go heap, is what an operator
// provisions, and it counts goroutine stacks and buffers alike.
func residentKB(pid int) (int64, error) {
	if pid == 0 {
		return 0, nil
	}
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, fmt.Errorf("server memory: %w", err)
	}
	for line := range strings.Lines(string(data)) {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			return strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
		}
	}
	return 0, errors.New("server memory: no VmRSS in /proc status")
}
