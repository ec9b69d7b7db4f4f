package organisation_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/domain/directory"
	"github.com/citizenhouse/bayt/domain/domaintest"
	"github.com/citizenhouse/bayt/domain/organisation"
)

// samples has one event of every type with every field set, Arabic where
// there is text.
func samples() []domain.Event {
	r := registered()
	r.Kind, r.DepartmentCode = organisation.KindMunicipalDepartment, "social_affairs"
	return []domain.Event{
		r,
		&organisation.OrganisationUpdated{Name: "جمعية المرأة والشباب", Themes: []directory.Theme{directory.ThemeEconomic}, At: hour(1)},
		added(memberID, "subj-1"),
		removed(memberID),
	}
}

func TestDecode(t *testing.T) {
	t.Parallel()

	t.Run("RoundTripsEveryType", func(t *testing.T) {
		t.Parallel()
		domaintest.RoundTrip(t, samples(), organisation.Decode, organisation.Events(), 4)
	})

	t.Run("RoundTripsClearedThemes", func(t *testing.T) {
		t.Parallel()
		e := &organisation.OrganisationUpdated{Name: "n", At: hour(1)}
		data, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		got, err := organisation.Decode(organisation.TypeOrganisationUpdated, data)
		if err != nil || !reflect.DeepEqual(got, e) {
			t.Errorf("Decode(%s) = %+v, %v; want %+v", data, got, err, e)
		}
	})

	t.Run("WireNamesAreStable", func(t *testing.T) {
		t.Parallel()
		want := []string{
			"organisation.organisation_registered", "organisation.organisation_updated",
			"organisation.member_added", "organisation.member_removed",
		}
		for i, e := range samples() {
			if e.EventType() != want[i] {
				t.Errorf("%T.EventType() = %q, want %q", e, e.EventType(), want[i])
			}
		}
	})

	t.Run("ArabicTextRoundTrips", func(t *testing.T) {
		t.Parallel()
		e := registered()
		data, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(data), `"name":"جمعية نساء حي النصر"`) {
			t.Errorf("payload = %s, want the Arabic text as is", data)
		}
		got, err := organisation.Decode(organisation.TypeOrganisationRegistered, data)
		if err != nil {
			t.Fatal(err)
		}
		if r := got.(*organisation.OrganisationRegistered); r.Name != e.Name {
			t.Errorf("decoded = %+v", r)
		}
		m := added(memberID, "subj-1")
		data, err = json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		got, err = organisation.Decode(organisation.TypeMemberAdded, data)
		if err != nil || got.(*organisation.MemberAdded).Role != "رئيسة الجمعية" {
			t.Errorf("decoded = %+v, %v", got, err)
		}
	})

	t.Run("SnakeCaseFields", func(t *testing.T) {
		t.Parallel()
		data, err := json.Marshal(added(memberID, "subj-1"))
		if err != nil {
			t.Fatal(err)
		}
		if want := `{"member_id":"` + memberID + `","role":"رئيسة الجمعية","member_subject":"subj-1","at":"2025-03-01T09:00:00Z"}`; string(data) != want {
			t.Errorf("payload = %s, want %s", data, want)
		}
		data, err = json.Marshal(samples()[0])
		if err != nil {
			t.Fatal(err)
		}
		if want := `{"id":"` + orgID + `","name":"جمعية نساء حي النصر","kind":"municipal_department","themes":["social","legal"],"department_code":"social_affairs","at":"2025-03-01T08:00:00Z"}`; string(data) != want {
			t.Errorf("payload = %s, want %s", data, want)
		}
	})

	t.Run("AppliesDecodedEvents", func(t *testing.T) {
		t.Parallel()
		events := samples()
		o := given(domaintest.Redecode(t, events, organisation.Decode)...)
		if want := given(events...); !reflect.DeepEqual(o, want) {
			t.Errorf("organisation from decoded events = %+v, want %+v", o, want)
		}
	})

	t.Run("ErrUnknownEventType", func(t *testing.T) {
		t.Parallel()
		_, err := organisation.Decode("organisation.organisation_opened", []byte(`{}`))
		if !errors.Is(err, organisation.ErrUnknownEventType) {
			t.Errorf("error = %v, want ErrUnknownEventType", err)
		}
	})

	t.Run("ErrMalformedPayload", func(t *testing.T) {
		t.Parallel()
		var se *json.SyntaxError
		if _, err := organisation.Decode(organisation.TypeMemberRemoved, []byte(`{"at":`)); !errors.As(err, &se) {
			t.Errorf("error = %v, want a json.SyntaxError", err)
		}
	})

	t.Run("RegistryIsFresh", func(t *testing.T) {
		t.Parallel()
		m := organisation.Events()
		delete(m, organisation.TypeOrganisationRegistered)
		if _, ok := organisation.Events()[organisation.TypeOrganisationRegistered]; !ok {
			t.Error("changing one registry changed the next")
		}
	})
}

func TestEventName(t *testing.T) {
	t.Parallel()
	want := []string{"OrganisationRegistered", "OrganisationUpdated", "MemberAdded", "MemberRemoved"}
	for i, e := range samples() {
		if got := organisation.EventName(e.EventType()); got != want[i] {
			t.Errorf("EventName(%s) = %q, want %q", e.EventType(), got, want[i])
		}
	}
	if got := organisation.EventName("casefile.case_reported"); got != "casefile.case_reported" {
		t.Errorf("EventName of a foreign type = %q, want it unchanged", got)
	}
}

type foreignEvent struct{}

func (foreignEvent) EventType() string { return "casefile.case_reported" }

func TestPublic(t *testing.T) {
	t.Parallel()
	for _, e := range samples() {
		if !isPublic(organisation.Redact(e)) {
			t.Errorf("Redact(%s) = false", e.EventType())
		}
	}
	for _, e := range []domain.Event{foreignEvent{}, nil} {
		if isPublic(organisation.Redact(e)) {
			t.Errorf("Redact(%#v) = true", e)
		}
	}
}

// TestRedact classifies every text field of every organisation event as
// public or personal: a field or an event added without a decision fails
// here.
func TestRedact(t *testing.T) {
	t.Parallel()
	domaintest.Redaction(t, organisation.Events(), organisation.Redact, map[string]domaintest.Fields{
		organisation.TypeOrganisationRegistered: {Public: []string{"ID", "Name", "Kind", "Themes", "DepartmentCode"}},
		organisation.TypeOrganisationUpdated:    {Public: []string{"Name", "Themes"}},
		// The role is the organisation's ("president"); the person is the vault's.
		organisation.TypeMemberAdded:   {Public: []string{"MemberID", "Role"}, Personal: []string{"MemberSubject"}},
		organisation.TypeMemberRemoved: {Public: []string{"MemberID"}},
	})
}

func TestApply(t *testing.T) {
	t.Parallel()

	t.Run("VersionCountsEveryEvent", func(t *testing.T) {
		t.Parallel()
		o := given(registered(), added(memberID, "subj-1"), foreignEvent{})
		if o.Version != 3 || len(o.Members) != 1 || !o.UpdatedAt.Equal(hour(1)) || !o.CreatedAt.Equal(t0) {
			t.Errorf("organisation = %+v", o)
		}
	})

	t.Run("ForeignEventsDoNotRegister", func(t *testing.T) {
		t.Parallel()
		if o := given(foreignEvent{}); o.Registered() || o.Version != 1 {
			t.Errorf("organisation = %+v", o)
		}
	})

	t.Run("StateDoesNotAliasEvents", func(t *testing.T) {
		t.Parallel()
		r := registered()
		u := &organisation.OrganisationUpdated{Name: "n", Themes: []directory.Theme{directory.ThemeLegal}, At: hour(1)}
		o := given(r)
		r.Themes[0] = directory.ThemePolitical
		if o.Themes[0] != directory.ThemeSocial {
			t.Errorf("organisation shares memory with its events: %+v", o)
		}
		o.Apply(u)
		u.Themes[0] = directory.ThemePolitical
		if o.Themes[0] != directory.ThemeLegal {
			t.Errorf("organisation shares memory with its events: %+v", o)
		}
	})

	t.Run("AddingAnIDTwiceKeepsOneMember", func(t *testing.T) {
		t.Parallel()
		o := given(registered(), added(memberID, "subj-1"), added(memberID, "subj-9"))
		if len(o.Members) != 1 || o.Members[0].Subject != "subj-9" {
			t.Errorf("members = %+v", o.Members)
		}
	})
}

func TestValidID(t *testing.T) {
	t.Parallel()
	for id, want := range map[string]bool{
		orgID:                                true,
		otherOrg:                             true,
		strings.ToLower(orgID):               true,
		"org-":                               false,
		"org-1":                              false,
		"":                                   false,
		"case-01JNQ3Z8X4K5M6N7P8Q9R0S1T2":    false,
		"org-01JNQ3Z8X4K5M6N7P8Q9R0S1T":      false, // 25 characters
		"org-01JNQ3Z8X4K5M6N7P8Q9R0S1TUV":    false, // 27 characters
		"org-01JNQ3Z8X4K5M6N7P8Q9R0S1TU":     false, // U is not in Crockford's base32
		"org-81JNQ3Z8X4K5M6N7P8Q9R0S1T2":     false, // overflows 128 bits
		"org-01JNQ3Z8X4K5M6N7P8Q9R0S1T2 ":    false,
		"ORG-01JNQ3Z8X4K5M6N7P8Q9R0S1T2":     false,
		"member-01JNQ3Z8X4K5M6N7P8Q9R0S1T2":  false,
		"org-01jnq3z8x4k5m6n7p8q9r0s1t2-ext": false,
	} {
		if got := organisation.ValidID(id); got != want {
			t.Errorf("ValidID(%q) = %v, want %v", id, got, want)
		}
	}
	for id, want := range map[string]bool{
		memberID:                          true,
		"member-1":                        false,
		orgID:                             false,
		"member-01JNQ3Z8X4K5M6N7P8Q9R0S1": false,
	} {
		if got := organisation.ValidMemberID(id); got != want {
			t.Errorf("ValidMemberID(%q) = %v, want %v", id, got, want)
		}
	}
}

func TestEnums(t *testing.T) {
	t.Parallel()
	kinds := []organisation.Kind{
		organisation.KindAssociation, organisation.KindInstitution,
		organisation.KindPrivateSector, organisation.KindMunicipalDepartment,
	}
	var got []string
	for _, k := range kinds {
		if !k.Valid() {
			t.Errorf("%q.Valid() = false", k)
		}
		got = append(got, string(k))
	}
	if strings.Join(got, ",") != "association,institution,private_sector,municipal_department" {
		t.Errorf("kinds = %v, want the API's", got)
	}
	if organisation.Kind("").Valid() || organisation.Kind("party").Valid() {
		t.Error("unknown kind valid")
	}
}

// isPublic is Redact's verdict alone.
func isPublic(_ domain.Event, ok bool) bool { return ok }
