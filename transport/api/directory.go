package api

import (
	"net/http"
)

func (s *Server) listCategories(w http.ResponseWriter, r *http.Request) {
	if _, err := s.actor(r); err != nil {
		s.writeProblem(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s.cfg.Directory.Categories())
}

func (s *Server) listDepartments(w http.ResponseWriter, r *http.Request) {
	if _, err := s.actor(r); err != nil {
		s.writeProblem(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s.cfg.Directory.Departments())
}
