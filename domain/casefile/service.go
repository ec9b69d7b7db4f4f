package casefile

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"strings"
	"time"

	"github.com/citizenhouse/bayt/domain"
)

// Repository loads and changes cases. Load returns an error matching
// domain.ErrNotFound (a *domain.NotFoundError naming the stream) for a case
// that does not exist; Update is domain.Updater's contract. Both are safe
// for concurrent use.
type Repository interface {
	Load(ctx context.Context, id string) (*Case, int64, error)
	domain.Updater[Case]
}

// Service is the one way every surface (the JSON API, the pages, the
// console, Open311, the demo loader, the SLA watcher) changes a case: it
// dates each command, keeps a reporter's contact details in the vault and
// never leaves them there for a report that was not recorded.
type Service struct {
	repo  Repository
	dir   Directory
	ports domain.Ports
}

// NewService returns the case service over repo. It panics on a missing
// dependency.
func NewService(repo Repository, dir Directory, ports domain.Ports) *Service {
	if repo == nil || dir == nil || ports.Validate() != nil {
		panic("casefile: incomplete service")
	}
	return &Service{repo: repo, dir: dir, ports: ports}
}

var aggregate = domain.Aggregate[Case]{
	Apply:  (*Case).Apply,
	Status: func(c *Case) string { return string(c.Status) },
}

func (s *Service) run(ctx context.Context, id string, opts domain.UpdateOptions, decide func(*Case, time.Time) ([]domain.Event, error)) (domain.Outcome, error) {
	now := s.ports.Now()
	return domain.Run(ctx, s.repo, aggregate, id, opts, "", func(c *Case) ([]domain.Event, error) { return decide(c, now) })
}

// Report opens a case. The service names it, dates it and makes its
// tracking token (returned in the outcome, and stored only as a hash); the
// reporter's contact details go to the vault. Bad input, the report's and
// the reporter's, is refused before anything is stored. The vault entry is
// shredded when the report certainly was not recorded or replayed an
// earlier answer, and kept when the outcome is unknown.
func (s *Service) Report(ctx context.Context, cmd Report, reporter domain.PersonalData, opts domain.UpdateOptions) (domain.Outcome, error) {
	cmd.Now = s.ports.Now()
	cmd.ID = StreamPrefix + s.ports.NewIDFunc()
	token := newTrackingToken()
	cmd.TrackingTokenHash = TrackingTokenHash(token)
	reporter = reporter.Trimmed()
	cmd.ReporterSubject = ""
	// Decide once on an empty case, so that every problem is told at once
	// and nothing reaches the vault for a report that would be refused.
	_, err := (&Case{}).Report(s.dir, cmd)
	if err := errors.Join(err, reporter.Check("reporter.")); err != nil {
		return domain.Outcome{}, err
	}
	if opts.IfMatch != domain.AnyVersion && opts.IfMatch != 0 {
		// A new case has no version to match: refused before the vault.
		return domain.Outcome{}, &domain.VersionConflictError{Stream: cmd.ID, Expected: opts.IfMatch, Actual: 0}
	}
	if !reporter.Empty() {
		subject, err := s.ports.Vault.Put(ctx, reporter)
		if err != nil {
			return domain.Outcome{}, err
		}
		cmd.ReporterSubject = subject
	}
	opts.Create = true
	opts = domain.Complete(opts, func(o *domain.Outcome) { o.Status, o.TrackingToken = string(StatusReported), token })
	out, err := s.repo.Update(ctx, cmd.ID, opts, func(c *Case) ([]domain.Event, error) { return c.Report(s.dir, cmd) })
	if err := errors.Join(err, domain.Forget(ctx, s.ports.Vault, cmd.ReporterSubject, out, err)); err != nil || out.Replayed != nil {
		return out, err
	}
	out.Status, out.TrackingToken = string(StatusReported), token
	return out, nil
}

// Triage records an advocate's check.
func (s *Service) Triage(ctx context.Context, id string, cmd Triage, opts domain.UpdateOptions) (domain.Outcome, error) {
	return s.run(ctx, id, opts, func(c *Case, now time.Time) ([]domain.Event, error) {
		cmd.Now = now
		return c.Triage(s.dir, cmd)
	})
}

// Reject turns a case down.
func (s *Service) Reject(ctx context.Context, id string, cmd Reject, opts domain.UpdateOptions) (domain.Outcome, error) {
	return s.run(ctx, id, opts, func(c *Case, now time.Time) ([]domain.Event, error) {
		cmd.Now = now
		return c.Reject(cmd)
	})
}

// Merge closes a case as a duplicate of cmd.Into, which must exist; staff
// alone learn whether it does.
func (s *Service) Merge(ctx context.Context, id string, cmd Merge, opts domain.UpdateOptions) (domain.Outcome, error) {
	return s.run(ctx, id, opts, func(c *Case, now time.Time) ([]domain.Event, error) {
		if cmd.Into != "" && cmd.Into != c.ID && ValidID(cmd.Into) && cmd.Actor.Role.Staff() {
			if _, _, err := s.repo.Load(ctx, cmd.Into); errors.Is(err, domain.ErrNotFound) {
				return nil, domain.Invalid("into", "no such case")
			} else if err != nil {
				return nil, err
			}
		}
		cmd.Now = now
		return c.Merge(cmd)
	})
}

// Forward sends a case to a department, due within its category's SLA.
func (s *Service) Forward(ctx context.Context, id string, cmd Forward, opts domain.UpdateOptions) (domain.Outcome, error) {
	return s.run(ctx, id, opts, func(c *Case, now time.Time) ([]domain.Event, error) {
		cmd.Now = now
		return c.Forward(s.dir, cmd)
	})
}

// Acknowledge records the department's receipt.
func (s *Service) Acknowledge(ctx context.Context, id string, cmd Acknowledge, opts domain.UpdateOptions) (domain.Outcome, error) {
	return s.run(ctx, id, opts, func(c *Case, now time.Time) ([]domain.Event, error) {
		cmd.Now = now
		return c.Acknowledge(cmd)
	})
}

// Answer records the department's response.
func (s *Service) Answer(ctx context.Context, id string, cmd Answer, opts domain.UpdateOptions) (domain.Outcome, error) {
	return s.run(ctx, id, opts, func(c *Case, now time.Time) ([]domain.Event, error) {
		cmd.Now = now
		return c.Answer(cmd)
	})
}

// Resolve records that the department dealt with the case.
func (s *Service) Resolve(ctx context.Context, id string, cmd Resolve, opts domain.UpdateOptions) (domain.Outcome, error) {
	return s.run(ctx, id, opts, func(c *Case, now time.Time) ([]domain.Event, error) {
		cmd.Now = now
		return c.Resolve(cmd)
	})
}

// Confirm closes a resolved case. An anonymous actor who sends the case's
// tracking token acts as its reporter.
func (s *Service) Confirm(ctx context.Context, id string, cmd Confirm, trackingToken string, opts domain.UpdateOptions) (domain.Outcome, error) {
	return s.run(ctx, id, opts, func(c *Case, now time.Time) ([]domain.Event, error) {
		cmd.Now, cmd.Actor = now, c.AsReporter(cmd.Actor, trackingToken)
		return c.Confirm(cmd)
	})
}

// Reopen disputes a resolution; the tracking token works as for Confirm.
func (s *Service) Reopen(ctx context.Context, id string, cmd Reopen, trackingToken string, opts domain.UpdateOptions) (domain.Outcome, error) {
	return s.run(ctx, id, opts, func(c *Case, now time.Time) ([]domain.Event, error) {
		cmd.Now, cmd.Actor = now, c.AsReporter(cmd.Actor, trackingToken)
		return c.Reopen(s.dir, cmd)
	})
}

// Comment adds a public or internal comment.
func (s *Service) Comment(ctx context.Context, id string, cmd Comment, opts domain.UpdateOptions) (domain.Outcome, error) {
	return s.run(ctx, id, opts, func(c *Case, now time.Time) ([]domain.Event, error) {
		cmd.Now = now
		return c.Comment(cmd)
	})
}

// Support adds a "me too" from the client at address (as the surface tells
// clients apart) with browser, the opaque id the surface gave that browser,
// if any. The event keeps only keyed hashes of them (SupporterKeys), so
// that one person counts once per case: a repeat records nothing and
// answers like a first support, with the case's current version and
// status.
func (s *Service) Support(ctx context.Context, id string, cmd Support, address, browser string, opts domain.UpdateOptions) (domain.Outcome, error) {
	return s.run(ctx, id, opts, func(c *Case, now time.Time) ([]domain.Event, error) {
		cmd.Now = now
		cmd.AddressKey, cmd.BrowserKey = SupporterKeys(s.ports.KeyedHashFunc, c.ID, address, browser, now)
		return c.Support(cmd)
	})
}

// Moderate decides what the public sees of a case.
func (s *Service) Moderate(ctx context.Context, id string, cmd Moderate, opts domain.UpdateOptions) (domain.Outcome, error) {
	return s.run(ctx, id, opts, func(c *Case, now time.Time) ([]domain.Event, error) {
		cmd.Now = now
		return c.Moderate(cmd)
	})
}

// AddPhoto adds a photo to a case; the tracking token works as for
// Confirm. save stores the photo's bytes: it runs once the case has
// accepted the photo and before the event is appended, so that nothing is
// stored for someone the case refuses and no event names a photo that was
// not stored. The photo's id is the outcome's Created.
func (s *Service) AddPhoto(ctx context.Context, id string, cmd AddPhoto, trackingToken string,
	save func(context.Context) error, opts domain.UpdateOptions) (domain.Outcome, error) {
	now := s.ports.Now()
	return domain.Run(ctx, s.repo, aggregate, id, opts, cmd.PhotoID, func(c *Case) ([]domain.Event, error) {
		cmd.Now, cmd.Actor = now, c.AsReporter(cmd.Actor, trackingToken)
		events, err := c.AddPhoto(cmd)
		if err != nil || save == nil {
			return events, err
		}
		// Saved even when the case has the photo already: storing is
		// idempotent, and it mends a photo whose bytes were lost.
		if err := save(ctx); err != nil {
			return nil, err
		}
		return events, nil
	})
}

// MayAddPhoto reports whether actor (the reporter, with trackingToken)
// may add a photo to case id now: nil, or the error AddPhoto would decide
// for any photo the case does not have yet. Surfaces ask it before they
// spend the work of decoding an upload that would be refused; AddPhoto
// still decides.
func (s *Service) MayAddPhoto(ctx context.Context, id string, actor domain.Actor, trackingToken string) error {
	c, _, err := s.repo.Load(ctx, id)
	if err != nil {
		return err
	}
	_, err = c.AddPhoto(AddPhoto{Actor: c.AsReporter(actor, trackingToken), Now: s.ports.Now(),
		PhotoID: strings.Repeat("0", 64), Width: 1, Height: 1})
	return err
}

// ModeratePhoto hides a photo of a case from the public, or shows it again.
func (s *Service) ModeratePhoto(ctx context.Context, id string, cmd ModeratePhoto, opts domain.UpdateOptions) (domain.Outcome, error) {
	return s.run(ctx, id, opts, func(c *Case, now time.Time) ([]domain.Event, error) {
		cmd.Now = now
		return c.ModeratePhoto(cmd)
	})
}

// RecordSLABreach records, as the system, that a case missed its due date.
// It records nothing when the breach is already recorded.
func (s *Service) RecordSLABreach(ctx context.Context, id string, opts domain.UpdateOptions) (domain.Outcome, error) {
	return s.run(ctx, id, opts, func(c *Case, now time.Time) ([]domain.Event, error) {
		return c.RecordSLABreach(RecordSLABreach{Actor: domain.System, Now: now})
	})
}

// AsReporter returns the reporter's actor when a is anonymous and token is
// the one the case was reported with, and a otherwise.
func (c *Case) AsReporter(a domain.Actor, token string) domain.Actor {
	if token == "" || a.Role != domain.RolePublic || len(c.TrackingTokenHash) == 0 {
		return a
	}
	if subtle.ConstantTimeCompare(TrackingTokenHash(token), c.TrackingTokenHash) == 1 {
		return domain.Actor{Role: domain.RoleReporter}
	}
	return a
}

// newTrackingToken returns 32 random bytes, base64url.
func newTrackingToken() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}
