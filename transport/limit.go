package transport

import (
	"net/http"
	"sync"
	"time"
)

// MaxBody bounds every request body, JSON or form.
const MaxBody = 1 << 20

// Limiter allows each client (by ClientAddress) a number of anonymous
// writes per minute, in fixed one-minute windows: simple, and enough to
// keep one client from flooding the public forms. One Limiter is shared by every
// surface, so a client's budget is the same whether it posts JSON or a
// form.
type Limiter struct {
	limit int
	mu    sync.Mutex
	start time.Time
	count map[string]int
}

// NewLimiter returns a Limiter allowing perMinute writes per address; 0
// or less allows everything.
func NewLimiter(perMinute int) *Limiter {
	return &Limiter{limit: perMinute, count: map[string]int{}}
}

// Allow counts one write from r's client at now and reports whether it is
// within the limit. It is safe for concurrent use.
func (l *Limiter) Allow(r *http.Request, now time.Time) bool {
	if l.limit <= 0 {
		return true
	}
	client := ClientAddress(r)
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
