package live

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/citizenhouse/bayt/projections"
	"github.com/citizenhouse/bayt/transport"
	"github.com/gorilla/websocket"
)

// Feed is the read model the hub serves. FeedAfter returns encoded items
// after a position, in order, from a single writer (so a reader never
// skips one); Snapshot returns the board with the position it reflects.
type Feed interface {
	FeedAfter(ctx context.Context, after int64, limit int) ([]projections.FeedRecord, error)
	Snapshot(ctx context.Context, now time.Time) (position int64, board any, err error)
}

// Config tunes a Hub.
type Config struct {
	// AllowedOrigins lists the origins (scheme://host[:port]) browsers may
	// connect from. Empty allows the server's own host only. Requests
	// without an Origin header (not from a browser) are allowed.
	AllowedOrigins []string
	// QueueSize bounds each client's queue of unsent messages.
	QueueSize int
	// Heartbeat is the interval of heartbeat messages; at most 30 s.
	Heartbeat time.Duration
	// PollInterval bounds how long a missed doorbell delays delivery.
	PollInterval time.Duration
	// WriteWait bounds how long one write to a client may block before the
	// client is dropped; 10 s when zero. Tests lengthen it so that a
	// loaded machine does not turn "dropped behind" into "timed out".
	WriteWait time.Duration
	Logger    *slog.Logger
}

// Hub fans the public feed out to WebSocket clients.
type Hub struct {
	feed     Feed
	cfg      Config
	log      *slog.Logger
	upgrader websocket.Upgrader
	bell     chan struct{}
	ring     *ring
	clients  atomic.Int64
	// stop ends every client's loop when the hub stops.
	stop     chan struct{}
	stopOnce sync.Once
	// ready closes once the ring knows where the feed stands.
	ready chan struct{}
}

// NewHub returns a hub over feed; Run must be running for clients to get
// live events.
func NewHub(feed Feed, cfg Config) *Hub {
	if feed == nil {
		panic("live: nil feed")
	}
	if cfg.QueueSize <= 0 {
		cfg.QueueSize = 8192
	}
	if cfg.Heartbeat <= 0 || cfg.Heartbeat > 30*time.Second {
		cfg.Heartbeat = 25 * time.Second
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = time.Second
	}
	if cfg.WriteWait <= 0 {
		cfg.WriteWait = 10 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	h := &Hub{feed: feed, cfg: cfg, log: cfg.Logger, bell: make(chan struct{}, 1), ring: newRing(cfg.QueueSize), stop: make(chan struct{}), ready: make(chan struct{})}
	h.upgrader = websocket.Upgrader{
		ReadBufferSize:  1024,
		WriteBufferSize: 4096,
		CheckOrigin:     h.checkOrigin,
	}
	return h
}

// Notify tells the hub the feed may have moved. It never blocks.
func (h *Hub) Notify() {
	select {
	case h.bell <- struct{}{}:
	default:
	}
}

// Run reads the feed after each notice (or poll) and appends what is new
// to the ring, until ctx ends; then it closes every client.
func (h *Hub) Run(ctx context.Context) error {
	defer h.stopOnce.Do(func() { close(h.stop) })
	// Start from the feed's current end: clients read older items from the
	// read model themselves.
	for {
		pos, _, err := h.feed.Snapshot(ctx, time.Now())
		if err == nil {
			h.ring.start(pos)
			close(h.ready)
			break
		}
		h.log.Warn("read live feed", "err", err)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(h.cfg.PollInterval):
		}
	}
	poll := time.NewTicker(h.cfg.PollInterval)
	defer poll.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-h.bell:
		case <-poll.C:
		}
		if err := h.pump(ctx); err != nil && ctx.Err() == nil {
			h.log.Warn("read live feed", "err", err)
		}
	}
}

func (h *Hub) pump(ctx context.Context) error {
	for {
		items, err := h.feed.FeedAfter(ctx, h.ring.position(), 1000)
		if err != nil || len(items) == 0 {
			return err
		}
		msgs := make([]message, len(items))
		for i, it := range items {
			pm, err := websocket.NewPreparedMessage(websocket.TextMessage, it.JSON)
			if err != nil {
				return err
			}
			msgs[i] = message{position: it.Position, data: it.JSON, prepared: pm}
		}
		h.ring.append(msgs)
		if len(items) < 1000 {
			return nil
		}
	}
}

func heartbeatJSON(pos int64) []byte {
	return []byte(`{"type":"heartbeat","position":` + strconv.FormatInt(pos, 10) + `}`)
}

// Clients returns how many clients are connected.
func (h *Hub) Clients() int { return int(h.clients.Load()) }

func (h *Hub) checkOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil {
		return false
	}
	if len(h.cfg.AllowedOrigins) == 0 {
		return strings.EqualFold(u.Host, r.Host)
	}
	for _, o := range h.cfg.AllowedOrigins {
		if strings.EqualFold(strings.TrimRight(o, "/"), origin) {
			return true
		}
	}
	return false
}

type snapshotMessage struct {
	Type     string `json:"type"`
	Position int64  `json:"position"`
	Board    any    `json:"board"`
}

// Boards routes GET /api/v1/live to the hub of the board asked for
// (board=public when the parameter is absent).
type Boards map[string]*Hub

// ServeHTTP picks the hub of the board parameter.
func (b Boards) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("board")
	if name == "" {
		name = "public"
	}
	h, ok := b[name]
	if !ok {
		writeProblem(w, http.StatusUnprocessableEntity, "board", "unknown board")
		return
	}
	h.ServeHTTP(w, r)
}

// ServeHTTP upgrades GET /api/v1/live?since=N.
func (h *Hub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	since := int64(-1)
	if s := q.Get("since"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			writeProblem(w, http.StatusBadRequest, "since", "must be a position, 0 or more")
			return
		}
		since = n
	}
	select {
	case <-h.ready:
	case <-r.Context().Done():
		return
	case <-h.stop:
		http.Error(w, "shutting down", http.StatusServiceUnavailable)
		return
	}
	conn, err := h.upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader has answered
	}
	h.clients.Add(1)
	defer h.clients.Add(-1)
	c := &client{conn: conn, writeWait: h.cfg.WriteWait}
	// Whatever ends the connection (a failed write, a slow reader, the
	// server stopping), the client gets a close frame and the socket and
	// its reader are released; the first reason given wins.
	defer c.close(websocket.CloseTryAgainLater, "connection ended: reconnect with since")
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	go func() {
		select {
		case <-h.stop:
			cancel()
		case <-ctx.Done():
		}
	}()
	go c.readLoop(cancel)
	cursor, start := h.ring.cursor()
	sent, err := h.catchUp(ctx, c, since, start)
	if err != nil {
		c.close(transport.CloseCode(err), "feed unavailable")
		if ctx.Err() == nil {
			h.log.Warn("live catch-up", "err", err)
		}
		return
	}
	c.follow(ctx, h.ring, cursor, sent, h.cfg.Heartbeat)
}

// catchUp sends a snapshot (or nothing, with since) and then every item up
// to start, the hub's position when c registered; the hub sends the rest.
func (h *Hub) catchUp(ctx context.Context, c *client, since, start int64) (int64, error) {
	sent := since
	if since < 0 {
		pos, board, err := h.feed.Snapshot(ctx, time.Now())
		if err != nil {
			return 0, err
		}
		data, err := json.Marshal(snapshotMessage{Type: "snapshot", Position: pos, Board: board})
		if err != nil {
			return 0, err
		}
		if err := c.write(data); err != nil {
			return 0, err
		}
		sent = pos
	}
	for sent < start {
		items, err := h.feed.FeedAfter(ctx, sent, 1000)
		if err != nil {
			return 0, err
		}
		for _, it := range items {
			if it.Position > start {
				break
			}
			if err := c.write(it.JSON); err != nil {
				return 0, err
			}
			sent = it.Position
		}
		if len(items) < 1000 {
			break
		}
	}
	return max(sent, start), nil
}

// writeProblem answers a request refused before the upgrade, in the API's
// problem+json.
func writeProblem(w http.ResponseWriter, status int, field, detail string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"type": "https://bayt.example/problems/invalid_input", "title": "Invalid input", "status": status,
		"detail": detail, "code": "invalid_input", "field": field,
	})
}
