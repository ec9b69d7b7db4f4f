package casefile_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/domain/casefile"
	"github.com/citizenhouse/bayt/domain/domaintest"
)

func TestModerate(t *testing.T) {
	t.Parallel()
	yes, no := true, false
	text := func(s string) *string { return &s }
	moderate := func(cmd casefile.Moderate) func(*casefile.Case) ([]domain.Event, error) {
		return func(c *casefile.Case) ([]domain.Event, error) {
			if cmd.Actor == (domain.Actor{}) {
				cmd.Actor = advocate
			}
			if cmd.Now.IsZero() {
				cmd.Now = later
			}
			return c.Moderate(cmd)
		}
	}
	// public wants the event recorded and the case after it.
	public := func(hidden bool, title, description string) func(t *testing.T, evs []domain.Event, c *casefile.Case) {
		return func(t *testing.T, evs []domain.Event, c *casefile.Case) {
			t.Helper()
			e := evs[0].(*casefile.CaseModerated)
			if e.Hidden != hidden || c.Hidden() != hidden {
				t.Errorf("hidden = %v (case %v), want %v", e.Hidden, c.Hidden(), hidden)
			}
			if c.PublicTitle() != title || c.PublicDescription() != description {
				t.Errorf("public texts = %q, %q; want %q, %q", c.PublicTitle(), c.PublicDescription(), title, description)
			}
			if c.Title != reported().Title || c.Description != reported().Description {
				t.Errorf("original texts = %q, %q; want the reporter's kept for staff", c.Title, c.Description)
			}
			if c.Moderation == nil || c.Moderation.Reason != e.Reason || !c.Moderation.At.Equal(later) || !c.UpdatedAt.Equal(later) {
				t.Errorf("moderation = %+v, updated %v", c.Moderation, c.UpdatedAt)
			}
		}
	}
	orig := reported()
	run(t, []scenario{{
		Name:  "OKReplacesTexts",
		Given: history(casefile.StatusForwarded),
		WhenFunc: moderate(casefile.Moderate{PublicTitle: text(" حفرة في الطريق "), PublicDescription: text("حفرة قرب مدرسة"),
			Reason: "يذكر اسم المعلم"}),
		Then:      []string{casefile.TypeCaseModerated},
		CheckFunc: public(false, "حفرة في الطريق", "حفرة قرب مدرسة"),
	}, {
		Name:      "OKHidesAClosedCase",
		Given:     history(casefile.StatusClosed),
		WhenFunc:  moderate(casefile.Moderate{Actor: admin, Hidden: &yes, Reason: "منشور مسيء"}),
		Then:      []string{casefile.TypeCaseModerated},
		CheckFunc: public(true, orig.Title, orig.Description),
	}, {
		Name:      "OKNilFieldsKeepTheLastModeration",
		Given:     then(history(casefile.StatusReported), []domain.Event{moderated()}),
		WhenFunc:  moderate(casefile.Moderate{Hidden: &yes, Reason: "r"}),
		Then:      []string{casefile.TypeCaseModerated},
		CheckFunc: public(true, moderated().PublicTitle, moderated().PublicDescription),
	}, {
		Name:      "OKEmptyTextRestoresTheOriginal",
		Given:     then(history(casefile.StatusReported), []domain.Event{moderated()}),
		WhenFunc:  moderate(casefile.Moderate{PublicTitle: text(""), Reason: "r"}),
		Then:      []string{casefile.TypeCaseModerated},
		CheckFunc: public(false, orig.Title, moderated().PublicDescription),
	}, {
		Name:      "OKUnhides",
		Given:     then(history(casefile.StatusReported), []domain.Event{&casefile.CaseModerated{Hidden: true, Reason: "r", At: hour(1)}}),
		WhenFunc:  moderate(casefile.Moderate{Hidden: &no, Reason: "cleared"}),
		Then:      []string{casefile.TypeCaseModerated},
		CheckFunc: public(false, orig.Title, orig.Description),
	}, {
		Name:     "OKTheOriginalIsNoReplacement",
		Given:    history(casefile.StatusReported),
		WhenFunc: moderate(casefile.Moderate{PublicTitle: text(orig.Title), Hidden: &no, Reason: "r"}),
		Then:     []string{casefile.TypeCaseModerated},
		CheckFunc: func(t *testing.T, evs []domain.Event, _ *casefile.Case) {
			t.Helper()
			if e := evs[0].(*casefile.CaseModerated); e.PublicTitle != "" {
				t.Errorf("public title = %q, want none: the original is not copied", e.PublicTitle)
			}
		},
	}, {
		Name:     "ErrReasonMissing",
		Given:    history(casefile.StatusReported),
		WhenFunc: moderate(casefile.Moderate{Hidden: &yes, Reason: "  "}),
		ErrFunc:  domaintest.WantInvalid("reason"),
	}, {
		Name:     "ErrNothingToModerate",
		Given:    history(casefile.StatusReported),
		WhenFunc: moderate(casefile.Moderate{Reason: "r"}),
		ErrFunc:  domaintest.WantInvalid("hidden"),
	}, {
		Name:     "ErrPublicTitleTooLong",
		Given:    history(casefile.StatusReported),
		WhenFunc: moderate(casefile.Moderate{PublicTitle: text(ar(casefile.MaxTitle + 1)), Reason: "r"}),
		ErrFunc:  domaintest.WantInvalid("public_title"),
	}, {
		Name:     "ErrPublicDescriptionTooLong",
		Given:    history(casefile.StatusReported),
		WhenFunc: moderate(casefile.Moderate{PublicDescription: text(ar(casefile.MaxDescription + 1)), Reason: "r"}),
		ErrFunc:  domaintest.WantInvalid("public_description"),
	}})
}

// recorded turns events into a stored history, as the store returns it.
func recorded(tb testing.TB, events ...domain.Event) domain.History {
	tb.Helper()
	h := domain.History{Stream: caseID, Verified: true}
	for i, e := range events {
		data, err := json.Marshal(e)
		if err != nil {
			tb.Fatal(err)
		}
		h.Events = append(h.Events, domain.Recorded{Position: int64(i + 1), Stream: caseID, Version: int64(i + 1),
			Type: e.EventType(), Data: data, Metadata: domain.Metadata{Actor: advocate}})
	}
	return h
}

func TestHistoryFor(t *testing.T) {
	t.Parallel()
	orig := reported()
	replaced := recorded(t, then(history(casefile.StatusForwarded), []domain.Event{moderated()})...)
	hidden := recorded(t, then(history(casefile.StatusForwarded), []domain.Event{&casefile.CaseModerated{Hidden: true, Reason: "r", At: hour(3)}})...)

	t.Run("PublicReadsThePublicTexts", func(t *testing.T) {
		t.Parallel()
		h, err := casefile.HistoryFor(replaced, public)
		if err != nil {
			t.Fatal(err)
		}
		all, _ := json.Marshal(h)
		for _, original := range []string{orig.Title, orig.Description, moderated().Reason} {
			if strings.Contains(string(all), original) {
				t.Errorf("public history holds %q: %s", original, all)
			}
		}
		if !strings.Contains(string(all), moderated().PublicTitle) || len(h.Events) != 3 {
			t.Errorf("public history = %s, want the report with the public title and no moderation", all)
		}
	})

	t.Run("StaffReadTheOriginal", func(t *testing.T) {
		t.Parallel()
		h, err := casefile.HistoryFor(replaced, advocate)
		if err != nil {
			t.Fatal(err)
		}
		all, _ := json.Marshal(h)
		if !strings.Contains(string(all), orig.Title) || !strings.Contains(string(all), moderated().Reason) || len(h.Events) != 4 {
			t.Errorf("staff history = %s, want the original and the moderation with its reason", all)
		}
	})

	t.Run("ErrNotFoundWhenHidden", func(t *testing.T) {
		t.Parallel()
		for _, viewer := range []domain.Actor{public, reporter, officer} {
			if _, err := casefile.HistoryFor(hidden, viewer); !errors.Is(err, domain.ErrNotFound) {
				t.Errorf("%s: error = %v, want not found", viewer.Role, err)
			}
		}
		if h, err := casefile.HistoryFor(hidden, admin); err != nil || len(h.Events) != 4 {
			t.Errorf("admin: %d events, %v; want the whole history", len(h.Events), err)
		}
	})
}

func TestRedactFor(t *testing.T) {
	t.Parallel()
	c := given(reported(), moderated())
	got, ok := casefile.RedactFor(c)(reported())
	if r := got.(*casefile.CaseReported); !ok || r.Title != moderated().PublicTitle || r.Description != moderated().PublicDescription ||
		r.ReporterSubject != "" || r.Category != "roads" {
		t.Errorf("RedactFor(moderated)(report) = %+v, %v", got, ok)
	}
	if _, ok := casefile.RedactFor(c)(moderated()); ok {
		t.Error("a moderation is public")
	}
	hidden := given(reported(), &casefile.CaseModerated{Hidden: true, Reason: "r", At: hour(1)})
	for _, e := range samples() {
		if _, ok := casefile.RedactFor(hidden)(e); ok {
			t.Errorf("RedactFor(hidden case)(%s) is public", e.EventType())
		}
	}
	if got, ok := casefile.RedactFor(given(reported()))(reported()); !ok || got.(*casefile.CaseReported).Title != reported().Title {
		t.Errorf("RedactFor(unmoderated)(report) = %+v, %v; want the original", got, ok)
	}
}

func TestPublicCase(t *testing.T) {
	t.Parallel()
	c := given(reported(), moderated())
	p, ok := c.Public()
	if !ok || p.Title != moderated().PublicTitle || p.Moderation != nil || p.ReporterSubject != "" || p.TrackingTokenHash != nil {
		t.Errorf("Public() = %+v, %v", p, ok)
	}
	if c.Moderation == nil || c.Title != reported().Title {
		t.Errorf("Public changed the case: %+v", c)
	}
	if _, ok := given(reported(), &casefile.CaseModerated{Hidden: true, Reason: "r"}).Public(); ok {
		t.Error("a hidden case is public")
	}
}
