package live

import "sync"

// ring is the hub's recent messages, shared by every client: the hub
// appends, each client reads at its own cursor. A client whose cursor falls
// out of the ring has missed messages and must reconnect with since. One
// copy of each message serves every client, and a slow client costs the
// others nothing.
type ring struct {
	mu    sync.RWMutex
	buf   []message
	next  int64 // sequence number of the next message appended
	last  int64 // position of the newest event appended
	bell  chan struct{}
	limit int
}

func newRing(size int) *ring {
	return &ring{buf: make([]message, size), bell: make(chan struct{}), limit: size}
}

// append adds events in order and wakes every reader.
func (r *ring) append(msgs []message) {
	r.mu.Lock()
	for _, m := range msgs {
		r.buf[r.next%int64(r.limit)] = m
		r.next++
		r.last = m.position
	}
	close(r.bell)
	r.bell = make(chan struct{})
	r.mu.Unlock()
}

// start sets the position the ring begins after, before any reader.
func (r *ring) start(position int64) {
	r.mu.Lock()
	r.last = position
	r.mu.Unlock()
}

// cursor returns where a new reader starts and the position of the newest
// event it will not find in the ring, atomically.
func (r *ring) cursor() (next, last int64) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.next, r.last
}

// read returns up to max messages from cursor on, the channel that closes
// when more arrive, and whether the reader fell out of the ring.
func (r *ring) read(cursor int64, max int) (msgs []message, bell <-chan struct{}, lost bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if r.next-cursor > int64(r.limit) {
		return nil, r.bell, true
	}
	for c := cursor; c < r.next && len(msgs) < max; c++ {
		msgs = append(msgs, r.buf[c%int64(r.limit)])
	}
	return msgs, r.bell, false
}

// position returns the newest event's position.
func (r *ring) position() int64 {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.last
}
