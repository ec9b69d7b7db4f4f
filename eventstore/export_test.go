package eventstore

import "time"

// ExpireMemoryToken moves the expiry of m's token id back to at, as the
// clock passing its expiry would; Postgres tests do the same with UPDATE.
func ExpireMemoryToken(m *MemoryTokens, id string, at time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.byID[id].tok.ExpiresAt = at
}
