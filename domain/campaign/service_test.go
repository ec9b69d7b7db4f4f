package campaign_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"sync"
	"testing"
	"time"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/domain/campaign"
	"github.com/citizenhouse/bayt/domain/casefile"
	"github.com/citizenhouse/bayt/domain/organisation"
)

// memRepo is one campaign's stream in memory: Update decides on the
// folded state and appends at the next version.
type memRepo struct {
	mu     sync.Mutex
	events []domain.Event
}

func (r *memRepo) Load(_ context.Context, _ string) (*campaign.Campaign, int64, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	c := &campaign.Campaign{}
	for _, e := range r.events {
		c.Apply(e)
	}
	return c, int64(len(r.events)), nil
}

func (r *memRepo) Update(ctx context.Context, id string, _ domain.UpdateOptions, decide func(*campaign.Campaign) ([]domain.Event, error)) (domain.Outcome, error) {
	c, version, _ := r.Load(ctx, id)
	events, err := decide(c)
	if err != nil {
		return domain.Outcome{}, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, events...)
	return domain.Outcome{Stream: id, Version: version + int64(len(events)), Position: version + int64(len(events))}, nil
}

type noOrganisations struct{ organisation.Repository }

type noLinker struct{}

func (noLinker) Link(context.Context, string, string, domain.UpdateOptions,
	func(*campaign.Campaign, *casefile.Case) ([]domain.Event, []domain.Event, error)) (domain.Outcome, error) {
	panic("not used")
}

// memVault counts what a service stores.
type memVault struct {
	mu   sync.Mutex
	data map[string]domain.PersonalData
}

func (v *memVault) Put(_ context.Context, d domain.PersonalData) (string, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	s := "subj-" + string(rune('a'+len(v.data)))
	v.data[s] = d
	return s, nil
}

func (v *memVault) Get(context.Context, string) (domain.PersonalData, error) {
	return domain.PersonalData{}, domain.ErrNotFound
}

func (v *memVault) Discard(_ context.Context, s string) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	delete(v.data, s)
	return nil
}

func TestSignPetitionService(t *testing.T) {
	t.Parallel()
	secret := []byte("the test's own secret")
	keyed := func(purpose, text string) string {
		mac := hmac.New(sha256.New, secret)
		mac.Write([]byte(purpose + "\x00" + text))
		return hex.EncodeToString(mac.Sum(nil))
	}
	setup := func(t *testing.T, given ...domain.Event) (*campaign.Service, *memRepo, *memVault) {
		t.Helper()
		repo := &memRepo{events: append([]domain.Event{launched()}, given...)}
		vault := &memVault{data: map[string]domain.PersonalData{}}
		svc := campaign.NewService(repo, noOrganisations{}, noLinker{}, testDirectory(t), domain.Ports{
			Vault: vault, NowFunc: func() time.Time { return day(8) }, NewIDFunc: func() string { return "01JNQZ" },
			KeyedHashFunc: keyed,
		})
		return svc, repo, vault
	}
	ctx := context.Background()
	opts := domain.UpdateOptions{IfMatch: domain.AnyVersion}

	t.Run("OKRepeatAnswersLikeAFirst", func(t *testing.T) {
		t.Parallel()
		svc, repo, vault := setup(t)
		first, err := svc.SignPetition(ctx, campaignID, campaign.SignPetition{Actor: public}, "Layla  Haddad", opts)
		if err != nil || first.Version != 2 || first.Status != string(campaign.StatusActive) {
			t.Fatalf("first signature = %+v, %v", first, err)
		}
		again, err := svc.SignPetition(ctx, campaignID, campaign.SignPetition{Actor: public}, " layla haddad ", opts)
		if err != nil || again.Version != 2 || again.Status != first.Status || again.Replayed != nil {
			t.Fatalf("repeat = %+v, %v; want the campaign's version 2 and status, no error", again, err)
		}
		if len(repo.events) != 2 || len(vault.data) != 1 {
			t.Fatalf("after a repeat: %d events, %d vault entries; want 2 and 1", len(repo.events), len(vault.data))
		}
		e := repo.events[1].(*campaign.PetitionSigned)
		if e.SignerKey != keyed(campaign.SignerKeyPurpose, campaignID+"\x00layla haddad") {
			t.Errorf("signer key %s is not the keyed hash of the campaign and the folded name", e.SignerKey)
		}
		if e.SignerKey == campaign.LegacySignerKey(campaignID, "Layla Haddad") {
			t.Error("the signer key is a bare sha256 of the name")
		}
	})
	t.Run("OKLegacySignatureIsARepeat", func(t *testing.T) {
		t.Parallel()
		svc, repo, vault := setup(t, &campaign.PetitionSigned{SignerSubject: "subj-old", SignerKey: campaign.LegacySignerKey(campaignID, "Omar"), At: day(2)})
		out, err := svc.SignPetition(ctx, campaignID, campaign.SignPetition{Actor: public}, "OMAR", opts)
		if err != nil || out.Version != 2 || len(repo.events) != 2 || len(vault.data) != 0 {
			t.Fatalf("signing again after a signature from before keyed hashes = %+v, %v; %d events, %d vault entries",
				out, err, len(repo.events), len(vault.data))
		}
	})
}
