package directory

import (
	"context"
	"errors"

	"github.com/citizenhouse/bayt/domain"
)

// Repository changes the directory's stream; see casefile.Repository for
// the contract. Update on the empty stream is domain.ErrNotFound unless
// UpdateOptions.Create is set, and with Create on a stream that exists is a
// *domain.VersionConflictError.
type Repository interface {
	domain.Updater[State]
}

// Service is the one way every surface edits the directory. Each edit it
// records is handed to its Live at once, so that the node that made the
// edit uses it from the next request on.
type Service struct {
	repo  Repository
	live  *Live
	ports domain.Ports
}

// NewService returns the directory service over repo, publishing edits to
// live. It panics on a missing dependency.
func NewService(repo Repository, live *Live, ports domain.Ports) *Service {
	if repo == nil || live == nil || ports.Validate() != nil {
		panic("directory: incomplete service")
	}
	return &Service{repo: repo, live: live, ports: ports}
}

var aggregate = domain.Aggregate[State]{
	Apply:  (*State).Apply,
	Status: (*State).Status,
}

// Directory returns the directory as it stands on this node: the one its
// Live holds.
func (s *Service) Directory() *Directory { return s.live.Directory() }

// SaveDepartment adds or changes a department.
func (s *Service) SaveDepartment(ctx context.Context, cmd SaveDepartment, opts domain.UpdateOptions) (domain.Outcome, error) {
	cmd.Now = s.ports.Now()
	return s.run(ctx, opts, func(st *State) ([]domain.Event, error) { return st.SaveDepartment(cmd) })
}

// SaveCategory adds or changes a category.
func (s *Service) SaveCategory(ctx context.Context, cmd SaveCategory, opts domain.UpdateOptions) (domain.Outcome, error) {
	cmd.Now = s.ports.Now()
	return s.run(ctx, opts, func(st *State) ([]domain.Event, error) { return st.SaveCategory(cmd) })
}

// SaveDistrict adds or changes a district.
func (s *Service) SaveDistrict(ctx context.Context, cmd SaveDistrict, opts domain.UpdateOptions) (domain.Outcome, error) {
	cmd.Now = s.ports.Now()
	return s.run(ctx, opts, func(st *State) ([]domain.Event, error) { return st.SaveDistrict(cmd) })
}

// maxCreateRaces bounds how often run switches between updating and
// creating the stream: once each way is all that honest use needs (the
// first edit ever, made on two nodes at once).
const maxCreateRaces = 2

// run decides a command on the directory's stream, which exists only from
// the first edit on: it updates the stream, creates it when it is empty,
// and updates it again when another writer created it meanwhile. An
// IfMatch above 0 on the empty stream is a conflict: the caller saw edits
// that are not there. The state the decision leaves goes to the Live.
func (s *Service) run(ctx context.Context, opts domain.UpdateOptions, decide func(*State) ([]domain.Event, error)) (domain.Outcome, error) {
	var last *State
	track := func(st *State) ([]domain.Event, error) {
		last = st
		return decide(st)
	}
	create := false
	for races := 0; ; races++ {
		o := opts
		o.Create = create
		out, err := domain.Run(ctx, s.repo, aggregate, StreamID, o, "", track)
		var conflict *domain.VersionConflictError
		switch {
		case err == nil:
			// Run folded the events decided into last, the state the
			// stream holds at out.Version; a replayed answer decided
			// nothing now.
			if out.Replayed == nil && last != nil {
				s.live.offer(*last)
			}
			return out, nil
		case races >= maxCreateRaces:
			return out, err
		case !create && errors.Is(err, domain.ErrNotFound):
			if opts.IfMatch > 0 {
				return domain.Outcome{}, &domain.VersionConflictError{Stream: StreamID, Expected: opts.IfMatch, Actual: 0}
			}
			create = true
		case create && errors.As(err, &conflict) && opts.IfMatch == domain.AnyVersion:
			create = false
		default:
			return out, err
		}
	}
}
