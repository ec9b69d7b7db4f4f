package eventstore

import "time"

// ExpireMemoryToken moves the expiry of m's token id back to at, as the
// clock passing its expiry would; Postgres tests do the same with UPDATE.
func ExpireMemoryToken(m *MemoryTokens, id string, at time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.byID[id].tok.ExpiresAt = at
}

// UnwrapKey opens a sealed data key, for tests that look for it in a dump.
func UnwrapKey(mk *MasterKey, sealed []byte, subject, id string) ([]byte, error) {
	return mk.unwrapKey(sealed, subject, id)
}

// SealWithKey seals data for subject under key, for tests that store a
// record the way it was stored before data keys were sealed.
func SealWithKey(key []byte, subject string, data PersonalData) (nonce, ciphertext []byte, err error) {
	return seal(key, subject, data)
}
