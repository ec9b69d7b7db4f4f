package api

import (
	"context"
	"crypto/sha256"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/transport"
	"github.com/citizenhouse/bayt/transport/webhook"
)

// WebhookStore keeps the partners' hooks and their delivery log. Create
// registers a hook; with an Idempotency-Key, a repeat of the same request
// (same requestHash) returns the first hook, and the same key with
// another request is an error wrapping domain.ErrInvalid. Get finds a
// removed hook too; Delete and Get of an unknown hook return an error
// wrapping domain.ErrNotFound.
type WebhookStore interface {
	Create(ctx context.Context, h webhook.Hook, key string, requestHash []byte) (webhook.Hook, bool, error)
	List(ctx context.Context) ([]webhook.Hook, error)
	Get(ctx context.Context, id string) (webhook.Hook, error)
	Delete(ctx context.Context, id string) error
	Deliveries(ctx context.Context, id string, limit int) ([]webhook.Delivery, error)
}

// deliveriesShown bounds the delivery log one read shows.
const deliveriesShown = 200

func (s *Server) webhookRoutes() {
	if s.cfg.Webhooks == nil {
		return
	}
	s.mux.HandleFunc("POST /api/v1/webhooks", s.createWebhook)
	s.mux.HandleFunc("GET /api/v1/webhooks", s.listWebhooks)
	s.mux.HandleFunc("GET /api/v1/webhooks/{id}", s.getWebhook)
	s.mux.HandleFunc("DELETE /api/v1/webhooks/{id}", s.deleteWebhook)
	s.mux.HandleFunc("GET /api/v1/webhooks/{id}/deliveries", s.webhookDeliveries)
}

// adminOnly answers a caller who is not an admin, and reports whether the
// caller is one.
func (s *Server) adminOnly(w http.ResponseWriter, r *http.Request) (domain.Actor, bool) {
	a, err := s.actor(r)
	switch {
	case err != nil:
		s.writeProblem(w, r, err)
	case a.Role == domain.RolePublic:
		s.writeProblem(w, r, domain.ErrUnauthenticated)
	case a.Role != domain.RoleAdmin:
		s.writeProblem(w, r, domain.Forbidden("admins only manage webhooks"))
	default:
		return a, true
	}
	return a, false
}

// webhookView is a hook as the admin API shows it; Secret only in the
// answer that registered it.
type webhookView struct {
	webhook.Hook
	Secret string `json:"secret,omitempty"`
}

type webhookRequest struct {
	URL         string `json:"url"`
	Description string `json:"description"`
	District    string `json:"district"`
	Category    string `json:"category"`
}

func (s *Server) createWebhook(w http.ResponseWriter, r *http.Request) {
	a, ok := s.adminOnly(w, r)
	if !ok {
		return
	}
	key := r.Header.Get("Idempotency-Key")
	if key != "" && !transport.PrintableASCII(key, 200) {
		s.writeProblem(w, r, malformed("Idempotency-Key", "1 to 200 printable ASCII characters"))
		return
	}
	body, err := readBody(r)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	var req webhookRequest
	if err := decodeStrict(body, &req); err != nil {
		s.writeProblem(w, r, err)
		return
	}
	if err := s.validWebhook(&req); err != nil {
		s.writeProblem(w, r, err)
		return
	}
	hash := sha256.Sum256(body)
	h, _, err := s.cfg.Webhooks.Create(r.Context(), webhook.Hook{
		URL: req.URL, Description: req.Description, District: s.districtCode(req.District), Category: req.Category, CreatedBy: a.Name,
	}, key, hash[:])
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/webhooks/"+h.ID)
	writeJSON(w, http.StatusCreated, webhookView{Hook: h, Secret: s.cfg.WebhookSecret(h.ID)})
}

// validWebhook checks a registration: an absolute http or https address,
// and a district or category the directory knows.
func (s *Server) validWebhook(req *webhookRequest) error {
	req.URL = strings.TrimSpace(req.URL)
	u, err := url.Parse(req.URL)
	switch {
	case req.URL == "":
		return domain.Invalid("url", "required")
	case len(req.URL) > 2000 || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || u.Fragment != "":
		return domain.Invalid("url", "an absolute http or https address without credentials, at most 2000 characters")
	case len(req.Description) > 500 || !printable(req.Description):
		return domain.Invalid("description", "at most 500 printable characters")
	case len(req.District) > 100 || !printable(req.District):
		return domain.Invalid("district", "at most 100 printable characters")
	}
	if req.Category != "" {
		if _, ok := s.cfg.Directory.Category(req.Category); !ok {
			return domain.Invalid("category", "not a category of the directory")
		}
	}
	return nil
}

func (s *Server) listWebhooks(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.adminOnly(w, r); !ok {
		return
	}
	hooks, err := s.cfg.Webhooks.List(r.Context())
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	if hooks == nil {
		hooks = []webhook.Hook{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": hooks})
}

func (s *Server) getWebhook(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.adminOnly(w, r); !ok {
		return
	}
	h, err := s.cfg.Webhooks.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, webhookView{Hook: h})
}

func (s *Server) deleteWebhook(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.adminOnly(w, r); !ok {
		return
	}
	if err := s.cfg.Webhooks.Delete(r.Context(), r.PathValue("id")); err != nil {
		s.writeProblem(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// webhookDeliveries answers the delivery log of one hook, newest event
// first: every event it was sent, how many attempts, the last answer.
func (s *Server) webhookDeliveries(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.adminOnly(w, r); !ok {
		return
	}
	id := r.PathValue("id")
	if _, err := s.cfg.Webhooks.Get(r.Context(), id); err != nil {
		s.writeProblem(w, r, err)
		return
	}
	ds, err := s.cfg.Webhooks.Deliveries(r.Context(), id, deliveriesShown)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	if ds == nil {
		ds = []webhook.Delivery{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": ds, "as_of": time.Now().UTC()})
}
