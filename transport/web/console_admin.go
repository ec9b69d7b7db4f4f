package web

// consoleAdminRoutes registers the admin pages: tokens (/console/tokens) and the directory (/console/directory).
func (s *Server) consoleAdminRoutes() {}
