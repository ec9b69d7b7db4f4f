package live

import (
	"context"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

const writeWait = 10 * time.Second

type message struct {
	position  int64
	data      []byte
	heartbeat bool
}

// client is one WebSocket connection: the hub offers it messages, its
// write loop sends them. One reader and one writer goroutine per
// connection, as gorilla/websocket requires.
type client struct {
	conn  *websocket.Conn
	queue chan message
	done  chan struct{}

	mu      sync.Mutex
	sent    int64 // position of the last event written; later ones only
	ready   bool  // catch-up finished: queue may be drained
	dropped bool
}

func newClient(conn *websocket.Conn, size int) *client {
	return &client{conn: conn, queue: make(chan message, size), done: make(chan struct{})}
}

// offer queues m without blocking; a full queue drops the client.
func (c *client) offer(m message) {
	select {
	case c.queue <- m:
	default:
		c.drop(websocket.CloseTryAgainLater, "too slow: reconnect with since")
	}
}

// drop closes the connection once with a close frame.
func (c *client) drop(code int, reason string) {
	c.mu.Lock()
	if c.dropped {
		c.mu.Unlock()
		return
	}
	c.dropped = true
	c.mu.Unlock()
	close(c.done)
	// WriteControl may be called concurrently with the writer.
	_ = c.conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), time.Now().Add(time.Second))
	_ = c.conn.Close()
}

func (c *client) setSent(pos int64) {
	c.mu.Lock()
	c.sent, c.ready = pos, true
	c.mu.Unlock()
}

// writeNow writes during catch-up, before the write loop runs.
func (c *client) writeNow(data []byte) error {
	_ = c.conn.SetWriteDeadline(time.Now().Add(writeWait))
	return c.conn.WriteMessage(websocket.TextMessage, data)
}

// writeLoop sends queued messages, skipping events at or below what
// catch-up already sent, until ctx ends or the client is dropped.
func (c *client) writeLoop(ctx context.Context, heartbeat time.Duration) {
	defer c.drop(websocket.CloseNormalClosure, "")
	for {
		select {
		case <-ctx.Done():
			return
		case <-c.done:
			return
		case m := <-c.queue:
			if !m.heartbeat {
				c.mu.Lock()
				skip := m.position <= c.sent
				if !skip {
					c.sent = m.position
				}
				c.mu.Unlock()
				if skip {
					continue
				}
			}
			if err := c.writeNow(m.data); err != nil {
				return
			}
		}
	}
}

// readLoop discards what the client sends (it may only close or pong) and
// cancels when the connection ends.
func (c *client) readLoop(cancel context.CancelFunc) {
	defer cancel()
	c.conn.SetReadLimit(4096)
	for {
		if _, _, err := c.conn.ReadMessage(); err != nil {
			return
		}
	}
}
