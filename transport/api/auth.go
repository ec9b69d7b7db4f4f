package api

import (
	"context"
	"net/http"
	"strings"

	"github.com/citizenhouse/bayt/domain"
)

// Authenticator resolves a bearer token to the actor it belongs to. It
// returns domain.ErrUnauthenticated for an unknown or revoked token.
type Authenticator interface {
	Authenticate(ctx context.Context, secret string) (domain.Actor, error)
}

// actor returns who is calling: the bearer token's actor, or the anonymous
// public. A token that is sent but not valid is an error, never a silent
// downgrade to anonymous.
func (s *Server) actor(r *http.Request) (domain.Actor, error) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return domain.Anonymous, nil
	}
	scheme, secret, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || secret == "" {
		return domain.Actor{}, domain.ErrUnauthenticated
	}
	return s.cfg.Tokens.Authenticate(r.Context(), strings.TrimSpace(secret))
}

// withActor authenticates r and puts the actor in its context's metadata.
func (s *Server) withActor(r *http.Request) (*http.Request, domain.Actor, error) {
	a, err := s.actor(r)
	if err != nil {
		return r, a, err
	}
	meta := domain.MetadataFrom(r.Context())
	meta.Actor = a
	return r.WithContext(domain.WithMetadata(r.Context(), meta)), a, nil
}
