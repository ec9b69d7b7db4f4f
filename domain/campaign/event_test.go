package campaign_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/domain/campaign"
	"github.com/citizenhouse/bayt/domain/domaintest"
)

// samples has one event of every type with every field set, Arabic where
// there is text.
func samples() []domain.Event {
	return []domain.Event{
		launched(),
		joined(partnerOrg),
		&campaign.PartnerLeft{OrganisationID: partnerOrg, At: hour(2)},
		linked(caseID),
		&campaign.CaseUnlinked{CaseID: caseID, At: hour(3)},
		planned(actID),
		held(actID, campaign.Attendance{Women: 31, Men: 17, Youth: 22, Total: 50}),
		signed("k1"),
		recorded(comID, day(40)),
		fulfilled(comID),
		&campaign.CommitmentBroken{CommitmentID: com2ID, Note: "لم تنطلق الأشغال", At: day(60)},
		&campaign.UpdatePublished{Body: "جمعنا خمسمائة توقيع", At: day(20)},
		closed(),
		paper(120),
	}
}

func TestDecode(t *testing.T) {
	t.Parallel()

	t.Run("RoundTripsEveryType", func(t *testing.T) {
		t.Parallel()
		domaintest.RoundTrip(t, samples(), campaign.Decode, campaign.Events(), 14)
	})

	t.Run("WireNamesAreStable", func(t *testing.T) {
		t.Parallel()
		want := []string{
			"campaign.campaign_launched", "campaign.partner_joined", "campaign.partner_left",
			"campaign.case_linked", "campaign.case_unlinked", "campaign.activity_planned",
			"campaign.activity_held", "campaign.petition_signed", "campaign.commitment_recorded",
			"campaign.commitment_fulfilled", "campaign.commitment_broken", "campaign.update_published",
			"campaign.campaign_closed", "campaign.paper_signatures_recorded",
		}
		for i, e := range samples() {
			if e.EventType() != want[i] {
				t.Errorf("%T.EventType() = %q, want %q", e, e.EventType(), want[i])
			}
		}
	})

	t.Run("ArabicTextRoundTrips", func(t *testing.T) {
		t.Parallel()
		for _, tt := range []struct {
			e    domain.Event
			want string
		}{
			{launched(), `"title":"طرقات آمنة لمدارس حي النصر"`},
			{planned(actID), `"place":"دار الشباب حي النصر"`},
			{held(actID, campaign.Attendance{}), `"minutes":"اتفق الحاضرون على عريضة"`},
			{signed("k1"), `"district":"حي النصر"`},
			{recorded(comID, day(40)), `"text":"تهيئة الرصيف أمام المدرسة الابتدائية"`},
			{closed(), `"summary":"تحقق نصف المطالب"`},
			{paper(120), `"note":"أوراق جُمعت في سوق الحي"`},
		} {
			data, err := json.Marshal(tt.e)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(data), tt.want) {
				t.Errorf("payload = %s, want %s as is", data, tt.want)
			}
			got, err := campaign.Decode(tt.e.EventType(), data)
			if err != nil || !reflect.DeepEqual(got, tt.e) {
				t.Errorf("decoded = %+v, %v; want %+v", got, err, tt.e)
			}
		}
	})

	t.Run("SnakeCaseFields", func(t *testing.T) {
		t.Parallel()
		for _, tt := range []struct {
			e    domain.Event
			want string
		}{
			{launched(), `{"id":"` + campaignID + `","title":"طرقات آمنة لمدارس حي النصر","demand":"تهيئة الأرصفة وممرات الراجلين أمام المدارس الثلاث قبل العودة المدرسية",` +
				`"theme":"community","target_department":"roads_works","lead_organisation":"` + leadOrg + `","at":"2025-03-01T08:00:00Z"}`},
			{held(actID, campaign.Attendance{Women: 31, Men: 17, Youth: 22, Total: 50}), `{"activity_id":"` + actID +
				`","attendance":{"women":31,"men":17,"youth":22,"total":50},"minutes":"اتفق الحاضرون على عريضة","at":"2025-03-08T08:00:00Z"}`},
			{signed("k1"), `{"signer_subject":"subj-k1","signer_key":"k1","district":"حي النصر","at":"2025-03-09T08:00:00Z"}`},
			{&campaign.PetitionSigned{At: day(8)}, `{"at":"2025-03-09T08:00:00Z"}`},
			{recorded(comID, day(40)), `{"commitment_id":"` + comID + `","text":"تهيئة الرصيف أمام المدرسة الابتدائية","due_by":"2025-04-10T08:00:00Z","recorded_by":"officer","at":"2025-03-11T08:00:00Z"}`},
			{planned(actID), `{"activity_id":"` + actID + `","kind":"public_meeting","title":"لقاء مفتوح مع الأولياء","scheduled_for":"2025-03-08T08:00:00Z","place":"دار الشباب حي النصر","at":"2025-03-01T10:00:00Z"}`},
			{joined(partnerOrg), `{"organisation_id":"` + partnerOrg + `","at":"2025-03-01T09:00:00Z"}`},
			{linked(caseID), `{"case_id":"` + caseID + `","at":"2025-03-01T09:00:00Z"}`},
			{closed(), `{"outcome":"partly_won","summary":"تحقق نصف المطالب","at":"2025-05-30T08:00:00Z"}`},
			{paper(120), `{"count":120,"note":"أوراق جُمعت في سوق الحي","at":"2025-03-10T08:00:00Z"}`},
			{&campaign.PaperSignaturesRecorded{Count: 1, At: day(9)}, `{"count":1,"at":"2025-03-10T08:00:00Z"}`},
		} {
			data, err := json.Marshal(tt.e)
			if err != nil {
				t.Fatal(err)
			}
			if string(data) != tt.want {
				t.Errorf("payload = %s, want %s", data, tt.want)
			}
		}
	})

	t.Run("AppliesDecodedEvents", func(t *testing.T) {
		t.Parallel()
		events := samples()
		c := given(domaintest.Redecode(t, events, campaign.Decode)...)
		if want := given(events...); !reflect.DeepEqual(c, want) {
			t.Errorf("campaign from decoded events = %+v, want %+v", c, want)
		}
	})

	t.Run("ErrUnknownEventType", func(t *testing.T) {
		t.Parallel()
		_, err := campaign.Decode("campaign.campaign_started", []byte(`{}`))
		if !errors.Is(err, campaign.ErrUnknownEventType) {
			t.Errorf("error = %v, want ErrUnknownEventType", err)
		}
	})

	t.Run("ErrMalformedPayload", func(t *testing.T) {
		t.Parallel()
		var se *json.SyntaxError
		if _, err := campaign.Decode(campaign.TypePetitionSigned, []byte(`{"at":`)); !errors.As(err, &se) {
			t.Errorf("error = %v, want a json.SyntaxError", err)
		}
	})

	t.Run("RegistryIsFresh", func(t *testing.T) {
		t.Parallel()
		m := campaign.Events()
		delete(m, campaign.TypeCampaignLaunched)
		if _, ok := campaign.Events()[campaign.TypeCampaignLaunched]; !ok {
			t.Error("changing one registry changed the next")
		}
	})
}

func TestEventName(t *testing.T) {
	t.Parallel()
	want := []string{
		"CampaignLaunched", "PartnerJoined", "PartnerLeft", "CaseLinked", "CaseUnlinked",
		"ActivityPlanned", "ActivityHeld", "PetitionSigned", "CommitmentRecorded",
		"CommitmentFulfilled", "CommitmentBroken", "UpdatePublished", "CampaignClosed",
		"PaperSignaturesRecorded",
	}
	for i, e := range samples() {
		if got := campaign.EventName(e.EventType()); got != want[i] {
			t.Errorf("EventName(%s) = %q, want %q", e.EventType(), got, want[i])
		}
	}
	if got := campaign.EventName("casefile.case_reported"); got != "casefile.case_reported" {
		t.Errorf("EventName of a foreign type = %q, want it unchanged", got)
	}
}

type foreignEvent struct{}

func (foreignEvent) EventType() string { return "casefile.case_linked_to_campaign" }

func TestPublic(t *testing.T) {
	t.Parallel()
	for _, e := range samples() {
		if !isPublic(campaign.Redact(e)) {
			t.Errorf("Redact(%s) = false", e.EventType())
		}
	}
	for _, e := range []domain.Event{foreignEvent{}, nil} {
		if isPublic(campaign.Redact(e)) {
			t.Errorf("Redact(%#v) = true", e)
		}
	}
}

// TestRedact classifies every text field of every campaign event as public
// or personal: a field or an event added without a decision fails here.
func TestRedact(t *testing.T) {
	t.Parallel()
	domaintest.Redaction(t, campaign.Events(), campaign.Redact, map[string]domaintest.Fields{
		campaign.TypeCampaignLaunched: {Public: []string{"ID", "Title", "Demand", "Theme", "TargetDepartment", "LeadOrganisation"}},
		campaign.TypePartnerJoined:    {Public: []string{"OrganisationID"}},
		campaign.TypePartnerLeft:      {Public: []string{"OrganisationID"}},
		campaign.TypeCaseLinked:       {Public: []string{"CaseID"}},
		campaign.TypeCaseUnlinked:     {Public: []string{"CaseID"}},
		campaign.TypeActivityPlanned:  {Public: []string{"ActivityID", "Kind", "Title", "Place"}},
		campaign.TypeActivityHeld:     {Public: []string{"ActivityID", "Minutes"}},
		// The district is counted on the campaign's page; who signed is not.
		campaign.TypePetitionSigned:      {Public: []string{"District"}, Personal: []string{"SignerSubject", "SignerKey"}},
		campaign.TypeCommitmentRecorded:  {Public: []string{"CommitmentID", "Text", "RecordedBy"}},
		campaign.TypeCommitmentFulfilled: {Public: []string{"CommitmentID", "Note"}},
		campaign.TypeCommitmentBroken:    {Public: []string{"CommitmentID", "Note"}},
		campaign.TypeUpdatePublished:     {Public: []string{"Body"}},
		campaign.TypeCampaignClosed:      {Public: []string{"Outcome", "Summary"}},
		// A batch of paper signatures is a count: the sheets and the names
		// on them stay with the Citizen's House.
		campaign.TypePaperSignaturesRecorded: {Public: []string{"Note"}},
	})
}

func TestApply(t *testing.T) {
	t.Parallel()

	t.Run("VersionCountsEveryEvent", func(t *testing.T) {
		t.Parallel()
		c := given(then(history(campaign.StatusClosed), []domain.Event{foreignEvent{}})...)
		if c.Version != 3 || c.Status != campaign.StatusClosed || !c.UpdatedAt.Equal(day(90)) || !c.CreatedAt.Equal(t0) {
			t.Errorf("campaign = %+v", c)
		}
	})

	t.Run("StateDoesNotAliasEvents", func(t *testing.T) {
		t.Parallel()
		p, h, r := planned(actID), held(actID, campaign.Attendance{Total: 3}), recorded(comID, day(40))
		u := &campaign.UpdatePublished{Body: "b", At: day(5)}
		c := given(launched(), p, h, r, u)
		p.Title, h.At, h.Attendance.Total, r.Text, u.At = "x", day(99), 99, "x", day(99)
		a, k := c.Activities[actID], c.Commitments[comID]
		if a.Title == "x" || !a.HeldAt.Equal(day(7)) || a.Attendance.Total != 3 || k.Text == "x" || !c.LastUpdate.Equal(day(5)) {
			t.Errorf("campaign shares memory with its events: %+v", c)
		}
	})

	t.Run("JoiningAndLinkingTwiceKeepsOne", func(t *testing.T) {
		t.Parallel()
		c := given(launched(), joined(partnerOrg), joined(partnerOrg), joined(leadOrg), linked(caseID), linked(caseID))
		if len(c.Partners) != 2 || len(c.CaseIDs) != 1 {
			t.Errorf("partners = %v, case ids = %v", c.Partners, c.CaseIDs)
		}
	})

	t.Run("HoldingOrSettlingTheUnknownKeepsTheFact", func(t *testing.T) {
		t.Parallel()
		c := given(launched(), held(actID, campaign.Attendance{Women: 2, Total: 2}), fulfilled(comID))
		if got := c.Attendance(); got != (campaign.Attendance{Women: 2, Total: 2}) {
			t.Errorf("attendance = %+v", got)
		}
		if made, ok, _, _ := c.CommitmentCounts(later); made != 1 || ok != 1 {
			t.Errorf("commitment counts = %d made, %d fulfilled", made, ok)
		}
	})

	t.Run("SignerKeysStayOutOfPrint", func(t *testing.T) {
		t.Parallel()
		c := given(launched(), signed("secret-key"))
		data, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(data), "secret-key") {
			t.Errorf("state marshals its signer keys: %s", data)
		}
		if !c.Signed("secret-key") {
			t.Error("Signed(secret-key) = false")
		}
	})
}

func TestValidID(t *testing.T) {
	t.Parallel()
	for id, want := range map[string]bool{
		campaignID:                               true,
		strings.ToLower(campaignID):              true,
		"campaign-":                              false,
		"campaign-1":                             false,
		"":                                       false,
		"case-01JNQ3Z8X4K5M6N7P8Q9R0S1T2":        false,
		"campaign-01JNQ3Z8X4K5M6N7P8Q9R0S1T":     false, // 25 characters
		"campaign-01JNQ3Z8X4K5M6N7P8Q9R0S1TUV":   false, // 27 characters
		"campaign-01JNQ3Z8X4K5M6N7P8Q9R0S1TU":    false, // U is not in Crockford's base32
		"campaign-81JNQ3Z8X4K5M6N7P8Q9R0S1T2":    false, // overflows 128 bits
		"campaign-01JNQ3Z8X4K5M6N7P8Q9R0S1T2 ":   false,
		"CAMPAIGN-01JNQ3Z8X4K5M6N7P8Q9R0S1T2":    false,
		"campaign-01jnq3z8x4k5m6n7p8q9r0s1t2-ex": false,
	} {
		if got := campaign.ValidID(id); got != want {
			t.Errorf("ValidID(%q) = %v, want %v", id, got, want)
		}
	}
	for id, want := range map[string]bool{actID: true, act2ID: true, comID: false, "act-1": false, "": false} {
		if got := campaign.ValidActivityID(id); got != want {
			t.Errorf("ValidActivityID(%q) = %v, want %v", id, got, want)
		}
	}
	for id, want := range map[string]bool{comID: true, com2ID: true, actID: false, "com-1": false, "": false} {
		if got := campaign.ValidCommitmentID(id); got != want {
			t.Errorf("ValidCommitmentID(%q) = %v, want %v", id, got, want)
		}
	}
}

func TestEnums(t *testing.T) {
	t.Parallel()
	check := func(name string, valid []bool, got []string, want string) {
		t.Helper()
		for i, v := range valid {
			if !v {
				t.Errorf("%s %q not valid", name, got[i])
			}
		}
		if strings.Join(got, ",") != want {
			t.Errorf("%s = %v, want the API's %s", name, got, want)
		}
	}
	check("statuses",
		[]bool{campaign.StatusActive.Valid(), campaign.StatusClosed.Valid()},
		[]string{string(campaign.StatusActive), string(campaign.StatusClosed)},
		"active,closed")
	check("outcomes",
		[]bool{campaign.OutcomeWon.Valid(), campaign.OutcomePartlyWon.Valid(), campaign.OutcomeLost.Valid(), campaign.OutcomeAbandoned.Valid()},
		[]string{string(campaign.OutcomeWon), string(campaign.OutcomePartlyWon), string(campaign.OutcomeLost), string(campaign.OutcomeAbandoned)},
		"won,partly_won,lost,abandoned")
	check("activity kinds",
		[]bool{campaign.ActivitySeminar.Valid(), campaign.ActivityWorkshop.Valid(), campaign.ActivityPublicMeeting.Valid(),
			campaign.ActivityHearing.Valid(), campaign.ActivityPetition.Valid(), campaign.ActivityLetter.Valid(), campaign.ActivityMedia.Valid()},
		[]string{string(campaign.ActivitySeminar), string(campaign.ActivityWorkshop), string(campaign.ActivityPublicMeeting),
			string(campaign.ActivityHearing), string(campaign.ActivityPetition), string(campaign.ActivityLetter), string(campaign.ActivityMedia)},
		"seminar,workshop,public_meeting,hearing,petition,letter,media")
	check("commitment states",
		[]bool{campaign.CommitmentStateOpen.Valid(), campaign.CommitmentStateFulfilled.Valid(), campaign.CommitmentStateBroken.Valid()},
		[]string{string(campaign.CommitmentStateOpen), string(campaign.CommitmentStateFulfilled), string(campaign.CommitmentStateBroken)},
		"open,fulfilled,broken")
	if campaign.Status("").Valid() || campaign.Status("open").Valid() || campaign.Outcome("").Valid() ||
		campaign.ActivityKind("").Valid() || campaign.ActivityKind("concert").Valid() || campaign.CommitmentState("").Valid() {
		t.Error("unknown value valid")
	}
}

// isPublic is Redact's verdict alone.
func isPublic(_ domain.Event, ok bool) bool { return ok }
