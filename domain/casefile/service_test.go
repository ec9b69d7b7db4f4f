package casefile_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/domain/casefile"
	"github.com/citizenhouse/bayt/domain/directory"
)

// memVault is the vault port in memory: enough to see what a service
// leaves behind.
type memVault struct {
	mu   sync.Mutex
	n    int
	data map[string]domain.PersonalData
}

func (v *memVault) Put(_ context.Context, d domain.PersonalData) (string, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.n++
	s := "subj-" + string(rune('a'+v.n))
	v.data[s] = d
	return s, nil
}

func (v *memVault) Get(_ context.Context, s string) (domain.PersonalData, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	d, ok := v.data[s]
	if !ok {
		return d, domain.ErrNotFound
	}
	return d, nil
}

func (v *memVault) Discard(_ context.Context, s string) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	delete(v.data, s)
	return nil
}

func (v *memVault) held() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return len(v.data)
}

// appendRepo decides like a repository and then answers what the append
// would have: the outcome of a store the test cannot otherwise make fail.
type appendRepo struct {
	decided []domain.Event
	out     domain.Outcome
	err     error
}

func (r *appendRepo) Load(context.Context, string) (*casefile.Case, int64, error) {
	return nil, 0, domain.ErrNotFound
}

func (r *appendRepo) Update(_ context.Context, id string, _ domain.UpdateOptions, decide func(*casefile.Case) ([]domain.Event, error)) (domain.Outcome, error) {
	events, err := decide(&casefile.Case{})
	if err != nil {
		return domain.Outcome{}, err
	}
	r.decided = events
	out := r.out
	out.Stream = id
	return out, r.err
}

func TestReportVaultEntry(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	report := casefile.Report{Actor: domain.Anonymous, Title: "حفرة", Description: "عميقة", Category: "roads", District: "Medina"}
	reporter := domain.PersonalData{Name: "  Amal  ", Phone: "+216 20 000 000"}
	for _, tc := range []struct {
		name     string
		repo     *appendRepo
		opts     domain.UpdateOptions
		wantErr  error
		wantHeld int
	}{
		{"OK", &appendRepo{out: domain.Outcome{Version: 1, Position: 7}}, domain.UpdateOptions{IfMatch: domain.AnyVersion}, nil, 1},
		{"RefusedByStoreDiscards", &appendRepo{err: &domain.VersionConflictError{Actual: 1}}, domain.UpdateOptions{IfMatch: domain.AnyVersion}, &domain.VersionConflictError{}, 0},
		{"ReplayDiscards", &appendRepo{out: domain.Outcome{Replayed: &domain.Response{Status: 201}}}, domain.UpdateOptions{IfMatch: domain.AnyVersion}, nil, 0},
		{"OutcomeUnknownKeeps", &appendRepo{err: domain.ErrOutcomeUnknown}, domain.UpdateOptions{IfMatch: domain.AnyVersion}, domain.ErrOutcomeUnknown, 1},
		{"StaleIfMatchStoresNothing", &appendRepo{}, domain.UpdateOptions{IfMatch: 1}, &domain.VersionConflictError{}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			vault := &memVault{data: map[string]domain.PersonalData{}}
			svc := casefile.NewService(tc.repo, directory.Default(), domain.Ports{Vault: vault,
				NowFunc: func() time.Time { return at }, NewIDFunc: func() string { return "01JDZ0000000000000000000AB" },
				KeyedHashFunc: func(purpose, text string) string { return purpose + ":" + text }})
			out, err := svc.Report(context.Background(), report, reporter, tc.opts)
			var vc *domain.VersionConflictError
			switch {
			case tc.wantErr == nil && err != nil:
				t.Fatalf("err = %v", err)
			case errors.As(tc.wantErr, &vc) && !errors.As(err, &vc):
				t.Fatalf("err = %v, want a version conflict", err)
			case errors.Is(tc.wantErr, domain.ErrOutcomeUnknown) && !errors.Is(err, domain.ErrOutcomeUnknown):
				t.Fatalf("err = %v, want outcome unknown", err)
			}
			if n := vault.held(); n != tc.wantHeld {
				t.Fatalf("vault holds %d entries, want %d", n, tc.wantHeld)
			}
			if tc.name != "OK" {
				return
			}
			if out.TrackingToken == "" || out.Status != "reported" || out.Stream != "case-01JDZ0000000000000000000AB" {
				t.Fatalf("outcome = %+v", out)
			}
			rep := tc.repo.decided[0].(*casefile.CaseReported)
			if pd, err := vault.Get(context.Background(), rep.ReporterSubject); err != nil || pd.Name != "Amal" {
				t.Fatalf("vault holds %+v, %v for the reporter, want the trimmed name", pd, err)
			}
			if !rep.At.Equal(at) {
				t.Fatalf("reported at %v, want the service's clock %v", rep.At, at)
			}
		})
	}
}

func TestReportBadInputStoresNothing(t *testing.T) {
	t.Parallel()
	vault := &memVault{data: map[string]domain.PersonalData{}}
	repo := &appendRepo{}
	svc := casefile.NewService(repo, directory.Default(), domain.Ports{Vault: vault, NowFunc: time.Now, NewIDFunc: func() string { return "01JDZ0000000000000000000AB" },
		KeyedHashFunc: func(purpose, text string) string { return purpose + ":" + text }})
	_, err := svc.Report(context.Background(), casefile.Report{Actor: domain.Anonymous, Title: "", Category: "roads", District: "Medina"},
		domain.PersonalData{Email: "not an address"}, domain.UpdateOptions{IfMatch: domain.AnyVersion})
	var inv *domain.InvalidError
	if !errors.As(err, &inv) {
		t.Fatalf("err = %v, want invalid input", err)
	}
	for _, field := range []string{"title", "reporter.email"} {
		if !containsField(err, field) {
			t.Errorf("error %v does not name %s", err, field)
		}
	}
	if vault.held() != 0 || repo.decided != nil {
		t.Fatalf("a refused report stored %d vault entries and decided %v", vault.held(), repo.decided)
	}
}

func containsField(err error, field string) bool {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			if containsField(e, field) {
				return true
			}
		}
		return false
	}
	var inv *domain.InvalidError
	return errors.As(err, &inv) && inv.Field == field
}

// foldRepo is a repository of one case in memory: it folds what was
// appended, so a service's repeated commands see their predecessors.
type foldRepo struct {
	events []domain.Event
}

func (r *foldRepo) Load(context.Context, string) (*casefile.Case, int64, error) {
	return nil, 0, domain.ErrNotFound
}

func (r *foldRepo) Update(_ context.Context, id string, _ domain.UpdateOptions, decide func(*casefile.Case) ([]domain.Event, error)) (domain.Outcome, error) {
	var c casefile.Case
	for _, e := range r.events {
		c.Apply(e)
	}
	events, err := decide(&c)
	if err != nil {
		return domain.Outcome{}, err
	}
	r.events = append(r.events, events...)
	return domain.Outcome{Stream: id, Version: int64(len(r.events))}, nil
}

// TestSupportCountsEachPersonOnce supports one case from addresses and
// browsers over two days: one support per address and day, and one per
// browser, each repeat answered like a first support.
func TestSupportCountsEachPersonOnce(t *testing.T) {
	t.Parallel()
	const id = "case-01JDZ0000000000000000000AB"
	day := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	now := day
	repo := &foldRepo{events: history(casefile.StatusForwarded)}
	svc := casefile.NewService(repo, directory.Default(), domain.Ports{Vault: &memVault{data: map[string]domain.PersonalData{}},
		NowFunc: func() time.Time { return now }, NewIDFunc: func() string { return "01JDZ0000000000000000000AB" },
		KeyedHashFunc: func(purpose, text string) string { return fmt.Sprintf("%s(%q)", purpose, text) }})
	for _, step := range []struct {
		name             string
		address, browser string
		next             bool // a day later
		counts           bool
	}{
		{"FirstCounts", "198.51.100.1", "browser-1", false, true},
		{"SamePersonAgain", "198.51.100.1", "browser-1", false, false},
		{"SameAddressOtherBrowser", "198.51.100.1", "browser-2", false, false},
		{"SameBrowserOtherAddress", "198.51.100.2", "browser-1", false, false},
		{"OtherPerson", "198.51.100.3", "browser-3", false, true},
		{"ProgramWithoutCookieOtherAddress", "198.51.100.4", "", false, true},
		{"SameAddressNextDay", "198.51.100.1", "browser-4", true, true},
		{"SameBrowserNextDay", "198.51.100.5", "browser-1", false, false},
	} {
		if step.next {
			now = day.Add(24 * time.Hour)
		}
		before := len(repo.events)
		out, err := svc.Support(context.Background(), id, casefile.Support{Actor: domain.Anonymous}, step.address, step.browser,
			domain.UpdateOptions{IfMatch: domain.AnyVersion})
		if err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		if counted := len(repo.events) > before; counted != step.counts {
			t.Fatalf("%s: counted %v, want %v", step.name, counted, step.counts)
		}
		if out.Status != string(casefile.StatusForwarded) || out.Version != int64(len(repo.events)) {
			t.Fatalf("%s: outcome %+v; want the case's status and current version, repeat or not", step.name, out)
		}
	}
}
