package api

import (
	"context"
	"net/http"
	"time"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/domain/casefile"
	"github.com/citizenhouse/bayt/projections/caselist"
)

// Boards reads the board and inbox read models.
type Boards interface {
	Board(ctx context.Context, now time.Time) (caselist.Board, error)
	Inbox(ctx context.Context, department string) ([]casefile.Case, error)
}

func (s *Server) boardRoutes() {
	s.mux.HandleFunc("GET /api/v1/boards/public", s.publicBoard)
	s.mux.HandleFunc("GET /api/v1/boards/inbox", s.inbox)
	if s.cfg.Live != nil {
		s.mux.Handle("GET /api/v1/live", s.cfg.Live)
	}
}

func (s *Server) publicBoard(w http.ResponseWriter, r *http.Request) {
	if _, err := s.actor(r); err != nil {
		s.writeProblem(w, r, err)
		return
	}
	b, err := s.cfg.Boards.Board(r.Context(), s.now())
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, b)
}

type inboxView struct {
	Department string     `json:"department"`
	Open       int        `json:"open"`
	Overdue    int        `json:"overdue"`
	Items      []caseView `json:"items"`
}

// inbox is a department's open cases: for its own officers, advocates and
// admins; never the public.
func (s *Server) inbox(w http.ResponseWriter, r *http.Request) {
	r, actor, err := s.withActor(r)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	dept := r.URL.Query().Get("department")
	if dept == "" && actor.Role == domain.RoleOfficer {
		dept = actor.Department
	}
	switch {
	case actor.Role == domain.RolePublic:
		s.writeProblem(w, r, domain.ErrUnauthenticated)
		return
	case actor.Role == domain.RoleOfficer && actor.Department != dept:
		s.writeProblem(w, r, domain.Forbidden("an officer reads the inbox of their own department only"))
		return
	case !actor.Role.Staff() && actor.Role != domain.RoleOfficer:
		s.writeProblem(w, r, domain.Forbidden("staff only"))
		return
	}
	if _, ok := s.cfg.Directory.Department(dept); !ok {
		s.writeProblem(w, r, domain.Invalid("department", "unknown department"))
		return
	}
	cases, err := s.cfg.Boards.Inbox(r.Context(), dept)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	now := s.now()
	v := inboxView{Department: dept, Items: make([]caseView, 0, len(cases))}
	for i := range cases {
		cv := newCaseView(&cases[i], now)
		v.Open++
		if cv.Overdue {
			v.Overdue++
		}
		v.Items = append(v.Items, cv)
	}
	writeJSON(w, http.StatusOK, v)
}
