package api

import (
	_ "embed"
	"net/http"
	"slices"
)

// OpenAPI is the OpenAPI document of the JSON API. Every end-to-end test
// checks its exchanges against it, so it says what the server does.
//
//go:embed openapi.json
var OpenAPI []byte

// referenceCSP lets the reference's viewer run from this server alone: its
// script and the document come from here, and it writes its styles
// inline and runs its search in a worker it makes from a blob.
const referenceCSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
	"font-src 'self' data:; connect-src 'self'; worker-src blob:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// routeMux is a ServeMux that remembers the patterns registered on it, so
// that a test can hold the OpenAPI document to every route served.
type routeMux struct {
	*http.ServeMux
	patterns []string
}

func (m *routeMux) Handle(pattern string, h http.Handler) {
	m.patterns = append(m.patterns, pattern)
	m.ServeMux.Handle(pattern, h)
}

func (m *routeMux) HandleFunc(pattern string, h func(http.ResponseWriter, *http.Request)) {
	m.Handle(pattern, http.HandlerFunc(h))
}

// Routes returns the patterns the server serves, "METHOD /path" each,
// in the order they were registered.
func (s *Server) Routes() []string { return slices.Clone(s.mux.patterns) }

func (s *Server) referenceRoutes() {
	s.mux.HandleFunc("GET /api/v1/openapi.json", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		_, _ = w.Write(OpenAPI)
	})
	s.mux.HandleFunc("GET /api/docs", serveReference("text/html; charset=utf-8", referencePage))
	s.mux.HandleFunc("GET /api/docs/reference.js", serveReference("text/javascript; charset=utf-8", referenceScript))
	s.mux.HandleFunc("GET /api/docs/redoc.standalone.js", serveReference("text/javascript; charset=utf-8", redocBundle))
}

//go:embed reference/index.html
var referencePage []byte

//go:embed reference/reference.js
var referenceScript []byte

// redocBundle is Redoc's standalone bundle, vendored with its licence
// beside it (reference/LICENSE): the reference works offline, and no
// third party learns who reads it.
//
//go:embed reference/redoc.standalone.js
var redocBundle []byte

func serveReference(contentType string, body []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		h := w.Header()
		h.Set("Content-Type", contentType)
		h.Set("Content-Security-Policy", referenceCSP)
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-cache")
		_, _ = w.Write(body)
	}
}
