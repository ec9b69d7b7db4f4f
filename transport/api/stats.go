package api

import (
	"context"
	"net/http"
	"time"

	"github.com/citizenhouse/bayt/projections/stats"
)

// Figures reads the figures' read model. Each query aggregates as of the
// read model's checkpoint; an invalid filter is an error of kind invalid.
// They are safe for concurrent use.
type Figures interface {
	Needs(ctx context.Context, f stats.NeedsFilter) (stats.Needs, error)
	Responsiveness(ctx context.Context, p stats.Period, now time.Time) ([]stats.DepartmentMonth, error)
	Campaigns(ctx context.Context, p stats.Period) (stats.Campaigns, error)
}

func (s *Server) statsRoutes() {
	if s.cfg.Figures == nil {
		return
	}
	s.mux.HandleFunc("GET /api/v1/stats/needs", s.needs)
	s.mux.HandleFunc("GET /api/v1/stats/responsiveness", s.responsiveness)
	s.mux.HandleFunc("GET /api/v1/stats/campaigns", s.campaignFigures)
}

// period reads the query's from and to; it answers the problem itself and
// returns false when the request is refused.
func (s *Server) period(w http.ResponseWriter, r *http.Request) (stats.Period, bool) {
	if _, err := s.actor(r); err != nil {
		s.writeProblem(w, r, err)
		return stats.Period{}, false
	}
	if err := validQuery(r); err != nil {
		s.writeProblem(w, r, err)
		return stats.Period{}, false
	}
	q := r.URL.Query()
	p, err := stats.NewPeriod(q.Get("from"), q.Get("to"), s.now(), s.zone())
	if err != nil {
		s.writeProblem(w, r, err)
		return stats.Period{}, false
	}
	return p, true
}

func (s *Server) zone() *time.Location {
	if s.cfg.Zone == nil {
		return time.UTC
	}
	return s.cfg.Zone
}

func (s *Server) needs(w http.ResponseWriter, r *http.Request) {
	p, ok := s.period(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	n, err := s.cfg.Figures.Needs(r.Context(), stats.NeedsFilter{Period: p, District: s.districtCode(q.Get("district")), Theme: q.Get("theme")})
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, n)
}

func (s *Server) responsiveness(w http.ResponseWriter, r *http.Request) {
	p, ok := s.period(w, r)
	if !ok {
		return
	}
	d, err := s.cfg.Figures.Responsiveness(r.Context(), p, s.now())
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		stats.Period
		Departments []stats.DepartmentMonth `json:"departments"`
	}{p, d})
}

func (s *Server) campaignFigures(w http.ResponseWriter, r *http.Request) {
	p, ok := s.period(w, r)
	if !ok {
		return
	}
	c, err := s.cfg.Figures.Campaigns(r.Context(), p)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}
