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

// Waiting returns how many updates of stream hold or wait for its turn in
// s, for tests that must know updates really raced.
func Waiting(s Streams, stream string) int {
	n, _ := waiting(s, stream)
	return n
}

// AwaitWaiting returns once n updates of stream hold or wait for its turn.
func AwaitWaiting(s Streams, stream string, n int) {
	for {
		got, joined := waiting(s, stream)
		if got >= n {
			return
		}
		<-joined
	}
}

func waiting(s Streams, stream string) (int, <-chan struct{}) {
	t := s.streamTurns()
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.joined == nil {
		t.joined = make(chan struct{})
	}
	if tn := t.streams[stream]; tn != nil {
		return tn.users, t.joined
	}
	return 0, t.joined
}
