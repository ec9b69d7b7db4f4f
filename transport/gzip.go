package transport

import (
	"compress/gzip"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// minGzip is the smallest declared body worth compressing: below it the
// gzip header and trailer eat most of the gain.
const minGzip = 512

var gzipWriters = sync.Pool{New: func() any { return gzip.NewWriter(nil) }}

// acceptsGzip reports whether the request's Accept-Encoding allows gzip,
// by name or by "*", with a quality above zero.
func acceptsGzip(r *http.Request) bool {
	for _, v := range r.Header.Values("Accept-Encoding") {
		for _, part := range strings.Split(v, ",") {
			coding, params, _ := strings.Cut(part, ";")
			coding = strings.ToLower(strings.TrimSpace(coding))
			if coding != "gzip" && coding != "*" {
				continue
			}
			q := 1.0
			if k, val, ok := strings.Cut(strings.TrimSpace(params), "="); ok && strings.TrimSpace(k) == "q" {
				if f, err := strconv.ParseFloat(strings.TrimSpace(val), 64); err == nil {
					q = f
				}
			}
			return q > 0
		}
	}
	return false
}

// compressible reports whether a response of this status and these
// headers is text worth compressing: pages, JSON, scripts, styles, SVG.
// Images and fonts are compressed already; ranges and answers without a
// body are left alone.
func compressible(status int, h http.Header) bool {
	if status < 200 || status == http.StatusNoContent || status == http.StatusNotModified ||
		status == http.StatusPartialContent || h.Get("Content-Encoding") != "" || h.Get("Content-Range") != "" {
		return false
	}
	if n, err := strconv.Atoi(h.Get("Content-Length")); err == nil && n < minGzip {
		return false
	}
	mt, _, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil {
		return false
	}
	switch {
	case strings.HasPrefix(mt, "text/"), strings.HasSuffix(mt, "+json"), strings.HasSuffix(mt, "+xml"):
		return true
	}
	switch mt {
	case "application/json", "application/javascript", "application/xml", "image/svg+xml":
		return true
	}
	return false
}

// gzipWriter compresses the response when, at its header, it turns out
// to be compressible and the client accepts gzip. A compressible response
// says it varies by Accept-Encoding whether or not it was compressed, so
// that a cache does not hand one client's encoding to another.
type gzipWriter struct {
	http.ResponseWriter
	accept  bool // the client accepts gzip
	decided bool
	gz      *gzip.Writer // nil when the response goes as it is
}

func (w *gzipWriter) WriteHeader(status int) {
	if w.decided || status < 200 {
		// An informational answer (103) comes before the real one.
		w.ResponseWriter.WriteHeader(status)
		return
	}
	w.decided = true
	h := w.Header()
	if compressible(status, h) {
		// One Vary line: readers of the first line (Header.Get) see the
		// handler's own reasons too.
		h.Set("Vary", strings.Join(append(h.Values("Vary"), "Accept-Encoding"), ", "))
		if w.accept {
			h.Del("Content-Length")
			h.Set("Content-Encoding", "gzip")
			w.gz = gzipWriters.Get().(*gzip.Writer)
			w.gz.Reset(w.ResponseWriter)
		}
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *gzipWriter) Write(b []byte) (int, error) {
	if !w.decided {
		// net/http would sniff the type of an untyped body, but not once
		// Content-Encoding is set: sniff here, on the same bytes.
		if _, typed := w.Header()["Content-Type"]; !typed && len(b) > 0 {
			w.Header().Set("Content-Type", http.DetectContentType(b))
		}
		w.WriteHeader(http.StatusOK)
	}
	if w.gz == nil {
		return w.ResponseWriter.Write(b)
	}
	return w.gz.Write(b)
}

// FlushError sends what is compressed so far; http.ResponseController
// finds it before unwrapping, so a flush never skips the compressor.
func (w *gzipWriter) FlushError() error {
	if !w.decided {
		w.WriteHeader(http.StatusOK)
	}
	if w.gz != nil {
		if err := w.gz.Flush(); err != nil {
			return err
		}
	}
	return http.NewResponseController(w.ResponseWriter).Flush()
}

// Unwrap lets http.ResponseController reach the connection (deadlines).
// Hijacking is not offered: a WebSocket upgrade never passes here.
func (w *gzipWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// finish writes the gzip trailer once the handler has returned.
func (w *gzipWriter) finish() {
	if w.gz == nil {
		return
	}
	// An error here is the client gone: nothing to tell it.
	_ = w.gz.Close()
	w.gz.Reset(nil)
	gzipWriters.Put(w.gz)
	w.gz = nil
}
