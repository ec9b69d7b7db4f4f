package web

// consoleCampaignRoutes registers the campaign workbench (/console/campaigns) and organisations (/console/organisations).
func (s *Server) consoleCampaignRoutes() {}
