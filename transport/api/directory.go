package api

import (
	"net/http"
)

func (s *Server) listCategories(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, s.cfg.Directory.Categories())
}

func (s *Server) listDepartments(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, s.cfg.Directory.Departments())
}
