package web

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/citizenhouse/bayt/domain"
)

// TestConsoleCasePagesRender renders the workbench and the inbox with
// made-up data in every language: a template that parses can still fail
// when executed, and user text must come out escaped.
func TestConsoleCasePagesRender(t *testing.T) {
	t.Parallel()
	s := newTestPages(t, false)
	now := time.Date(2026, 3, 1, 10, 30, 0, 0, time.UTC)
	item := caseItem{
		ID: "case-01J00000000000000000000000", Href: "/console/cases/case-01J00000000000000000000000",
		Title: `<script>alert("x")</script>`, Status: "forwarded", StatusName: "Forwarded",
		Category: "Roads", District: "Bab Souika", Reported: newStamp(now), Overdue: true,
	}
	due := newStamp(now.Add(-48 * time.Hour))
	step := timelineItem{Type: "CommentAdded step-internal", Label: "Internal comment", Actor: "Advocate · Amal",
		At: newStamp(now), Text: "<b>note</b>", Hash: "abcdef0123456789", ShortHash: "abcdef012345"}
	for _, tc := range []struct {
		page string
		body any
		want []string
	}{
		{"console-case", workbenchBody{
			caseItem: item, Description: "d", Department: "Roads", Priority: "High", Due: &due, DueText: "Overdue by 2 days",
			Hidden: true, Moderation: &moderationView{Hidden: true, Reason: "names a person"},
			Reporter: &reporterView{Name: "Salma", Phone: "+216 20 555 019"}, Done: "triage",
			Refusal: "Someone else changed this case", RefusalHref: "#act-merge", Changes: []timelineItem{step},
			Forms: []actionForm{{
				Name: "merge", Title: "Merge", Action: "/console/cases/x/merge", Submit: "Merge", Version: 7,
				Fields:  []formField{{Name: "into", ID: "f-merge-into", Label: "Into", Kind: "text", Max: 40, Error: "Required", Required: true}},
				Message: "Please correct", Errors: []fieldError{{Name: "f-merge-into", Label: "Into", Message: "Required"}},
				Merge: &mergeSearch{Action: "/console/cases/x", Lang: "fr", Q: `"q"`, Searched: true, Results: []caseItem{item}},
			}, {
				Name: "moderate", Title: "Moderate", Action: "/console/cases/x/moderate", Submit: "Save", Version: 7,
				Check: &checkField{ID: "f-moderate-hidden", Name: "hidden", Label: "Hide", Checked: true},
			}},
			Verified: true, Timeline: []timelineItem{step},
		}, []string{`name="csrf_token" value="tok"`, `name="version" value="7"`, `data-merge-candidate="case-01J00000000000000000000000"`,
			`name="hidden" value="true" checked`, `data-done="triage"`, "data-changes", "&lt;b&gt;note&lt;/b&gt;", `data-reporter="contact"`,
			`aria-invalid="true"`, `href="#f-merge-into"`, `name="lang" value="fr"`, "step-internal"}},
		{"console-inbox", inboxBody{
			Filters: inboxFilters{Action: "/console/inbox", Q: `"q"`, Active: true, Statuses: []option{{Value: "reported", Label: "Reported", Selected: true}}},
			Queues: []inboxQueue{{Key: "console.inbox.triage", More: true, Items: []inboxItem{{caseItem: item, PriorityName: "High", Due: &due, DueText: "Overdue by 2 days", Hidden: true}}},
				{Key: "console.inbox.overdue"}},
			Limit: 100,
		}, []string{`data-queue="console.inbox.triage"`, `value="&#34;q&#34;"`, `<option value="reported" selected>`, "data-filtered",
			"wb-due-over", "case-hidden", "data-queues", `src="/static/console.js"`}},
	} {
		t.Run(tc.page, func(t *testing.T) {
			t.Parallel()
			for _, lang := range []string{langAR, langFR, langEN} {
				r := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/console/x?lang="+lang, nil)
				d := s.data(r, "console")
				d.Staff = &staffNav{Name: "Amal", Role: "advocate", CSRF: "tok", Advocate: true}
				d.Title, d.Body = "T", tc.body
				w := httptest.NewRecorder()
				s.render(w, r, http.StatusOK, tc.page, d)
				out := w.Body.String()
				if w.Code != http.StatusOK {
					t.Fatalf("%s: status %d: %s", lang, w.Code, out)
				}
				for _, want := range tc.want {
					if !strings.Contains(out, want) {
						t.Errorf("%s: page lacks %q", lang, want)
					}
				}
				if strings.Contains(out, "<script>") {
					t.Errorf("%s: unescaped script in page", lang)
				}
			}
		})
	}
}

func TestDueText(t *testing.T) {
	t.Parallel()
	s := newTestPages(t, false)
	d := s.data(httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/?lang=en", nil), "")
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		due  time.Duration
		want string
	}{
		{5*24*time.Hour + time.Hour, "5 days left"},
		{36 * time.Hour, "1 day left"},
		{3 * time.Hour, "Less than a day left"},
		{-3 * time.Hour, "Overdue by less than a day"},
		{-30 * time.Hour, "Overdue by 1 day"},
		{-10*24*time.Hour - time.Hour, "Overdue by 10 days"},
	} {
		if got := d.dueText(now.Add(tc.due), now); got != tc.want {
			t.Errorf("due in %s: %q, want %q", tc.due, got, tc.want)
		}
	}
}

func TestActionFieldErrors(t *testing.T) {
	t.Parallel()
	s := newTestPages(t, false)
	d := s.data(httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/?lang=fr", nil), "")
	fields := caseActions["triage"].fields
	errs, ok := d.actionFieldErrors(errors.Join(
		&domain.InvalidError{Field: "note", Rule: domain.RuleTooLong, Limit: 2000},
		domain.Invalid("priority", "must be low, normal, high or urgent"),
	), fields)
	if !ok || errs["note"] != "Trop long : 2000 caractères au plus." || errs["priority"] != "Choisissez une priorité dans la liste." {
		t.Fatalf("errors = %v, %v", errs, ok)
	}
	// An error of a field the form does not have is not the reader's to
	// correct: the page fails instead.
	if _, ok := d.actionFieldErrors(errors.Join(domain.Invalid("note", "x"), domain.Invalid("now", "required")), fields); ok {
		t.Fatal("an error of a field the form lacks was taken for the form's")
	}
	if _, ok := d.actionFieldErrors(errors.New("boom"), fields); ok {
		t.Fatal("an internal error was taken for the form's")
	}
}
