package web

// consoleCaseRoutes registers the case workbench (/console/cases/{id}) and its actions.
func (s *Server) consoleCaseRoutes() {}
