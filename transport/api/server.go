package api

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/citizenhouse/bayt/domain/campaign"
	"github.com/citizenhouse/bayt/domain/casefile"
	"github.com/citizenhouse/bayt/domain/directory"
	"github.com/citizenhouse/bayt/domain/organisation"
	"github.com/citizenhouse/bayt/transport"
	"github.com/citizenhouse/bayt/transport/photo"
)

// Config holds what the API needs; cmd/bayt fills it.
type Config struct {
	// Ephemeral says that nothing is kept: Bayt runs on the in-memory store
	// because no PostgreSQL was configured. /readyz says so.
	Ephemeral bool
	// ReadyFunc reports whether the server's dependencies answer.
	ReadyFunc func(ctx context.Context) error
	Logger    *slog.Logger
	Directory Directory
	Cases     CaseReader
	CaseList  CaseLister
	Vault     Vault
	// CaseService, CampaignService and OrganisationService change state:
	// every command goes through them.
	CaseService         *casefile.Service
	CampaignService     *campaign.Service
	OrganisationService *organisation.Service
	Tokens              Authenticator
	Idempotency         Idempotency
	Boards              Boards
	// The network of associations and its campaigns; nil leaves those
	// endpoints out.
	Campaigns     CampaignReader
	Organisations OrganisationReader
	Network       NetworkLister
	Resolved      ResolvedCounter
	// Figures serves /api/v1/stats/; nil leaves it out. Zone is the
	// city's time zone, whose months a period counts; UTC when nil.
	Figures Figures
	Zone    *time.Location
	// Live serves the WebSocket feed at /api/v1/live; nil leaves it out.
	Live http.Handler
	// Photos stores the photos PhotoProcessor re-encodes from uploads;
	// a nil Photos leaves the upload endpoints out.
	Photos         PhotoStore
	PhotoProcessor *photo.Processor
	// WriteLimit is the anonymous write limit, shared with the other
	// surfaces.
	WriteLimit *transport.Limiter
	// CaseFeeds and CampaignFeeds serve the Atom feeds under /feeds/;
	// nil leaves each out.
	CaseFeeds     CaseFeeds
	CampaignFeeds CampaignFeeds
	// Webhooks keeps the partners' hooks, which admins manage under
	// /api/v1/webhooks, and WebhookSecret derives a hook's signing
	// secret; a nil Webhooks leaves those endpoints out.
	Webhooks      WebhookStore
	WebhookSecret func(id string) string
	// PublicURL is where residents reach Bayt, which the feeds' links
	// name; the address a request came to when empty.
	PublicURL string
	// NowFunc is the clock; time.Now when nil.
	NowFunc func() time.Time
}

// Directory is the directory of categories and departments in force, which
// admins may edit while Bayt runs: every request reads it anew.
// *directory.Directory and *directory.Live implement it. Lookups are safe
// for concurrent use and never fail; the lists are copies.
//
// District finds a district by its code, names or spellings: a filter on
// district looks for the code of the district it names, which is what a
// case records of a district the directory knows.
type Directory interface {
	Category(code string) (directory.Category, bool)
	Department(code string) (directory.Department, bool)
	District(s string) (directory.District, bool)
	Categories() []directory.Category
	Departments() []directory.Department
	Districts() []directory.District
}

// districtCode is what a filter on district text looks for: the code of
// the district it names, or the text as written, which a case of a
// district the directory does not know keeps.
func (s *Server) districtCode(text string) string {
	if dist, ok := s.cfg.Directory.District(text); ok && text != "" {
		return dist.Code
	}
	return text
}

// Server serves the JSON API. It is built once by New and only read
// afterwards, so it is safe for concurrent use.
type Server struct {
	cfg Config
	log *slog.Logger
	mux *routeMux
	// routed is mux noting the pattern it matched for the metrics, and
	// guarded is routed behind the refusal of cross-site writes.
	routed, guarded http.Handler
}

// New returns a Server serving cfg.
func New(cfg Config) *Server {
	if cfg.Logger == nil || cfg.Directory == nil || cfg.Cases == nil || cfg.CaseList == nil ||
		cfg.Vault == nil || cfg.Tokens == nil || cfg.WriteLimit == nil || cfg.Idempotency == nil || cfg.Boards == nil || cfg.CaseService == nil ||
		(cfg.Campaigns != nil && (cfg.CampaignService == nil || cfg.OrganisationService == nil || cfg.Organisations == nil)) ||
		(cfg.Photos != nil && cfg.PhotoProcessor == nil) {
		panic("api: missing dependency")
	}
	if cfg.NowFunc == nil {
		cfg.NowFunc = time.Now
	}
	s := &Server{cfg: cfg, log: cfg.Logger, mux: &routeMux{ServeMux: http.NewServeMux()}}
	s.routes()
	s.routed = transport.Routed(s.mux)
	s.guarded = transport.NewCrossSite().Refuse(s.routed, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		writeProblemDoc(w, newProblem(http.StatusForbidden, codeForbidden, "cross-site request refused"))
	}))
	return s
}

func (s *Server) now() time.Time { return s.cfg.NowFunc().UTC() }

func (s *Server) routes() {
	s.mux.HandleFunc("GET /healthz", s.healthz)
	s.mux.HandleFunc("GET /readyz", s.readyz)
	s.mux.HandleFunc("GET /api/v1/categories", s.listCategories)
	s.mux.HandleFunc("GET /api/v1/departments", s.listDepartments)
	s.caseRoutes()
	s.photoRoutes()
	s.boardRoutes()
	s.exportRoutes()
	s.feedRoutes()
	s.webhookRoutes()
	s.networkRoutes()
	s.statsRoutes()
	s.referenceRoutes()
	s.mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeProblemDoc(w, newProblem(http.StatusNotFound, codeNotFound, "no such endpoint"))
	})
}

// ServeHTTP serves the API and the health endpoints. Requests reach it
// through transport.Middleware, which gives them their ids and logs them.
// A write a browser sends from another site is refused before it is
// routed.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/api/") {
		s.guarded.ServeHTTP(w, r)
		return
	}
	s.routed.ServeHTTP(w, r)
}

func (s *Server) healthz(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

type readiness struct {
	Status  string `json:"status"`
	Store   string `json:"store"`
	Kept    bool   `json:"persistent"`
	Warning string `json:"warning,omitempty"`
	Error   string `json:"error,omitempty"`
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	rd := readiness{Status: "ready", Store: "postgresql", Kept: true}
	if s.cfg.Ephemeral {
		rd.Store, rd.Kept, rd.Warning = "memory", false, transport.EphemeralWarning
	}
	if s.cfg.ReadyFunc != nil {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := s.cfg.ReadyFunc(ctx); err != nil {
			s.log.WarnContext(r.Context(), "not ready", "err", err)
			rd.Status, rd.Error = "unavailable", "a dependency does not answer"
			writeJSON(w, http.StatusServiceUnavailable, rd)
			return
		}
	}
	writeJSON(w, http.StatusOK, rd)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// validQuery refuses query parameters that are not text: invalid UTF-8 or
// control characters never match anything, and PostgreSQL refuses them.
func validQuery(r *http.Request) error {
	for name, values := range r.URL.Query() {
		for _, v := range values {
			if !utf8.ValidString(v) || strings.ContainsFunc(v, func(r rune) bool { return r < 0x20 }) {
				return malformed(name, "must be text")
			}
		}
	}
	return nil
}
