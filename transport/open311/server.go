package open311

import (
	"context"
	"crypto/subtle"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/domain/casefile"
	"github.com/citizenhouse/bayt/domain/directory"
	"github.com/citizenhouse/bayt/projections/caselist"
	"github.com/citizenhouse/bayt/transport"
)

// Config holds what the Open311 endpoint needs; cmd/bayt fills it.
type Config struct {
	Logger    *slog.Logger
	Directory Directory
	Cases     CaseReader
	CaseList  CaseLister
	// CaseService records the requests posted here.
	CaseService *casefile.Service
	// WriteLimit is the anonymous write limit, shared with the other
	// surfaces: a client posting here spends the same budget as on the
	// report form.
	WriteLimit *transport.Limiter
	// Keys are the api_key values a client must post with a request; none
	// lets anyone post, as on the report form.
	Keys []string
	// NowFunc is the clock; time.Now when nil.
	NowFunc func() time.Time
}

// Directory is the directory in force: services are its categories,
// agencies its departments, and the district attribute its districts.
// *directory.Live implements it.
type Directory interface {
	Category(code string) (directory.Category, bool)
	Department(code string) (directory.Department, bool)
	District(s string) (directory.District, bool)
	Categories() []directory.Category
	Districts() []directory.District
}

// CaseReader reads one case and its history from its stream.
type CaseReader interface {
	Load(ctx context.Context, id string) (*casefile.Case, int64, error)
	History(ctx context.Context, id string) (domain.History, error)
}

// CaseLister lists cases from the case list read model.
type CaseLister interface {
	List(ctx context.Context, f caselist.Filter) (caselist.Page, error)
}

// Server serves Open311. It is built once by New and only read
// afterwards, so it is safe for concurrent use.
type Server struct {
	cfg     Config
	log     *slog.Logger
	handler http.Handler
}

// New returns a Server serving cfg. It panics on a missing dependency.
func New(cfg Config) *Server {
	if cfg.Logger == nil || cfg.Directory == nil || cfg.Cases == nil || cfg.CaseList == nil ||
		cfg.CaseService == nil || cfg.WriteLimit == nil {
		panic("open311: missing dependency")
	}
	if cfg.NowFunc == nil {
		cfg.NowFunc = time.Now
	}
	s := &Server{cfg: cfg, log: cfg.Logger}
	mux := http.NewServeMux()
	// A path segment holds the resource and its format ("services.xml"),
	// which a pattern's wildcard cannot split: each handler reads it.
	mux.HandleFunc("GET /open311/{file}", s.discovery)
	mux.HandleFunc("GET /open311/v2/{file}", s.collection)
	mux.HandleFunc("POST /open311/v2/{file}", s.postRequest)
	mux.HandleFunc("GET /open311/v2/services/{file}", s.serviceDefinition)
	mux.HandleFunc("GET /open311/v2/requests/{file}", s.request)
	mux.HandleFunc("GET /open311/v2/tokens/{file}", s.token)
	for _, p := range []string{"/open311/{file}", "/open311/v2/{file}", "/open311/v2/services/{file}", "/open311/v2/requests/{file}", "/open311/v2/tokens/{file}"} {
		mux.HandleFunc(p, s.methodNotAllowed)
	}
	mux.HandleFunc("/open311/", func(w http.ResponseWriter, r *http.Request) {
		s.writeErrors(w, r, formatOf(r.URL.Path), notFound("no such resource"))
	})
	routed := transport.Routed(mux)
	// The clients of Open311 are programs, which send no browser's
	// headers; a form another site makes a browser post is refused like
	// every other cross-site write.
	s.handler = transport.NewCrossSite().Refuse(routed, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.writeErrors(w, r, formatOf(r.URL.Path), apiError{Code: http.StatusForbidden, Description: "cross-site request refused"})
	}))
	return s
}

// ServeHTTP serves every path under /open311/.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

func (s *Server) now() time.Time { return s.cfg.NowFunc().UTC() }

// resource splits the path's last segment into the resource and its
// format. It answers 404 and returns ok false for a format Open311 does
// not have.
func (s *Server) resource(w http.ResponseWriter, r *http.Request) (name string, f format, ok bool) {
	name, ext, found := strings.Cut(r.PathValue("file"), ".")
	f, known := formats[ext]
	if !found || !known {
		s.writeErrors(w, r, formatXML, notFound("a resource ends in .json or .xml"))
		return "", f, false
	}
	return name, f, true
}

func (s *Server) methodNotAllowed(w http.ResponseWriter, r *http.Request) {
	allow := "GET, HEAD"
	if strings.HasPrefix(r.URL.Path, "/open311/v2/requests.") {
		allow = "GET, HEAD, POST"
	}
	w.Header().Set("Allow", allow)
	s.writeErrors(w, r, formatOf(r.URL.Path), apiError{Code: http.StatusMethodNotAllowed, Description: "method not allowed; use " + allow})
}

// collection serves GET discovery, services and requests.
func (s *Server) collection(w http.ResponseWriter, r *http.Request) {
	name, f, ok := s.resource(w, r)
	if !ok {
		return
	}
	switch name {
	case "discovery":
		s.writeDiscovery(w, r, f)
	case "services":
		s.services(w, r, f)
	case "requests":
		s.requests(w, r, f)
	default:
		s.writeErrors(w, r, f, notFound("no such resource"))
	}
}

// discovery serves /open311/discovery.*, where clients look first.
func (s *Server) discovery(w http.ResponseWriter, r *http.Request) {
	name, f, ok := s.resource(w, r)
	if !ok {
		return
	}
	if name != "discovery" {
		s.writeErrors(w, r, f, notFound("no such resource"))
		return
	}
	s.writeDiscovery(w, r, f)
}

// validKey reports whether key is one of the configured keys, or whether
// no key is needed.
func (s *Server) validKey(key string) bool {
	if len(s.cfg.Keys) == 0 {
		return true
	}
	found := 0
	for _, k := range s.cfg.Keys {
		found |= subtle.ConstantTimeCompare([]byte(k), []byte(key))
	}
	return found == 1
}

// baseURL is the server's own address as the client reached it, for the
// absolute addresses Open311 answers with.
func baseURL(r *http.Request) string {
	scheme := "http"
	if transport.Secure(r) {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
