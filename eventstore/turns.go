package eventstore

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/citizenhouse/bayt/domain"
)

// turns queues the updates of each stream in this process and lets one of
// them at a time, the leader, decide everything queued in one round:
// each update on the state the ones before it leave, all appended as one
// chain in one group commit (see Store.doChain). Updates racing on one
// stream would otherwise all decide on the same version, and a group
// commit would accept only the first of them and refuse the rest as
// stale, however many times they decided again: on a case many people
// support at once, most supports lost. Taking them one after another
// instead would cost a commit each; a round costs one.
//
// Leadership passes, after each round, to the first update still queued,
// so that no caller leads for long while its own answer waits. Updates
// wait first come, first served; an update a round could not settle
// (its predecessor in the chain did not land) goes back to the front.
// Other processes sharing the database still race, which a round settles
// by deciding those it lost again, on what they appended.
//
// While a stream has updates queued, its turns also keep what the last
// round knew of the stream, so that the next round reads only what came
// after instead of the whole stream again.
type turns struct {
	mu      sync.Mutex
	streams map[string]*queue
	seq     uint64 // numbers tickets in the order they came
	// joined is closed and replaced each time an update joins a queue,
	// for tests that must know updates really wait for one another.
	joined chan struct{}
}

// queue is one stream's updates. users counts those not answered yet, so
// that an idle stream is forgotten, and its cache with it.
type queue struct {
	waiting []*ticket
	leading bool
	users   int
	// cache is what the last round knew of the stream (a repository's
	// own type), read and written only by the leader.
	cache any
}

// ticket is one update in a queue: its job, for the repository's round,
// and where it learns its answer or that it leads.
type ticket struct {
	ctx      context.Context
	job      any
	seq      uint64
	attempts int
	done     chan answer
	answered bool // by a round, which alone touches it
}

type answer struct {
	lead bool
	out  domain.Outcome
	err  error
}

// roundFunc decides the tickets of one round of stream, whose cache it may
// read and replace. It answers each ticket through r, or puts it back.
type roundFunc func(r *round, tickets []*ticket, cache *any)

// round is what a roundFunc answers through.
type round struct {
	t      *turns
	stream string
	again  []*ticket
	// deciding is the ticket being decided, nil once the round appends.
	deciding *ticket
}

// errPanicked answers an update whose decision panicked.
var errPanicked = errors.New("eventstore: update panicked")

// answer gives tk its outcome.
func (r *round) answer(tk *ticket, out domain.Outcome, err error) {
	tk.answered = true
	r.t.mu.Lock()
	r.t.streams[r.stream].users--
	r.t.mu.Unlock()
	tk.done <- answer{out: out, err: err}
}

// retry puts tk back at the front of the queue, to be decided again in the
// next round.
func (r *round) retry(tk *ticket) {
	tk.answered = true // by the next round
	r.again = append(r.again, tk)
}

// run queues job for stream and returns its answer once a round gave one.
// If ctx ends while the job is still queued, it leaves the queue and
// returns ctx's error; once a round took it, it waits for the round.
func (t *turns) run(ctx context.Context, stream string, job any, decide roundFunc) (domain.Outcome, error) {
	tk := &ticket{ctx: ctx, job: job, done: make(chan answer, 1)}
	t.mu.Lock()
	if t.streams == nil {
		t.streams = map[string]*queue{}
	}
	q := t.streams[stream]
	if q == nil {
		q = &queue{}
		t.streams[stream] = q
	}
	q.users++
	t.seq++
	tk.seq = t.seq
	q.waiting = append(q.waiting, tk)
	if !q.leading {
		q.leading = true
		tk.done <- answer{lead: true}
	}
	if t.joined != nil {
		close(t.joined)
	}
	t.joined = make(chan struct{})
	t.mu.Unlock()
	for {
		var a answer
		select {
		case a = <-tk.done:
		case <-ctx.Done():
			if t.leave(stream, tk) {
				return domain.Outcome{}, translate(ctx.Err())
			}
			a = <-tk.done
		}
		if !a.lead {
			return a.out, a.err
		}
		t.lead(stream, decide)
	}
}

// lead runs one round of stream's queue, then passes the lead on. The
// updates put back go first, in the order they came. A decision that
// panics fails its own update, as an internal error that carries the
// panic, and the others of the round are decided again: a bug in one
// command must not stop its stream, nor fail another caller's request.
func (t *turns) lead(stream string, decide roundFunc) {
	t.mu.Lock()
	q := t.streams[stream]
	tickets := q.waiting
	q.waiting = nil
	t.mu.Unlock()
	r := &round{t: t, stream: stream}
	defer func() {
		if p := recover(); p != nil {
			// Once the round appends, what landed is not known here:
			// every update still unanswered fails.
			appending := r.deciding == nil
			for _, tk := range tickets {
				switch {
				case tk.answered:
				case tk == r.deciding || appending:
					r.answer(tk, domain.Outcome{}, fmt.Errorf("%w: %v", errPanicked, p))
				default:
					r.retry(tk)
				}
			}
			q.cache = nil
		}
		t.endRound(stream, q, r)
	}()
	decide(r, tickets, &q.cache)
}

// endRound queues what a round put back and passes the lead on.
func (t *turns) endRound(stream string, q *queue, r *round) {
	for _, tk := range r.again {
		tk.answered = false
	}
	slices.SortFunc(r.again, func(a, b *ticket) int { return cmp.Compare(a.seq, b.seq) })
	t.mu.Lock()
	defer t.mu.Unlock()
	q.waiting = append(r.again, q.waiting...)
	t.passLead(stream, q)
}

// passLead tells the first update queued that it leads, or forgets an idle
// stream. t.mu is held.
func (t *turns) passLead(stream string, q *queue) {
	if len(q.waiting) > 0 {
		q.waiting[0].done <- answer{lead: true}
		return
	}
	q.leading = false
	if q.users == 0 {
		delete(t.streams, stream)
	}
}

// leave takes tk out of its queue, unless a round took it first; a lead
// it was given passes on.
func (t *turns) leave(stream string, tk *ticket) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	q := t.streams[stream]
	if q == nil {
		// A round answered tk and the stream went idle and was forgotten
		// as its caller gave up: the answer waits in tk.done.
		return false
	}
	i := slices.Index(q.waiting, tk)
	if i < 0 {
		return false
	}
	q.waiting = slices.Delete(q.waiting, i, i+1)
	q.users--
	select {
	case a := <-tk.done:
		if a.lead {
			t.passLead(stream, q)
		}
	default:
	}
	return true
}
