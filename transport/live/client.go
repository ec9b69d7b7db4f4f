package live

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

type message struct {
	position int64
	data     []byte
	// prepared is data framed once for every client.
	prepared *websocket.PreparedMessage
}

// client is one WebSocket connection, with one reader goroutine and one
// writer loop, as gorilla/websocket requires.
type client struct {
	conn *websocket.Conn
	once sync.Once
	// counts are the hub's, which the client adds its frames and its
	// being dropped to.
	counts *counts
	// writeWait bounds one write; a client that takes nothing for that
	// long is dropped without a close frame.
	writeWait time.Duration
}

// close sends a close frame and closes the connection, once.
func (c *client) close(code int, reason string) {
	c.once.Do(func() {
		_ = c.conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), time.Now().Add(time.Second))
		_ = c.conn.Close()
	})
}

func (c *client) write(data []byte) error {
	_ = c.conn.SetWriteDeadline(time.Now().Add(c.writeWait))
	if err := c.conn.WriteMessage(websocket.TextMessage, data); err != nil {
		return err
	}
	c.counts.frames.Add(1)
	return nil
}

// follow writes the ring's messages from cursor on, skipping events at or
// below sent (already written during catch-up), with heartbeats, until ctx
// ends, the connection fails or the client falls out of the ring.
func (c *client) follow(ctx context.Context, r *ring, cursor, sent int64, heartbeat time.Duration) {
	beat := time.NewTicker(heartbeat)
	defer beat.Stop()
	for {
		msgs, bell, lost := r.read(cursor, 256)
		if lost {
			c.counts.slow.Add(1)
			c.close(websocket.CloseTryAgainLater, "too slow: reconnect with since")
			return
		}
		for _, m := range msgs {
			cursor++
			if m.position <= sent {
				continue
			}
			_ = c.conn.SetWriteDeadline(time.Now().Add(c.writeWait))
			if err := c.conn.WritePreparedMessage(m.prepared); err != nil {
				return
			}
			c.counts.frames.Add(1)
			sent = m.position
		}
		if len(msgs) > 0 {
			continue
		}
		select {
		case <-ctx.Done():
			c.close(websocket.CloseGoingAway, "server shutting down")
			return
		case <-bell:
		case <-beat.C:
			if err := c.write(heartbeatJSON(r.position())); err != nil {
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

// counts are a hub's running totals, read by Stats.
type counts struct {
	frames, slow atomic.Int64
}
