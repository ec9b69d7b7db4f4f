package campaign_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/domain/campaign"
	"github.com/citizenhouse/bayt/domain/directory"
)

// ar returns n Arabic letters: limits count runes, not bytes.
func ar(n int) string { return strings.Repeat("ب", n) }

// active is a launched campaign's history followed by more events.
func active(more ...domain.Event) []domain.Event {
	return then(history(campaign.StatusActive), more)
}

// closedWith is a closed campaign's history followed by more events.
func closedWith(more ...domain.Event) []domain.Event {
	return then(history(campaign.StatusClosed), more)
}

func TestLaunch(t *testing.T) {
	t.Parallel()
	dir := testDirectory(t)
	tunis := time.FixedZone("Africa/Tunis", 3600)
	valid := func() campaign.Launch {
		return campaign.Launch{
			Actor: advocate, Now: t0.In(tunis), ID: campaignID,
			Title:            "  طرقات آمنة لمدارس حي النصر ",
			Demand:           "تهيئة الأرصفة وممرات الراجلين أمام المدارس الثلاث قبل العودة المدرسية",
			Theme:            directory.ThemeCommunity,
			TargetDepartment: " roads_works ", LeadOrganisation: " " + leadOrg + " ",
		}
	}
	launch := func(edit func(*campaign.Launch)) func(*campaign.Campaign) ([]domain.Event, error) {
		return func(c *campaign.Campaign) ([]domain.Event, error) {
			cmd := valid()
			edit(&cmd)
			return c.Launch(dir, cmd)
		}
	}
	invalid := func(name, field string, edit func(*campaign.Launch)) scenario {
		return scenario{name: name, when: launch(edit), err: isInvalid(field)}
	}
	run(t, []scenario{{
		name: "OK",
		when: launch(func(*campaign.Launch) {}),
		then: []string{campaign.TypeCampaignLaunched},
		check: func(t *testing.T, evs []domain.Event, c *campaign.Campaign) {
			t.Helper()
			e := evs[0].(*campaign.CampaignLaunched)
			if e.Title != "طرقات آمنة لمدارس حي النصر" || e.TargetDepartment != "roads_works" || e.LeadOrganisation != leadOrg {
				t.Errorf("event = %+v, want trimmed text", e)
			}
			if e.At != t0 || e.At.Location() != time.UTC {
				t.Errorf("at = %v, want %v in UTC", e.At, t0)
			}
			if c.ID != campaignID || c.Status != campaign.StatusActive || c.Theme != directory.ThemeCommunity ||
				c.Demand != e.Demand || c.TargetDepartment != "roads_works" || c.LeadOrganisation != leadOrg ||
				c.Version != 1 || !c.CreatedAt.Equal(t0) || !c.UpdatedAt.Equal(t0) || c.ClosedAt != nil {
				t.Errorf("campaign = %+v", c)
			}
			if !slices.Equal(c.Partners, []string{leadOrg}) {
				t.Errorf("partners = %v, want the lead alone", c.Partners)
			}
			if c.Signatures != 0 || len(c.CaseIDs) != 0 || len(c.Activities) != 0 || len(c.Commitments) != 0 || c.Updates != 0 {
				t.Errorf("campaign = %+v", c)
			}
		},
	}, {
		name: "OKEveryTheme",
		when: func(c *campaign.Campaign) ([]domain.Event, error) {
			for _, th := range []directory.Theme{directory.ThemeCommunity, directory.ThemePolitical, directory.ThemeLegal, directory.ThemeEconomic} {
				cmd := valid()
				cmd.Theme = th
				if _, err := c.Launch(dir, cmd); err != nil {
					return nil, err
				}
			}
			cmd := valid()
			cmd.Theme = directory.ThemeSocial
			return c.Launch(dir, cmd)
		},
		then: []string{campaign.TypeCampaignLaunched},
	}, {
		name: "OKLimitsCountRunes",
		when: launch(func(l *campaign.Launch) { l.Title, l.Demand = ar(campaign.MaxTitle), ar(campaign.MaxDemand) }),
		then: []string{campaign.TypeCampaignLaunched},
	},
		invalid("ErrTitleEmpty", "title", func(l *campaign.Launch) { l.Title = "" }),
		invalid("ErrTitleTooLong", "title", func(l *campaign.Launch) { l.Title = ar(campaign.MaxTitle + 1) }),
		invalid("ErrTitleNotUTF8", "title", func(l *campaign.Launch) { l.Title = "a\xffb" }),
		invalid("ErrDemandEmpty", "demand", func(l *campaign.Launch) { l.Demand = " \n " }),
		invalid("ErrDemandTooLong", "demand", func(l *campaign.Launch) { l.Demand = ar(campaign.MaxDemand + 1) }),
		invalid("ErrThemeMissing", "theme", func(l *campaign.Launch) { l.Theme = "" }),
		invalid("ErrThemeUnknown", "theme", func(l *campaign.Launch) { l.Theme = "culture" }),
		invalid("ErrTargetDepartmentEmpty", "target_department", func(l *campaign.Launch) { l.TargetDepartment = "" }),
		invalid("ErrTargetDepartmentUnknown", "target_department", func(l *campaign.Launch) { l.TargetDepartment = "police" }),
		invalid("ErrLeadOrganisationEmpty", "lead_organisation", func(l *campaign.Launch) { l.LeadOrganisation = "" }),
		invalid("ErrLeadOrganisationNotAnOrganisation", "lead_organisation", func(l *campaign.Launch) { l.LeadOrganisation = caseID }),
		invalid("ErrIDEmpty", "id", func(l *campaign.Launch) { l.ID = "" }),
		invalid("ErrIDNotACampaign", "id", func(l *campaign.Launch) { l.ID = "case-01JNQ3Z8X4K5M6N7P8Q9R0S1T2" }),
		invalid("ErrIDNotAULID", "id", func(l *campaign.Launch) { l.ID = "campaign-1" }),
		invalid("ErrNowZero", "now", func(l *campaign.Launch) { l.Now = time.Time{} }),
		invalid("ErrEveryFieldTitle", "title", func(l *campaign.Launch) { l.Title, l.Theme = "", "" }),
		invalid("ErrEveryFieldTheme", "theme", func(l *campaign.Launch) { l.Title, l.Theme = "", "" }),
	})
}

func TestPartners(t *testing.T) {
	t.Parallel()
	join := func(org string) func(*campaign.Campaign) ([]domain.Event, error) {
		return func(c *campaign.Campaign) ([]domain.Event, error) {
			return c.JoinPartner(campaign.JoinPartner{Actor: advocate, Now: later, OrganisationID: org})
		}
	}
	leave := func(org string) func(*campaign.Campaign) ([]domain.Event, error) {
		return func(c *campaign.Campaign) ([]domain.Event, error) {
			return c.LeavePartner(campaign.LeavePartner{Actor: admin, Now: later, OrganisationID: org})
		}
	}
	partners := func(want ...string) func(*testing.T, []domain.Event, *campaign.Campaign) {
		return func(t *testing.T, _ []domain.Event, c *campaign.Campaign) {
			t.Helper()
			if !slices.Equal(c.Partners, want) {
				t.Errorf("partners = %v, want %v", c.Partners, want)
			}
			if !c.UpdatedAt.Equal(later) {
				t.Errorf("updated at = %v, want %v", c.UpdatedAt, later)
			}
		}
	}
	run(t, []scenario{
		{name: "OKJoin", given: active(), when: join(" " + partnerOrg + " "), then: []string{campaign.TypePartnerJoined}, check: partners(leadOrg, partnerOrg)},
		{name: "OKJoinTwiceRecordsNothing", given: active(joined(partnerOrg)), when: join(partnerOrg), then: nil},
		{name: "OKJoinLeadRecordsNothing", given: active(), when: join(leadOrg), then: nil},
		{name: "OKLeave", given: active(joined(partnerOrg)), when: leave(partnerOrg), then: []string{campaign.TypePartnerLeft}, check: partners(leadOrg)},
		{name: "OKJoinAgainAfterLeaving", given: active(joined(partnerOrg), &campaign.PartnerLeft{OrganisationID: partnerOrg, At: hour(2)}),
			when: join(partnerOrg), then: []string{campaign.TypePartnerJoined}, check: partners(leadOrg, partnerOrg)},
		{name: "ErrJoinEmpty", given: active(), when: join(""), err: isInvalid("organisation_id")},
		{name: "ErrJoinNotAnOrganisation", given: active(), when: join(caseID), err: isInvalid("organisation_id")},
		{name: "ErrJoinTwiceNowZero", given: active(joined(partnerOrg)), when: func(c *campaign.Campaign) ([]domain.Event, error) {
			return c.JoinPartner(campaign.JoinPartner{Actor: advocate, OrganisationID: partnerOrg})
		}, err: isInvalid("now")},
		{name: "ErrJoinClosed", given: closedWith(), when: join(partnerOrg), err: isTransition("join_partner", "closed")},
		{name: "ErrLeaveNotAPartner", given: active(), when: leave(partnerOrg), err: isInvalid("organisation_id")},
		{name: "ErrLeaveLead", given: active(joined(partnerOrg)), when: leave(leadOrg), err: isInvalid("organisation_id")},
		{name: "ErrLeaveEmpty", given: active(), when: leave(" "), err: isInvalid("organisation_id")},
		{name: "ErrLeaveClosed", given: closedWith(joined(partnerOrg)), when: leave(partnerOrg), err: isTransition("leave_partner", "closed")},
	})
}

func TestCases(t *testing.T) {
	t.Parallel()
	link := func(id string) func(*campaign.Campaign) ([]domain.Event, error) {
		return func(c *campaign.Campaign) ([]domain.Event, error) {
			return c.LinkCase(campaign.LinkCase{Actor: advocate, Now: later, CaseID: id})
		}
	}
	unlink := func(id string) func(*campaign.Campaign) ([]domain.Event, error) {
		return func(c *campaign.Campaign) ([]domain.Event, error) {
			return c.UnlinkCase(campaign.UnlinkCase{Actor: advocate, Now: later, CaseID: id})
		}
	}
	cases := func(want ...string) func(*testing.T, []domain.Event, *campaign.Campaign) {
		return func(t *testing.T, _ []domain.Event, c *campaign.Campaign) {
			t.Helper()
			if !slices.Equal(c.CaseIDs, want) {
				t.Errorf("case ids = %v, want %v", c.CaseIDs, want)
			}
		}
	}
	run(t, []scenario{
		{name: "OKLink", given: active(linked(case2ID)), when: link(" " + caseID + " "), then: []string{campaign.TypeCaseLinked}, check: cases(case2ID, caseID)},
		{name: "OKLinkAgainRecordsNothing", given: active(linked(caseID)), when: link(caseID), then: nil},
		{name: "OKUnlink", given: active(linked(caseID), linked(case2ID)), when: unlink(caseID), then: []string{campaign.TypeCaseUnlinked}, check: cases(case2ID)},
		{name: "OKUnlinkFromClosedCampaign", given: then(active(linked(caseID)), []domain.Event{closed()}), when: unlink(caseID), then: []string{campaign.TypeCaseUnlinked}, check: cases()},
		{name: "ErrLinkToClosedCampaign", given: closedWith(), when: link(caseID), err: isTransition("link_case", "closed")},
		{name: "ErrLinkAgainToClosedCampaign", given: then(active(linked(caseID)), []domain.Event{closed()}), when: link(caseID), err: isTransition("link_case", "closed")},
		{name: "ErrLinkBeforeLaunch", when: link(caseID), err: isTransition("link_case", "")},
		{name: "ErrLinkEmpty", given: active(), when: link(""), err: isInvalid("case_id")},
		{name: "ErrLinkNotACase", given: active(), when: link(partnerOrg), err: isInvalid("case_id")},
		{name: "ErrLinkNotAULID", given: active(), when: link("case-1"), err: isInvalid("case_id")},
		{name: "ErrUnlinkEmpty", given: active(), when: unlink(""), err: isInvalid("case_id")},
		{name: "ErrUnlinkNotLinked", given: active(linked(case2ID)), when: unlink(caseID), err: isInvalid("case_id")},
	})
}

func TestPlanActivity(t *testing.T) {
	t.Parallel()
	tunis := time.FixedZone("Africa/Tunis", 3600)
	valid := func() campaign.PlanActivity {
		return campaign.PlanActivity{
			Actor: advocate, Now: hour(2), ActivityID: actID, Kind: campaign.ActivitySeminar,
			Title: " ندوة حول السلامة المرورية ", ScheduledFor: day(7).In(tunis), Place: " المكتبة العمومية ",
		}
	}
	plan := func(edit func(*campaign.PlanActivity)) func(*campaign.Campaign) ([]domain.Event, error) {
		return func(c *campaign.Campaign) ([]domain.Event, error) {
			cmd := valid()
			edit(&cmd)
			return c.PlanActivity(cmd)
		}
	}
	invalid := func(name, field string, edit func(*campaign.PlanActivity)) scenario {
		return scenario{name: name, given: active(planned(act2ID)), when: plan(edit), err: isInvalid(field)}
	}
	run(t, []scenario{{
		name:  "OK",
		given: active(),
		when:  plan(func(*campaign.PlanActivity) {}),
		then:  []string{campaign.TypeActivityPlanned},
		check: func(t *testing.T, evs []domain.Event, c *campaign.Campaign) {
			t.Helper()
			e := evs[0].(*campaign.ActivityPlanned)
			if e.ScheduledFor != day(7) || e.ScheduledFor.Location() != time.UTC {
				t.Errorf("scheduled for = %v, want %v in UTC", e.ScheduledFor, day(7))
			}
			a := c.Activities[actID]
			want := campaign.Activity{
				ID: actID, Kind: campaign.ActivitySeminar, Title: "ندوة حول السلامة المرورية", ScheduledFor: day(7), Place: "المكتبة العمومية",
			}
			if a == nil || *a != want {
				t.Errorf("activity = %+v, want %+v", a, want)
			}
		},
	}, {
		name:  "OKEveryKindWithoutPlace",
		given: active(),
		when: func(c *campaign.Campaign) ([]domain.Event, error) {
			for _, k := range []campaign.ActivityKind{campaign.ActivitySeminar, campaign.ActivityWorkshop, campaign.ActivityPublicMeeting,
				campaign.ActivityHearing, campaign.ActivityPetition, campaign.ActivityLetter} {
				cmd := valid()
				cmd.Kind = k
				if _, err := c.PlanActivity(cmd); err != nil {
					return nil, err
				}
			}
			cmd := valid()
			cmd.Kind, cmd.Place = campaign.ActivityMedia, ""
			return c.PlanActivity(cmd)
		},
		then: []string{campaign.TypeActivityPlanned},
	}, {
		name:  "OKScheduledInThePast",
		given: active(),
		when:  plan(func(p *campaign.PlanActivity) { p.ScheduledFor = t0.AddDate(0, -1, 0) }),
		then:  []string{campaign.TypeActivityPlanned},
	}, {
		name:  "OKLimitsCountRunes",
		given: active(),
		when:  plan(func(p *campaign.PlanActivity) { p.Title, p.Place = ar(campaign.MaxTitle), ar(campaign.MaxPlace) }),
		then:  []string{campaign.TypeActivityPlanned},
	},
		invalid("ErrActivityIDEmpty", "activity_id", func(p *campaign.PlanActivity) { p.ActivityID = "" }),
		invalid("ErrActivityIDNotAnActivity", "activity_id", func(p *campaign.PlanActivity) { p.ActivityID = comID }),
		invalid("ErrActivityIDNotAULID", "activity_id", func(p *campaign.PlanActivity) { p.ActivityID = "act-1" }),
		invalid("ErrActivityIDAlreadyUsed", "activity_id", func(p *campaign.PlanActivity) { p.ActivityID = act2ID }),
		invalid("ErrKindMissing", "kind", func(p *campaign.PlanActivity) { p.Kind = "" }),
		invalid("ErrKindUnknown", "kind", func(p *campaign.PlanActivity) { p.Kind = "concert" }),
		invalid("ErrTitleEmpty", "title", func(p *campaign.PlanActivity) { p.Title = "" }),
		invalid("ErrTitleTooLong", "title", func(p *campaign.PlanActivity) { p.Title = ar(campaign.MaxTitle + 1) }),
		invalid("ErrScheduledForMissing", "scheduled_for", func(p *campaign.PlanActivity) { p.ScheduledFor = time.Time{} }),
		invalid("ErrPlaceTooLong", "place", func(p *campaign.PlanActivity) { p.Place = ar(campaign.MaxPlace + 1) }),
		invalid("ErrNowZero", "now", func(p *campaign.PlanActivity) { p.Now = time.Time{} }),
		{name: "ErrClosed", given: closedWith(), when: plan(func(*campaign.PlanActivity) {}), err: isTransition("plan_activity", "closed")},
	})
}

func TestHoldActivity(t *testing.T) {
	t.Parallel()
	att := campaign.Attendance{Women: 31, Men: 17, Youth: 22, Total: 50}
	hold := func(id string, a campaign.Attendance, minutes string) func(*campaign.Campaign) ([]domain.Event, error) {
		return func(c *campaign.Campaign) ([]domain.Event, error) {
			return c.HoldActivity(campaign.HoldActivity{Actor: advocate, Now: day(7), ActivityID: id, Attendance: a, Minutes: minutes})
		}
	}
	invalid := func(name, field string, a campaign.Attendance) scenario {
		return scenario{name: name, given: active(planned(actID)), when: hold(actID, a, ""), err: isInvalid(field)}
	}
	run(t, []scenario{{
		name:  "OK",
		given: active(planned(actID), planned(act2ID)),
		when:  hold(" "+actID+" ", att, "  اتفق الحاضرون على عريضة  "),
		then:  []string{campaign.TypeActivityHeld},
		check: func(t *testing.T, evs []domain.Event, c *campaign.Campaign) {
			t.Helper()
			if e := evs[0].(*campaign.ActivityHeld); e.ActivityID != actID || e.Minutes != "اتفق الحاضرون على عريضة" {
				t.Errorf("event = %+v", e)
			}
			a := c.Activities[actID]
			if !a.Held || a.HeldAt == nil || !a.HeldAt.Equal(day(7)) || a.Attendance != att || a.Minutes != "اتفق الحاضرون على عريضة" ||
				a.Title != "لقاء مفتوح مع الأولياء" {
				t.Errorf("activity = %+v", a)
			}
			if c.Activities[act2ID].Held {
				t.Error("the other activity is held too")
			}
			if got := c.Attendance(); got != att {
				t.Errorf("attendance = %+v, want %+v", got, att)
			}
		},
	}, {
		name:  "OKAfterClose",
		given: then(active(planned(actID)), []domain.Event{closed()}),
		when:  hold(actID, att, ""),
		then:  []string{campaign.TypeActivityHeld},
	}, {
		name:  "OKNobodyCame",
		given: active(planned(actID)),
		when:  hold(actID, campaign.Attendance{}, ""),
		then:  []string{campaign.TypeActivityHeld},
	}, {
		name:  "OKTotalBeyondWomenAndMen",
		given: active(planned(actID)),
		when:  hold(actID, campaign.Attendance{Women: 3, Men: 4, Youth: 10, Total: 10}, ar(campaign.MaxMinutes)),
		then:  []string{campaign.TypeActivityHeld},
	}, {
		name:  "OKLimits",
		given: active(planned(actID)),
		when:  hold(actID, campaign.Attendance{Women: campaign.MaxAttendance / 2, Men: campaign.MaxAttendance / 2, Youth: campaign.MaxAttendance, Total: campaign.MaxAttendance}, ""),
		then:  []string{campaign.TypeActivityHeld},
	},
		{name: "ErrHeldTwice", given: active(planned(actID), held(actID, att)), when: hold(actID, att, ""), err: isTransition("hold_activity", "held")},
		{name: "ErrHeldTwiceAfterClose", given: then(active(planned(actID), held(actID, att)), []domain.Event{closed()}), when: hold(actID, att, ""), err: isTransition("hold_activity", "held")},
		{name: "ErrUnknownActivity", given: active(planned(act2ID)), when: hold(actID, att, ""), err: isInvalid("activity_id")},
		{name: "ErrActivityIDEmpty", given: active(planned(actID)), when: hold("", att, ""), err: isInvalid("activity_id")},
		{name: "ErrBeforeLaunch", when: hold(actID, att, ""), err: isTransition("hold_activity", "")},
		{name: "ErrMinutesTooLong", given: active(planned(actID)), when: hold(actID, att, ar(campaign.MaxMinutes+1)), err: isInvalid("minutes")},
		{name: "ErrNowZero", given: active(planned(actID)), when: func(c *campaign.Campaign) ([]domain.Event, error) {
			return c.HoldActivity(campaign.HoldActivity{Actor: advocate, ActivityID: actID})
		}, err: isInvalid("now")},
		invalid("ErrWomenNegative", "attendance.women", campaign.Attendance{Women: -1, Total: 5}),
		invalid("ErrMenNegative", "attendance.men", campaign.Attendance{Men: -1, Total: 5}),
		invalid("ErrYouthNegative", "attendance.youth", campaign.Attendance{Youth: -1, Total: 5}),
		invalid("ErrTotalNegative", "attendance.total", campaign.Attendance{Total: -1}),
		invalid("ErrTotalTooLarge", "attendance.total", campaign.Attendance{Total: campaign.MaxAttendance + 1}),
		invalid("ErrWomenTooLarge", "attendance.women", campaign.Attendance{Women: campaign.MaxAttendance + 1, Total: campaign.MaxAttendance}),
		invalid("ErrTotalBelowWomenAndMen", "attendance.total", campaign.Attendance{Women: 30, Men: 21, Total: 50}),
		invalid("ErrYouthAboveTotal", "attendance.youth", campaign.Attendance{Women: 1, Men: 1, Youth: 3, Total: 2}),
		invalid("ErrEveryFieldTotal", "attendance.total", campaign.Attendance{Women: 30, Men: 30, Youth: 90, Total: 50}),
		invalid("ErrEveryFieldYouth", "attendance.youth", campaign.Attendance{Women: 30, Men: 30, Youth: 90, Total: 50}),
	})
}

func TestSignPetition(t *testing.T) {
	t.Parallel()
	sign := func(a domain.Actor, subject, key, district string) func(*campaign.Campaign) ([]domain.Event, error) {
		return func(c *campaign.Campaign) ([]domain.Event, error) {
			return c.SignPetition(campaign.SignPetition{Actor: a, Now: day(8), SignerSubject: subject, SignerKey: key, District: district})
		}
	}
	run(t, []scenario{{
		name:  "OK",
		given: active(signed("k1")),
		when:  sign(public, " subj-2 ", " k2 ", " حي النصر "),
		then:  []string{campaign.TypePetitionSigned},
		check: func(t *testing.T, evs []domain.Event, c *campaign.Campaign) {
			t.Helper()
			e := evs[0].(*campaign.PetitionSigned)
			if *e != (campaign.PetitionSigned{SignerSubject: "subj-2", SignerKey: "k2", District: "حي النصر", At: day(8)}) {
				t.Errorf("event = %+v", e)
			}
			if c.Signatures != 2 || !c.Signed("k1") || !c.Signed("k2") || c.Signed("k3") || !c.UpdatedAt.Equal(day(8)) {
				t.Errorf("campaign = %+v", c)
			}
		},
	}, {
		name:  "OKAnonymousSignaturesAreNotDeduplicated",
		given: active(signed(""), signed("")),
		when:  sign(public, "", "", ""),
		then:  []string{campaign.TypePetitionSigned},
		check: func(t *testing.T, _ []domain.Event, c *campaign.Campaign) {
			t.Helper()
			if c.Signatures != 3 || c.Signed("") {
				t.Errorf("signatures = %d, Signed(\"\") = %v", c.Signatures, c.Signed(""))
			}
		},
	}, {
		name:  "OKSubjectWithoutKey",
		given: active(),
		when:  sign(reporter, "subj-1", "", ""),
		then:  []string{campaign.TypePetitionSigned},
	}, {
		name:  "OKLimits",
		given: active(),
		when:  sign(public, strings.Repeat("s", campaign.MaxSubject), strings.Repeat("k", campaign.MaxSignerKey), ar(campaign.MaxDistrict)),
		then:  []string{campaign.TypePetitionSigned},
	},
		{name: "ErrAlreadySigned", given: active(signed("k1")), when: sign(public, "subj-9", "k1", ""), err: isInvalid("signature")},
		{name: "ErrAlreadySignedAfterTrim", given: active(signed("k1")), when: sign(public, "", " k1 ", ""), err: isInvalid("signature")},
		{name: "ErrClosed", given: closedWith(), when: sign(public, "", "k1", ""), err: isTransition("sign_petition", "closed")},
		{name: "ErrBeforeLaunch", when: sign(public, "", "k1", ""), err: isTransition("sign_petition", "")},
		{name: "ErrDistrictTooLong", given: active(), when: sign(public, "", "", ar(campaign.MaxDistrict+1)), err: isInvalid("district")},
		{name: "ErrSubjectTooLong", given: active(), when: sign(public, strings.Repeat("s", campaign.MaxSubject+1), "", ""), err: isInvalid("signer_subject")},
		{name: "ErrKeyTooLong", given: active(), when: sign(public, "", strings.Repeat("k", campaign.MaxSignerKey+1), ""), err: isInvalid("signer_key")},
		{name: "ErrNowZero", given: active(), when: func(c *campaign.Campaign) ([]domain.Event, error) {
			return c.SignPetition(campaign.SignPetition{Actor: public})
		}, err: isInvalid("now")},
	})
}

func TestRecordCommitment(t *testing.T) {
	t.Parallel()
	tunis := time.FixedZone("Africa/Tunis", 3600)
	record := func(a domain.Actor, id, text string, due time.Time) func(*campaign.Campaign) ([]domain.Event, error) {
		return func(c *campaign.Campaign) ([]domain.Event, error) {
			return c.RecordCommitment(campaign.RecordCommitment{Actor: a, Now: day(10), CommitmentID: id, Text: text, DueBy: due})
		}
	}
	run(t, []scenario{{
		name:  "OKByTheOfficer",
		given: active(),
		when:  record(officer, " "+comID+" ", " تهيئة الرصيف أمام المدرسة الابتدائية ", day(40).In(tunis)),
		then:  []string{campaign.TypeCommitmentRecorded},
		check: func(t *testing.T, evs []domain.Event, c *campaign.Campaign) {
			t.Helper()
			e := evs[0].(*campaign.CommitmentRecorded)
			if e.DueBy != day(40) || e.DueBy.Location() != time.UTC || e.RecordedBy != domain.RoleOfficer {
				t.Errorf("event = %+v", e)
			}
			k := c.Commitments[comID]
			want := campaign.Commitment{
				ID: comID, Text: "تهيئة الرصيف أمام المدرسة الابتدائية", DueBy: day(40),
				State: campaign.CommitmentStateOpen, RecordedBy: domain.RoleOfficer, RecordedAt: day(10),
			}
			if k == nil || *k != want {
				t.Errorf("commitment = %+v, want %+v", k, want)
			}
		},
	}, {
		name:  "OKByAnAdvocate",
		given: active(recorded(com2ID, day(30))),
		when:  record(advocate, comID, "t", day(40)),
		then:  []string{campaign.TypeCommitmentRecorded},
		check: func(t *testing.T, _ []domain.Event, c *campaign.Campaign) {
			t.Helper()
			if len(c.Commitments) != 2 || c.Commitments[comID].RecordedBy != domain.RoleAdvocate {
				t.Errorf("commitments = %+v", c.Commitments)
			}
		},
	}, {
		name:  "OKDueAlreadyPast",
		given: active(),
		when:  record(admin, comID, "t", day(1)),
		then:  []string{campaign.TypeCommitmentRecorded},
	}, {
		name:  "OKLimitsCountRunes",
		given: active(),
		when:  record(admin, comID, ar(campaign.MaxCommitment), day(40)),
		then:  []string{campaign.TypeCommitmentRecorded},
	},
		{name: "ErrOfficerOfOtherDepartment", given: active(), when: record(otherOfficer, comID, "t", day(40)), err: isForbidden()},
		{name: "ErrClosed", given: closedWith(), when: record(officer, comID, "t", day(40)), err: isTransition("record_commitment", "closed")},
		{name: "ErrIDEmpty", given: active(), when: record(officer, "", "t", day(40)), err: isInvalid("commitment_id")},
		{name: "ErrIDNotACommitment", given: active(), when: record(officer, actID, "t", day(40)), err: isInvalid("commitment_id")},
		{name: "ErrIDAlreadyUsed", given: active(recorded(comID, day(30))), when: record(officer, comID, "t", day(40)), err: isInvalid("commitment_id")},
		{name: "ErrTextEmpty", given: active(), when: record(officer, comID, "  ", day(40)), err: isInvalid("text")},
		{name: "ErrTextTooLong", given: active(), when: record(officer, comID, ar(campaign.MaxCommitment+1), day(40)), err: isInvalid("text")},
		{name: "ErrDueByMissing", given: active(), when: record(officer, comID, "t", time.Time{}), err: isInvalid("due_by")},
		{name: "ErrNowZero", given: active(), when: func(c *campaign.Campaign) ([]domain.Event, error) {
			return c.RecordCommitment(campaign.RecordCommitment{Actor: officer, CommitmentID: comID, Text: "t", DueBy: day(40)})
		}, err: isInvalid("now")},
	})
}

func TestSettleCommitment(t *testing.T) {
	t.Parallel()
	fulfil := func(a domain.Actor, id, note string) func(*campaign.Campaign) ([]domain.Event, error) {
		return func(c *campaign.Campaign) ([]domain.Event, error) {
			return c.FulfilCommitment(campaign.FulfilCommitment{Actor: a, Now: day(40), CommitmentID: id, Note: note})
		}
	}
	breakIt := func(a domain.Actor, id, note string) func(*campaign.Campaign) ([]domain.Event, error) {
		return func(c *campaign.Campaign) ([]domain.Event, error) {
			return c.BreakCommitment(campaign.BreakCommitment{Actor: a, Now: day(40), CommitmentID: id, Note: note})
		}
	}
	settled := func(state campaign.CommitmentState, note string) func(*testing.T, []domain.Event, *campaign.Campaign) {
		return func(t *testing.T, _ []domain.Event, c *campaign.Campaign) {
			t.Helper()
			k := c.Commitments[comID]
			if k.State != state || k.Note != note || k.SettledAt == nil || !k.SettledAt.Equal(day(40)) || k.Text == "" || !c.UpdatedAt.Equal(day(40)) {
				t.Errorf("commitment = %+v", k)
			}
			if c.Commitments[com2ID].State != campaign.CommitmentStateOpen {
				t.Error("the other commitment was settled too")
			}
		}
	}
	open := active(recorded(comID, day(30)), recorded(com2ID, day(30)))
	run(t, []scenario{
		{name: "OKFulfil", given: open, when: fulfil(officer, " "+comID+" ", " تمت الأشغال "), then: []string{campaign.TypeCommitmentFulfilled},
			check: settled(campaign.CommitmentStateFulfilled, "تمت الأشغال")},
		{name: "OKBreak", given: open, when: breakIt(advocate, comID, ""), then: []string{campaign.TypeCommitmentBroken},
			check: settled(campaign.CommitmentStateBroken, "")},
		{name: "OKFulfilAfterClose", given: then(open, []domain.Event{closed()}), when: fulfil(admin, comID, ar(campaign.MaxNote)), then: []string{campaign.TypeCommitmentFulfilled}},
		{name: "OKBreakAfterClose", given: then(open, []domain.Event{closed()}), when: breakIt(officer, comID, ""), then: []string{campaign.TypeCommitmentBroken}},
		{name: "ErrFulfilFulfilled", given: then(open, []domain.Event{fulfilled(comID)}), when: fulfil(officer, comID, ""), err: isTransition("fulfil_commitment", "fulfilled")},
		{name: "ErrFulfilBroken", given: then(open, []domain.Event{broken(comID)}), when: fulfil(officer, comID, ""), err: isTransition("fulfil_commitment", "broken")},
		{name: "ErrBreakFulfilled", given: then(open, []domain.Event{fulfilled(comID)}), when: breakIt(advocate, comID, ""), err: isTransition("break_commitment", "fulfilled")},
		{name: "ErrBreakBroken", given: then(open, []domain.Event{broken(comID)}, []domain.Event{closed()}), when: breakIt(advocate, comID, ""), err: isTransition("break_commitment", "broken")},
		{name: "ErrFulfilUnknown", given: active(recorded(com2ID, day(30))), when: fulfil(officer, comID, ""), err: isInvalid("commitment_id")},
		{name: "ErrBreakUnknown", given: closedWith(), when: breakIt(officer, comID, ""), err: isInvalid("commitment_id")},
		{name: "ErrFulfilEmpty", given: open, when: fulfil(officer, "", ""), err: isInvalid("commitment_id")},
		{name: "ErrFulfilBeforeLaunch", when: fulfil(advocate, comID, ""), err: isTransition("fulfil_commitment", "")},
		{name: "ErrFulfilOfficerOfOtherDepartment", given: open, when: fulfil(otherOfficer, comID, ""), err: isForbidden()},
		{name: "ErrBreakOfficerWithoutDepartment", given: open, when: breakIt(deptlessOfficer, comID, ""), err: isForbidden()},
		{name: "ErrBreakPublic", given: open, when: breakIt(public, comID, ""), err: isForbidden()},
		{name: "ErrNoteTooLong", given: open, when: breakIt(officer, comID, ar(campaign.MaxNote+1)), err: isInvalid("note")},
		{name: "ErrNowZero", given: open, when: func(c *campaign.Campaign) ([]domain.Event, error) {
			return c.FulfilCommitment(campaign.FulfilCommitment{Actor: officer, CommitmentID: comID})
		}, err: isInvalid("now")},
	})
}

func TestPublishUpdate(t *testing.T) {
	t.Parallel()
	publish := func(body string) func(*campaign.Campaign) ([]domain.Event, error) {
		return func(c *campaign.Campaign) ([]domain.Event, error) {
			return c.PublishUpdate(campaign.PublishUpdate{Actor: advocate, Now: later, Body: body})
		}
	}
	first := &campaign.UpdatePublished{Body: "انطلقت الحملة", At: hour(3)}
	run(t, []scenario{{
		name:  "OK",
		given: active(first),
		when:  publish("  جمعنا خمسمائة توقيع  "),
		then:  []string{campaign.TypeUpdatePublished},
		check: func(t *testing.T, evs []domain.Event, c *campaign.Campaign) {
			t.Helper()
			if e := evs[0].(*campaign.UpdatePublished); e.Body != "جمعنا خمسمائة توقيع" {
				t.Errorf("body = %q, want it trimmed", e.Body)
			}
			if c.Updates != 2 || c.LastUpdate == nil || !c.LastUpdate.Equal(later) {
				t.Errorf("campaign = %+v", c)
			}
		},
	},
		{name: "OKAfterClose", given: closedWith(), when: publish("البلدية أوفت بوعدها"), then: []string{campaign.TypeUpdatePublished}},
		{name: "OKLimitsCountRunes", given: active(), when: publish(ar(campaign.MaxBody)), then: []string{campaign.TypeUpdatePublished}},
		{name: "ErrBodyEmpty", given: active(), when: publish(""), err: isInvalid("body")},
		{name: "ErrBodyTooLong", given: active(), when: publish(ar(campaign.MaxBody + 1)), err: isInvalid("body")},
		{name: "ErrBeforeLaunch", when: publish("b"), err: isTransition("publish_update", "")},
	})
}

func TestClose(t *testing.T) {
	t.Parallel()
	closeWith := func(o campaign.Outcome, summary string) func(*campaign.Campaign) ([]domain.Event, error) {
		return func(c *campaign.Campaign) ([]domain.Event, error) {
			return c.Close(campaign.Close{Actor: admin, Now: later, Outcome: o, Summary: summary})
		}
	}
	run(t, []scenario{{
		name:  "OK",
		given: active(linked(caseID)),
		when:  closeWith(campaign.OutcomeWon, "  تمت تهيئة الأرصفة  "),
		then:  []string{campaign.TypeCampaignClosed},
		check: func(t *testing.T, _ []domain.Event, c *campaign.Campaign) {
			t.Helper()
			if c.Status != campaign.StatusClosed || c.Outcome != campaign.OutcomeWon || c.Summary != "تمت تهيئة الأرصفة" ||
				c.ClosedAt == nil || !c.ClosedAt.Equal(later) || !slices.Equal(c.CaseIDs, []string{caseID}) {
				t.Errorf("campaign = %+v", c)
			}
		},
	}, {
		name:  "OKEveryOutcome",
		given: active(),
		when: func(c *campaign.Campaign) ([]domain.Event, error) {
			for _, o := range []campaign.Outcome{campaign.OutcomeWon, campaign.OutcomePartlyWon, campaign.OutcomeLost} {
				if _, err := c.Close(campaign.Close{Actor: advocate, Now: later, Outcome: o, Summary: "s"}); err != nil {
					return nil, err
				}
			}
			return c.Close(campaign.Close{Actor: advocate, Now: later, Outcome: campaign.OutcomeAbandoned, Summary: ar(campaign.MaxSummary)})
		},
		then: []string{campaign.TypeCampaignClosed},
	},
		{name: "ErrClosedTwice", given: closedWith(), when: closeWith(campaign.OutcomeLost, "s"), err: isTransition("close", "closed")},
		{name: "ErrBeforeLaunch", when: closeWith(campaign.OutcomeLost, "s"), err: isTransition("close", "")},
		{name: "ErrOutcomeMissing", given: active(), when: closeWith("", "s"), err: isInvalid("outcome")},
		{name: "ErrOutcomeUnknown", given: active(), when: closeWith("draw", "s"), err: isInvalid("outcome")},
		{name: "ErrSummaryEmpty", given: active(), when: closeWith(campaign.OutcomeLost, ""), err: isInvalid("summary")},
		{name: "ErrSummaryTooLong", given: active(), when: closeWith(campaign.OutcomeLost, ar(campaign.MaxSummary+1)), err: isInvalid("summary")},
		{name: "ErrNowZero", given: active(), when: func(c *campaign.Campaign) ([]domain.Event, error) {
			return c.Close(campaign.Close{Actor: admin, Outcome: campaign.OutcomeWon, Summary: "s"})
		}, err: isInvalid("now")},
	})
}

// TestRefusedOnClosed runs, on a closed campaign, every command refused
// there with otherwise valid input: each is a TransitionError with status
// closed.
func TestRefusedOnClosed(t *testing.T) {
	t.Parallel()
	dir := testDirectory(t)
	for _, cmd := range commands() {
		if slices.Contains(cmd.allowed, campaign.StatusClosed) || cmd.name == "launch" {
			continue
		}
		t.Run(cmd.name, func(t *testing.T) {
			t.Parallel()
			c := given(then(history(campaign.StatusClosed), cmd.extra)...)
			_, err := cmd.run(c, dir, advocate)
			isTransition(cmd.name, "closed")(t, err)
		})
	}
}

func TestAttendance(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name   string
		events []domain.Event
		want   campaign.Attendance
	}{
		{"New", nil, campaign.Attendance{}},
		{"NothingHeld", active(planned(actID), planned(act2ID)), campaign.Attendance{}},
		{"OneHeld", active(planned(actID), planned(act2ID), held(actID, campaign.Attendance{Women: 12, Men: 8, Youth: 9, Total: 25})),
			campaign.Attendance{Women: 12, Men: 8, Youth: 9, Total: 25}},
		{"SumsHeld", active(
			planned(actID), planned(act2ID),
			held(actID, campaign.Attendance{Women: 12, Men: 8, Youth: 9, Total: 25}),
			held(act2ID, campaign.Attendance{Women: 40, Men: 35, Youth: 50, Total: 80}),
		), campaign.Attendance{Women: 52, Men: 43, Youth: 59, Total: 105}},
		{"HeldAfterClose", then(active(planned(actID)), []domain.Event{closed(), held(actID, campaign.Attendance{Women: 1, Total: 1})}),
			campaign.Attendance{Women: 1, Total: 1}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := given(tt.events...).Attendance(); got != tt.want {
				t.Errorf("Attendance() = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestCommitmentCounts(t *testing.T) {
	t.Parallel()
	const com3ID, com4ID = "com-01JNQBGGGGGGGGGGGGGGGGGGGG", "com-01JNQCHHHHHHHHHHHHHHHHHHHH"
	many := active(
		recorded(comID, day(30)), recorded(com2ID, day(30)), recorded(com3ID, day(50)), recorded(com4ID, day(70)),
		fulfilled(comID), broken(com2ID),
	)
	type counts struct{ made, fulfilled, broken, overdue int }
	for _, tt := range []struct {
		name   string
		events []domain.Event
		now    time.Time
		want   counts
	}{
		{"New", nil, later, counts{}},
		{"OpenNotDue", active(recorded(comID, day(30))), day(20), counts{1, 0, 0, 0}},
		{"OpenAtDueIsNotOverdue", active(recorded(comID, day(30))), day(30), counts{1, 0, 0, 0}},
		{"OpenPastDue", active(recorded(comID, day(30))), day(30).Add(time.Nanosecond), counts{1, 0, 0, 1}},
		{"SettledPastDueIsNotOverdue", many, day(40), counts{4, 1, 1, 0}},
		{"OneOverdue", many, day(60), counts{4, 1, 1, 1}},
		{"TwoOverdue", many, later, counts{4, 1, 1, 2}},
		{"OverdueAfterClose", then(many, []domain.Event{closed()}), later, counts{4, 1, 1, 2}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got counts
			got.made, got.fulfilled, got.broken, got.overdue = given(tt.events...).CommitmentCounts(tt.now)
			if got != tt.want {
				t.Errorf("CommitmentCounts = %+v, want %+v", got, tt.want)
			}
		})
	}
}
