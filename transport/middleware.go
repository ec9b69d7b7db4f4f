package transport

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/citizenhouse/bayt/domain"
	"github.com/google/uuid"
	"github.com/oklog/ulid/v2"
)

// MiddlewareConfig is what Middleware needs besides the handler.
type MiddlewareConfig struct {
	// Logger logs each request once it is answered. Required.
	Logger *slog.Logger
	// TrustedProxies are the proxies whose X-Forwarded-For and
	// X-Forwarded-Proto are believed; none by default, and then the
	// client is whoever opened the connection.
	TrustedProxies []netip.Prefix
	// WriteTimeout bounds the writing of each response except a
	// WebSocket upgrade, whose connection lives on; 0 sets no bound.
	WriteTimeout time.Duration
	// NowFunc returns the time deadlines are counted from; time.Now when
	// nil.
	NowFunc func() time.Time
	// ObserveFunc, when set, is called once each request is answered
	// (a WebSocket once upgraded), with its method, the route that served
	// it, its status and how long it took: bayt serve's metrics count
	// requests with it. The route is the pattern a Routed mux matched,
	// path only ("/api/v1/cases/{id}"), or "unmatched": never the path
	// itself, so that what callers send cannot grow the metrics unbounded.
	ObserveFunc func(method, route string, status int, took time.Duration)
}

// hsts keeps browsers on HTTPS for a year once they have seen it. It
// leaves subdomains alone: they may belong to others in the city.
const hsts = "max-age=31536000"

// Middleware gives every request, whichever surface serves it, an id and
// a correlation id (taken from X-Correlation-ID only when it is a ULID or
// a UUID, so that no free text a caller sends is kept in the log), puts
// them in the request's metadata so that the events it records carry
// them, echoes both in the response, and logs the request once it is
// answered. It chooses the client's address (see ClientAddress), sets the
// headers every response carries, bounds the time writing a response may
// take, and compresses text for clients that accept gzip. A WebSocket
// upgrade is neither bounded nor compressed: its connection outlives the
// request, and the upgrader writes to it directly.
func Middleware(next http.Handler, cfg MiddlewareConfig) http.Handler {
	if next == nil || cfg.Logger == nil {
		panic("transport: missing dependency")
	}
	now := cfg.NowFunc
	if now == nil {
		now = time.Now
	}
	logger := cfg.Logger
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		reqID := newRequestID()
		corr, ok := correlationID(r.Header.Get("X-Correlation-ID"))
		if !ok {
			corr = reqID
		}
		o := originOf(r, cfg.TrustedProxies)
		meta := domain.Metadata{Actor: domain.Anonymous, RequestID: reqID, CorrelationID: corr}
		secure := r.TLS != nil || (o.peerTrusted && forwardedHTTPS(r))
		ctx := withSecure(withClient(domain.WithMetadata(r.Context(), meta), o.client), secure)
		var note *routeNote
		if cfg.ObserveFunc != nil {
			note = &routeNote{}
			ctx = context.WithValue(ctx, routeKey{}, note)
		}
		h := w.Header()
		h.Set("X-Request-ID", reqID)
		h.Set("X-Correlation-ID", corr)
		h.Set("X-Content-Type-Options", "nosniff")
		if secure {
			h.Set("Strict-Transport-Security", hsts)
		}
		upgrade := isWebSocket(r)
		// The deadline is the connection's and outlives the request: a
		// keep-alive connection that is then upgraded must lose it.
		deadline := time.Time{}
		if !upgrade && cfg.WriteTimeout > 0 {
			deadline = now().Add(cfg.WriteTimeout)
		}
		// A writer that cannot take deadlines (a recorder in tests) is
		// left without one.
		_ = http.NewResponseController(w).SetWriteDeadline(deadline)
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		var out http.ResponseWriter = sw
		var gw *gzipWriter
		if !upgrade && r.Method != http.MethodHead {
			gw = &gzipWriter{ResponseWriter: sw, accept: acceptsGzip(r)}
			out = gw
		}
		next.ServeHTTP(out, r.WithContext(ctx))
		if gw != nil {
			gw.finish()
		}
		took := time.Since(start)
		logger.LogAttrs(ctx, slog.LevelInfo, "request",
			slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Int("status", sw.status),
			slog.Duration("took", took), slog.String("request_id", reqID), slog.String("correlation_id", corr))
		if note != nil {
			cfg.ObserveFunc(r.Method, note.route(), sw.status, took)
		}
	})
}

// routeNote carries the pattern that served a request back up to the
// middleware: the muxes below it see copies of the request (each
// WithContext makes one), so the request's own Pattern field does not
// reach it.
type routeNote struct{ pattern string }

type routeKey struct{}

func (n *routeNote) route() string {
	if n.pattern == "" {
		return "unmatched"
	}
	// A pattern may begin with a method and a host: the route is its path.
	p := n.pattern
	if i := strings.IndexByte(p, ' '); i >= 0 {
		p = strings.TrimLeft(p[i+1:], " ")
	}
	if i := strings.IndexByte(p, '/'); i > 0 {
		p = p[i:]
	}
	return p
}

// Routed notes, for the middleware's ObserveFunc, the pattern mux matched.
// Muxes nest (the API's inside the server's), and the innermost is the
// most precise: it returns first, so the first pattern noted is kept.
func Routed(mux http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mux.ServeHTTP(w, r)
		if n, ok := r.Context().Value(routeKey{}).(*routeNote); ok && n.pattern == "" {
			n.pattern = r.Pattern
		}
	})
}

// correlationID accepts a caller's correlation id only in the shapes
// programs generate, a ULID or a UUID, given back in canonical form:
// whatever else it held (a name, a phone number) would be kept in every
// event's metadata for good.
func correlationID(s string) (string, bool) {
	if id, err := ulid.ParseStrict(s); err == nil {
		return id.String(), true
	}
	if len(s) == 36 {
		if id, err := uuid.Parse(s); err == nil {
			return id.String(), true
		}
	}
	return "", false
}

// forwardedHTTPS reports whether the first proxy, the one the client
// reached, was reached over HTTPS.
func forwardedHTTPS(r *http.Request) bool {
	proto, _, _ := strings.Cut(r.Header.Get("X-Forwarded-Proto"), ",")
	return strings.EqualFold(strings.TrimSpace(proto), "https")
}

// isWebSocket reports whether r asks to become a WebSocket.
func isWebSocket(r *http.Request) bool {
	if !strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
		return false
	}
	for _, v := range r.Header.Values("Connection") {
		for _, t := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), "upgrade") {
				return true
			}
		}
	}
	return false
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the connection (flushing).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Hijack hands the connection to a WebSocket upgrade; the status logged is
// the 101 the upgrader writes itself.
func (w *statusWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	h, ok := w.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("connection cannot be hijacked")
	}
	w.status = http.StatusSwitchingProtocols
	return h.Hijack()
}

func newRequestID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// PrintableASCII reports whether s is 1..max printable ASCII characters:
// what a caller may put in a header that ends up in the log or a key.
func PrintableASCII(s string, max int) bool {
	if s == "" || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}
