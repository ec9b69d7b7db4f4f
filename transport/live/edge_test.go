package live_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/citizenhouse/bayt/transport/live"
	"github.com/gorilla/websocket"
)

// problemOf checks that resp is a problem document with status and code.
func problemOf(t *testing.T, what string, resp *http.Response, status int, code string) {
	t.Helper()
	if resp == nil {
		t.Fatalf("%s: no response", what)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var p struct {
		Status int    `json:"status"`
		Code   string `json:"code"`
	}
	if resp.StatusCode != status || resp.Header.Get("Content-Type") != "application/problem+json" ||
		json.Unmarshal(body, &p) != nil || p.Status != status || p.Code != code {
		t.Errorf("%s: %d %s %s, want %d problem+json with code %s", what, resp.StatusCode,
			resp.Header.Get("Content-Type"), body, status, code)
	}
}

func TestRefusedHandshakeIsProblem(t *testing.T) {
	t.Parallel()
	_, _, url := startHub(t, live.Config{AllowedOrigins: []string{"https://bayt.example.org"}})
	httpURL := "http" + strings.TrimPrefix(url, "ws")
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, httpURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	problemOf(t, "no upgrade", resp, http.StatusBadRequest, "invalid_input")

	h := http.Header{"Origin": {"https://evil.example"}}
	_, resp, err = websocket.DefaultDialer.Dial(url, h)
	if err == nil {
		t.Fatal("a foreign origin was let in")
	}
	problemOf(t, "foreign origin", resp, http.StatusForbidden, "forbidden")
}

// TestSinceAboveHeadGetsSnapshot resumes from a position the feed never
// reached: the client must get a snapshot at once and then the events that
// follow, not silence until the log passes the position it gave.
func TestSinceAboveHeadGetsSnapshot(t *testing.T) {
	t.Parallel()
	feed, hub, url := startHub(t, live.Config{})
	if err := feed.Apply(context.Background(), reports(t, 0, 3)); err != nil {
		t.Fatal(err)
	}
	hub.Notify()
	conn, _, err := websocket.DefaultDialer.Dial(url+"?since=1000", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var m struct {
		Type     string `json:"type"`
		Position int64  `json:"position"`
	}
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	if err := conn.ReadJSON(&m); err != nil || m.Type != "snapshot" || m.Position != 3 {
		t.Fatalf("first message %+v, %v; want the snapshot at position 3", m, err)
	}
	if err := feed.Apply(context.Background(), reports(t, 3, 1)); err != nil {
		t.Fatal(err)
	}
	hub.Notify()
	for {
		_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		if err := conn.ReadJSON(&m); err != nil {
			t.Fatalf("after the snapshot: %v; want the event at position 4", err)
		}
		if m.Type == "event" {
			break
		}
	}
	if m.Position != 4 {
		t.Fatalf("event at position %d, want 4", m.Position)
	}
}

func TestConnectionsPerAddressAreCapped(t *testing.T) {
	t.Parallel()
	_, hub, url := startHub(t, live.Config{Cap: live.NewCap(2)})
	for range 2 {
		c, _, err := websocket.DefaultDialer.Dial(url, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if _, _, err := c.ReadMessage(); err != nil { // the snapshot
			t.Fatal(err)
		}
	}
	_, resp, err := websocket.DefaultDialer.Dial(url, nil)
	if err == nil {
		t.Fatal("a third connection from the same address was let in")
	}
	problemOf(t, "third connection", resp, http.StatusTooManyRequests, "rate_limited")
	if n := hub.Clients(); n != 2 {
		t.Fatalf("hub serves %d clients, want the 2 first", n)
	}
}
