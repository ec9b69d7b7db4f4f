package domain_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/domain/casefile"
)

func TestHistoryFor(t *testing.T) {
	t.Parallel()
	rec := func(typ string, e any, actor domain.Actor) domain.Recorded {
		t.Helper()
		b, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		return domain.Recorded{Type: typ, Data: b, Hash: []byte{1, 2}, Metadata: domain.Metadata{
			Actor: actor, RequestID: "req", CorrelationID: "corr", IdempotencyKey: "key"}}
	}
	advocate := domain.Actor{ID: "tok-1", Name: "Amal", Role: domain.RoleAdvocate}
	h := domain.History{Stream: "case-x", Verified: true, Events: []domain.Recorded{
		rec(casefile.TypeCaseReported, casefile.CaseReported{Title: "t", ReporterSubject: "subj-1", TrackingTokenHash: []byte("secret")},
			domain.Actor{Role: domain.RolePublic, Name: "someone"}),
		rec(casefile.TypeCommentAdded, casefile.CommentAdded{Body: "internal note", Visibility: casefile.VisibilityInternal}, advocate),
		rec(casefile.TypeCommentAdded, casefile.CommentAdded{Body: "public note", Visibility: casefile.VisibilityPublic}, advocate),
		rec("casefile.from_a_newer_binary", map[string]string{"x": "y"}, advocate),
	}}
	for _, tc := range []struct {
		name   string
		viewer domain.Actor
		bodies []string // the comments shown, in order
		names  []string // the actor names shown, in order
	}{
		{"Public", domain.Anonymous, []string{"public note"}, []string{"", ""}},
		{"Officer", domain.Actor{Role: domain.RoleOfficer, Department: "roads_works"}, []string{"public note"}, []string{"", ""}},
		{"Staff", advocate, []string{"internal note", "public note"}, []string{"", "Amal", "Amal"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := h.For(tc.viewer, casefile.Decode, casefile.Redact)
			if err != nil {
				t.Fatal(err)
			}
			if got.Stream != "case-x" || !got.Verified || len(got.Events) != len(tc.names) {
				t.Fatalf("For = %+v, want %d events of a verified case-x", got, len(tc.names))
			}
			var bodies []string
			for i, e := range got.Events {
				if bytes.Contains(e.Data, []byte("subj-1")) || bytes.Contains(e.Data, []byte("tracking_token_hash")) {
					t.Errorf("event %d shows a personal reference: %s", i, e.Data)
				}
				want := domain.Metadata{Actor: domain.Actor{Role: h.Events[i].Metadata.Actor.Role, Name: tc.names[i]}}
				if e.Metadata != want {
					t.Errorf("event %d metadata %+v, want %+v", i, e.Metadata, want)
				}
				if e.Type == casefile.TypeCommentAdded {
					var c casefile.CommentAdded
					if err := json.Unmarshal(e.Data, &c); err != nil {
						t.Fatal(err)
					}
					bodies = append(bodies, c.Body)
				}
			}
			if len(bodies) != len(tc.bodies) {
				t.Fatalf("comments %q, want %q", bodies, tc.bodies)
			}
			for i := range bodies {
				if bodies[i] != tc.bodies[i] {
					t.Errorf("comments %q, want %q", bodies, tc.bodies)
				}
			}
		})
	}
}
