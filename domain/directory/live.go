package directory

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/citizenhouse/bayt/domain"
)

// Log reads the directory's stream for a Live.
type Log interface {
	// Since returns the events of the directory's stream after version
	// after, in stream order, decoded; none when there are none. It is
	// safe for concurrent use.
	Since(ctx context.Context, after int64) ([]domain.Event, error)
}

// Live is the directory as this node knows it: what every service, the
// API and the pages look categories, departments and districts up in,
// wherever a *Directory would do. Its lookups read one immutable snapshot
// through an atomic pointer, so they never wait and never fail.
//
// It learns edits two ways. The Service hands it the state each edit it
// records leaves, so the node that made an edit uses it from its next
// request on. Edits made on other nodes are read from the stream by
// Refresh, which cmd/bayt calls at start and then every few seconds: a
// read of the events after the version it knows, which is nothing at all
// almost always, costs one indexed query, and keeps the bound on
// staleness independent of the message bus and of which node runs the
// read models.
type Live struct {
	log Log
	mu  sync.Mutex // serialises changes of snap: read, fold, store
	// snap is the current state; a stored State is never changed again.
	snap atomic.Pointer[State]
}

// NewLive returns a Live holding the default directory, until Refresh
// reads the stream. It panics on a nil log.
func NewLive(log Log) *Live {
	if log == nil {
		panic("directory: nil log")
	}
	l := &Live{log: log}
	l.snap.Store(&State{})
	return l
}

// Directory returns the current directory, which never changes: a later
// edit makes a new one.
func (l *Live) Directory() *Directory { return l.snap.Load().Directory() }

// Version returns the version of the directory's stream the current
// directory reflects.
func (l *Live) Version() int64 { return l.snap.Load().Version }

// Refresh reads the edits recorded since the version it knows and folds
// them in. It reports whether anything changed. An error leaves the
// directory as it was; the next call tries again.
func (l *Live) Refresh(ctx context.Context) (bool, error) {
	from := l.Version()
	events, err := l.log.Since(ctx, from)
	if err != nil {
		return false, fmt.Errorf("refresh directory: %w", err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	cur := l.snap.Load()
	// An edit of this node, or another refresh, may have landed while
	// the stream was read: skip what the current state already has.
	skip := cur.Version - from
	if skip >= int64(len(events)) {
		return false, nil
	}
	next := *cur
	for _, e := range events[skip:] {
		next.Apply(e)
	}
	l.snap.Store(&next)
	return true, nil
}

// offer makes s current if it is newer. s must be the whole stream folded
// up to s.Version, as the Service's decisions are.
func (l *Live) offer(s State) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if s.Version > l.snap.Load().Version {
		l.snap.Store(&s)
	}
}

// Category returns the current directory's category with code.
func (l *Live) Category(code string) (Category, bool) { return l.Directory().Category(code) }

// Department returns the current directory's department with code.
func (l *Live) Department(code string) (Department, bool) { return l.Directory().Department(code) }

// District returns the current directory's district that s is the code or
// a spelling of.
func (l *Live) District(s string) (District, bool) { return l.Directory().District(s) }

// Categories returns the current directory's categories, a copy.
func (l *Live) Categories() []Category { return l.Directory().Categories() }

// Departments returns the current directory's departments, a copy.
func (l *Live) Departments() []Department { return l.Directory().Departments() }

// Districts returns the current directory's districts, a copy.
func (l *Live) Districts() []District { return l.Directory().Districts() }
