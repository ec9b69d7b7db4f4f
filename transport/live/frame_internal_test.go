package live

import (
	"bytes"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// TestFramesReadAsMessages writes frames of every length encoding (7-bit,
// 16-bit, 64-bit), several in one write and between frames gorilla writes
// itself, and checks that a WebSocket client reads each as the message
// it framed, in order.
func TestFramesReadAsMessages(t *testing.T) {
	sizes := []int{0, 1, 125, 126, 127, 65535, 65536, 70000}
	payload := func(n int) []byte { return bytes.Repeat([]byte("x"), n) }
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, err := (&websocket.Upgrader{}).Upgrade(w, r, nil)
		if err != nil {
			t.Error(err)
			return
		}
		defer func() { _ = conn.Close() }()
		c := &client{conn: conn, writeWait: 10 * time.Second, counts: &counts{}}
		frames := make(net.Buffers, 0, len(sizes))
		for _, n := range sizes {
			frames = append(frames, textFrame(payload(n)))
		}
		if err := c.writeFrames(frames); err != nil {
			t.Error(err)
		}
		if err := c.write([]byte("from gorilla")); err != nil {
			t.Error(err)
		}
		if err := c.writeFrames(net.Buffers{textFrame([]byte("after"))}); err != nil {
			t.Error(err)
		}
		if got := c.counts.frames.Load(); got != int64(len(sizes))+2 {
			t.Errorf("frames counted %d, want %d", got, len(sizes)+2)
		}
		_, _, _ = conn.ReadMessage() // until the client closes
	}))
	defer srv.Close()
	ws, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = ws.Close() }()
	want := make([][]byte, 0, len(sizes)+2)
	for _, n := range sizes {
		want = append(want, payload(n))
	}
	want = append(want, []byte("from gorilla"), []byte("after"))
	for i, w := range want {
		kind, got, err := ws.ReadMessage()
		if err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
		if kind != websocket.TextMessage || !bytes.Equal(got, w) {
			t.Fatalf("message %d: kind %d, %d bytes; want a text message of %d bytes as framed", i, kind, len(got), len(w))
		}
	}
}
