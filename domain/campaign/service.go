package campaign

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/domain/casefile"
	"github.com/citizenhouse/bayt/domain/organisation"
)

// Repository loads and changes campaigns; see casefile.Repository for the
// contract.
type Repository interface {
	Load(ctx context.Context, id string) (*Campaign, int64, error)
	domain.Updater[Campaign]
}

// Linker changes a campaign and a case in one atomic append, so that a
// link is recorded on both sides or on neither. It loads both, lets decide
// choose events for each and appends both at the versions loaded; opts
// apply to the campaign, whose outcome it returns. A missing stream is a
// *domain.NotFoundError naming it.
type Linker interface {
	Link(ctx context.Context, campaignID, caseID string, opts domain.UpdateOptions,
		decide func(*Campaign, *casefile.Case) ([]domain.Event, []domain.Event, error)) (domain.Outcome, error)
}

// Service is the one way every surface changes a campaign. A signer's name
// goes to the vault and never stays there for a signature that was not
// recorded.
type Service struct {
	repo          Repository
	organisations organisation.Repository
	linker        Linker
	dir           Directory
	ports         domain.Ports
}

// NewService returns the campaign service. organisations is read to check
// references to organisations; linker records links to cases. It panics on
// a missing dependency.
func NewService(repo Repository, organisations organisation.Repository, linker Linker, dir Directory, ports domain.Ports) *Service {
	if repo == nil || organisations == nil || linker == nil || dir == nil || ports.Validate() != nil {
		panic("campaign: incomplete service")
	}
	return &Service{repo: repo, organisations: organisations, linker: linker, dir: dir, ports: ports}
}

var aggregate = domain.Aggregate[Campaign]{
	Apply:  (*Campaign).Apply,
	Status: func(c *Campaign) string { return string(c.Status) },
}

func (s *Service) run(ctx context.Context, id string, opts domain.UpdateOptions, created string,
	decide func(*Campaign, time.Time) ([]domain.Event, error)) (domain.Outcome, error) {
	now := s.ports.Now()
	return domain.Run(ctx, s.repo, aggregate, id, opts, created, func(c *Campaign) ([]domain.Event, error) { return decide(c, now) })
}

// Launch starts a campaign under a new id, led by an organisation that
// exists.
func (s *Service) Launch(ctx context.Context, cmd Launch, opts domain.UpdateOptions) (domain.Outcome, error) {
	cmd.ID = StreamPrefix + s.ports.NewIDFunc()
	opts.Create = true
	return s.run(ctx, cmd.ID, opts, "", func(c *Campaign, now time.Time) ([]domain.Event, error) {
		if err := organisation.Exists(ctx, s.organisations, cmd.Actor, cmd.LeadOrganisation, "lead_organisation"); err != nil {
			return nil, err
		}
		cmd.Now = now
		return c.Launch(s.dir, cmd)
	})
}

// JoinPartner adds an organisation that exists.
func (s *Service) JoinPartner(ctx context.Context, id string, cmd JoinPartner, opts domain.UpdateOptions) (domain.Outcome, error) {
	return s.run(ctx, id, opts, "", func(c *Campaign, now time.Time) ([]domain.Event, error) {
		if err := organisation.Exists(ctx, s.organisations, cmd.Actor, cmd.OrganisationID, "organisation_id"); err != nil {
			return nil, err
		}
		cmd.Now = now
		return c.JoinPartner(cmd)
	})
}

// PlanActivity plans an activity under a new id (the outcome's Created).
func (s *Service) PlanActivity(ctx context.Context, id string, cmd PlanActivity, opts domain.UpdateOptions) (domain.Outcome, error) {
	cmd.ActivityID = ActivityPrefix + s.ports.NewIDFunc()
	return s.run(ctx, id, opts, cmd.ActivityID, func(c *Campaign, now time.Time) ([]domain.Event, error) {
		cmd.Now = now
		return c.PlanActivity(cmd)
	})
}

// HoldActivity records that an activity took place, with its attendance.
func (s *Service) HoldActivity(ctx context.Context, id string, cmd HoldActivity, opts domain.UpdateOptions) (domain.Outcome, error) {
	return s.run(ctx, id, opts, cmd.ActivityID, func(c *Campaign, now time.Time) ([]domain.Event, error) {
		cmd.Now = now
		return c.HoldActivity(cmd)
	})
}

// SignPetition adds a signature. A named signer goes to the vault, stored
// once even when the decision is retried, and only once the signature is
// known to be acceptable; the event keeps a keyed hash of the campaign and
// the name, so that one person signs once. A repeat signature records
// nothing, stores nothing, and answers like a first one: the campaign's
// current version and status.
func (s *Service) SignPetition(ctx context.Context, id string, cmd SignPetition, name string, opts domain.UpdateOptions) (domain.Outcome, error) {
	name = strings.Join(strings.Fields(name), " ")
	var (
		subject  string
		repeated bool
	)
	out, err := s.run(ctx, id, opts, "", func(c *Campaign, now time.Time) ([]domain.Event, error) {
		repeated = false
		if err := (domain.PersonalData{Name: name}).Check(""); err != nil {
			return nil, err
		}
		cmd.Now, cmd.SignerKey, cmd.SignerSubject = now, SignerKey(s.ports.KeyedHashFunc, c.ID, name), ""
		if c.Signed(LegacySignerKey(c.ID, name)) {
			cmd.SignerKey = LegacySignerKey(c.ID, name) // signed before keys were keyed: a repeat
		}
		events, err := c.SignPetition(cmd)
		if err != nil || len(events) == 0 {
			repeated = err == nil
			return nil, err
		}
		if name != "" && subject == "" {
			var err error
			if subject, err = s.ports.Vault.Put(ctx, domain.PersonalData{Name: name}); err != nil {
				return nil, err
			}
		}
		cmd.SignerSubject = subject
		return c.SignPetition(cmd)
	})
	if repeated && err == nil && subject != "" {
		// Stored on an attempt that lost a race to the same signer's first
		// signature: nothing refers to it.
		if discardErr := s.ports.Vault.Discard(context.WithoutCancel(ctx), subject); discardErr != nil {
			return out, fmt.Errorf("discard unused personal data: %w", discardErr)
		}
		return out, nil
	}
	return out, errors.Join(err, domain.Forget(ctx, s.ports.Vault, subject, out, err))
}

// RecordPaperSignatures adds a batch of signatures gathered on paper, as
// a count.
func (s *Service) RecordPaperSignatures(ctx context.Context, id string, cmd RecordPaperSignatures, opts domain.UpdateOptions) (domain.Outcome, error) {
	return s.run(ctx, id, opts, "", func(c *Campaign, now time.Time) ([]domain.Event, error) {
		cmd.Now = now
		return c.RecordPaperSignatures(cmd)
	})
}

// RecordCommitment records a promise of the municipality under a new id
// (the outcome's Created).
func (s *Service) RecordCommitment(ctx context.Context, id string, cmd RecordCommitment, opts domain.UpdateOptions) (domain.Outcome, error) {
	cmd.CommitmentID = CommitmentPrefix + s.ports.NewIDFunc()
	return s.run(ctx, id, opts, cmd.CommitmentID, func(c *Campaign, now time.Time) ([]domain.Event, error) {
		cmd.Now = now
		return c.RecordCommitment(cmd)
	})
}

// FulfilCommitment records a promise kept.
func (s *Service) FulfilCommitment(ctx context.Context, id string, cmd FulfilCommitment, opts domain.UpdateOptions) (domain.Outcome, error) {
	return s.run(ctx, id, opts, cmd.CommitmentID, func(c *Campaign, now time.Time) ([]domain.Event, error) {
		cmd.Now = now
		return c.FulfilCommitment(cmd)
	})
}

// BreakCommitment records a promise broken.
func (s *Service) BreakCommitment(ctx context.Context, id string, cmd BreakCommitment, opts domain.UpdateOptions) (domain.Outcome, error) {
	return s.run(ctx, id, opts, cmd.CommitmentID, func(c *Campaign, now time.Time) ([]domain.Event, error) {
		cmd.Now = now
		return c.BreakCommitment(cmd)
	})
}

// PublishUpdate publishes news of the campaign.
func (s *Service) PublishUpdate(ctx context.Context, id string, cmd PublishUpdate, opts domain.UpdateOptions) (domain.Outcome, error) {
	return s.run(ctx, id, opts, "", func(c *Campaign, now time.Time) ([]domain.Event, error) {
		cmd.Now = now
		return c.PublishUpdate(cmd)
	})
}

// Close ends the campaign with its outcome.
func (s *Service) Close(ctx context.Context, id string, cmd Close, opts domain.UpdateOptions) (domain.Outcome, error) {
	return s.run(ctx, id, opts, "", func(c *Campaign, now time.Time) ([]domain.Event, error) {
		cmd.Now = now
		return c.Close(cmd)
	})
}

// LinkCase links a case to the campaign, or unlinks it when link is false:
// both streams record it in one append. A case that does not exist is
// invalid input in the field case_id.
func (s *Service) LinkCase(ctx context.Context, id, caseID string, actor domain.Actor, link bool, opts domain.UpdateOptions) (domain.Outcome, error) {
	if !casefile.ValidID(caseID) {
		return domain.Outcome{}, domain.Invalid("case_id", "not a case id")
	}
	now := s.ports.Now()
	var status string
	opts = domain.Complete(opts, func(o *domain.Outcome) { o.Status = status })
	out, err := s.linker.Link(ctx, id, caseID, opts, func(c *Campaign, k *casefile.Case) (evC, evK []domain.Event, err error) {
		if link {
			evC, err = c.LinkCase(LinkCase{Actor: actor, Now: now, CaseID: caseID})
			if err == nil {
				evK, err = k.LinkCampaign(casefile.LinkCampaign{Actor: actor, Now: now, CampaignID: id})
			}
		} else {
			evC, err = c.UnlinkCase(UnlinkCase{Actor: actor, Now: now, CaseID: caseID})
			if err == nil && slices.Contains(k.CampaignIDs, id) {
				evK, err = k.UnlinkCampaign(casefile.UnlinkCampaign{Actor: actor, Now: now, CampaignID: id})
			}
		}
		for _, e := range evC {
			c.Apply(e)
		}
		status = string(c.Status)
		return evC, evK, err
	})
	var nf *domain.NotFoundError
	if errors.As(err, &nf) && nf.Stream == caseID {
		err = domain.Invalid("case_id", "no such case")
	}
	out.Status = status
	return out, err
}
