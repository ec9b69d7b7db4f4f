package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

type liveMessage struct {
	Type     string          `json:"type"`
	Position int64           `json:"position"`
	Event    string          `json:"event"`
	CaseID   string          `json:"case_id"`
	Status   string          `json:"status"`
	Board    json.RawMessage `json:"board"`
	raw      []byte
}

func dialLive(t *testing.T, baseURL, query string, header http.Header) *websocket.Conn {
	t.Helper()
	u := "ws" + strings.TrimPrefix(baseURL, "http") + "/api/v1/live" + query
	conn, resp, err := websocket.DefaultDialer.Dial(u, header)
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		t.Fatalf("dial %s: %v (status %d)", u, err, status)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

func readLive(t *testing.T, conn *websocket.Conn, timeout time.Duration) (liveMessage, error) {
	t.Helper()
	_ = conn.SetReadDeadline(time.Now().Add(timeout))
	_, data, err := conn.ReadMessage()
	if err != nil {
		return liveMessage{}, err
	}
	var m liveMessage
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("live message is not JSON: %s", data)
	}
	m.raw = data
	return m, nil
}

// readEvents reads until it has n events (skipping heartbeats).
func readEvents(t *testing.T, conn *websocket.Conn, n int) []liveMessage {
	t.Helper()
	var out []liveMessage
	for len(out) < n {
		m, err := readLive(t, conn, 10*time.Second)
		if err != nil {
			t.Fatalf("after %d of %d events: %v", len(out), n, err)
		}
		if m.Type == "event" {
			out = append(out, m)
		}
	}
	return out
}

func TestLiveSnapshotThenEvents(t *testing.T) {
	t.Parallel()
	ts := startServer(t)
	first := ts.report(map[string]any{"reporter": map[string]any{"name": "Samir Trabelsi", "email": "samir@example.tn"}})
	ts.expectRead("the board to count the first case", func() bool {
		return strings.Contains(string(ts.do("GET", "/api/v1/boards/public", "", nil).body), `"reported":1`)
	})

	conn := dialLive(t, ts.url, "?board=public", nil)
	snap, err := readLive(t, conn, 5*time.Second)
	if err != nil || snap.Type != "snapshot" || snap.Position < 1 || !strings.Contains(string(snap.Board), first["id"].(string)) {
		t.Fatalf("first message = %s (%v), want a snapshot naming the first case", snap.raw, err)
	}
	second := ts.report(map[string]any{"reporter": map[string]any{"name": "Samir Trabelsi", "email": "samir@example.tn"}})
	path := "/api/v1/cases/" + second["id"].(string)
	ts.must(http.StatusOK, "POST", path+"/triage", "advocate", map[string]any{"priority": "normal"})
	ts.must(http.StatusOK, "POST", path+"/comments", "advocate", map[string]any{"body": "internal only", "visibility": "internal"})
	ts.must(http.StatusOK, "POST", path+"/forward", "advocate", map[string]any{"department": "roads_works"})

	evs := readEvents(t, conn, 3)
	want := []string{"CaseReported reported", "CaseTriaged triaged", "CaseForwarded forwarded"}
	for i, e := range evs {
		if got := e.Event + " " + e.Status; got != want[i] || e.CaseID != second["id"] {
			t.Fatalf("event %d = %s, want %s of %s", i, e.raw, want[i], second["id"])
		}
		if i > 0 && e.Position <= evs[i-1].Position {
			t.Fatalf("positions not increasing: %d then %d", evs[i-1].Position, e.Position)
		}
		for _, secret := range []string{"Samir", "samir@example.tn", "internal only", "tracking", "subject"} {
			if strings.Contains(string(e.raw), secret) {
				t.Fatalf("live event carries %q: %s", secret, e.raw)
			}
		}
	}
	if evs[0].Position <= snap.Position {
		t.Fatalf("first event at %d is not after the snapshot at %d", evs[0].Position, snap.Position)
	}
}

// TestLiveResumeSeam reconnects with since=N while cases are being reported
// and checks that the client gets every public event after N exactly once,
// in order, across the seam between replay and live delivery.
func TestLiveResumeSeam(t *testing.T) {
	t.Parallel()
	ts := startServer(t)
	for range 5 {
		ts.report(nil)
	}
	// The reporter pauses after its first half until the client has
	// connected, so the reconnect lands mid-stream whatever the timing:
	// the first half is replayed, the second comes live, and the seam
	// falls among reports appended while the server sets the client up.
	const half = 30
	halfway, dialled := make(chan struct{}), make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := range 2 * half {
			if i == half {
				close(halfway)
				<-dialled
			}
			ts.report(nil)
		}
	}()
	<-halfway
	before := ts.head()
	conn := dialLive(t, ts.url, "?since=3", nil)
	close(dialled)
	wg.Wait()
	after := ts.head()
	// Every report is one public event: positions 4 .. 5+2*half.
	if before != 5+half || after != 5+2*half {
		t.Fatalf("log head %d at the reconnect and %d at the end, want %d and %d", before, after, 5+half, 5+2*half)
	}
	evs := readEvents(t, conn, int(after-3))
	for i, e := range evs {
		if e.Position != int64(4+i) {
			t.Fatalf("event %d has position %d, want %d: a gap or a duplicate at the seam", i, e.Position, 4+i)
		}
	}
	// A duplicate of an event already read would come before the next
	// report's event.
	ts.report(nil)
	if next := readEvents(t, conn, 1)[0]; next.Position != after+1 {
		t.Fatalf("event after the last report has position %d, want %d", next.Position, after+1)
	}
}

func TestLiveOriginChecked(t *testing.T) {
	t.Parallel()
	ts := startServer(t)
	u := "ws" + strings.TrimPrefix(ts.url, "http") + "/api/v1/live"
	_, resp, err := websocket.DefaultDialer.Dial(u, http.Header{"Origin": {"https://evil.example"}})
	if err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("foreign origin: err %v, response %v; want 403", err, resp)
	}
	conn := dialLive(t, ts.url, "", http.Header{"Origin": {ts.url}})
	if m, err := readLive(t, conn, 5*time.Second); err != nil || m.Type != "snapshot" {
		t.Fatalf("same origin: %v %s", err, m.raw)
	}
}
