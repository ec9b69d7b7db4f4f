package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"sync/atomic"
	"time"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/domain/campaign"
	"github.com/citizenhouse/bayt/domain/casefile"
	"github.com/citizenhouse/bayt/domain/organisation"
	"github.com/citizenhouse/bayt/eventstore"
	"github.com/citizenhouse/bayt/transport/photo"
	"github.com/oklog/ulid/v2"
	"golang.org/x/sync/errgroup"
)

// demoWorkers is how many cases are recorded at once: many appends in
// flight let the store commit them together.
const demoWorkers = 32

func demoCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "load" {
		_, _ = fmt.Fprintln(stderr, "usage: bayt demo load [--cases N] [--seed S] [--now RFC3339] [--if-empty]")
		return errUsage
	}
	var (
		cases, seed *int
		now         *string
		ifEmpty     *bool
	)
	cfg := configFromEnv()
	pool, _, err := databaseCommand(ctx, "demo load", args[1:], stderr, false, func(fs *flag.FlagSet) {
		cfg.masterKeyFlag(fs)
		cases = fs.Int("cases", 500, "cases to report over the year")
		seed = fs.Int("seed", 1, "random seed: the same seed (and --now) makes the same city")
		now = fs.String("now", "", "the end of the demo year, RFC 3339 (default: now)")
		ifEmpty = fs.Bool("if-empty", false, "load only into a database whose log has no event")
	})
	if err != nil {
		return err
	}
	defer pool.Close()
	end := time.Now()
	if *now != "" {
		if end, err = time.Parse(time.RFC3339, *now); err != nil {
			return fmt.Errorf("%w: --now: %w", errUsage, err)
		}
	}
	if *cases < 0 {
		return fmt.Errorf("%w: --cases must be 0 or more", errUsage)
	}
	mk, err := configuredMasterKey(cfg)
	if err != nil {
		return err
	}
	if _, err := migrate(ctx, pool); err != nil {
		return err
	}
	_, keyedHash, err := openKeys(ctx, pool, mk)
	if err != nil {
		return err
	}
	store := eventstore.New(pool, eventstore.Config{})
	defer store.Close()
	if *ifEmpty {
		head, err := store.Head(ctx)
		if err != nil {
			return err
		}
		if head > 0 {
			_, err := fmt.Fprintln(stderr, "demo load: the log already holds events: no demo city loaded")
			return err
		}
		_, _ = fmt.Fprintf(stderr, "demo load: the log is empty: loading a demo city of %d cases\n", *cases)
	}
	live, err := liveDirectory(ctx, store)
	if err != nil {
		return err
	}
	load := &demoLoad{
		city:  newDemoCity(uint64(*seed), live.Directory(), end),
		repos: newRepositories(store), vault: eventstore.NewVault(pool, mk), hash: keyedHash,
		photos: &demoPhotos{store: eventstore.NewPhotos(pool), proc: photo.New(2)},
		bar:    newProgressBar(stderr, "demo", "commands"),
	}
	if err := load.run(ctx, *cases); err != nil {
		return err
	}
	took := load.bar.elapsed()
	_, err = fmt.Fprintf(stdout, "loaded %d cases, %d campaigns, %d organisations: %d events in %s (%.0f events/s)\n",
		*cases, len(load.campaigns), len(load.orgs), load.events.Load(), took.Round(time.Millisecond),
		float64(load.events.Load())/max(took.Seconds(), 1e-9))
	return err
}

// demoLoad records a planned city through the domain services.
type demoLoad struct {
	city      *demoCity
	repos     repositories
	vault     domain.Vault
	hash      func(purpose, text string) string
	photos    *demoPhotos
	bar       *progressBar
	orgs      []*demoOrganisation
	campaigns []*demoCampaign

	events, done atomic.Int64
	total        int64
}

// run plans the city, then records it in four passes that keep every
// stream's events in the order of their dates: the network's
// organisations; each case up to the day a campaign takes it up or it is
// merged (which needs the case it is merged into); the campaigns, which
// link their cases as they go; and the rest of each case.
func (ld *demoLoad) run(ctx context.Context, cases int) error {
	d := ld.city
	ld.orgs = demoOrganisations()
	orgPlan := d.organisations(ld.orgs)
	ld.campaigns = d.demoCampaigns()
	d.plan(cases, ld.campaigns)
	for _, c := range ld.campaigns {
		d.script(c, ld.orgs)
		ld.total += int64(len(c.actions))
	}
	ld.total += int64(len(orgPlan))
	for _, l := range d.lives {
		ld.total += int64(len(l.steps))
	}

	clock := &demoClock{ids: rand.New(rand.NewPCG(d.seed^0x1d5, 1<<40))}
	orgs := organisation.NewService(ld.repos.organisations, d.dir, clock.ports(ld.vault, ld.hash))
	for _, a := range orgPlan {
		clock.at = a.at
		out, err := a.do(domain.WithMetadata(ctx, domain.Metadata{Actor: a.actor}), orgs)
		if err != nil {
			return fmt.Errorf("demo organisations: %w", err)
		}
		ld.step(out)
	}
	err := ld.cases(ctx, func(l *caseLife, s demoStep) bool {
		return s.barrier || (l.campaign >= 0 && !s.at.Before(l.linkAt))
	})
	if err != nil {
		return err
	}
	g, gctx := errgroup.WithContext(ctx)
	for _, c := range ld.campaigns {
		clock := &demoClock{ids: c.ids}
		svc := campaign.NewService(ld.repos.campaigns, ld.repos.organisations, ld.repos, d.dir, clock.ports(ld.vault, ld.hash))
		g.Go(func() error {
			for _, a := range c.actions {
				clock.at = a.at
				out, err := a.do(domain.WithMetadata(gctx, domain.Metadata{Actor: a.actor}), svc)
				if err != nil {
					return fmt.Errorf("demo campaign %q at %s: %w", c.title, a.at.Format(time.DateTime), err)
				}
				ld.step(out)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	if err := ld.cases(ctx, func(*caseLife, demoStep) bool { return false }); err != nil {
		return err
	}
	ld.bar.done()
	return nil
}

// cases records the steps of every case until held says to wait, many
// cases at once, each worker with a clock of its own that walks its case
// through the year. After a failure the workers record nothing more but
// go on taking cases, so that nothing waits on them; their context is
// left alone, so that the commands in flight end as they would.
func (ld *demoLoad) cases(ctx context.Context, held func(*caseLife, demoStep) bool) error {
	var (
		g      errgroup.Group
		failed atomic.Bool
	)
	work := make(chan *caseLife)
	for range demoWorkers {
		clock := &demoClock{}
		svc := casefile.NewService(ld.repos.cases, ld.city.dir, clock.ports(ld.vault, ld.hash))
		g.Go(func() error {
			var err error
			for l := range work {
				if err != nil || failed.Load() {
					continue
				}
				clock.ids = l.ids
				for ; err == nil && l.next < len(l.steps) && !held(l, l.steps[l.next]); l.next++ {
					s := l.steps[l.next]
					clock.at = s.at
					var (
						out     domain.Outcome
						stepErr error
						sctx    = domain.WithMetadata(ctx, domain.Metadata{Actor: s.actor})
					)
					if s.photo != 0 {
						out, stepErr = ld.photos.add(sctx, svc, l, s)
					} else {
						out, stepErr = s.do(sctx, svc, l)
					}
					if stepErr != nil {
						err = fmt.Errorf("demo case %d step %d at %s: %w", l.n, l.next, s.at.Format(time.DateTime), stepErr)
						failed.Store(true)
						break
					}
					l.record(out)
					ld.step(out)
				}
			}
			return err
		})
	}
	for _, l := range ld.city.lives {
		if l.next < len(l.steps) && ctx.Err() == nil {
			work <- l
		}
	}
	close(work)
	if err := g.Wait(); err != nil {
		return err
	}
	return ctx.Err()
}

func (ld *demoLoad) step(out domain.Outcome) {
	ld.events.Add(int64(len(out.Events)))
	ld.bar.update(ld.done.Add(1), ld.total, ld.bar.elapsed())
}

// demoClock is the clock and the source of ids of one worker: a command
// is dated when the plan says, and an id is a ULID of that moment whose
// randomness comes from the seed, so that the same seed gives the same
// ids.
type demoClock struct {
	at  time.Time
	ids *rand.Rand
}

func (c *demoClock) ports(vault domain.Vault, hash func(purpose, text string) string) domain.Ports {
	return domain.Ports{Vault: vault, KeyedHashFunc: hash, NowFunc: func() time.Time { return c.at }, NewIDFunc: c.newID}
}

func (c *demoClock) newID() string {
	var id ulid.ULID
	_ = id.SetTime(ulid.Timestamp(c.at)) // fails only after the year 10889
	var entropy [10]byte
	for i := range entropy {
		entropy[i] = byte(c.ids.Uint32())
	}
	_ = id.SetEntropy(entropy[:]) // always 10 bytes
	return id.String()
}
