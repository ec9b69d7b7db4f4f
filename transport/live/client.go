package live

import (
	"context"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

type message struct {
	position int64
	// frame is the event's JSON framed once for every client (see
	// textFrame).
	frame []byte
}

// textFrame returns data as one unmasked, uncompressed WebSocket text
// frame (RFC 6455, section 5.2), the form a server sends. The hub frames
// each event once, and a client's loop hands every frame it has pending
// to the kernel in one write: at thousands of clients an event costs one
// system call per client however far behind each is, instead of one per
// event and client, and a client that fell behind catches up in a single
// read.
func textFrame(data []byte) []byte {
	n := len(data)
	var head []byte
	switch {
	case n < 126:
		head = []byte{0x81, byte(n)}
	case n <= 0xFFFF:
		head = []byte{0x81, 126, byte(n >> 8), byte(n)}
	default:
		head = []byte{0x81, 127, 0, 0, 0, 0, byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}
	}
	return append(head, data...)
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

// writeFrames writes frames framed by textFrame in one system call (writev),
// straight to the socket. gorilla/websocket writes only this loop's
// heartbeats and catch-up, and its control frames (close, pong) from the
// reader; the socket takes each of those writes whole, so frames never
// interleave.
func (c *client) writeFrames(frames net.Buffers) error {
	n := int64(len(frames))
	nc := c.conn.NetConn()
	_ = nc.SetWriteDeadline(time.Now().Add(c.writeWait))
	if _, err := frames.WriteTo(nc); err != nil {
		return err
	}
	c.counts.frames.Add(n)
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
		frames := make(net.Buffers, 0, len(msgs))
		for _, m := range msgs {
			cursor++
			if m.position <= sent {
				continue
			}
			frames = append(frames, m.frame)
			sent = m.position
		}
		if len(frames) > 0 {
			if err := c.writeFrames(frames); err != nil {
				return
			}
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
