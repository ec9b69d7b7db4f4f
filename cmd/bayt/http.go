package main

import (
	"net/http"
	"time"

	"github.com/citizenhouse/bayt/domain/casefile"
	"github.com/citizenhouse/bayt/domain/directory"
	"github.com/citizenhouse/bayt/transport"
	"github.com/citizenhouse/bayt/transport/api"
	"github.com/citizenhouse/bayt/transport/mail"
	"github.com/citizenhouse/bayt/transport/open311"
	"github.com/citizenhouse/bayt/transport/web"
)

// apiPaths are what the JSON API serves; the pages serve everything else.
// Each is a path pattern without a method, so that a wrong method reaches
// the surface that owns the path and is answered there.
var apiPaths = [...]string{"/api/", "/feeds/", "/healthz", "/readyz"}

// newHandler composes Bayt's public surfaces into the one handler the
// server runs: the JSON API (apiServer, built from cfg) and the health
// endpoints, Open311 under /open311/, the pages for the rest, all behind the middleware every
// request passes. A new surface is mounted here on paths of its own.
func newHandler(apiServer *api.Server, cfg api.Config, pages pageDeps, civic open311Deps, edge transport.MiddlewareConfig) http.Handler {
	mux := http.NewServeMux()
	for _, p := range apiPaths {
		mux.Handle(p, withBudget(apiServer))
	}
	if pages.unsubscribe != nil {
		mux.Handle(mail.UnsubscribePath, withBudget(pages.unsubscribe))
	}
	mux.Handle("/open311/", withBudget(open311.New(open311.Config{
		Logger: cfg.Logger, Directory: civic.directory, Cases: cfg.Cases, CaseList: cfg.CaseList,
		CaseService: cfg.CaseService, WriteLimit: cfg.WriteLimit, Keys: civic.keys, NowFunc: cfg.NowFunc,
	})))
	mux.Handle("/", withBudget(web.New(webConfig(cfg, pages))))
	edge.Logger = cfg.Logger
	return transport.Middleware(transport.Routed(mux), edge)
}

// open311Deps are what Open311 needs beyond the API's configuration: the
// directory with its districts, and the keys that may post requests.
type open311Deps struct {
	directory open311.Directory
	keys      []string
}

// pageDeps are what the pages need beyond the API's configuration: the
// case list's lookups, the services' keyed hash, the staff console's door, the directory's
// service and history for its admins, and the photos' files.
type pageDeps struct {
	keyedHash        func(purpose, text string) string
	cases            web.CaseLister
	staff            web.Staff
	directory        *directory.Service
	directoryHistory web.DirectoryHistory
	sessionIdle      time.Duration
	// location is the city's time zone, which pages show times in.
	location *time.Location
	// photos serves the photos the API and the forms store.
	photos web.PhotoStore
	// The maps' tiles, their credit and where they open.
	tileURL, tileAttribution string
	mapCenter                *casefile.Location
	// unsubscribe serves the links at the foot of every mail.
	unsubscribe http.Handler
}

// webConfig gives the pages what they read and write through, the same
// stores, services and keyed hash as the API's.
func webConfig(c api.Config, pages pageDeps) web.Config {
	w := web.Config{
		Ephemeral: c.Ephemeral, Logger: c.Logger, Directory: c.Directory,
		Cases: c.Cases, CaseList: pages.cases, Boards: c.Boards, Figures: c.Figures,
		CaseService: c.CaseService, Idempotency: c.Idempotency, KeyedHashFunc: pages.keyedHash,
		WriteLimit: c.WriteLimit, NowFunc: c.NowFunc, Location: pages.location,
		TileURL: pages.tileURL, TileAttribution: pages.tileAttribution, MapCenter: pages.mapCenter,
	}
	if pages.photos != nil {
		w.Photos, w.PhotoProcessor = pages.photos, c.PhotoProcessor
	}
	if c.Campaigns != nil {
		w.Campaigns, w.Network, w.Resolved = c.Campaigns, c.Network, c.Resolved
		if pages.staff != nil {
			w.Staff, w.Vault, w.SessionIdle = pages.staff, c.Vault, pages.sessionIdle
			w.CampaignService, w.OrganisationService, w.Organisations = c.CampaignService, c.OrganisationService, c.Organisations
			w.DirectoryService, w.DirectoryHistory = pages.directory, pages.directoryHistory
		}
	}
	return w
}
