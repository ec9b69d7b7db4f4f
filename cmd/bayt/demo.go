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
	"github.com/citizenhouse/bayt/domain/casefile"
	"github.com/citizenhouse/bayt/domain/directory"
	"github.com/citizenhouse/bayt/eventstore"
	"golang.org/x/sync/errgroup"
)

var demoDistricts = []string{"المدينة العتيقة", "باب سويقة", "لافايات", "المنزه", "حي التضامن", "الملاسين", "سيدي حسين", "العمران"}

// demoPlaces are the districts' centres, roughly, in demoDistricts' order:
// the demo's cases are pinned around them, so its maps look like a city's.
var demoPlaces = []casefile.Location{
	{Lat: 36.7990, Lon: 10.1700}, {Lat: 36.8060, Lon: 10.1660}, {Lat: 36.8150, Lon: 10.1810}, {Lat: 36.8420, Lon: 10.1700},
	{Lat: 36.8390, Lon: 10.1010}, {Lat: 36.7900, Lon: 10.1520}, {Lat: 36.7750, Lon: 10.1000}, {Lat: 36.8220, Lon: 10.1560},
}

var demoTitles = map[string][]string{
	"roads":           {"حفرة عميقة في الطريق", "Trottoir effondré", "Missing road sign"},
	"lighting":        {"عمود إنارة معطّل", "Rue sans éclairage la nuit"},
	"waste":           {"حاويات فائضة منذ أسبوع", "Dépôt sauvage de gravats"},
	"water":           {"تسرّب مياه في الشارع", "Égout bouché après la pluie"},
	"housing":         {"بناية آيلة للسقوط", "Logement insalubre"},
	"transport":       {"غياب موقف حافلات", "Feu de circulation en panne"},
	"green_spaces":    {"حديقة عمومية مهملة", "Arbres non taillés"},
	"markets_prices":  {"ارتفاع أسعار الخضر في السوق", "Prix non affichés au marché"},
	"schools":         {"سور المدرسة متصدّع", "Classe sans chauffage"},
	"health":          {"المستوصف مغلق مساءً", "Pas de médecin le samedi"},
	"public_freedoms": {"منع اجتماع جمعية في دار الشباب", "Refus d'autorisation de réunion"},
	"admin_services":  {"تأخّر استخراج مضمون الولادة", "Guichet fermé sans préavis"},
}

func demoCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "load" {
		_, _ = fmt.Fprintln(stderr, "usage: bayt demo load [--cases N] [--seed S]")
		return errUsage
	}
	var cases, seed *int
	cfg := configFromEnv()
	pool, _, err := databaseCommand(ctx, "demo load", args[1:], stderr, false, func(fs *flag.FlagSet) {
		cfg.masterKeyFlag(fs)
		cases = fs.Int("cases", 500, "cases to report")
		seed = fs.Int("seed", 1, "random seed: the same seed makes the same city")
	})
	if err != nil {
		return err
	}
	defer pool.Close()
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
	start := time.Now()
	city := newDemoCity(uint64(*seed))
	bar := newProgressBar(stderr, "demo", "cases")
	repos := newRepositories(store)
	vault := eventstore.NewVault(pool, mk)
	actx := domain.WithMetadata(ctx, domain.Metadata{Actor: domain.Actor{Role: domain.RoleSystem, Name: "bayt demo"}})
	// Cases go through the case service like any report, each worker with
	// a clock of its own that walks its case through the weeks; many
	// workers at once let the store commit their appends together.
	const workers = 32
	plans := make(chan int)
	var (
		done, events atomic.Int64
		g            errgroup.Group
	)
	for range workers {
		var at time.Time
		ports := newPorts(vault, keyedHash)
		ports.NowFunc = func() time.Time { return at }
		service := casefile.NewService(repos.cases, city.dir, ports)
		g.Go(func() error {
			for i := range plans {
				n, err := city.lifeOfACase(actx, service, i, func(t time.Time) { at = t })
				if err != nil {
					return err
				}
				events.Add(int64(n))
				bar.update(done.Add(1), int64(*cases), time.Since(start))
			}
			return nil
		})
	}
	for i := range *cases {
		plans <- i
	}
	close(plans)
	if err := g.Wait(); err != nil {
		return err
	}
	bar.done()
	took := time.Since(start)
	_, err = fmt.Fprintf(stdout, "loaded %d cases, %d events in %s (%.0f events/s)\n", *cases, events.Load(), took.Round(time.Millisecond), float64(events.Load())/took.Seconds())
	return err
}

// demoCity makes cases that go as far through the municipal response as
// chance takes them, every step decided by the case aggregate itself.
type demoCity struct {
	seed uint64
	dir  *directory.Directory
	now  time.Time
}

func newDemoCity(seed uint64) *demoCity {
	return &demoCity{seed: seed, dir: directory.Default(), now: time.Now().UTC().Add(-90 * 24 * time.Hour)}
}

// lifeOfACase reports case i and takes it as far through the municipal
// response as chance says, each step through the case service at a time
// set with setNow. It returns the events recorded.
func (d *demoCity) lifeOfACase(ctx context.Context, cases *casefile.Service, i int, setNow func(time.Time)) (int, error) {
	// A generator per case: the same seed makes the same city, whichever
	// worker takes which case.
	rnd := rand.New(rand.NewPCG(d.seed, uint64(i)))
	cat := d.dir.Categories()[rnd.IntN(len(d.dir.Categories()))]
	titles := demoTitles[cat.Code]
	if len(titles) == 0 {
		titles = []string{cat.Name.AR}
	}
	title := titles[rnd.IntN(len(titles))]
	d0 := rnd.IntN(len(demoDistricts))
	district := demoDistricts[d0]
	priority := []casefile.Priority{casefile.PriorityLow, casefile.PriorityNormal, casefile.PriorityHigh, casefile.PriorityUrgent}[rnd.IntN(4)]
	// Most cases are reported and triaged; fewer reach each later step.
	last := 1 + rnd.IntN(5)
	gaps := make([]time.Duration, last)
	for s := range gaps {
		gaps[s] = time.Duration(1+rnd.IntN(72)) * time.Hour
	}
	// Four residents in five say where: within a kilometre or so of
	// their district's centre.
	var place *casefile.Location
	if rnd.IntN(5) > 0 {
		c := demoPlaces[d0]
		place = &casefile.Location{Lat: c.Lat + (rnd.Float64()-0.5)*0.016, Lon: c.Lon + (rnd.Float64()-0.5)*0.02}
	}

	at := d.now.Add(time.Duration(i) * time.Minute)
	advocate := domain.Actor{Role: domain.RoleAdvocate, Name: "فريق بيت المواطن"}
	officer := domain.Actor{Role: domain.RoleOfficer, Name: "البلدية", Department: cat.Department}
	any := domain.UpdateOptions{IfMatch: domain.AnyVersion}
	var id string
	steps := []func() (domain.Outcome, error){
		func() (domain.Outcome, error) {
			return cases.Report(ctx, casefile.Report{Actor: domain.Anonymous, Title: title,
				Description: "بلاغ من أحد المتساكنين / signalé par un habitant", Category: cat.Code, District: district, Location: place},
				domain.PersonalData{}, any)
		},
		func() (domain.Outcome, error) {
			return cases.Triage(ctx, id, casefile.Triage{Actor: advocate, Priority: priority}, any)
		},
		func() (domain.Outcome, error) {
			return cases.Forward(ctx, id, casefile.Forward{Actor: advocate, Department: cat.Department}, any)
		},
		func() (domain.Outcome, error) {
			return cases.Acknowledge(ctx, id, casefile.Acknowledge{Actor: officer, Reference: fmt.Sprintf("BO-%d", i)}, any)
		},
		func() (domain.Outcome, error) {
			return cases.Resolve(ctx, id, casefile.Resolve{Actor: officer, Note: "تمّ التدخّل / intervention faite"}, any)
		},
	}
	n := 0
	for s := 0; s < last; s++ {
		at = at.Add(gaps[s])
		setNow(at)
		out, err := steps[s]()
		if err != nil {
			return n, fmt.Errorf("demo case %d step %d: %w", i, s, err)
		}
		id = out.Stream
		n += len(out.Events)
	}
	return n, nil
}
