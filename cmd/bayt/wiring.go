package main

import (
	"context"
	"fmt"
	"time"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/domain/campaign"
	"github.com/citizenhouse/bayt/domain/casefile"
	"github.com/citizenhouse/bayt/domain/directory"
	"github.com/citizenhouse/bayt/domain/organisation"
	"github.com/citizenhouse/bayt/eventstore"
	"github.com/citizenhouse/bayt/projections"
	"github.com/citizenhouse/bayt/transport/web"
	"github.com/oklog/ulid/v2"
)

// follower is what both event stores offer to readers of the log.
type follower interface {
	Follow(ctx context.Context, after int64, batch int, fn func(context.Context, []eventstore.Event) error) error
}

// projectionLog adapts an event store to the log projections read: the
// projections package does not import the store.
type projectionLog struct{ store follower }

func (l projectionLog) Follow(ctx context.Context, after int64, batch int, fn func(context.Context, []projections.Event) error) error {
	return l.store.Follow(ctx, after, batch, func(ctx context.Context, events []eventstore.Event) error {
		return fn(ctx, toProjectionEvents(events))
	})
}

func toProjectionEvents(events []eventstore.Event) []projections.Event {
	out := make([]projections.Event, len(events))
	for i, e := range events {
		out[i] = projections.Event{
			ID: e.ID, Position: e.Position, Stream: e.StreamID, Version: e.StreamVersion, Type: e.Type,
			Data: e.Data, Actor: e.Metadata.Actor, RecordedAt: e.RecordedAt,
		}
	}
	return out
}

func caseCodec() eventstore.Codec[casefile.Case] {
	return eventstore.Codec[casefile.Case]{
		New:    func() *casefile.Case { return &casefile.Case{} },
		Apply:  (*casefile.Case).Apply,
		Decode: casefile.Decode,
	}
}

// tokenAuth adapts the token store to the API's Authenticator.
type tokenAuth struct {
	tokens interface {
		Authenticate(ctx context.Context, secret string) (eventstore.Token, error)
	}
}

func (a tokenAuth) Authenticate(ctx context.Context, secret string) (domain.Actor, error) {
	t, err := a.tokens.Authenticate(ctx, secret)
	if err != nil {
		return domain.Actor{}, err
	}
	return t.Actor(), nil
}

func campaignCodec() eventstore.Codec[campaign.Campaign] {
	return eventstore.Codec[campaign.Campaign]{
		New:    func() *campaign.Campaign { return &campaign.Campaign{} },
		Apply:  (*campaign.Campaign).Apply,
		Decode: campaign.Decode,
	}
}

func organisationCodec() eventstore.Codec[organisation.Organisation] {
	return eventstore.Codec[organisation.Organisation]{
		New:    func() *organisation.Organisation { return &organisation.Organisation{} },
		Apply:  (*organisation.Organisation).Apply,
		Decode: organisation.Decode,
	}
}

func directoryCodec() eventstore.Codec[directory.State] {
	return eventstore.Codec[directory.State]{
		New:    func() *directory.State { return &directory.State{} },
		Apply:  (*directory.State).Apply,
		Decode: directory.Decode,
	}
}

// repositories are the aggregates' repositories over one store.
type repositories struct {
	cases         *eventstore.Repository[casefile.Case]
	campaigns     *eventstore.Repository[campaign.Campaign]
	organisations *eventstore.Repository[organisation.Organisation]
	directory     *eventstore.Repository[directory.State]
}

func newRepositories(store eventstore.Streams) repositories {
	return repositories{
		cases:         eventstore.NewRepository(store, caseCodec()),
		campaigns:     eventstore.NewRepository(store, campaignCodec()),
		organisations: eventstore.NewRepository(store, organisationCodec()),
		directory:     eventstore.NewRepository(store, directoryCodec()),
	}
}

// services are the domain's application services over one store: the one
// way every surface changes state.
type services struct {
	cases         *casefile.Service
	campaigns     *campaign.Service
	organisations *organisation.Service
	directory     *directory.Service
}

// newServices builds the services over repos. They look the directory up
// in dir, which follows the admins' edits.
func newServices(repos repositories, dir *directory.Live, ports domain.Ports) services {
	return services{
		cases:         casefile.NewService(repos.cases, dir, ports),
		campaigns:     campaign.NewService(repos.campaigns, repos.organisations, repos, dir, ports),
		organisations: organisation.NewService(repos.organisations, dir, ports),
		directory:     directory.NewService(repos.directory, dir, ports),
	}
}

// directoryLog reads the directory's stream for a directory.Live.
type directoryLog struct {
	store interface {
		ReadStream(ctx context.Context, stream string, after int64) ([]eventstore.Event, error)
	}
}

func (l directoryLog) Since(ctx context.Context, after int64) ([]domain.Event, error) {
	events, err := l.store.ReadStream(ctx, directory.StreamID, after)
	if err != nil {
		return nil, err
	}
	out := make([]domain.Event, len(events))
	for i, e := range events {
		if out[i], err = directory.Decode(e.Type, e.Data); err != nil {
			return nil, fmt.Errorf("decode %s v%d: %w", e.StreamID, e.StreamVersion, err)
		}
	}
	return out, nil
}

// liveDirectory returns the directory as the store's stream has it, to
// follow further edits.
func liveDirectory(ctx context.Context, store eventstore.Streams) (*directory.Live, error) {
	live := directory.NewLive(directoryLog{store})
	if _, err := live.Refresh(ctx); err != nil {
		return nil, err
	}
	return live, nil
}

// newPorts gives the services the wall clock, ULIDs and the keyed hash.
func newPorts(vault domain.Vault, keyedHash func(purpose, text string) string) domain.Ports {
	return domain.Ports{Vault: vault, NowFunc: time.Now, NewIDFunc: func() string { return ulid.Make().String() }, KeyedHashFunc: keyedHash}
}

// Link changes a campaign and a case in one append.
func (r repositories) Link(ctx context.Context, campaignID, caseID string, opts domain.UpdateOptions,
	decide func(*campaign.Campaign, *casefile.Case) ([]domain.Event, []domain.Event, error)) (domain.Outcome, error) {
	return eventstore.UpdateBoth(ctx, r.campaigns, campaignID, r.cases, caseID, opts, decide)
}

// tokenStore is what both token stores offer the console.
type tokenStore interface {
	Create(ctx context.Context, name string, role domain.Role, department string, expires time.Time) (string, eventstore.Token, error)
	List(ctx context.Context) ([]eventstore.Token, error)
	Revoke(ctx context.Context, id string) error
	OpenSession(ctx context.Context, tokenSecret string) (string, eventstore.Token, error)
	Session(ctx context.Context, secret string, idle time.Duration) (eventstore.Token, error)
	CloseSession(ctx context.Context, secret string) error
}

// staffDoor adapts a token store to the console's web.Staff: the pages do
// not import the store.
type staffDoor struct{ tokens tokenStore }

func (s staffDoor) OpenSession(ctx context.Context, tokenSecret string) (string, domain.Actor, error) {
	session, t, err := s.tokens.OpenSession(ctx, tokenSecret)
	return session, t.Actor(), err
}

func (s staffDoor) Session(ctx context.Context, session string, idle time.Duration) (domain.Actor, error) {
	t, err := s.tokens.Session(ctx, session, idle)
	if err != nil {
		return domain.Actor{}, err
	}
	return t.Actor(), nil
}

func (s staffDoor) CloseSession(ctx context.Context, session string) error {
	return s.tokens.CloseSession(ctx, session)
}

func (s staffDoor) CreateToken(ctx context.Context, name string, role domain.Role, department string, expires time.Time) (string, web.StaffToken, error) {
	secret, t, err := s.tokens.Create(ctx, name, role, department, expires)
	return secret, staffToken(t), err
}

func (s staffDoor) ListTokens(ctx context.Context) ([]web.StaffToken, error) {
	ts, err := s.tokens.List(ctx)
	out := make([]web.StaffToken, len(ts))
	for i, t := range ts {
		out[i] = staffToken(t)
	}
	return out, err
}

func (s staffDoor) RevokeToken(ctx context.Context, id string) error { return s.tokens.Revoke(ctx, id) }

func staffToken(t eventstore.Token) web.StaffToken {
	return web.StaffToken{ID: t.ID, Name: t.Name, Role: t.Role, Department: t.Department,
		CreatedAt: t.CreatedAt, ExpiresAt: t.ExpiresAt, RevokedAt: t.RevokedAt}
}
