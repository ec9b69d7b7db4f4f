package web

import (
	"context"
	"html/template"
	"log/slog"
	"net/http"
	"time"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/domain/campaign"
	"github.com/citizenhouse/bayt/domain/casefile"
	"github.com/citizenhouse/bayt/domain/directory"
	"github.com/citizenhouse/bayt/domain/organisation"
	"github.com/citizenhouse/bayt/projections/caselist"
	"github.com/citizenhouse/bayt/projections/network"
	"github.com/citizenhouse/bayt/transport"
	"github.com/citizenhouse/bayt/transport/photo"
)

// CaseReader reads a case and its history. Both return an error of kind
// not found for an unknown case; they are safe for concurrent use.
type CaseReader interface {
	Load(ctx context.Context, id string) (*casefile.Case, int64, error)
	History(ctx context.Context, id string) (domain.History, error)
}

// CaseLister lists cases from the case list read model, which may lag the
// log by a moment. Number returns a case's public number ("" before the
// list has it); Tracked finds the case reported with a tracking token, an
// error of kind not found when the list has none.
type CaseLister interface {
	List(ctx context.Context, f caselist.Filter) (caselist.Page, error)
	Number(ctx context.Context, id string) (string, error)
	Tracked(ctx context.Context, token string) (string, error)
}

// Boards reads the public board's figures as of now.
type Boards interface {
	Board(ctx context.Context, now time.Time) (caselist.Board, error)
}

// Directory names categories, departments and districts in each
// language. District finds a district by its code, names or spellings.
type Directory interface {
	Category(code string) (directory.Category, bool)
	Department(code string) (directory.Department, bool)
	District(s string) (directory.District, bool)
	Categories() []directory.Category
	Departments() []directory.Department
	Districts() []directory.District
}

// Idempotency looks up a remembered answer. It returns nil when the key is
// new, and an invalid-input error when the key was used with another
// request.
type Idempotency interface {
	Idempotent(ctx context.Context, key string, requestHash []byte) (*domain.Response, error)
}

// CampaignReader reads a campaign and its history, like CaseReader.
type CampaignReader interface {
	Load(ctx context.Context, id string) (*campaign.Campaign, int64, error)
	History(ctx context.Context, id string) (domain.History, error)
}

// NetworkLister lists campaigns from the network read model, newest first,
// and organisations by name.
type NetworkLister interface {
	Campaigns(ctx context.Context, f network.CampaignFilter) (network.CampaignPage, error)
	Organisations(ctx context.Context, kind string) ([]organisation.Organisation, error)
}

// ResolvedCounter tells how many of some cases are resolved, from the
// case list, so a campaign's figure follows its cases live.
type ResolvedCounter interface {
	CountResolved(ctx context.Context, ids []string) (int, error)
}

// Config holds what the pages need; cmd/bayt fills it.
type Config struct {
	// Ephemeral says that nothing is kept: every page shows
	// transport.EphemeralWarning in its language.
	Ephemeral bool
	Logger    *slog.Logger
	Directory Directory
	Cases     CaseReader
	CaseList  CaseLister
	Boards    Boards
	// CaseService files the report form's cases: the one way a case is
	// reported, whichever surface it comes through.
	CaseService *casefile.Service
	Idempotency Idempotency
	// KeyedHashFunc is the domain's keyed hash (domain.Ports), which the
	// report form's remembered answers are keyed by.
	KeyedHashFunc func(purpose, text string) string
	// WriteLimit is the anonymous write limit, shared with the other
	// surfaces.
	WriteLimit *transport.Limiter
	// Campaigns, Network and Resolved serve the campaign pages; a nil
	// Campaigns leaves those pages out.
	Campaigns CampaignReader
	Network   NetworkLister
	Resolved  ResolvedCounter
	// Figures serves the figures page (/stats); nil leaves it out.
	Figures Figures
	// NowFunc is the clock; time.Now when nil.
	NowFunc func() time.Time
	// Location is the city's time zone (BAYT_TIMEZONE), which pages
	// show times in; UTC when nil.
	Location *time.Location

	// Staff signs staff into the console (/console); nil leaves the
	// console out. SessionIdle ends a session unused for that long (8
	// hours when zero).
	Staff       Staff
	SessionIdle time.Duration
	// Vault shows advocates and admins a reporter's contact details.
	Vault Vault
	// CampaignService and OrganisationService change campaigns and
	// organisations from the console; Organisations reads them.
	CampaignService     *campaign.Service
	OrganisationService *organisation.Service
	Organisations       OrganisationReader
	// DirectoryService edits the directory from the console and
	// DirectoryHistory reads its stream; a nil DirectoryService leaves
	// the directory page out.
	DirectoryService *directory.Service
	DirectoryHistory DirectoryHistory
	// Photos stores the photos PhotoProcessor re-encodes from the forms'
	// uploads, and serves them; a nil Photos leaves photos out.
	Photos         PhotoStore
	PhotoProcessor *photo.Processor

	// TileURL is the map tiles' URL template (see TileSource); empty
	// leaves the maps out. TileAttribution credits the tiles as their
	// licence asks, in HTML (an operator's setting, never a visitor's).
	// MapCenter is where a map with nothing to show opens;
	// DefaultMapCenter when nil.
	TileURL         string
	TileAttribution string
	MapCenter       *casefile.Location
}

// OrganisationReader reads an organisation and its history.
type OrganisationReader interface {
	Load(ctx context.Context, id string) (*organisation.Organisation, int64, error)
	History(ctx context.Context, id string) (domain.History, error)
}

// Server serves the pages. It is built once by New and only read
// afterwards, so it is safe for concurrent use.
type Server struct {
	cfg       Config
	log       *slog.Logger
	mux       *http.ServeMux
	routed    http.Handler // mux, noting the pattern it matched for the metrics
	crossSite *transport.CrossSite

	templates  map[string]*template.Template // page name -> layout and page
	messages   map[string]map[string]string  // language -> key -> text
	langs      []langLink                    // the switcher's languages, in order
	css        string                        // versioned URL of the stylesheet
	consoleCSS string                        // and of the console's
	static     http.Handler
	csp        string    // the pages' Content-Security-Policy
	mapAssets  mapAssets // what a page with a map loads
}

// New returns a Server serving cfg. It panics on a missing dependency, or
// on an embedded template that does not parse: both are programmer errors.
func New(cfg Config) *Server {
	if cfg.Logger == nil || cfg.Directory == nil || cfg.Cases == nil || cfg.CaseList == nil || cfg.Boards == nil ||
		cfg.CaseService == nil || cfg.Idempotency == nil || cfg.KeyedHashFunc == nil || cfg.WriteLimit == nil ||
		(cfg.Campaigns != nil && (cfg.Network == nil || cfg.Resolved == nil)) ||
		(cfg.Staff != nil && (cfg.Vault == nil || cfg.CampaignService == nil || cfg.OrganisationService == nil || cfg.Organisations == nil)) ||
		(cfg.DirectoryService != nil && cfg.DirectoryHistory == nil) || (cfg.Photos != nil && cfg.PhotoProcessor == nil) {
		panic("web: missing dependency")
	}
	if cfg.NowFunc == nil {
		cfg.NowFunc = time.Now
	}
	s := &Server{cfg: cfg, log: cfg.Logger, mux: http.NewServeMux(), crossSite: transport.NewCrossSite()}
	s.routed = transport.Routed(s.mux)
	s.parse()
	s.routes()
	return s
}

func (s *Server) now() time.Time { return s.cfg.NowFunc().UTC() }

// location is the city's time zone.
func (s *Server) location() *time.Location {
	if s.cfg.Location == nil {
		return time.UTC
	}
	return s.cfg.Location
}

// routes registers the pages of the API contract ("Pages"). Each group of pages (the
// cases, the campaigns, later the console) registers its own.
func (s *Server) routes() {
	s.mux.HandleFunc("GET /{$}", s.home)
	s.mux.HandleFunc("GET /cases/{id}", s.casePage)
	s.mux.HandleFunc("GET /report", s.reportForm)
	s.mux.HandleFunc("POST /report", s.submitReport)
	s.mux.HandleFunc("GET "+reportDonePath, s.reportedPage)
	s.mux.Handle("GET /static/", s.static)
	s.campaignRoutes()
	s.statsRoutes()
	s.findRoutes()
	s.consoleRoutes()
	s.photoRoutes()
	// Every other path (a mistyped address, /cases/ without an id) gets
	// the site's own page, in the reader's language, not a bare text 404.
	// GET only, so that another method on a page's path stays 405.
	s.mux.HandleFunc("GET /", func(w http.ResponseWriter, r *http.Request) {
		s.renderError(w, r, s.data(r, ""), http.StatusNotFound, "not_found")
	})
}

// ServeHTTP serves a page. Requests reach it through transport.Middleware,
// which gives them their ids and logs them.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.routed.ServeHTTP(w, r) }
