package live_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/citizenhouse/bayt/domain/casefile"
	"github.com/citizenhouse/bayt/projections"
	"github.com/citizenhouse/bayt/projections/caselist"
	"github.com/citizenhouse/bayt/transport/live"
	"github.com/gorilla/websocket"
)

// reports returns n CaseReported events at positions from+1 … from+n.
func reports(t *testing.T, from int64, n int) []projections.Event {
	t.Helper()
	out := make([]projections.Event, n)
	for i := range out {
		pos := from + int64(i) + 1
		id := fmt.Sprintf("case-%026d", pos)
		data, err := json.Marshal(casefile.CaseReported{ID: id, Title: strings.Repeat("طريق ", 40), Category: "roads", District: "Medina", At: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
		out[i] = projections.Event{Position: pos, Stream: id, Version: 1, Type: casefile.TypeCaseReported, Data: data, RecordedAt: time.Now()}
	}
	return out
}

func startHub(t *testing.T, cfg live.Config) (*caselist.Memory, *live.Hub, string) {
	t.Helper()
	feed := caselist.NewMemory(caselist.Config{})
	hub := live.NewHub(feed, cfg)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = hub.Run(ctx) }()
	srv := httptest.NewServer(hub)
	t.Cleanup(func() { srv.Close(); cancel(); <-done })
	return feed, hub, "ws" + strings.TrimPrefix(srv.URL, "http")
}

func TestSlowClientIsDroppedOthersServed(t *testing.T) {
	t.Parallel()
	feed, hub, url := startHub(t, live.Config{
		QueueSize: 1024, PollInterval: 10 * time.Millisecond,
		// The hub's writer for the slow client stays stuck until the test
		// drains it, after the fast client is done; only then does the
		// writer find it fell out of the ring and send the close frame.
		// With the usual 10 s, a loaded machine would see the write time
		// out instead, and no close frame.
		WriteWait: 5 * time.Minute,
	})
	fast, _, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer fast.Close()
	slow, _, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	for _, c := range []*websocket.Conn{fast, slow} {
		if _, _, err := c.ReadMessage(); err != nil { // the snapshot
			t.Fatal(err)
		}
	}
	// The hub counts a client before sending it the snapshot.
	if n := hub.Clients(); n != 2 {
		t.Fatalf("hub counts %d clients, want 2", n)
	}
	// Enough data to fill the slow client's socket buffers and then the
	// ring. The producer runs at most window batches ahead of what the
	// fast client has read, so the fast client never lags by the ring's
	// size, while the slow one reads nothing.
	const total, batch, window = 20000, 100, 8
	fastRead := make(chan struct{}, total/batch)
	go func() {
		for b := range total / batch {
			if b >= window {
				<-fastRead
			}
			if err := feed.Apply(context.Background(), reports(t, int64(b*batch), batch)); err != nil {
				t.Error(err)
				return
			}
			hub.Notify()
		}
	}()
	var last int64
	for n := 0; n < total; {
		_ = fast.SetReadDeadline(time.Now().Add(time.Minute))
		_, data, err := fast.ReadMessage()
		if err != nil {
			t.Fatalf("fast client after %d events: %v", n, err)
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
		if m.Position != last+1 {
			t.Fatalf("fast client got position %d after %d", m.Position, last)
		}
		last = m.Position
		n++
		if last%batch == 0 {
			fastRead <- struct{}{}
		}
	}
	// The slow client now drains what the socket held, then finds the
	// close frame telling it to come back with since.
	var closeErr *websocket.CloseError
	_ = slow.SetReadDeadline(time.Now().Add(time.Minute))
	slowEvents := 0
	for {
		_, data, err := slow.ReadMessage()
		if err == nil {
			if strings.Contains(string(data), `"type":"event"`) {
				slowEvents++
			}
			continue
		}
		if !errors.As(err, &closeErr) {
			t.Fatalf("slow client: %v, want a close frame", err)
		}
		break
	}
	// The reason tells a drop for falling out of the ring from any other
	// end of the connection, which is 1013 too.
	if closeErr.Code != websocket.CloseTryAgainLater || !strings.HasPrefix(closeErr.Text, "too slow") {
		t.Fatalf("slow client closed with %d %q, want 1013 too slow", closeErr.Code, closeErr.Text)
	}
	// Dropped, not merely closed at the end: it missed part of the feed.
	if slowEvents >= total {
		t.Fatalf("slow client got all %d events before its close frame, want it dropped behind", slowEvents)
	}
	t.Logf("slow client got %d of %d events before it was dropped", slowEvents, total)
	if st := hub.Stats(); st.DroppedSlow != 1 || st.Frames < int64(total+slowEvents) {
		t.Errorf("hub stats %+v, want one client dropped as slow and at least the %d frames the clients read", st, total+slowEvents)
	}
}

func TestOriginAllowList(t *testing.T) {
	t.Parallel()
	_, _, url := startHub(t, live.Config{AllowedOrigins: []string{"https://bayt.example.org"}})
	for origin, want := range map[string]int{
		"https://bayt.example.org": http.StatusSwitchingProtocols,
		"https://evil.example":     http.StatusForbidden,
		"":                         http.StatusSwitchingProtocols,
	} {
		h := http.Header{}
		if origin != "" {
			h.Set("Origin", origin)
		}
		c, resp, _ := websocket.DefaultDialer.Dial(url, h)
		if resp == nil || resp.StatusCode != want {
			t.Errorf("origin %q: response %v, want %d", origin, resp, want)
		}
		if c != nil {
			c.Close()
		}
	}
}

func TestBadQueryRefused(t *testing.T) {
	t.Parallel()
	_, _, url := startHub(t, live.Config{})
	for _, q := range []string{"?since=-1", "?since=abc"} {
		_, resp, err := websocket.DefaultDialer.Dial(url+q, nil)
		if err == nil || resp == nil || resp.StatusCode < 400 {
			t.Errorf("%s: %v %v, want a 4xx", q, resp, err)
		}
	}
}
