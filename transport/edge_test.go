package transport_test

import (
	"bytes"
	"compress/gzip"
	"crypto/tls"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/citizenhouse/bayt/transport"
	"github.com/gorilla/websocket"
)

func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	proxies, err := transport.ParseProxies("10.0.0.0/8")
	if err != nil {
		t.Fatal(err)
	}
	h := transport.Middleware(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "ok")
	}), transport.MiddlewareConfig{Logger: slog.New(slog.DiscardHandler), TrustedProxies: proxies})
	for _, tc := range []struct {
		name  string
		peer  string
		tls   bool
		proto string
		hsts  bool
	}{
		{"PlainHTTP", "203.0.113.9:1", false, "", false},
		{"TLS", "203.0.113.9:1", true, "", true},
		{"HTTPSAtTrustedProxy", "10.0.0.2:1", false, "https", true},
		{"HTTPSAtFirstOfTwoProxies", "10.0.0.2:1", false, "https, http", true},
		{"HTTPAtTrustedProxy", "10.0.0.2:1", false, "http", false},
		{"ProtoFromUntrustedPeer", "203.0.113.9:1", false, "https", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/", nil)
			r.RemoteAddr = tc.peer
			if tc.tls {
				r.TLS = &tls.ConnectionState{}
			}
			if tc.proto != "" {
				r.Header.Set("X-Forwarded-Proto", tc.proto)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if got := w.Header().Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("X-Content-Type-Options %q", got)
			}
			if got := w.Header().Get("Strict-Transport-Security"); (got != "") != tc.hsts || (tc.hsts && !strings.HasPrefix(got, "max-age=")) {
				t.Errorf("Strict-Transport-Security %q, want it: %v", got, tc.hsts)
			}
		})
	}
}

func TestGzip(t *testing.T) {
	t.Parallel()
	page := strings.Repeat("<p>حفرة أمام المدرسة</p>\n", 200)
	h := transport.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/page":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Header().Add("Vary", "Accept-Language")
			_, _ = io.WriteString(w, page)
		case "/json":
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"items":[`+strings.Repeat(`{"id":"x"},`, 100)+`{}]}`)
		case "/untyped":
			_, _ = io.WriteString(w, page) // net/http would call it text/html
		case "/tiny":
			w.Header().Set("Content-Type", "text/plain")
			w.Header().Set("Content-Length", "2")
			_, _ = io.WriteString(w, "ok")
		case "/image":
			w.Header().Set("Content-Type", "image/png")
			_, _ = io.WriteString(w, page)
		case "/static.css":
			// As a file server answers: typed by extension, with a length.
			http.ServeContent(w, r, "static.css", time.Time{}, strings.NewReader(page))
		}
	}), transport.MiddlewareConfig{Logger: slog.New(slog.DiscardHandler)})
	for _, tc := range []struct {
		name, path, accept string
		gzipped            bool
		vary               string
	}{
		{"Page", "/page", "gzip, deflate, br", true, "Accept-Language, Accept-Encoding"},
		{"JSON", "/json", "gzip", true, "Accept-Encoding"},
		{"Untyped", "/untyped", "gzip", true, "Accept-Encoding"},
		{"Static", "/static.css", "br;q=1.0, gzip;q=0.8", true, "Accept-Encoding"},
		{"AnyEncoding", "/page", "*", true, "Accept-Language, Accept-Encoding"},
		{"NotAccepted", "/page", "", false, "Accept-Language, Accept-Encoding"},
		{"Refused", "/page", "gzip;q=0", false, "Accept-Language, Accept-Encoding"},
		// Never compressed, so the same for every client.
		{"Tiny", "/tiny", "gzip", false, ""},
		{"Image", "/image", "gzip", false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequestWithContext(t.Context(), http.MethodGet, tc.path, nil)
			if tc.accept != "" {
				r.Header.Set("Accept-Encoding", tc.accept)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			// The same request without gzip is the reference body.
			plain := httptest.NewRecorder()
			h.ServeHTTP(plain, httptest.NewRequestWithContext(t.Context(), http.MethodGet, tc.path, nil))
			if plain.Header().Get("Content-Encoding") != "" || plain.Body.Len() == 0 {
				t.Fatalf("reference answer %q, %d bytes", plain.Header().Get("Content-Encoding"), plain.Body.Len())
			}
			if got := w.Header().Get("Vary"); got != tc.vary {
				t.Errorf("Vary %q, want %q", got, tc.vary)
			}
			if w.Header().Get("Content-Type") != plain.Header().Get("Content-Type") {
				t.Errorf("Content-Type %q, plain %q", w.Header().Get("Content-Type"), plain.Header().Get("Content-Type"))
			}
			body := w.Body.Bytes()
			if got := w.Header().Get("Content-Encoding") == "gzip"; got != tc.gzipped {
				t.Fatalf("gzipped %v, want %v", got, tc.gzipped)
			}
			if tc.gzipped {
				if w.Header().Get("Content-Length") != "" {
					t.Errorf("Content-Length %q kept on a compressed body", w.Header().Get("Content-Length"))
				}
				if w.Body.Len() >= plain.Body.Len() {
					t.Errorf("compressed %d bytes, plain %d", w.Body.Len(), plain.Body.Len())
				}
				zr, err := gzip.NewReader(w.Body)
				if err != nil {
					t.Fatal(err)
				}
				if body, err = io.ReadAll(zr); err != nil {
					t.Fatal(err)
				}
			}
			if !bytes.Equal(body, plain.Body.Bytes()) {
				t.Errorf("body differs from the plain answer: %d bytes against %d", len(body), plain.Body.Len())
			}
		})
	}
}

// TestWriteTimeout bounds ordinary responses and leaves the live feed's
// upgrade working. The middleware's clock is set far in the past, so every
// deadline it sets has passed before the handler writes: a response that
// gets one cannot be sent at all. The upgrade is asked for by a client
// that accepts gzip, which it must not get: a compressing writer cannot
// hand over the connection.
func TestWriteTimeout(t *testing.T) {
	t.Parallel()
	upgrader := websocket.Upgrader{}
	h := transport.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/live" {
			_, _ = io.WriteString(w, "hello")
			return
		}
		c, err := upgrader.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer c.Close()
		_ = c.WriteMessage(websocket.TextMessage, []byte("hello"))
	}), transport.MiddlewareConfig{
		Logger: slog.New(slog.DiscardHandler), WriteTimeout: time.Minute,
		NowFunc: func() time.Time { return time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC) },
	})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)

	t.Run("ErrDeadlinePassed", func(t *testing.T) {
		t.Parallel()
		req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL+"/page", nil)
		if err != nil {
			t.Fatal(err)
		}
		client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
		resp, err := client.Do(req)
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			t.Fatalf("answered %d %q past the write deadline", resp.StatusCode, b)
		}
	})
	t.Run("LiveFeedUpgrades", func(t *testing.T) {
		t.Parallel()
		header := http.Header{"Accept-Encoding": {"gzip"}}
		c, resp, err := websocket.DefaultDialer.DialContext(t.Context(), "ws"+strings.TrimPrefix(srv.URL, "http")+"/live", header)
		if err != nil {
			t.Fatalf("upgrade: %v", err)
		}
		defer c.Close()
		if resp.StatusCode != http.StatusSwitchingProtocols || resp.Header.Get("Content-Encoding") != "" {
			t.Fatalf("upgrade answered %d, Content-Encoding %q", resp.StatusCode, resp.Header.Get("Content-Encoding"))
		}
		_, msg, err := c.ReadMessage()
		if err != nil || string(msg) != "hello" {
			t.Fatalf("message %q, %v", msg, err)
		}
	})
}

// A HEAD answer has no body to compress; its length must stay the page's.
func TestGzipHead(t *testing.T) {
	t.Parallel()
	page := strings.Repeat("x", 4096)
	h := transport.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.ServeContent(w, r, "page.html", time.Time{}, strings.NewReader(page))
	}), transport.MiddlewareConfig{Logger: slog.New(slog.DiscardHandler)})
	r := httptest.NewRequestWithContext(t.Context(), http.MethodHead, "/page.html", nil)
	r.Header.Set("Accept-Encoding", "gzip")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Header().Get("Content-Encoding") != "" || w.Header().Get("Content-Length") != strconv.Itoa(len(page)) {
		t.Fatalf("HEAD: Content-Encoding %q, Content-Length %q", w.Header().Get("Content-Encoding"), w.Header().Get("Content-Length"))
	}
}
