package casefile_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/domain/casefile"
	"github.com/citizenhouse/bayt/domain/directory"
	"github.com/citizenhouse/bayt/domain/domaintest"
)

// nthPhoto returns the id of a distinct photo for each n.
func nthPhoto(n int) string {
	sum := sha256.Sum256([]byte{byte(n)})
	return hex.EncodeToString(sum[:])
}

// photos returns n PhotoAdded events, each of another photo.
func photos(n int, byReporter bool) []domain.Event {
	var out []domain.Event
	for i := range n {
		out = append(out, photoAdded(nthPhoto(100+i), byReporter))
	}
	return out
}

func TestAddPhoto(t *testing.T) {
	t.Parallel()
	add := func(a domain.Actor, now time.Time, id string) func(*casefile.Case) ([]domain.Event, error) {
		return func(c *casefile.Case) ([]domain.Event, error) {
			return c.AddPhoto(casefile.AddPhoto{Actor: a, Now: now, PhotoID: id, Width: 1600, Height: 900})
		}
	}
	added := func(byReporter bool, n int) func(t *testing.T, evs []domain.Event, c *casefile.Case) {
		return func(t *testing.T, evs []domain.Event, c *casefile.Case) {
			t.Helper()
			e := evs[0].(*casefile.PhotoAdded)
			if e.ByReporter != byReporter || e.Width != 1600 || e.Height != 900 {
				t.Errorf("event = %+v, want by reporter %v and the size given", e, byReporter)
			}
			if len(c.Photos) != n || c.Photos[n-1].ID != e.PhotoID || c.Photos[n-1].Hidden || !c.Photos[n-1].AddedAt.Equal(e.At) {
				t.Errorf("photos = %+v, want %d with the new one last", c.Photos, n)
			}
		}
	}
	withinHour, pastHour := t0.Add(casefile.ReporterPhotoWindow), t0.Add(casefile.ReporterPhotoWindow+time.Second)
	hidden := &casefile.CaseModerated{Hidden: true, Reason: "r", At: t0.Add(time.Minute)}
	run(t, []scenario{{
		Name:      "OKReporterWithinTheHour",
		Given:     history(casefile.StatusReported),
		WhenFunc:  add(reporter, withinHour, photoID),
		Then:      []string{casefile.TypePhotoAdded},
		CheckFunc: added(true, 1),
	}, {
		Name:      "OKReporterOnATriagedCase",
		Given:     history(casefile.StatusTriaged),
		WhenFunc:  add(reporter, t0.Add(time.Minute), photoID),
		Then:      []string{casefile.TypePhotoAdded},
		CheckFunc: added(true, 1),
	}, {
		Name:     "ErrReporterAfterTheHour",
		Given:    history(casefile.StatusReported),
		WhenFunc: add(reporter, pastHour, photoID),
		ErrFunc:  domaintest.WantForbidden(),
	}, {
		Name:     "ErrReporterOnAHiddenCase",
		Given:    then(history(casefile.StatusReported), []domain.Event{hidden}),
		WhenFunc: add(reporter, t0.Add(2*time.Minute), photoID),
		ErrFunc:  domaintest.WantForbidden(),
	}, {
		Name:     "ErrReporterFourthPhoto",
		Given:    then(history(casefile.StatusReported), photos(3, true)),
		WhenFunc: add(reporter, t0.Add(20*time.Minute), photoID),
		ErrFunc:  domaintest.WantInvalid("photo"),
	}, {
		Name:      "OKStaffPhotosDoNotCountAgainstTheReporter",
		Given:     then(history(casefile.StatusReported), photos(2, true), photos(4, false)[2:]),
		WhenFunc:  add(reporter, t0.Add(20*time.Minute), photoID),
		Then:      []string{casefile.TypePhotoAdded},
		CheckFunc: added(true, 5),
	}, {
		Name:      "OKAdvocateAfterTheReportersThree",
		Given:     then(history(casefile.StatusReported), photos(3, true)),
		WhenFunc:  add(advocate, t0.Add(20*time.Minute), photoID),
		Then:      []string{casefile.TypePhotoAdded},
		CheckFunc: added(false, 4),
	}, {
		Name:      "OKAdminOnAHiddenClosedCaseLongAfter",
		Given:     then(history(casefile.StatusClosed), []domain.Event{hidden}),
		WhenFunc:  add(admin, later, photoID),
		Then:      []string{casefile.TypePhotoAdded},
		CheckFunc: added(false, 1),
	}, {
		Name:     "ErrAdvocateBeyondTheCasesLimit",
		Given:    then(history(casefile.StatusReported), photos(casefile.MaxPhotos, false)),
		WhenFunc: add(advocate, later, photoID),
		ErrFunc:  domaintest.WantInvalid("photo"),
	}, {
		Name:     "SamePhotoAgainRecordsNothing",
		Given:    then(history(casefile.StatusReported), photos(3, true), []domain.Event{photoAdded(photoID, false)}),
		WhenFunc: add(reporter, t0.Add(30*time.Minute), photoID),
		Then:     nil,
	}, {
		Name:     "ErrPublicWithoutToken",
		Given:    history(casefile.StatusReported),
		WhenFunc: add(public, t0.Add(time.Minute), photoID),
		ErrFunc:  domaintest.WantForbidden(),
	}, {
		Name:     "ErrOfficer",
		Given:    history(casefile.StatusForwarded),
		WhenFunc: add(officer, hour(3), photoID),
		ErrFunc:  domaintest.WantForbidden(),
	}, {
		Name:     "ErrNotAContentHash",
		Given:    history(casefile.StatusReported),
		WhenFunc: add(advocate, later, strings.ToUpper(photoID)),
		ErrFunc:  domaintest.WantInvalid("photo_id"),
	}, {
		Name:  "ErrNoSize",
		Given: history(casefile.StatusReported),
		WhenFunc: func(c *casefile.Case) ([]domain.Event, error) {
			return c.AddPhoto(casefile.AddPhoto{Actor: advocate, Now: later, PhotoID: photoID})
		},
		ErrFunc: domaintest.WantInvalid("photo"),
	}, {
		Name:     "ErrNoCase",
		WhenFunc: add(advocate, later, photoID),
		ErrFunc:  domaintest.WantTransition("add_photo", ""),
	}})
}

func TestModeratePhoto(t *testing.T) {
	t.Parallel()
	moderate := func(a domain.Actor, id string, hidden bool, reason string) func(*casefile.Case) ([]domain.Event, error) {
		return func(c *casefile.Case) ([]domain.Event, error) {
			return c.ModeratePhoto(casefile.ModeratePhoto{Actor: a, Now: later, PhotoID: id, Hidden: hidden, Reason: reason})
		}
	}
	withPhotos := then(history(casefile.StatusForwarded), []domain.Event{photoAdded(photoID, true), photoAdded(otherPhotoID, false)})
	run(t, []scenario{{
		Name:     "OKHides",
		Given:    withPhotos,
		WhenFunc: moderate(advocate, photoID, true, "يظهر وجه طفل"),
		Then:     []string{casefile.TypePhotoModerated},
		CheckFunc: func(t *testing.T, _ []domain.Event, c *casefile.Case) {
			t.Helper()
			if p, ok := c.Photo(photoID); !ok || !p.Hidden || c.PhotoPublic(photoID) || !c.PhotoPublic(otherPhotoID) {
				t.Errorf("photos = %+v; want the first hidden, the other public", c.Photos)
			}
			pub, _ := c.Public()
			if len(pub.Photos) != 1 || pub.Photos[0].ID != otherPhotoID || len(c.Photos) != 2 {
				t.Errorf("public photos = %+v, staff's %+v; want the hidden one for staff only", pub.Photos, c.Photos)
			}
		},
	}, {
		Name:     "OKShowsAgain",
		Given:    then(withPhotos, []domain.Event{&casefile.PhotoModerated{PhotoID: photoID, Hidden: true, Reason: "r", At: hour(3)}}),
		WhenFunc: moderate(admin, photoID, false, "cleared"),
		Then:     []string{casefile.TypePhotoModerated},
		CheckFunc: func(t *testing.T, _ []domain.Event, c *casefile.Case) {
			t.Helper()
			if !c.PhotoPublic(photoID) {
				t.Errorf("photos = %+v, want the photo public again", c.Photos)
			}
		},
	}, {
		Name:     "ErrNotAPhotoOfTheCase",
		Given:    withPhotos,
		WhenFunc: moderate(advocate, nthPhoto(7), true, "r"),
		ErrFunc:  domaintest.WantInvalid("photo_id"),
	}, {
		Name:     "ErrReasonMissing",
		Given:    withPhotos,
		WhenFunc: moderate(advocate, photoID, true, " "),
		ErrFunc:  domaintest.WantInvalid("reason"),
	}, {
		Name:     "ErrReporter",
		Given:    withPhotos,
		WhenFunc: moderate(reporter, photoID, true, "r"),
		ErrFunc:  domaintest.WantForbidden(),
	}})
}

func TestPhotosOnPublicSurfaces(t *testing.T) {
	t.Parallel()
	hide := &casefile.PhotoModerated{PhotoID: photoID, Hidden: true, Reason: "يظهر وجه طفل", At: hour(3)}
	events := then(history(casefile.StatusTriaged), []domain.Event{photoAdded(photoID, true), photoAdded(otherPhotoID, true), hide})

	t.Run("PublicCopySharesNoPhoto", func(t *testing.T) {
		t.Parallel()
		c := given(events...)
		pub, ok := c.Public()
		if !ok || len(pub.Photos) != 1 {
			t.Fatalf("public = %+v, %v", pub.Photos, ok)
		}
		pub.Photos[0].Hidden = true
		if p, _ := c.Photo(otherPhotoID); p.Hidden {
			t.Error("changing the public copy's photo changed the case's")
		}
	})

	t.Run("HistoryLeavesTheHiddenPhotoOut", func(t *testing.T) {
		t.Parallel()
		h := recorded(t, events...)
		pub, err := casefile.HistoryFor(h, public)
		if err != nil {
			t.Fatal(err)
		}
		all, _ := json.Marshal(pub)
		if strings.Contains(string(all), photoID) || !strings.Contains(string(all), otherPhotoID) || strings.Contains(string(all), hide.Reason) {
			t.Errorf("public history = %s; want the shown photo only, and no moderation", all)
		}
		staff, err := casefile.HistoryFor(h, advocate)
		if err != nil {
			t.Fatal(err)
		}
		all, _ = json.Marshal(staff)
		if !strings.Contains(string(all), photoID) || !strings.Contains(string(all), hide.Reason) {
			t.Errorf("staff history = %s; want the hidden photo and why", all)
		}
	})

	t.Run("HiddenCaseHidesEveryPhoto", func(t *testing.T) {
		t.Parallel()
		c := given(then(events, []domain.Event{&casefile.CaseModerated{Hidden: true, Reason: "r", At: hour(4)}})...)
		if c.PhotoPublic(otherPhotoID) {
			t.Error("a photo of a hidden case is public")
		}
		if _, ok := casefile.RedactFor(c)(photoAdded(otherPhotoID, true)); ok {
			t.Error("RedactFor(hidden case) shows a photo")
		}
	})
}

// TestAddPhotoService drives the service as the surfaces do: the reporter
// proves the case is theirs with the tracking token, the bytes are saved
// only for a photo the case accepts, and the hour runs on the service's
// clock.
func TestAddPhotoService(t *testing.T) {
	t.Parallel()
	const token = "the-tracking-token"
	sum := sha256.Sum256([]byte(token))
	r := reported()
	r.TrackingTokenHash = sum[:]
	now := t0.Add(30 * time.Minute)
	repo := &loadRepo{foldRepo{events: []domain.Event{r}}}
	svc := casefile.NewService(repo, directory.Default(), domain.Ports{Vault: &memVault{data: map[string]domain.PersonalData{}},
		NowFunc: func() time.Time { return now }, NewIDFunc: func() string { return "01JDZ0000000000000000000AB" },
		KeyedHashFunc: func(purpose, text string) string { return purpose + ":" + text }})
	saved := 0
	save := func(context.Context) error { saved++; return nil }
	add := func(a domain.Actor, tok, id string, save func(context.Context) error) (domain.Outcome, error) {
		return svc.AddPhoto(context.Background(), caseID, casefile.AddPhoto{Actor: a, PhotoID: id, Width: 800, Height: 600},
			tok, save, domain.UpdateOptions{IfMatch: domain.AnyVersion})
	}

	may := func(a domain.Actor, tok string) error {
		return svc.MayAddPhoto(context.Background(), caseID, a, tok)
	}
	if err := may(domain.Anonymous, "not-the-token"); !errors.Is(err, domain.ErrForbidden) {
		t.Fatalf("MayAddPhoto(wrong token) = %v, want forbidden", err)
	}
	if err := may(domain.Anonymous, token); err != nil {
		t.Fatalf("MayAddPhoto(reporter) = %v", err)
	}
	if _, err := add(domain.Anonymous, "not-the-token", photoID, save); !errors.Is(err, domain.ErrForbidden) || saved != 0 {
		t.Fatalf("wrong token: %v, saved %d times; want forbidden and nothing saved", err, saved)
	}
	out, err := add(domain.Anonymous, token, photoID, save)
	if err != nil || out.Created != photoID || saved != 1 {
		t.Fatalf("reporter: %+v, %v, saved %d times; want the photo created and saved once", out, err, saved)
	}
	if e := repo.events[len(repo.events)-1].(*casefile.PhotoAdded); !e.ByReporter || !e.At.Equal(now) {
		t.Fatalf("recorded %+v, want the reporter's photo dated by the service's clock", e)
	}
	failing := func(context.Context) error { return errors.New("disk full") }
	if _, err := add(domain.Anonymous, token, otherPhotoID, failing); err == nil || len(repo.events) != 2 {
		t.Fatalf("save failed: %v, %d events; want the error and nothing recorded", err, len(repo.events))
	}
	now = t0.Add(casefile.ReporterPhotoWindow + time.Minute)
	if _, err := add(domain.Anonymous, token, otherPhotoID, save); !errors.Is(err, domain.ErrForbidden) || saved != 1 {
		t.Fatalf("after the hour: %v, saved %d times; want forbidden and nothing saved", err, saved)
	}
	if err := may(domain.Anonymous, token); !errors.Is(err, domain.ErrForbidden) {
		t.Fatalf("MayAddPhoto(reporter after the hour) = %v, want forbidden", err)
	}
	if _, err := add(advocate, "", otherPhotoID, save); err != nil || saved != 2 || len(repo.events) != 3 {
		t.Fatalf("advocate after the hour: %v, saved %d, %d events", err, saved, len(repo.events))
	}
}

// loadRepo is a foldRepo that also loads its case.
type loadRepo struct{ foldRepo }

func (r *loadRepo) Load(context.Context, string) (*casefile.Case, int64, error) {
	c := given(r.events...)
	return c, c.Version, nil
}
