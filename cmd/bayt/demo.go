package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"time"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/domain/casefile"
	"github.com/citizenhouse/bayt/domain/directory"
	"github.com/citizenhouse/bayt/eventstore"
	"github.com/oklog/ulid/v2"
)

var demoDistricts = []string{"المدينة العتيقة", "باب سويقة", "لافايات", "المنزه", "حي التضامن", "الملاسين", "سيدي حسين", "العمران"}

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
	pool, _, err := databaseCommand(ctx, "demo load", args[1:], stderr, false, func(fs *flag.FlagSet) {
		cases = fs.Int("cases", 500, "cases to report")
		seed = fs.Int("seed", 1, "random seed: the same seed makes the same city")
	})
	if err != nil {
		return err
	}
	defer pool.Close()
	if _, err := migrate(ctx, pool); err != nil {
		return err
	}
	store := eventstore.New(pool, eventstore.Config{})
	defer store.Close()
	start := time.Now()
	city := newDemoCity(uint64(*seed))
	bar := newProgressBar(stderr, "demo", "cases")
	var events int64
	const perRequest = 200
	for done := 0; done < *cases; done += perRequest {
		req := eventstore.Request{}
		for i := done; i < min(done+perRequest, *cases); i++ {
			evs, err := city.lifeOfACase(i)
			if err != nil {
				return err
			}
			news, err := eventstore.Encode(evs.events)
			if err != nil {
				return err
			}
			req.Appends = append(req.Appends, eventstore.StreamAppend{Stream: evs.id, Expected: eventstore.NoStream, Events: news})
			events += int64(len(news))
		}
		actx := domain.WithMetadata(ctx, domain.Metadata{Actor: domain.Actor{Role: domain.RoleSystem, Name: "bayt demo"}})
		if _, err := store.Do(actx, req); err != nil {
			return err
		}
		bar.update(int64(min(done+perRequest, *cases)), int64(*cases), time.Since(start))
	}
	bar.done()
	took := time.Since(start)
	_, err = fmt.Fprintf(stdout, "loaded %d cases, %d events in %s (%.0f events/s)\n", *cases, events, took.Round(time.Millisecond), float64(events)/took.Seconds())
	return err
}

// demoCity makes cases that go as far through the municipal response as
// chance takes them, every step decided by the case aggregate itself.
type demoCity struct {
	rnd *rand.Rand
	dir *directory.Directory
	now time.Time
}

func newDemoCity(seed uint64) *demoCity {
	return &demoCity{rnd: rand.New(rand.NewPCG(seed, seed^0x62617974)), dir: directory.Default(), now: time.Now().UTC().Add(-90 * 24 * time.Hour)}
}

type demoCase struct {
	id     string
	events []domain.Event
}

func (d *demoCity) lifeOfACase(i int) (demoCase, error) {
	cats := d.dir.Categories()
	cat := cats[d.rnd.IntN(len(cats))]
	titles := demoTitles[cat.Code]
	if len(titles) == 0 {
		titles = []string{cat.Name.AR}
	}
	at := d.now.Add(time.Duration(i) * time.Minute)
	c := &casefile.Case{}
	out := demoCase{id: casefile.StreamPrefix + ulid.Make().String()}
	advocate := domain.Actor{Role: domain.RoleAdvocate, Name: "فريق بيت المواطن"}
	officer := domain.Actor{Role: domain.RoleOfficer, Name: "البلدية", Department: cat.Department}
	steps := []func(time.Time) ([]domain.Event, error){
		func(t time.Time) ([]domain.Event, error) {
			return c.Report(d.dir, casefile.Report{Actor: domain.Anonymous, Now: t, ID: out.id, Title: titles[d.rnd.IntN(len(titles))],
				Description: "بلاغ من أحد المتساكنين / signalé par un habitant", Category: cat.Code, District: demoDistricts[d.rnd.IntN(len(demoDistricts))]})
		},
		func(t time.Time) ([]domain.Event, error) {
			return c.Triage(d.dir, casefile.Triage{Actor: advocate, Now: t, Priority: []casefile.Priority{casefile.PriorityLow, casefile.PriorityNormal, casefile.PriorityHigh, casefile.PriorityUrgent}[d.rnd.IntN(4)]})
		},
		func(t time.Time) ([]domain.Event, error) {
			return c.Forward(d.dir, casefile.Forward{Actor: advocate, Now: t, Department: cat.Department})
		},
		func(t time.Time) ([]domain.Event, error) {
			return c.Acknowledge(casefile.Acknowledge{Actor: officer, Now: t, Reference: fmt.Sprintf("BO-%d", i)})
		},
		func(t time.Time) ([]domain.Event, error) {
			return c.Resolve(casefile.Resolve{Actor: officer, Now: t, Note: "تمّ التدخّل / intervention faite"})
		},
	}
	// Most cases are reported and triaged; fewer reach each later step.
	last := 1 + d.rnd.IntN(len(steps))
	for s := 0; s < last; s++ {
		at = at.Add(time.Duration(1+d.rnd.IntN(72)) * time.Hour)
		evs, err := steps[s](at)
		if err != nil {
			return out, fmt.Errorf("demo case %d step %d: %w", i, s, err)
		}
		for _, e := range evs {
			c.Apply(e)
		}
		out.events = append(out.events, evs...)
	}
	return out, nil
}
