package eventstore

import (
	"context"
	"slices"
	"sync"
)

// turns lets the updates of one stream in this process take turns: each
// loads, decides and appends while the others of that stream wait. Updates
// racing on one stream would otherwise all decide on the same version, and
// a group commit would accept only the first of them and refuse the rest
// as stale, however many times they decided again: on a case many people
// support at once, most supports lost. Waiting is first come, first served
// (a channel queues its blocked senders in order), so no update of a busy
// stream waits for ever behind later ones. Other processes sharing the
// database still race, which the repository's retry settles.
//
// While a stream has updates waiting, its turn also keeps what the last
// one knew of the stream, so that the next reads only what came after
// instead of the whole stream again: on a case with thousands of supports,
// reading and decoding them all on every turn is what would make the queue
// slow.
type turns struct {
	mu      sync.Mutex
	streams map[string]*turn
	// joined is closed and replaced each time an update joins a queue,
	// for tests that must know updates really wait for one another.
	joined chan struct{}
}

// turn is one stream's token: holding its single slot is having the turn.
// users counts the updates holding or waiting for it, so that an idle
// stream is forgotten, and its cache with it.
type turn struct {
	slot  chan struct{}
	users int
	// cache is what the last holder knew of the stream (a repository's
	// own type), read and written only by the holder.
	cache any
}

// hold is the turns an update holds.
type hold struct {
	t       *turns
	streams []string
	held    []*turn
}

// release gives the turns back.
func (h *hold) release() {
	for _, tn := range h.held {
		<-tn.slot
	}
	h.t.leave(h.streams)
}

// cache returns the cache of the one stream held.
func (h *hold) cache() *any { return &h.held[0].cache }

// take waits for the turn of every stream, in sorted order so that two
// updates of the same pair of streams cannot each hold one and wait for the
// other. It returns them held, or ctx's error, holding nothing, when ctx
// ends first.
func (t *turns) take(ctx context.Context, streams ...string) (*hold, error) {
	streams = slices.Clone(streams)
	slices.Sort(streams)
	streams = slices.Compact(streams)
	h := &hold{t: t, streams: streams, held: make([]*turn, 0, len(streams))}
	t.mu.Lock()
	if t.streams == nil {
		t.streams = map[string]*turn{}
	}
	queue := make([]*turn, len(streams))
	for i, s := range streams {
		tn := t.streams[s]
		if tn == nil {
			tn = &turn{slot: make(chan struct{}, 1)}
			t.streams[s] = tn
		}
		tn.users++
		queue[i] = tn
	}
	if t.joined != nil {
		close(t.joined)
	}
	t.joined = make(chan struct{})
	t.mu.Unlock()
	for _, tn := range queue {
		select {
		case tn.slot <- struct{}{}:
			h.held = append(h.held, tn)
		case <-ctx.Done():
			h.release()
			return nil, translate(ctx.Err())
		}
	}
	return h, nil
}

// leave forgets the streams nobody holds or waits for any more.
func (t *turns) leave(streams []string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, s := range streams {
		if tn := t.streams[s]; tn != nil {
			if tn.users--; tn.users == 0 {
				delete(t.streams, s)
			}
		}
	}
}
