package organisation

import (
	"context"
	"errors"

	"github.com/citizenhouse/bayt/domain"
)

// Repository loads and changes organisations; see casefile.Repository for
// the contract.
type Repository interface {
	Load(ctx context.Context, id string) (*Organisation, int64, error)
	domain.Updater[Organisation]
}

// Service is the one way every surface changes an organisation; a member's
// contact details go to the vault and never stay there for a member who
// was not recorded.
type Service struct {
	repo  Repository
	dir   Directory
	ports domain.Ports
}

// NewService returns the organisation service over repo. It panics on a
// missing dependency.
func NewService(repo Repository, dir Directory, ports domain.Ports) *Service {
	if repo == nil || dir == nil || ports.Validate() != nil {
		panic("organisation: incomplete service")
	}
	return &Service{repo: repo, dir: dir, ports: ports}
}

// registered is the only status an organisation has.
const registered = "registered"

var aggregate = domain.Aggregate[Organisation]{
	Apply:  (*Organisation).Apply,
	Status: func(*Organisation) string { return registered },
}

// Register records a new organisation under a new id.
func (s *Service) Register(ctx context.Context, cmd Register, opts domain.UpdateOptions) (domain.Outcome, error) {
	cmd.Now, cmd.ID = s.ports.Now(), StreamPrefix+s.ports.NewIDFunc()
	opts.Create = true
	return domain.Run(ctx, s.repo, aggregate, cmd.ID, opts, "", func(o *Organisation) ([]domain.Event, error) {
		return o.Register(s.dir, cmd)
	})
}

// Update renames an organisation or changes its themes.
func (s *Service) Update(ctx context.Context, id string, cmd Update, opts domain.UpdateOptions) (domain.Outcome, error) {
	cmd.Now = s.ports.Now()
	return domain.Run(ctx, s.repo, aggregate, id, opts, "", func(o *Organisation) ([]domain.Event, error) { return o.Update(cmd) })
}

// AddMember adds a member under a new id (the outcome's Created); their
// contact details go to the vault, stored once even when the decision is
// retried after a race, and only once the actor is known to be allowed.
func (s *Service) AddMember(ctx context.Context, id string, cmd AddMember, contact domain.PersonalData, opts domain.UpdateOptions) (domain.Outcome, error) {
	contact = contact.Trimmed()
	cmd.Now, cmd.MemberID, cmd.MemberSubject = s.ports.Now(), MemberPrefix+s.ports.NewIDFunc(), ""
	var subject string
	out, err := domain.Run(ctx, s.repo, aggregate, id, opts, cmd.MemberID, func(o *Organisation) ([]domain.Event, error) {
		check := cmd
		check.MemberSubject = "pending"
		_, err := o.AddMember(check)
		if contact.Name == "" {
			err = errors.Join(err, domain.Invalid("name", "required"))
		}
		if err := errors.Join(err, contact.Check("")); err != nil {
			return nil, err
		}
		if subject == "" {
			if subject, err = s.ports.Vault.Put(ctx, contact); err != nil {
				return nil, err
			}
		}
		cmd.MemberSubject = subject
		return o.AddMember(cmd)
	})
	return out, errors.Join(err, domain.Forget(ctx, s.ports.Vault, subject, out, err))
}

// RemoveMember removes a member; their vault entry is erased separately
// (bayt person erase), since the history still refers to it.
func (s *Service) RemoveMember(ctx context.Context, id string, cmd RemoveMember, opts domain.UpdateOptions) (domain.Outcome, error) {
	cmd.Now = s.ports.Now()
	return domain.Run(ctx, s.repo, aggregate, id, opts, cmd.MemberID, func(o *Organisation) ([]domain.Event, error) {
		return o.RemoveMember(cmd)
	})
}

// Exists checks a reference to an organisation made in field, for staff
// only: others learn nothing from the answer, and the command refuses them
// or the malformed id itself.
func Exists(ctx context.Context, repo Repository, actor domain.Actor, id, field string) error {
	if !actor.Role.Staff() || id == "" || !ValidID(id) {
		return nil
	}
	if _, _, err := repo.Load(ctx, id); errors.Is(err, domain.ErrNotFound) {
		return domain.Invalid(field, "no such organisation")
	} else if err != nil {
		return err
	}
	return nil
}
