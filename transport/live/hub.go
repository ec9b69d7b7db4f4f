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
	// Cap, when set, bounds how many live connections one client address
	// holds at once, across every hub sharing it; one more is refused with
	// 429. Nil sets no bound.
	Cap    *Cap
	Logger *slog.Logger
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
	// stopped is done when stop closes: every connection's context.
	stopped     context.Context
	markStopped context.CancelFunc
	// conns counts the goroutines serving connections, which Run waits
	// for once it has stopped them.
	conns  sync.WaitGroup
	counts counts
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
	h.stopped, h.markStopped = context.WithCancel(context.Background())
	h.upgrader = websocket.Upgrader{
		// A client only ever sends close and pong frames: a small read
		// buffer. Writes take a buffer from the pool only while a frame is
		// written (events are framed once by the hub and need none), so an
		// idle client, the usual one, holds no write buffer at all.
		ReadBufferSize:  512,
		WriteBufferPool: &writeBuffers,
		CheckOrigin:     h.checkOrigin,
		// A refused handshake (another site's origin, a request that is
		// not an upgrade) is an API answer like any other.
		Error: func(w http.ResponseWriter, _ *http.Request, status int, reason error) {
			code := "invalid_input"
			if status == http.StatusForbidden {
				code = "forbidden"
			}
			writeProblem(w, status, code, "", reason.Error())
		},
	}
	return h
}

// writeBuffers are shared by every hub's connections.
var writeBuffers sync.Pool

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
	// Deferred in this order, the connections are told to stop first,
	// then waited for.
	defer h.conns.Wait()
	defer h.stopOnce.Do(func() { close(h.stop); h.markStopped() })
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
			msgs[i] = message{position: it.Position, frame: textFrame(it.JSON)}
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

// Stats are a hub's figures for monitoring.
type Stats struct {
	// Clients are connected now.
	Clients int
	// Frames counts the frames written to clients since the hub started:
	// snapshots, events and heartbeats.
	Frames int64
	// DroppedSlow counts the clients closed for falling out of the queue.
	DroppedSlow int64
}

// Stats returns the hub's figures now.
func (h *Hub) Stats() Stats {
	return Stats{Clients: h.Clients(), Frames: h.counts.frames.Load(), DroppedSlow: h.counts.slow.Load()}
}

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
		writeProblem(w, http.StatusUnprocessableEntity, "invalid_input", "board", "unknown board")
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
			writeProblem(w, http.StatusBadRequest, "invalid_input", "since", "must be a position, 0 or more")
			return
		}
		since = n
	}
	select {
	case <-h.ready:
	case <-r.Context().Done():
		return
	case <-h.stop:
		unavailable(w, "the server is shutting down; reconnect to another node or in a moment")
		return
	}
	addr := transport.ClientAddress(r)
	if !h.cfg.Cap.take(addr) {
		writeProblem(w, http.StatusTooManyRequests, "rate_limited", "",
			"too many live connections from your address; close one first")
		return
	}
	// Until the connection is handed to its own goroutine, the place taken
	// is this handler's to give back.
	handedOver := false
	defer func() {
		if !handedOver {
			h.cfg.Cap.give(addr)
		}
	}()
	// The client is registered before anything is read, so that what it
	// is sent from the read model and what the ring holds meet with no gap.
	cursor, start := h.ring.cursor()
	// Bounded: the request has no deadline of its own (its context is the
	// socket's lifetime), and a database that stops answering must not
	// hold the handshake.
	octx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
	first, sent, err := h.opening(octx, since, start)
	cancel()
	if err != nil {
		if r.Context().Err() == nil {
			h.log.Warn("live opening", "err", err)
		}
		unavailable(w, "the live feed cannot be read now; reconnect in a few seconds")
		return
	}
	conn, err := h.upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader has answered
	}
	// The connection is served by a goroutine of its own, and the handler
	// returns: the request, its headers and net/http's buffers for the
	// connection are then released, a third of what a waiting client
	// would otherwise hold for as long as it stays.
	handedOver = true
	h.clients.Add(1)
	h.conns.Add(1)
	go func() {
		defer h.conns.Done()
		defer h.clients.Add(-1)
		defer h.cfg.Cap.give(addr)
		h.serve(&client{conn: conn, writeWait: h.cfg.WriteWait, counts: &h.counts}, first, sent, start, cursor)
	}()
}

// serve sends a connected client its opening, what it missed, then the
// ring, until the connection fails, the client falls behind or the hub
// stops.
func (h *Hub) serve(c *client, first []byte, sent, start, cursor int64) {
	// Whatever ends the connection (a failed write, a slow reader, the
	// server stopping), the client gets a close frame and the socket and
	// its reader are released; the first reason given wins.
	defer c.close(websocket.CloseTryAgainLater, "connection ended: reconnect with since")
	ctx, cancel := context.WithCancel(h.stopped)
	defer cancel()
	go c.readLoop(cancel)
	if first != nil {
		if err := c.write(first); err != nil {
			return
		}
	}
	sent, err := h.catchUp(ctx, c, sent, start)
	if err != nil {
		c.close(transport.CloseCode(err), "feed unavailable")
		if ctx.Err() == nil {
			h.log.Warn("live catch-up", "err", err)
		}
		return
	}
	c.follow(ctx, h.ring, cursor, sent, h.cfg.Heartbeat)
}

// opening decides, before the upgrade, what a client is sent first: the
// snapshot (nil with since otherwise), and the position it reflects. A
// since above the feed's position is no position of this log (a database
// restored from an older backup, a mistyped number): waiting for the log
// to pass it would leave the client silent, so it gets a snapshot instead,
// as a client without since does.
func (h *Hub) opening(ctx context.Context, since, start int64) ([]byte, int64, error) {
	if since >= 0 && since <= start {
		return nil, since, nil
	}
	pos, board, err := h.feed.Snapshot(ctx, time.Now())
	if err != nil {
		return nil, 0, err
	}
	if since >= 0 && since <= pos {
		return nil, since, nil // this hub's ring is behind the read model
	}
	data, err := json.Marshal(snapshotMessage{Type: "snapshot", Position: pos, Board: board})
	if err != nil {
		return nil, 0, err
	}
	return data, pos, nil
}

// catchUp sends every item after sent up to start, the hub's position when
// c registered; the hub sends the rest.
func (h *Hub) catchUp(ctx context.Context, c *client, sent, start int64) (int64, error) {
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

// unavailable answers 503 before the upgrade, with the Retry-After every
// surface sends with it.
func unavailable(w http.ResponseWriter, detail string) {
	w.Header().Set("Retry-After", transport.RetryAfter)
	writeProblem(w, http.StatusServiceUnavailable, "unavailable", "", detail)
}

// writeProblem answers a request refused before the upgrade, in the API's
// problem+json.
func writeProblem(w http.ResponseWriter, status int, code, field, detail string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	doc := map[string]any{
		"type": "https://bayt.example/problems/" + code, "title": titles[code], "status": status,
		"detail": detail, "code": code,
	}
	if field != "" {
		doc["field"] = field
	}
	_ = json.NewEncoder(w).Encode(doc)
}

// titles are the API's titles of the codes the live feed answers with.
var titles = map[string]string{
	"invalid_input": "Invalid input",
	"forbidden":     "Forbidden",
	"rate_limited":  "Too many requests",
	"unavailable":   "Service unavailable",
}
