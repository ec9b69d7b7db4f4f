package casefile_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/domain/casefile"
	"github.com/citizenhouse/bayt/domain/domaintest"
)

// samples has one event of every type with every field set, Arabic where
// there is text.
func samples() []domain.Event {
	planned := time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC)
	r := reported()
	r.Location, r.Address = &casefile.Location{Lat: 36.8065, Lon: 10.1815}, "نهج الحرية، عدد 12"
	return []domain.Event{
		r,
		&casefile.CaseTriaged{Priority: casefile.PriorityUrgent, Category: "lighting", Note: "خطر", At: hour(1)},
		rejected(),
		merged(),
		&casefile.CaseForwarded{Department: "roads_works", DueAt: hour(240), Note: "عاجل", At: hour(2)},
		&casefile.CaseAcknowledged{Reference: "VR-2025-114", Note: "وصل", At: hour(3)},
		&casefile.CaseAnswered{Response: "قريبا", PlannedFor: &planned, At: hour(4)},
		resolved(),
		&casefile.ResolutionConfirmed{Note: "شكرا جزيلا", At: hour(6)},
		&casefile.CaseReopened{Reason: "عادت الحفرة", DueAt: hour(500), At: hour(7)},
		&casefile.CommentAdded{Body: "ملاحظة داخلية", Visibility: casefile.VisibilityInternal, At: hour(8)},
		&casefile.CaseSupported{At: hour(9)},
		linked(campaignID),
		&casefile.CaseUnlinkedFromCampaign{CampaignID: campaignID, At: hour(10)},
		&casefile.SLABreached{DueAt: hour(240), At: hour(241)},
		moderated(),
		photoAdded(photoID, true),
		&casefile.PhotoModerated{PhotoID: photoID, Hidden: true, Reason: "يظهر وجه طفل", At: hour(11)},
	}
}

func TestDecode(t *testing.T) {
	t.Parallel()

	t.Run("RoundTripsEveryType", func(t *testing.T) {
		t.Parallel()
		domaintest.RoundTrip(t, samples(), casefile.Decode, casefile.Events(), 18)
	})

	t.Run("WireNamesAreStable", func(t *testing.T) {
		t.Parallel()
		want := []string{
			"casefile.case_reported", "casefile.case_triaged", "casefile.case_rejected", "casefile.case_merged",
			"casefile.case_forwarded", "casefile.case_acknowledged", "casefile.case_answered", "casefile.case_resolved",
			"casefile.resolution_confirmed", "casefile.case_reopened", "casefile.comment_added", "casefile.case_supported",
			"casefile.case_linked_to_campaign", "casefile.case_unlinked_from_campaign", "casefile.sla_breached",
			"casefile.case_moderated", "casefile.photo_added", "casefile.photo_moderated",
		}
		for i, e := range samples() {
			if e.EventType() != want[i] {
				t.Errorf("%T.EventType() = %q, want %q", e, e.EventType(), want[i])
			}
		}
	})

	t.Run("ArabicTextRoundTrips", func(t *testing.T) {
		t.Parallel()
		e := reported()
		data, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(data), `"title":"حفرة كبيرة في الطريق"`) || !strings.Contains(string(data), `"district":"حي النصر"`) {
			t.Errorf("payload = %s, want the Arabic text as is", data)
		}
		got, err := casefile.Decode(casefile.TypeCaseReported, data)
		if err != nil {
			t.Fatal(err)
		}
		if r := got.(*casefile.CaseReported); r.Title != e.Title || r.Description != e.Description || r.District != e.District {
			t.Errorf("decoded = %+v", r)
		}
	})

	t.Run("SnakeCaseFields", func(t *testing.T) {
		t.Parallel()
		data, err := json.Marshal(&casefile.CaseForwarded{Department: "roads_works", DueAt: hour(240), At: hour(2)})
		if err != nil {
			t.Fatal(err)
		}
		if want := `{"department":"roads_works","due_at":"2025-03-11T08:00:00Z","at":"2025-03-01T10:00:00Z"}`; string(data) != want {
			t.Errorf("payload = %s, want %s", data, want)
		}
	})

	t.Run("AppliesDecodedEvents", func(t *testing.T) {
		t.Parallel()
		c := given(domaintest.Redecode(t, history(casefile.StatusClosed), casefile.Decode)...)
		if want := given(history(casefile.StatusClosed)...); !reflect.DeepEqual(c, want) {
			t.Errorf("case from decoded events = %+v, want %+v", c, want)
		}
	})

	t.Run("ErrUnknownEventType", func(t *testing.T) {
		t.Parallel()
		_, err := casefile.Decode("casefile.case_opened", []byte(`{}`))
		if !errors.Is(err, casefile.ErrUnknownEventType) {
			t.Errorf("error = %v, want ErrUnknownEventType", err)
		}
	})

	t.Run("ErrMalformedPayload", func(t *testing.T) {
		t.Parallel()
		var se *json.SyntaxError
		if _, err := casefile.Decode(casefile.TypeCaseSupported, []byte(`{"at":`)); !errors.As(err, &se) {
			t.Errorf("error = %v, want a json.SyntaxError", err)
		}
	})

	t.Run("RegistryIsFresh", func(t *testing.T) {
		t.Parallel()
		m := casefile.Events()
		delete(m, casefile.TypeCaseReported)
		if _, ok := casefile.Events()[casefile.TypeCaseReported]; !ok {
			t.Error("changing one registry changed the next")
		}
	})
}

type foreignEvent struct{}

func (foreignEvent) EventType() string { return "campaign.campaign_launched" }

func TestPublic(t *testing.T) {
	t.Parallel()
	for _, e := range samples() {
		if e.EventType() == casefile.TypeCommentAdded || e.EventType() == casefile.TypeCaseModerated || e.EventType() == casefile.TypePhotoModerated {
			continue
		}
		if !isPublic(casefile.Redact(e)) {
			t.Errorf("Redact(%s) = false", e.EventType())
		}
	}
	for _, tt := range []struct {
		e    domain.Event
		want bool
	}{
		{&casefile.CommentAdded{Visibility: casefile.VisibilityPublic}, true},
		{&casefile.CommentAdded{Visibility: casefile.VisibilityInternal}, false},
		{&casefile.CommentAdded{}, false},
		{moderated(), false},
		{&casefile.CaseModerated{}, false},
		{&casefile.PhotoModerated{}, false},
		{photoAdded(photoID, false), true},
		{foreignEvent{}, false},
		{nil, false},
	} {
		if got := isPublic(casefile.Redact(tt.e)); got != tt.want {
			t.Errorf("Redact(%#v) = %v, want %v", tt.e, got, tt.want)
		}
	}
}

// TestRedact classifies every text field of every case event as public or
// personal: a field or an event added without a decision fails here.
func TestRedact(t *testing.T) {
	t.Parallel()
	domaintest.Redaction(t, casefile.Events(), casefile.Redact, map[string]domaintest.Fields{
		casefile.TypeCaseReported: {
			Public:   []string{"ID", "Title", "Description", "Category", "District", "Address", "Language"},
			Personal: []string{"ReporterSubject", "TrackingTokenHash", "Channel"},
		},
		casefile.TypeCaseTriaged:              {Public: []string{"Priority", "Category", "Note"}},
		casefile.TypeCaseRejected:             {Public: []string{"Reason"}},
		casefile.TypeCaseMerged:               {Public: []string{"Into"}},
		casefile.TypeCaseForwarded:            {Public: []string{"Department", "Note"}},
		casefile.TypeCaseAcknowledged:         {Public: []string{"Reference", "Note"}},
		casefile.TypeCaseAnswered:             {Public: []string{"Response"}},
		casefile.TypeCaseResolved:             {Public: []string{"Note"}},
		casefile.TypeResolutionConfirmed:      {Public: []string{"Note"}},
		casefile.TypeCaseReopened:             {Public: []string{"Reason"}},
		casefile.TypeCommentAdded:             {Public: []string{"Body", "Visibility"}},
		casefile.TypeCaseSupported:            {Personal: []string{"AddressKey", "BrowserKey"}},
		casefile.TypeCaseLinkedToCampaign:     {Public: []string{"CampaignID"}},
		casefile.TypeCaseUnlinkedFromCampaign: {Public: []string{"CampaignID"}},
		casefile.TypeSLABreached:              {},
		// Kept for staff; the whole event is not public (TestPublic).
		casefile.TypeCaseModerated: {Public: []string{"PublicTitle", "PublicDescription", "Reason"}},
		// The content hash of pixels Bayt re-encoded: nothing the camera
		// wrote survives, so the id says nothing of the reporter.
		casefile.TypePhotoAdded: {Public: []string{"PhotoID"}},
		// Kept for staff; the whole event is not public (TestPublic).
		casefile.TypePhotoModerated: {Public: []string{"PhotoID", "Reason"}},
	})

	t.Run("InternalCommentIsRedactedForStaff", func(t *testing.T) {
		t.Parallel()
		c := &casefile.CommentAdded{Body: "ملاحظة داخلية", Visibility: casefile.VisibilityInternal, At: hour(8)}
		got, public := casefile.Redact(c)
		if public || !reflect.DeepEqual(got, c) || got == domain.Event(c) {
			t.Errorf("Redact(internal comment) = %#v, %v; want a copy and false", got, public)
		}
	})
}

func TestApply(t *testing.T) {
	t.Parallel()

	t.Run("VersionCountsEveryEvent", func(t *testing.T) {
		t.Parallel()
		c := given(then(history(casefile.StatusClosed), []domain.Event{foreignEvent{}})...)
		if c.Version != 8 || c.Status != casefile.StatusClosed || !c.UpdatedAt.Equal(hour(6)) || !c.CreatedAt.Equal(t0) {
			t.Errorf("case = %+v", c)
		}
	})

	t.Run("StateDoesNotAliasEvents", func(t *testing.T) {
		t.Parallel()
		r, f := reported(), forwarded()
		r.Location = &casefile.Location{Lat: 1, Lon: 2}
		c := given(r, triaged(), f)
		r.Location.Lat, r.TrackingTokenHash[0], f.DueAt = 9, 9, time.Time{}
		if c.Location.Lat != 1 || c.TrackingTokenHash[0] != 1 || c.DueAt.IsZero() {
			t.Errorf("case shares memory with its events: %+v", c)
		}
	})

	t.Run("LinkingTwiceKeepsOneLink", func(t *testing.T) {
		t.Parallel()
		c := given(reported(), linked(campaignID), linked(campaignID))
		if len(c.CampaignIDs) != 1 {
			t.Errorf("campaign ids = %v", c.CampaignIDs)
		}
	})
}

func TestOverdue(t *testing.T) {
	t.Parallel()
	due := forwarded().DueAt
	for _, tt := range []struct {
		name   string
		status casefile.Status
		now    time.Time
		want   bool
	}{
		{"ForwardedAfterDue", casefile.StatusForwarded, due.Add(time.Nanosecond), true},
		{"AcknowledgedAfterDue", casefile.StatusAcknowledged, later, true},
		{"InProgressAfterDue", casefile.StatusInProgress, later, true},
		{"ForwardedAtDue", casefile.StatusForwarded, due, false},
		{"ForwardedBeforeDue", casefile.StatusForwarded, due.Add(-time.Hour), false},
		{"ResolvedAfterDue", casefile.StatusResolved, later, false},
		{"ClosedAfterDue", casefile.StatusClosed, later, false},
		{"TriagedNoDueDate", casefile.StatusTriaged, later, false},
		{"New", "", later, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := given(history(tt.status)...).Overdue(tt.now); got != tt.want {
				t.Errorf("Overdue = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestValidID(t *testing.T) {
	t.Parallel()
	for id, want := range map[string]bool{
		caseID:                                  true,
		otherID:                                 true,
		strings.ToLower(caseID):                 true,
		"case-":                                 false,
		"case-1":                                false,
		"":                                      false,
		"campaign-01JNQ3Z8X4K5M6N7P8Q9R0S1T2":   false,
		"case-01JNQ3Z8X4K5M6N7P8Q9R0S1T":        false, // 25 characters
		"case-01JNQ3Z8X4K5M6N7P8Q9R0S1TUV":      false, // 27 characters
		"case-01JNQ3Z8X4K5M6N7P8Q9R0S1TU":       false, // U is not in Crockford's base32
		"case-81JNQ3Z8X4K5M6N7P8Q9R0S1T2":       false, // overflows 128 bits
		"case-01JNQ3Z8X4K5M6N7P8Q9R0S1T2 ":      false,
		"CASE-01JNQ3Z8X4K5M6N7P8Q9R0S1T2":       false,
		"case-01jnq3z8x4k5m6n7p8q9r0s1t2-extra": false,
	} {
		if got := casefile.ValidID(id); got != want {
			t.Errorf("ValidID(%q) = %v, want %v", id, got, want)
		}
	}
}

func TestEnums(t *testing.T) {
	t.Parallel()
	for _, s := range statuses[1:] {
		if !s.Valid() {
			t.Errorf("%q.Valid() = false", s)
		}
	}
	if casefile.Status("").Valid() || casefile.Status("open").Valid() {
		t.Error("unknown status valid")
	}
	for _, p := range []casefile.Priority{casefile.PriorityLow, casefile.PriorityNormal, casefile.PriorityHigh, casefile.PriorityUrgent} {
		if !p.Valid() {
			t.Errorf("%q.Valid() = false", p)
		}
	}
	if casefile.Priority("").Valid() || casefile.Visibility("").Valid() || !casefile.VisibilityInternal.Valid() {
		t.Error("priority or visibility validity wrong")
	}
	if got := []string{
		string(casefile.StatusReported), string(casefile.StatusTriaged), string(casefile.StatusForwarded),
		string(casefile.StatusAcknowledged), string(casefile.StatusInProgress), string(casefile.StatusResolved),
		string(casefile.StatusClosed), string(casefile.StatusRejected), string(casefile.StatusDuplicate),
	}; strings.Join(got, ",") != "reported,triaged,forwarded,acknowledged,in_progress,resolved,closed,rejected,duplicate" {
		t.Errorf("statuses = %v, want the API's", got)
	}
}

// isPublic is Redact's verdict alone.
func isPublic(_ domain.Event, ok bool) bool { return ok }
