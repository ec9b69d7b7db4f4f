package api

import (
	"context"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

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

// rateLimiter allows each client address limit anonymous writes per
// minute, in fixed one-minute windows: simple, and enough to keep one
// client from flooding the public forms.
type rateLimiter struct {
	limit int
	mu    sync.Mutex
	start time.Time
	count map[string]int
}

func newRateLimiter(limit int) *rateLimiter {
	return &rateLimiter{limit: limit, count: map[string]int{}}
}

func (l *rateLimiter) allow(client string, now time.Time) bool {
	if l.limit <= 0 {
		return true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.start) >= time.Minute {
		l.start, l.count = now, map[string]int{}
	}
	if l.count[client] >= l.limit {
		return false
	}
	l.count[client]++
	return true
}

func clientAddress(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
