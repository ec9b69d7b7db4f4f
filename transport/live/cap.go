package live

import "sync"

// Cap bounds the live connections of each client address. One Cap is
// shared by every hub of a server, so that the bound holds across boards.
// It is safe for concurrent use; a nil *Cap bounds nothing.
type Cap struct {
	max int
	mu  sync.Mutex
	n   map[string]int
}

// NewCap returns a Cap of perAddress connections per client address; 0 or
// less returns nil, no bound.
func NewCap(perAddress int) *Cap {
	if perAddress <= 0 {
		return nil
	}
	return &Cap{max: perAddress, n: map[string]int{}}
}

// take counts one more connection from addr, or reports false when addr
// is at the bound.
func (c *Cap) take(addr string) bool {
	if c == nil {
		return true
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n[addr] >= c.max {
		return false
	}
	c.n[addr]++
	return true
}

// give counts one connection from addr fewer.
func (c *Cap) give(addr string) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n[addr]--; c.n[addr] <= 0 {
		delete(c.n, addr) // the map holds only addresses that are connected
	}
}
