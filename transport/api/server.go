package api

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/domain/campaign"
	"github.com/citizenhouse/bayt/domain/casefile"
	"github.com/citizenhouse/bayt/domain/directory"
	"github.com/citizenhouse/bayt/domain/organisation"
)

// Config holds what the server needs; cmd/bayt fills it.
type Config struct {
	// Ephemeral says that nothing is kept: Bayt runs on the in-memory store
	// because no PostgreSQL was configured. Every page and /readyz say so.
	Ephemeral bool
	// ReadyFunc reports whether the server's dependencies answer.
	ReadyFunc func(ctx context.Context) error
	Logger    *slog.Logger
	Directory *directory.Directory
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
	// Live serves the WebSocket feed at /api/v1/live; nil leaves it out.
	Live http.Handler
	// PublicWriteLimit is the anonymous writes per minute per client
	// address; 0 turns the limit off.
	PublicWriteLimit int
	// NowFunc is the clock; time.Now when nil.
	NowFunc func() time.Time
}

// Server is Bayt's HTTP handler.
type Server struct {
	cfg     Config
	log     *slog.Logger
	mux     *http.ServeMux
	limiter *rateLimiter
	// crossOrigin refuses unsafe requests a browser sends from another
	// site; requests from programs (no Origin, no Sec-Fetch-Site) pass.
	crossOrigin *http.CrossOriginProtection
}

// New returns a Server serving cfg.
func New(cfg Config) *Server {
	if cfg.Logger == nil || cfg.Directory == nil || cfg.Cases == nil || cfg.CaseList == nil ||
		cfg.Vault == nil || cfg.Tokens == nil || cfg.Idempotency == nil || cfg.Boards == nil || cfg.CaseService == nil ||
		(cfg.Campaigns != nil && (cfg.CampaignService == nil || cfg.OrganisationService == nil || cfg.Organisations == nil)) {
		panic("api: missing dependency")
	}
	if cfg.NowFunc == nil {
		cfg.NowFunc = time.Now
	}
	s := &Server{cfg: cfg, log: cfg.Logger, mux: http.NewServeMux(), limiter: newRateLimiter(cfg.PublicWriteLimit),
		crossOrigin: http.NewCrossOriginProtection()}
	s.routes()
	return s
}

func (s *Server) now() time.Time { return s.cfg.NowFunc().UTC() }

// EphemeralWarning is what Bayt says, at start and on every page, when it
// runs without a database.
const EphemeralWarning = "Bayt is running on the in-memory store: nothing is kept when it stops. " +
	"Install PostgreSQL (apt-get install postgresql) and run make run again, or set DATABASE_URL."

func (s *Server) routes() {
	s.mux.HandleFunc("GET /healthz", s.healthz)
	s.mux.HandleFunc("GET /readyz", s.readyz)
	s.mux.HandleFunc("GET /api/v1/categories", s.listCategories)
	s.mux.HandleFunc("GET /api/v1/departments", s.listDepartments)
	s.caseRoutes()
	s.boardRoutes()
	s.networkRoutes()
	s.pageRoutes()
	s.mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeProblemDoc(w, newProblem(http.StatusNotFound, codeNotFound, "no such endpoint"))
	})
}

// ServeHTTP gives every request an id and a correlation id (taken from
// X-Correlation-ID when the caller sends one), logs it, and routes it.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	reqID := newRequestID()
	corr := r.Header.Get("X-Correlation-ID")
	if !printableASCII(corr, 100) {
		corr = reqID
	}
	meta := domain.Metadata{Actor: domain.Anonymous, RequestID: reqID, CorrelationID: corr}
	ctx := domain.WithMetadata(r.Context(), meta)
	w.Header().Set("X-Request-ID", reqID)
	w.Header().Set("X-Correlation-ID", corr)
	sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
	// A browser on another site may not make visitors write: reports,
	// supports and signatures are anonymous, so a cross-site request
	// would borrow the visitor's address (and its write limit).
	// The pages check their own form posts and answer with a page.
	if err := s.crossOrigin.Check(r); err != nil && strings.HasPrefix(r.URL.Path, "/api/") {
		writeProblemDoc(sw, newProblem(http.StatusForbidden, codeForbidden, "cross-site request refused"))
	} else {
		s.mux.ServeHTTP(sw, r.WithContext(ctx))
	}
	s.log.LogAttrs(ctx, slog.LevelInfo, "request",
		slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Int("status", sw.status),
		slog.Duration("took", time.Since(start)), slog.String("request_id", reqID), slog.String("correlation_id", corr))
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
		rd.Store, rd.Kept, rd.Warning = "memory", false, EphemeralWarning
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

// printableASCII reports whether s is 1..max printable ASCII characters:
// what a caller may put in a header that ends up in the log.
func printableASCII(s string, max int) bool {
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
