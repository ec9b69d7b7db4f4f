package web

// consoleIntakeRoutes registers desk and phone intake (/console/intake).
func (s *Server) consoleIntakeRoutes() {}
