package campaign_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/domain/campaign"
	"github.com/citizenhouse/bayt/domain/directory"
	"github.com/citizenhouse/bayt/domain/domaintest"
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
		return scenario{Name: name, WhenFunc: launch(edit), ErrFunc: domaintest.WantInvalid(field)}
	}
	run(t, []scenario{{
		Name:     "OK",
		WhenFunc: launch(func(*campaign.Launch) {}),
		Then:     []string{campaign.TypeCampaignLaunched},
		CheckFunc: func(t *testing.T, evs []domain.Event, c *campaign.Campaign) {
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
		Name: "OKEveryTheme",
		WhenFunc: func(c *campaign.Campaign) ([]domain.Event, error) {
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
		Then: []string{campaign.TypeCampaignLaunched},
	}, {
		Name:     "OKLimitsCountRunes",
		WhenFunc: launch(func(l *campaign.Launch) { l.Title, l.Demand = ar(campaign.MaxTitle), ar(campaign.MaxDemand) }),
		Then:     []string{campaign.TypeCampaignLaunched},
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
		{Name: "OKJoin", Given: active(), WhenFunc: join(" " + partnerOrg + " "), Then: []string{campaign.TypePartnerJoined}, CheckFunc: partners(leadOrg, partnerOrg)},
		{Name: "OKJoinTwiceRecordsNothing", Given: active(joined(partnerOrg)), WhenFunc: join(partnerOrg), Then: nil},
		{Name: "OKJoinLeadRecordsNothing", Given: active(), WhenFunc: join(leadOrg), Then: nil},
		{Name: "OKLeave", Given: active(joined(partnerOrg)), WhenFunc: leave(partnerOrg), Then: []string{campaign.TypePartnerLeft}, CheckFunc: partners(leadOrg)},
		{Name: "OKJoinAgainAfterLeaving", Given: active(joined(partnerOrg), &campaign.PartnerLeft{OrganisationID: partnerOrg, At: hour(2)}),
			WhenFunc: join(partnerOrg), Then: []string{campaign.TypePartnerJoined}, CheckFunc: partners(leadOrg, partnerOrg)},
		{Name: "ErrJoinEmpty", Given: active(), WhenFunc: join(""), ErrFunc: domaintest.WantInvalid("organisation_id")},
		{Name: "ErrJoinNotAnOrganisation", Given: active(), WhenFunc: join(caseID), ErrFunc: domaintest.WantInvalid("organisation_id")},
		{Name: "ErrJoinTwiceNowZero", Given: active(joined(partnerOrg)), WhenFunc: func(c *campaign.Campaign) ([]domain.Event, error) {
			return c.JoinPartner(campaign.JoinPartner{Actor: advocate, OrganisationID: partnerOrg})
		}, ErrFunc: domaintest.WantInvalid("now")},
		{Name: "ErrJoinClosed", Given: closedWith(), WhenFunc: join(partnerOrg), ErrFunc: domaintest.WantTransition("join_partner", "closed")},
		{Name: "ErrLeaveNotAPartner", Given: active(), WhenFunc: leave(partnerOrg), ErrFunc: domaintest.WantInvalid("organisation_id")},
		{Name: "ErrLeaveLead", Given: active(joined(partnerOrg)), WhenFunc: leave(leadOrg), ErrFunc: domaintest.WantInvalid("organisation_id")},
		{Name: "ErrLeaveEmpty", Given: active(), WhenFunc: leave(" "), ErrFunc: domaintest.WantInvalid("organisation_id")},
		{Name: "ErrLeaveClosed", Given: closedWith(joined(partnerOrg)), WhenFunc: leave(partnerOrg), ErrFunc: domaintest.WantTransition("leave_partner", "closed")},
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
		{Name: "OKLink", Given: active(linked(case2ID)), WhenFunc: link(" " + caseID + " "), Then: []string{campaign.TypeCaseLinked}, CheckFunc: cases(case2ID, caseID)},
		{Name: "OKLinkAgainRecordsNothing", Given: active(linked(caseID)), WhenFunc: link(caseID), Then: nil},
		{Name: "OKUnlink", Given: active(linked(caseID), linked(case2ID)), WhenFunc: unlink(caseID), Then: []string{campaign.TypeCaseUnlinked}, CheckFunc: cases(case2ID)},
		{Name: "OKUnlinkFromClosedCampaign", Given: then(active(linked(caseID)), []domain.Event{closed()}), WhenFunc: unlink(caseID), Then: []string{campaign.TypeCaseUnlinked}, CheckFunc: cases()},
		{Name: "ErrLinkToClosedCampaign", Given: closedWith(), WhenFunc: link(caseID), ErrFunc: domaintest.WantTransition("link_case", "closed")},
		{Name: "ErrLinkAgainToClosedCampaign", Given: then(active(linked(caseID)), []domain.Event{closed()}), WhenFunc: link(caseID), ErrFunc: domaintest.WantTransition("link_case", "closed")},
		{Name: "ErrLinkBeforeLaunch", WhenFunc: link(caseID), ErrFunc: domaintest.WantTransition("link_case", "")},
		{Name: "ErrLinkEmpty", Given: active(), WhenFunc: link(""), ErrFunc: domaintest.WantInvalid("case_id")},
		{Name: "ErrLinkNotACase", Given: active(), WhenFunc: link(partnerOrg), ErrFunc: domaintest.WantInvalid("case_id")},
		{Name: "ErrLinkNotAULID", Given: active(), WhenFunc: link("case-1"), ErrFunc: domaintest.WantInvalid("case_id")},
		{Name: "ErrUnlinkEmpty", Given: active(), WhenFunc: unlink(""), ErrFunc: domaintest.WantInvalid("case_id")},
		{Name: "ErrUnlinkNotLinked", Given: active(linked(case2ID)), WhenFunc: unlink(caseID), ErrFunc: domaintest.WantInvalid("case_id")},
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
		return scenario{Name: name, Given: active(planned(act2ID)), WhenFunc: plan(edit), ErrFunc: domaintest.WantInvalid(field)}
	}
	run(t, []scenario{{
		Name:     "OK",
		Given:    active(),
		WhenFunc: plan(func(*campaign.PlanActivity) {}),
		Then:     []string{campaign.TypeActivityPlanned},
		CheckFunc: func(t *testing.T, evs []domain.Event, c *campaign.Campaign) {
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
		Name:  "OKEveryKindWithoutPlace",
		Given: active(),
		WhenFunc: func(c *campaign.Campaign) ([]domain.Event, error) {
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
		Then: []string{campaign.TypeActivityPlanned},
	}, {
		Name:     "OKScheduledInThePast",
		Given:    active(),
		WhenFunc: plan(func(p *campaign.PlanActivity) { p.ScheduledFor = t0.AddDate(0, -1, 0) }),
		Then:     []string{campaign.TypeActivityPlanned},
	}, {
		Name:     "OKLimitsCountRunes",
		Given:    active(),
		WhenFunc: plan(func(p *campaign.PlanActivity) { p.Title, p.Place = ar(campaign.MaxTitle), ar(campaign.MaxPlace) }),
		Then:     []string{campaign.TypeActivityPlanned},
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
		{Name: "ErrClosed", Given: closedWith(), WhenFunc: plan(func(*campaign.PlanActivity) {}), ErrFunc: domaintest.WantTransition("plan_activity", "closed")},
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
		return scenario{Name: name, Given: active(planned(actID)), WhenFunc: hold(actID, a, ""), ErrFunc: domaintest.WantInvalid(field)}
	}
	run(t, []scenario{{
		Name:     "OK",
		Given:    active(planned(actID), planned(act2ID)),
		WhenFunc: hold(" "+actID+" ", att, "  اتفق الحاضرون على عريضة  "),
		Then:     []string{campaign.TypeActivityHeld},
		CheckFunc: func(t *testing.T, evs []domain.Event, c *campaign.Campaign) {
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
		Name:     "OKAfterClose",
		Given:    then(active(planned(actID)), []domain.Event{closed()}),
		WhenFunc: hold(actID, att, ""),
		Then:     []string{campaign.TypeActivityHeld},
	}, {
		Name:     "OKNobodyCame",
		Given:    active(planned(actID)),
		WhenFunc: hold(actID, campaign.Attendance{}, ""),
		Then:     []string{campaign.TypeActivityHeld},
	}, {
		Name:     "OKTotalBeyondWomenAndMen",
		Given:    active(planned(actID)),
		WhenFunc: hold(actID, campaign.Attendance{Women: 3, Men: 4, Youth: 10, Total: 10}, ar(campaign.MaxMinutes)),
		Then:     []string{campaign.TypeActivityHeld},
	}, {
		Name:     "OKLimits",
		Given:    active(planned(actID)),
		WhenFunc: hold(actID, campaign.Attendance{Women: campaign.MaxAttendance / 2, Men: campaign.MaxAttendance / 2, Youth: campaign.MaxAttendance, Total: campaign.MaxAttendance}, ""),
		Then:     []string{campaign.TypeActivityHeld},
	},
		{Name: "ErrHeldTwice", Given: active(planned(actID), held(actID, att)), WhenFunc: hold(actID, att, ""), ErrFunc: domaintest.WantTransition("hold_activity", "held")},
		{Name: "ErrHeldTwiceAfterClose", Given: then(active(planned(actID), held(actID, att)), []domain.Event{closed()}), WhenFunc: hold(actID, att, ""), ErrFunc: domaintest.WantTransition("hold_activity", "held")},
		{Name: "ErrUnknownActivity", Given: active(planned(act2ID)), WhenFunc: hold(actID, att, ""), ErrFunc: domaintest.WantInvalid("activity_id")},
		{Name: "ErrActivityIDEmpty", Given: active(planned(actID)), WhenFunc: hold("", att, ""), ErrFunc: domaintest.WantInvalid("activity_id")},
		{Name: "ErrBeforeLaunch", WhenFunc: hold(actID, att, ""), ErrFunc: domaintest.WantTransition("hold_activity", "")},
		{Name: "ErrMinutesTooLong", Given: active(planned(actID)), WhenFunc: hold(actID, att, ar(campaign.MaxMinutes+1)), ErrFunc: domaintest.WantInvalid("minutes")},
		{Name: "ErrNowZero", Given: active(planned(actID)), WhenFunc: func(c *campaign.Campaign) ([]domain.Event, error) {
			return c.HoldActivity(campaign.HoldActivity{Actor: advocate, ActivityID: actID})
		}, ErrFunc: domaintest.WantInvalid("now")},
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
		Name:     "OK",
		Given:    active(signed("k1")),
		WhenFunc: sign(public, " subj-2 ", " k2 ", " حي النصر "),
		Then:     []string{campaign.TypePetitionSigned},
		CheckFunc: func(t *testing.T, evs []domain.Event, c *campaign.Campaign) {
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
		Name:     "OKAnonymousSignaturesAreNotDeduplicated",
		Given:    active(signed(""), signed("")),
		WhenFunc: sign(public, "", "", ""),
		Then:     []string{campaign.TypePetitionSigned},
		CheckFunc: func(t *testing.T, _ []domain.Event, c *campaign.Campaign) {
			t.Helper()
			if c.Signatures != 3 || c.Signed("") {
				t.Errorf("signatures = %d, Signed(\"\") = %v", c.Signatures, c.Signed(""))
			}
		},
	}, {
		Name:     "OKSubjectWithoutKey",
		Given:    active(),
		WhenFunc: sign(reporter, "subj-1", "", ""),
		Then:     []string{campaign.TypePetitionSigned},
	}, {
		Name:     "OKLimits",
		Given:    active(),
		WhenFunc: sign(public, strings.Repeat("s", campaign.MaxSubject), strings.Repeat("k", campaign.MaxSignerKey), ar(campaign.MaxDistrict)),
		Then:     []string{campaign.TypePetitionSigned},
	},
		// A repeat is no error, so that its answer cannot tell who signed.
		{Name: "OKRepeatAddsNothing", Given: active(signed("k1")), WhenFunc: sign(public, "subj-9", "k1", ""), Then: nil},
		{Name: "OKRepeatAfterTrimAddsNothing", Given: active(signed("k1")), WhenFunc: sign(public, "", " k1 ", ""), Then: nil},
		{Name: "ErrRepeatStillChecked", Given: active(signed("k1")), WhenFunc: sign(public, "", "k1", ar(campaign.MaxDistrict+1)), ErrFunc: domaintest.WantInvalid("district")},
		{Name: "ErrRepeatOnClosed", Given: closedWith(signed("k1")), WhenFunc: sign(public, "", "k1", ""), ErrFunc: domaintest.WantTransition("sign_petition", "closed")},
		{Name: "ErrClosed", Given: closedWith(), WhenFunc: sign(public, "", "k1", ""), ErrFunc: domaintest.WantTransition("sign_petition", "closed")},
		{Name: "ErrBeforeLaunch", WhenFunc: sign(public, "", "k1", ""), ErrFunc: domaintest.WantTransition("sign_petition", "")},
		{Name: "ErrDistrictTooLong", Given: active(), WhenFunc: sign(public, "", "", ar(campaign.MaxDistrict+1)), ErrFunc: domaintest.WantInvalid("district")},
		{Name: "ErrSubjectTooLong", Given: active(), WhenFunc: sign(public, strings.Repeat("s", campaign.MaxSubject+1), "", ""), ErrFunc: domaintest.WantInvalid("signer_subject")},
		{Name: "ErrKeyTooLong", Given: active(), WhenFunc: sign(public, "", strings.Repeat("k", campaign.MaxSignerKey+1), ""), ErrFunc: domaintest.WantInvalid("signer_key")},
		{Name: "ErrNowZero", Given: active(), WhenFunc: func(c *campaign.Campaign) ([]domain.Event, error) {
			return c.SignPetition(campaign.SignPetition{Actor: public})
		}, ErrFunc: domaintest.WantInvalid("now")},
	})
}

func TestRecordPaperSignatures(t *testing.T) {
	t.Parallel()
	record := func(a domain.Actor, n int, note string) func(*campaign.Campaign) ([]domain.Event, error) {
		return func(c *campaign.Campaign) ([]domain.Event, error) {
			return c.RecordPaperSignatures(campaign.RecordPaperSignatures{Actor: a, Now: day(9), Count: n, Note: note})
		}
	}
	run(t, []scenario{{
		Name:     "OKAddsToTheOnlineSignatures",
		Given:    active(signed("k1"), signed(""), paper(120)),
		WhenFunc: record(advocate, 35, "  أوراق السوق الأسبوعية  "),
		Then:     []string{campaign.TypePaperSignaturesRecorded},
		CheckFunc: func(t *testing.T, evs []domain.Event, c *campaign.Campaign) {
			t.Helper()
			if e := evs[0].(*campaign.PaperSignaturesRecorded); *e != (campaign.PaperSignaturesRecorded{Count: 35, Note: "أوراق السوق الأسبوعية", At: day(9)}) {
				t.Errorf("event = %+v", e)
			}
			if c.Signatures != 157 || c.PaperSignatures != 155 || !c.UpdatedAt.Equal(day(9)) {
				t.Errorf("signatures = %d, on paper %d, updated %v; want 157, 155", c.Signatures, c.PaperSignatures, c.UpdatedAt)
			}
		},
	},
		{Name: "OKAdmin", Given: active(), WhenFunc: record(admin, 1, ""), Then: []string{campaign.TypePaperSignaturesRecorded}},
		{Name: "OKLimits", Given: active(), WhenFunc: record(advocate, campaign.MaxPaperSignatures, ar(campaign.MaxNote)), Then: []string{campaign.TypePaperSignaturesRecorded}},
		// Counting sheets is the Citizen's House's work, not the municipality's.
		{Name: "ErrOfficerForbidden", Given: active(), WhenFunc: record(officer, 10, ""), ErrFunc: domaintest.WantForbidden()},
		{Name: "ErrPublicForbidden", Given: active(), WhenFunc: record(public, 10, ""), ErrFunc: domaintest.WantForbidden()},
		{Name: "ErrZero", Given: active(), WhenFunc: record(advocate, 0, ""), ErrFunc: domaintest.WantInvalid("count")},
		{Name: "ErrNegative", Given: active(), WhenFunc: record(advocate, -5, ""), ErrFunc: domaintest.WantInvalid("count")},
		{Name: "ErrTooMany", Given: active(), WhenFunc: record(advocate, campaign.MaxPaperSignatures+1, ""), ErrFunc: domaintest.WantInvalid("count")},
		{Name: "ErrNoteTooLong", Given: active(), WhenFunc: record(advocate, 3, ar(campaign.MaxNote+1)), ErrFunc: domaintest.WantInvalid("note")},
		{Name: "ErrClosed", Given: closedWith(), WhenFunc: record(advocate, 3, ""), ErrFunc: domaintest.WantTransition("record_paper_signatures", "closed")},
		{Name: "ErrBeforeLaunch", WhenFunc: record(advocate, 3, ""), ErrFunc: domaintest.WantTransition("record_paper_signatures", "")},
		{Name: "ErrNowZero", Given: active(), WhenFunc: func(c *campaign.Campaign) ([]domain.Event, error) {
			return c.RecordPaperSignatures(campaign.RecordPaperSignatures{Actor: advocate, Count: 3})
		}, ErrFunc: domaintest.WantInvalid("now")},
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
		Name:     "OKByTheOfficer",
		Given:    active(),
		WhenFunc: record(officer, " "+comID+" ", " تهيئة الرصيف أمام المدرسة الابتدائية ", day(40).In(tunis)),
		Then:     []string{campaign.TypeCommitmentRecorded},
		CheckFunc: func(t *testing.T, evs []domain.Event, c *campaign.Campaign) {
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
		Name:     "OKByAnAdvocate",
		Given:    active(recorded(com2ID, day(30))),
		WhenFunc: record(advocate, comID, "t", day(40)),
		Then:     []string{campaign.TypeCommitmentRecorded},
		CheckFunc: func(t *testing.T, _ []domain.Event, c *campaign.Campaign) {
			t.Helper()
			if len(c.Commitments) != 2 || c.Commitments[comID].RecordedBy != domain.RoleAdvocate {
				t.Errorf("commitments = %+v", c.Commitments)
			}
		},
	}, {
		Name:     "OKDueAlreadyPast",
		Given:    active(),
		WhenFunc: record(admin, comID, "t", day(1)),
		Then:     []string{campaign.TypeCommitmentRecorded},
	}, {
		Name:     "OKLimitsCountRunes",
		Given:    active(),
		WhenFunc: record(admin, comID, ar(campaign.MaxCommitment), day(40)),
		Then:     []string{campaign.TypeCommitmentRecorded},
	},
		{Name: "ErrOfficerOfOtherDepartment", Given: active(), WhenFunc: record(otherOfficer, comID, "t", day(40)), ErrFunc: domaintest.WantForbidden()},
		{Name: "ErrClosed", Given: closedWith(), WhenFunc: record(officer, comID, "t", day(40)), ErrFunc: domaintest.WantTransition("record_commitment", "closed")},
		{Name: "ErrIDEmpty", Given: active(), WhenFunc: record(officer, "", "t", day(40)), ErrFunc: domaintest.WantInvalid("commitment_id")},
		{Name: "ErrIDNotACommitment", Given: active(), WhenFunc: record(officer, actID, "t", day(40)), ErrFunc: domaintest.WantInvalid("commitment_id")},
		{Name: "ErrIDAlreadyUsed", Given: active(recorded(comID, day(30))), WhenFunc: record(officer, comID, "t", day(40)), ErrFunc: domaintest.WantInvalid("commitment_id")},
		{Name: "ErrTextEmpty", Given: active(), WhenFunc: record(officer, comID, "  ", day(40)), ErrFunc: domaintest.WantInvalid("text")},
		{Name: "ErrTextTooLong", Given: active(), WhenFunc: record(officer, comID, ar(campaign.MaxCommitment+1), day(40)), ErrFunc: domaintest.WantInvalid("text")},
		{Name: "ErrDueByMissing", Given: active(), WhenFunc: record(officer, comID, "t", time.Time{}), ErrFunc: domaintest.WantInvalid("due_by")},
		{Name: "ErrNowZero", Given: active(), WhenFunc: func(c *campaign.Campaign) ([]domain.Event, error) {
			return c.RecordCommitment(campaign.RecordCommitment{Actor: officer, CommitmentID: comID, Text: "t", DueBy: day(40)})
		}, ErrFunc: domaintest.WantInvalid("now")},
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
		{Name: "OKFulfil", Given: open, WhenFunc: fulfil(officer, " "+comID+" ", " تمت الأشغال "), Then: []string{campaign.TypeCommitmentFulfilled},
			CheckFunc: settled(campaign.CommitmentStateFulfilled, "تمت الأشغال")},
		{Name: "OKBreak", Given: open, WhenFunc: breakIt(advocate, comID, ""), Then: []string{campaign.TypeCommitmentBroken},
			CheckFunc: settled(campaign.CommitmentStateBroken, "")},
		{Name: "OKFulfilAfterClose", Given: then(open, []domain.Event{closed()}), WhenFunc: fulfil(admin, comID, ar(campaign.MaxNote)), Then: []string{campaign.TypeCommitmentFulfilled}},
		{Name: "OKBreakAfterClose", Given: then(open, []domain.Event{closed()}), WhenFunc: breakIt(officer, comID, ""), Then: []string{campaign.TypeCommitmentBroken}},
		{Name: "ErrFulfilFulfilled", Given: then(open, []domain.Event{fulfilled(comID)}), WhenFunc: fulfil(officer, comID, ""), ErrFunc: domaintest.WantTransition("fulfil_commitment", "fulfilled")},
		{Name: "ErrFulfilBroken", Given: then(open, []domain.Event{broken(comID)}), WhenFunc: fulfil(officer, comID, ""), ErrFunc: domaintest.WantTransition("fulfil_commitment", "broken")},
		{Name: "ErrBreakFulfilled", Given: then(open, []domain.Event{fulfilled(comID)}), WhenFunc: breakIt(advocate, comID, ""), ErrFunc: domaintest.WantTransition("break_commitment", "fulfilled")},
		{Name: "ErrBreakBroken", Given: then(open, []domain.Event{broken(comID)}, []domain.Event{closed()}), WhenFunc: breakIt(advocate, comID, ""), ErrFunc: domaintest.WantTransition("break_commitment", "broken")},
		{Name: "ErrFulfilUnknown", Given: active(recorded(com2ID, day(30))), WhenFunc: fulfil(officer, comID, ""), ErrFunc: domaintest.WantInvalid("commitment_id")},
		{Name: "ErrBreakUnknown", Given: closedWith(), WhenFunc: breakIt(officer, comID, ""), ErrFunc: domaintest.WantInvalid("commitment_id")},
		{Name: "ErrFulfilEmpty", Given: open, WhenFunc: fulfil(officer, "", ""), ErrFunc: domaintest.WantInvalid("commitment_id")},
		{Name: "ErrFulfilBeforeLaunch", WhenFunc: fulfil(advocate, comID, ""), ErrFunc: domaintest.WantTransition("fulfil_commitment", "")},
		{Name: "ErrFulfilOfficerOfOtherDepartment", Given: open, WhenFunc: fulfil(otherOfficer, comID, ""), ErrFunc: domaintest.WantForbidden()},
		{Name: "ErrBreakOfficerWithoutDepartment", Given: open, WhenFunc: breakIt(deptlessOfficer, comID, ""), ErrFunc: domaintest.WantForbidden()},
		{Name: "ErrBreakPublic", Given: open, WhenFunc: breakIt(public, comID, ""), ErrFunc: domaintest.WantForbidden()},
		{Name: "ErrNoteTooLong", Given: open, WhenFunc: breakIt(officer, comID, ar(campaign.MaxNote+1)), ErrFunc: domaintest.WantInvalid("note")},
		{Name: "ErrNowZero", Given: open, WhenFunc: func(c *campaign.Campaign) ([]domain.Event, error) {
			return c.FulfilCommitment(campaign.FulfilCommitment{Actor: officer, CommitmentID: comID})
		}, ErrFunc: domaintest.WantInvalid("now")},
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
		Name:     "OK",
		Given:    active(first),
		WhenFunc: publish("  جمعنا خمسمائة توقيع  "),
		Then:     []string{campaign.TypeUpdatePublished},
		CheckFunc: func(t *testing.T, evs []domain.Event, c *campaign.Campaign) {
			t.Helper()
			if e := evs[0].(*campaign.UpdatePublished); e.Body != "جمعنا خمسمائة توقيع" {
				t.Errorf("body = %q, want it trimmed", e.Body)
			}
			if c.Updates != 2 || c.LastUpdate == nil || !c.LastUpdate.Equal(later) {
				t.Errorf("campaign = %+v", c)
			}
		},
	},
		{Name: "OKAfterClose", Given: closedWith(), WhenFunc: publish("البلدية أوفت بوعدها"), Then: []string{campaign.TypeUpdatePublished}},
		{Name: "OKLimitsCountRunes", Given: active(), WhenFunc: publish(ar(campaign.MaxBody)), Then: []string{campaign.TypeUpdatePublished}},
		{Name: "ErrBodyEmpty", Given: active(), WhenFunc: publish(""), ErrFunc: domaintest.WantInvalid("body")},
		{Name: "ErrBodyTooLong", Given: active(), WhenFunc: publish(ar(campaign.MaxBody + 1)), ErrFunc: domaintest.WantInvalid("body")},
		{Name: "ErrBeforeLaunch", WhenFunc: publish("b"), ErrFunc: domaintest.WantTransition("publish_update", "")},
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
		Name:     "OK",
		Given:    active(linked(caseID)),
		WhenFunc: closeWith(campaign.OutcomeWon, "  تمت تهيئة الأرصفة  "),
		Then:     []string{campaign.TypeCampaignClosed},
		CheckFunc: func(t *testing.T, _ []domain.Event, c *campaign.Campaign) {
			t.Helper()
			if c.Status != campaign.StatusClosed || c.Outcome != campaign.OutcomeWon || c.Summary != "تمت تهيئة الأرصفة" ||
				c.ClosedAt == nil || !c.ClosedAt.Equal(later) || !slices.Equal(c.CaseIDs, []string{caseID}) {
				t.Errorf("campaign = %+v", c)
			}
		},
	}, {
		Name:  "OKEveryOutcome",
		Given: active(),
		WhenFunc: func(c *campaign.Campaign) ([]domain.Event, error) {
			for _, o := range []campaign.Outcome{campaign.OutcomeWon, campaign.OutcomePartlyWon, campaign.OutcomeLost} {
				if _, err := c.Close(campaign.Close{Actor: advocate, Now: later, Outcome: o, Summary: "s"}); err != nil {
					return nil, err
				}
			}
			return c.Close(campaign.Close{Actor: advocate, Now: later, Outcome: campaign.OutcomeAbandoned, Summary: ar(campaign.MaxSummary)})
		},
		Then: []string{campaign.TypeCampaignClosed},
	},
		{Name: "ErrClosedTwice", Given: closedWith(), WhenFunc: closeWith(campaign.OutcomeLost, "s"), ErrFunc: domaintest.WantTransition("close", "closed")},
		{Name: "ErrBeforeLaunch", WhenFunc: closeWith(campaign.OutcomeLost, "s"), ErrFunc: domaintest.WantTransition("close", "")},
		{Name: "ErrOutcomeMissing", Given: active(), WhenFunc: closeWith("", "s"), ErrFunc: domaintest.WantInvalid("outcome")},
		{Name: "ErrOutcomeUnknown", Given: active(), WhenFunc: closeWith("draw", "s"), ErrFunc: domaintest.WantInvalid("outcome")},
		{Name: "ErrSummaryEmpty", Given: active(), WhenFunc: closeWith(campaign.OutcomeLost, ""), ErrFunc: domaintest.WantInvalid("summary")},
		{Name: "ErrSummaryTooLong", Given: active(), WhenFunc: closeWith(campaign.OutcomeLost, ar(campaign.MaxSummary+1)), ErrFunc: domaintest.WantInvalid("summary")},
		{Name: "ErrNowZero", Given: active(), WhenFunc: func(c *campaign.Campaign) ([]domain.Event, error) {
			return c.Close(campaign.Close{Actor: admin, Outcome: campaign.OutcomeWon, Summary: "s"})
		}, ErrFunc: domaintest.WantInvalid("now")},
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
			domaintest.WantTransition(cmd.name, "closed")(t, err)
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
