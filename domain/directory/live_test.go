package directory_test

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/domain/directory"
)

// memStream is the directory's stream in memory, shared by the nodes of a
// test: the repository their services append through and the log their
// Lives read. Events go through JSON as in a store.
type memStream struct {
	mu     sync.Mutex
	events [][]byte
	types  []string
	// beforeCreate, when set, runs once before a create is decided: the
	// moment another node's first edit may land.
	beforeCreate func()
	reads        int
}

func (m *memStream) Update(_ context.Context, id string, opts domain.UpdateOptions, decide func(*directory.State) ([]domain.Event, error)) (domain.Outcome, error) {
	if id != directory.StreamID {
		return domain.Outcome{}, errors.New("wrong stream " + id)
	}
	if opts.Create && m.beforeCreate != nil {
		f := m.beforeCreate
		m.beforeCreate = nil
		f()
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	version := int64(len(m.events))
	switch {
	case version == 0 && !opts.Create:
		return domain.Outcome{}, domain.NotFound(id)
	case version > 0 && opts.Create:
		return domain.Outcome{}, &domain.VersionConflictError{Stream: id, Expected: 0, Actual: version}
	case opts.IfMatch != domain.AnyVersion && opts.IfMatch != version:
		return domain.Outcome{}, &domain.VersionConflictError{Stream: id, Expected: opts.IfMatch, Actual: version}
	}
	var s directory.State
	for _, e := range m.decoded(0) {
		s.Apply(e)
	}
	events, err := decide(&s)
	if err != nil {
		return domain.Outcome{}, err
	}
	for _, e := range events {
		b, err := json.Marshal(e)
		if err != nil {
			return domain.Outcome{}, err
		}
		m.events, m.types = append(m.events, b), append(m.types, e.EventType())
	}
	return domain.Outcome{Stream: id, Version: int64(len(m.events)), Position: int64(len(m.events))}, nil
}

func (m *memStream) Since(_ context.Context, after int64) ([]domain.Event, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.reads++
	return m.decoded(after), nil
}

// decoded returns the events after version after; m.mu is held.
func (m *memStream) decoded(after int64) []domain.Event {
	var out []domain.Event
	for i := after; i < int64(len(m.events)); i++ {
		e, err := directory.Decode(m.types[i], m.events[i])
		if err != nil {
			panic(err)
		}
		out = append(out, e)
	}
	return out
}

func (m *memStream) len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.events)
}

type noVault struct{}

func (noVault) Put(context.Context, domain.PersonalData) (string, error) { return "", nil }
func (noVault) Get(context.Context, string) (domain.PersonalData, error) {
	return domain.PersonalData{}, domain.ErrNotFound
}
func (noVault) Discard(context.Context, string) error { return nil }

func ports() domain.Ports {
	return domain.Ports{
		Vault: noVault{}, NowFunc: func() time.Time { return t0 }, NewIDFunc: func() string { return "01" },
		KeyedHashFunc: func(p, s string) string { return p + s },
	}
}

// node is one Bayt process: its Live and its service over the shared
// stream.
type node struct {
	live *directory.Live
	svc  *directory.Service
}

func newNode(t *testing.T, stream *memStream) node {
	t.Helper()
	live := directory.NewLive(stream)
	if _, err := live.Refresh(t.Context()); err != nil {
		t.Fatal(err)
	}
	return node{live: live, svc: directory.NewService(stream, live, ports())}
}

var anyVersion = domain.UpdateOptions{IfMatch: domain.AnyVersion}

func TestServiceAndLive(t *testing.T) {
	t.Parallel()
	ctx := domain.WithMetadata(t.Context(), domain.Metadata{Actor: admin})

	t.Run("EmptyStreamIsDefault", func(t *testing.T) {
		t.Parallel()
		n := newNode(t, &memStream{})
		if n.live.Directory() != directory.Default() || n.live.Version() != 0 || n.svc.Directory() != directory.Default() {
			t.Fatal("an empty stream is not the default directory")
		}
	})

	t.Run("LocalEditAtOnce", func(t *testing.T) {
		t.Parallel()
		stream := &memStream{}
		n := newNode(t, stream)
		reads := stream.reads
		out, err := n.svc.SaveCategory(ctx, directory.SaveCategory{Actor: admin, New: true, Category: sidewalks()}, anyVersion)
		if err != nil {
			t.Fatal(err)
		}
		if out.Version != 1 || out.Status != directory.StatusEdited || stream.len() != 1 {
			t.Fatalf("outcome = %+v, stream of %d", out, stream.len())
		}
		if _, ok := n.live.Category("sidewalks"); !ok || n.live.Version() != 1 || stream.reads != reads {
			t.Fatalf("the node's own edit is not in its Live without a read (version %d, reads %d)", n.live.Version(), stream.reads-reads)
		}
		// The second edit updates the stream the first created.
		c := sidewalks()
		c.SLADays = 2
		if _, err := n.svc.SaveCategory(ctx, directory.SaveCategory{Actor: admin, Category: c}, anyVersion); err != nil {
			t.Fatal(err)
		}
		if got, _ := n.live.Category("sidewalks"); got.SLADays != 2 || n.live.Version() != 2 {
			t.Fatalf("after the second edit: %+v at version %d", got, n.live.Version())
		}
		// A refresh after the node's own edits reads nothing new.
		if changed, err := n.live.Refresh(ctx); err != nil || changed {
			t.Fatalf("Refresh = %v, %v; want nothing new", changed, err)
		}
	})

	t.Run("OtherNodeOnRefresh", func(t *testing.T) {
		t.Parallel()
		stream := &memStream{}
		a, b := newNode(t, stream), newNode(t, stream)
		if _, err := a.svc.SaveDepartment(ctx, directory.SaveDepartment{Actor: admin, New: true, Department: directory.Department{Code: "culture", Name: names}}, anyVersion); err != nil {
			t.Fatal(err)
		}
		held := b.live.Directory()
		if _, ok := b.live.Department("culture"); ok {
			t.Fatal("node b knew of the edit before refreshing: the test proves nothing")
		}
		if changed, err := b.live.Refresh(ctx); err != nil || !changed {
			t.Fatalf("Refresh = %v, %v", changed, err)
		}
		if _, ok := b.live.Department("culture"); !ok || b.live.Version() != 1 {
			t.Fatal("node b did not pick up node a's edit")
		}
		if _, ok := held.Department("culture"); ok {
			t.Fatal("a refresh changed a directory a reader held")
		}
		// Node b edits on top of what it read; node a catches up.
		if _, err := b.svc.SaveCategory(ctx, directory.SaveCategory{Actor: admin, New: true, Category: directory.Category{
			Code: "libraries", Name: names, Department: "culture", SLADays: 30, Theme: directory.ThemeSocial,
		}}, anyVersion); err != nil {
			t.Fatal(err)
		}
		if _, err := a.live.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		if c, ok := a.live.Category("libraries"); !ok || c.Department != "culture" || a.live.Version() != 2 {
			t.Fatalf("node a: %+v, %v at version %d", c, ok, a.live.Version())
		}
	})

	t.Run("FirstEditsRace", func(t *testing.T) {
		t.Parallel()
		stream := &memStream{}
		a, b := newNode(t, stream), newNode(t, stream)
		// Node b's first edit lands between node a finding the stream
		// empty and creating it.
		stream.beforeCreate = func() {
			if _, err := b.svc.SaveDepartment(ctx, directory.SaveDepartment{Actor: admin, New: true, Department: directory.Department{Code: "culture", Name: names}}, anyVersion); err != nil {
				t.Error(err)
			}
		}
		out, err := a.svc.SaveCategory(ctx, directory.SaveCategory{Actor: admin, New: true, Category: sidewalks()}, anyVersion)
		if err != nil || out.Version != 2 || stream.len() != 2 {
			t.Fatalf("SaveCategory = %+v, %v; want it appended after node b's edit", out, err)
		}
		if _, ok := a.live.Department("culture"); !ok {
			t.Fatal("node a's Live lacks node b's edit its own was decided on")
		}
	})

	t.Run("ErrIfMatchOnEmptyStream", func(t *testing.T) {
		t.Parallel()
		stream := &memStream{}
		n := newNode(t, stream)
		_, err := n.svc.SaveCategory(ctx, directory.SaveCategory{Actor: admin, New: true, Category: sidewalks()}, domain.UpdateOptions{IfMatch: 3})
		var conflict *domain.VersionConflictError
		if !errors.As(err, &conflict) || stream.len() != 0 {
			t.Fatalf("err = %v, want a version conflict and nothing recorded", err)
		}
	})

	t.Run("ErrForbiddenChangesNothing", func(t *testing.T) {
		t.Parallel()
		stream := &memStream{}
		n := newNode(t, stream)
		_, err := n.svc.SaveCategory(ctx, directory.SaveCategory{Actor: advocate, New: true, Category: sidewalks()}, anyVersion)
		if !errors.Is(err, domain.ErrForbidden) || stream.len() != 0 || n.live.Version() != 0 {
			t.Fatalf("err = %v, want forbidden and nothing recorded", err)
		}
	})

	t.Run("ErrInvalidChangesNothing", func(t *testing.T) {
		t.Parallel()
		stream := &memStream{}
		n := newNode(t, stream)
		c := sidewalks()
		c.SLADays = 0
		_, err := n.svc.SaveCategory(ctx, directory.SaveCategory{Actor: admin, New: true, Category: c}, anyVersion)
		if domain.KindOf(err) != domain.KindInvalid || stream.len() != 0 || n.live.Version() != 0 {
			t.Fatalf("err = %v, want invalid input and nothing recorded", err)
		}
	})
}

// TestLiveConcurrentReaders reads a Live while edits land, for the race
// detector: lookups never see a half-built directory.
func TestLiveConcurrentReaders(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	stream := &memStream{}
	n := newNode(t, stream)
	other := directory.NewLive(stream)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				d := n.live.Directory()
				if len(d.Categories()) < len(directory.Default().Categories()) {
					t.Error("a reader saw fewer categories than the default")
					return
				}
				_, _ = other.Refresh(ctx)
				_, _ = n.live.District("Bab Swika")
			}
		})
	}
	for i := range 20 {
		c := sidewalks()
		c.SLADays = i + 1
		if _, err := n.svc.SaveCategory(ctx, directory.SaveCategory{Actor: admin, Category: c}, anyVersion); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
	if _, err := other.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if c, _ := other.Category("sidewalks"); c.SLADays != 20 || other.Version() != 20 {
		t.Fatalf("after every edit: %+v at version %d", c, other.Version())
	}
}
