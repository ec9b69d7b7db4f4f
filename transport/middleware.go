package transport

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/citizenhouse/bayt/domain"
)

// Middleware gives every request, whichever surface serves it, an id and
// a correlation id (taken from X-Correlation-ID when the caller sends a
// usable one), puts them in the request's metadata so that the events it
// records carry them, echoes both in the response, and logs the request
// once it is answered.
func Middleware(next http.Handler, logger *slog.Logger) http.Handler {
	if next == nil || logger == nil {
		panic("transport: missing dependency")
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		reqID := newRequestID()
		corr := r.Header.Get("X-Correlation-ID")
		if !PrintableASCII(corr, 100) {
			corr = reqID
		}
		meta := domain.Metadata{Actor: domain.Anonymous, RequestID: reqID, CorrelationID: corr}
		ctx := domain.WithMetadata(r.Context(), meta)
		w.Header().Set("X-Request-ID", reqID)
		w.Header().Set("X-Correlation-ID", corr)
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r.WithContext(ctx))
		logger.LogAttrs(ctx, slog.LevelInfo, "request",
			slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Int("status", sw.status),
			slog.Duration("took", time.Since(start)), slog.String("request_id", reqID), slog.String("correlation_id", corr))
	})
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
