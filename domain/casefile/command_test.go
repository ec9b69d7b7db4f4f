package casefile_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/domain/casefile"
)

// ar returns n Arabic letters: limits count runes, not bytes.
func ar(n int) string { return strings.Repeat("ب", n) }

func TestReport(t *testing.T) {
	t.Parallel()
	dir := testDirectory(t)
	tunis := time.FixedZone("Africa/Tunis", 3600)
	valid := func() casefile.Report {
		return casefile.Report{
			Actor: public, Now: t0.In(tunis), ID: caseID,
			Title: "  حفرة كبيرة في الطريق  ", Description: "حفرة أمام المدرسة الابتدائية منذ شهر",
			Category: "roads", District: "حي النصر", Location: &casefile.Location{Lat: 36.8065, Lon: 10.1815},
			Address: "شارع الحرية 12", Language: "ar", ReporterSubject: "subj-1", TrackingTokenHash: []byte{9, 9},
		}
	}
	report := func(edit func(*casefile.Report)) func(*casefile.Case) ([]domain.Event, error) {
		return func(c *casefile.Case) ([]domain.Event, error) {
			cmd := valid()
			edit(&cmd)
			return c.Report(dir, cmd)
		}
	}
	invalid := func(name, field string, edit func(*casefile.Report)) scenario {
		return scenario{name: name, when: report(edit), err: isInvalid(field)}
	}
	run(t, []scenario{{
		name: "OK",
		when: report(func(*casefile.Report) {}),
		then: []string{casefile.TypeCaseReported},
		check: func(t *testing.T, evs []domain.Event, c *casefile.Case) {
			t.Helper()
			e := evs[0].(*casefile.CaseReported)
			if e.Title != "حفرة كبيرة في الطريق" {
				t.Errorf("title = %q, want it trimmed", e.Title)
			}
			if e.At != t0 || e.At.Location() != time.UTC {
				t.Errorf("at = %v, want %v in UTC", e.At, t0)
			}
			if c.ID != caseID || c.Status != casefile.StatusReported || c.Priority != casefile.PriorityNormal ||
				c.Version != 1 || !c.CreatedAt.Equal(t0) || !c.UpdatedAt.Equal(t0) {
				t.Errorf("case = %+v", c)
			}
			if c.Category != "roads" || c.District != "حي النصر" || c.Address != "شارع الحرية 12" || c.Language != "ar" ||
				c.ReporterSubject != "subj-1" || !bytes.Equal(c.TrackingTokenHash, []byte{9, 9}) {
				t.Errorf("case = %+v", c)
			}
			if c.Location == nil || *c.Location != (casefile.Location{Lat: 36.8065, Lon: 10.1815}) {
				t.Errorf("location = %v", c.Location)
			}
			if c.Department != "" || c.DueAt != nil || c.Overdue(later) {
				t.Errorf("a reported case has no department nor due date: %+v", c)
			}
		},
	}, {
		name: "OKMinimal",
		when: report(func(r *casefile.Report) {
			r.Location, r.Address, r.Language, r.ReporterSubject, r.TrackingTokenHash = nil, "", "", "", nil
		}),
		then: []string{casefile.TypeCaseReported},
		check: func(t *testing.T, _ []domain.Event, c *casefile.Case) {
			t.Helper()
			if c.Location != nil || c.ReporterSubject != "" {
				t.Errorf("case = %+v", c)
			}
		},
	}, {
		name: "OKLimitsCountRunes",
		when: report(func(r *casefile.Report) {
			r.Title, r.District, r.Address, r.Description = ar(casefile.MaxTitle), ar(casefile.MaxDistrict), ar(casefile.MaxAddress), ar(casefile.MaxDescription)
		}),
		then: []string{casefile.TypeCaseReported},
	}, {
		name: "OKLocationBounds",
		when: report(func(r *casefile.Report) { r.Location = &casefile.Location{Lat: -90, Lon: 180} }),
		then: []string{casefile.TypeCaseReported},
	}, {
		name: "OKCommandNotAliased",
		when: func(c *casefile.Case) ([]domain.Event, error) {
			cmd := valid()
			evs, err := c.Report(dir, cmd)
			cmd.Location.Lat, cmd.TrackingTokenHash[0] = 0, 0
			return evs, err
		},
		then: []string{casefile.TypeCaseReported},
		check: func(t *testing.T, _ []domain.Event, c *casefile.Case) {
			t.Helper()
			if c.Location.Lat != 36.8065 || c.TrackingTokenHash[0] != 9 {
				t.Error("the event shares memory with the command")
			}
		},
	},
		invalid("ErrTitleEmpty", "title", func(r *casefile.Report) { r.Title = "" }),
		invalid("ErrTitleBlank", "title", func(r *casefile.Report) { r.Title = " \t\n " }),
		invalid("ErrTitleTooLong", "title", func(r *casefile.Report) { r.Title = ar(casefile.MaxTitle + 1) }),
		invalid("ErrTitleNotUTF8", "title", func(r *casefile.Report) { r.Title = "a\xffb" }),
		invalid("ErrDescriptionEmpty", "description", func(r *casefile.Report) { r.Description = "" }),
		invalid("ErrDescriptionTooLong", "description", func(r *casefile.Report) { r.Description = ar(casefile.MaxDescription + 1) }),
		invalid("ErrCategoryEmpty", "category", func(r *casefile.Report) { r.Category = "" }),
		invalid("ErrCategoryUnknown", "category", func(r *casefile.Report) { r.Category = "potholes" }),
		invalid("ErrDistrictEmpty", "district", func(r *casefile.Report) { r.District = " " }),
		invalid("ErrDistrictTooLong", "district", func(r *casefile.Report) { r.District = ar(casefile.MaxDistrict + 1) }),
		invalid("ErrAddressTooLong", "address", func(r *casefile.Report) { r.Address = ar(casefile.MaxAddress + 1) }),
		invalid("ErrLatTooHigh", "location.lat", func(r *casefile.Report) { r.Location.Lat = 90.01 }),
		invalid("ErrLatTooLow", "location.lat", func(r *casefile.Report) { r.Location.Lat = -91 }),
		invalid("ErrLonTooHigh", "location.lon", func(r *casefile.Report) { r.Location.Lon = 180.5 }),
		invalid("ErrLonTooLow", "location.lon", func(r *casefile.Report) { r.Location.Lon = -181 }),
		invalid("ErrLanguage", "language", func(r *casefile.Report) { r.Language = "de" }),
		invalid("ErrIDEmpty", "id", func(r *casefile.Report) { r.ID = "" }),
		invalid("ErrIDNotACase", "id", func(r *casefile.Report) { r.ID = "campaign-01JNQ3Z8X4K5M6N7P8Q9R0S1T2" }),
		invalid("ErrIDNotAULID", "id", func(r *casefile.Report) { r.ID = "case-1" }),
		invalid("ErrNowZero", "now", func(r *casefile.Report) { r.Now = time.Time{} }),
		invalid("ErrEveryFieldTitle", "title", func(r *casefile.Report) { r.Title, r.District = "", "" }),
		invalid("ErrEveryFieldDistrict", "district", func(r *casefile.Report) { r.Title, r.District = "", "" }),
	})
}

func TestTriage(t *testing.T) {
	t.Parallel()
	dir := testDirectory(t)
	triage := func(cmd casefile.Triage) func(*casefile.Case) ([]domain.Event, error) {
		cmd.Actor, cmd.Now = advocate, hour(1)
		return func(c *casefile.Case) ([]domain.Event, error) { return c.Triage(dir, cmd) }
	}
	run(t, []scenario{{
		name:  "OK",
		given: history(casefile.StatusReported),
		when:  triage(casefile.Triage{Priority: casefile.PriorityUrgent, Note: "  خطر على التلاميذ  "}),
		then:  []string{casefile.TypeCaseTriaged},
		check: func(t *testing.T, evs []domain.Event, c *casefile.Case) {
			t.Helper()
			e := evs[0].(*casefile.CaseTriaged)
			if e.Category != "" || e.Note != "خطر على التلاميذ" {
				t.Errorf("event = %+v", e)
			}
			if c.Status != casefile.StatusTriaged || c.Priority != casefile.PriorityUrgent || c.Category != "roads" ||
				c.Version != 2 || !c.UpdatedAt.Equal(hour(1)) || c.LastPublicNote != "خطر على التلاميذ" {
				t.Errorf("case = %+v", c)
			}
		},
	}, {
		name:  "OKChangesCategory",
		given: history(casefile.StatusReported),
		when:  triage(casefile.Triage{Priority: casefile.PriorityLow, Category: "lighting"}),
		then:  []string{casefile.TypeCaseTriaged},
		check: func(t *testing.T, evs []domain.Event, c *casefile.Case) {
			t.Helper()
			if e := evs[0].(*casefile.CaseTriaged); e.Category != "lighting" {
				t.Errorf("event category = %q", e.Category)
			}
			if c.Category != "lighting" {
				t.Errorf("case category = %q", c.Category)
			}
		},
	}, {
		name:  "OKSameCategoryIsNoChange",
		given: history(casefile.StatusReported),
		when:  triage(casefile.Triage{Priority: casefile.PriorityNormal, Category: "roads"}),
		then:  []string{casefile.TypeCaseTriaged},
		check: func(t *testing.T, evs []domain.Event, _ *casefile.Case) {
			t.Helper()
			if e := evs[0].(*casefile.CaseTriaged); e.Category != "" {
				t.Errorf("event category = %q, want none", e.Category)
			}
		},
	}, {
		name:  "ErrPriorityMissing",
		given: history(casefile.StatusReported),
		when:  triage(casefile.Triage{}),
		err:   isInvalid("priority"),
	}, {
		name:  "ErrPriorityUnknown",
		given: history(casefile.StatusReported),
		when:  triage(casefile.Triage{Priority: "critical"}),
		err:   isInvalid("priority"),
	}, {
		name:  "ErrCategoryUnknown",
		given: history(casefile.StatusReported),
		when:  triage(casefile.Triage{Priority: casefile.PriorityHigh, Category: "potholes"}),
		err:   isInvalid("category"),
	}, {
		name:  "ErrNoteTooLong",
		given: history(casefile.StatusReported),
		when:  triage(casefile.Triage{Priority: casefile.PriorityHigh, Note: ar(casefile.MaxNote + 1)}),
		err:   isInvalid("note"),
	}})
}

func TestReject(t *testing.T) {
	t.Parallel()
	reject := func(reason string) func(*casefile.Case) ([]domain.Event, error) {
		return func(c *casefile.Case) ([]domain.Event, error) {
			return c.Reject(casefile.Reject{Actor: admin, Now: hour(2), Reason: reason})
		}
	}
	run(t, []scenario{{
		name:  "OK",
		given: history(casefile.StatusTriaged),
		when:  reject("خارج اختصاص البلدية"),
		then:  []string{casefile.TypeCaseRejected},
		check: func(t *testing.T, _ []domain.Event, c *casefile.Case) {
			t.Helper()
			if c.Status != casefile.StatusRejected || c.RejectReason != "خارج اختصاص البلدية" || c.LastPublicNote != c.RejectReason {
				t.Errorf("case = %+v", c)
			}
		},
	},
		{name: "ErrReasonEmpty", given: history(casefile.StatusReported), when: reject("  "), err: isInvalid("reason")},
		{name: "ErrReasonTooLong", given: history(casefile.StatusReported), when: reject(ar(casefile.MaxNote + 1)), err: isInvalid("reason")},
	})
}

func TestMerge(t *testing.T) {
	t.Parallel()
	merge := func(into string) func(*casefile.Case) ([]domain.Event, error) {
		return func(c *casefile.Case) ([]domain.Event, error) {
			return c.Merge(casefile.Merge{Actor: advocate, Now: hour(2), Into: into})
		}
	}
	run(t, []scenario{{
		name:  "OK",
		given: history(casefile.StatusReported),
		when:  merge(otherID),
		then:  []string{casefile.TypeCaseMerged},
		check: func(t *testing.T, _ []domain.Event, c *casefile.Case) {
			t.Helper()
			if c.Status != casefile.StatusDuplicate || c.MergedInto != otherID {
				t.Errorf("case = %+v", c)
			}
		},
	},
		{name: "ErrIntoEmpty", given: history(casefile.StatusReported), when: merge(""), err: isInvalid("into")},
		{name: "ErrIntoNotACase", given: history(casefile.StatusReported), when: merge("campaign-01JNQ40000000000000000000A"), err: isInvalid("into")},
		{name: "ErrIntoItself", given: history(casefile.StatusTriaged), when: merge(caseID), err: isInvalid("into")},
	})
}

func TestForward(t *testing.T) {
	t.Parallel()
	dir := testDirectory(t)
	now := time.Date(2025, 3, 30, 15, 4, 5, 0, time.UTC)
	forward := func(dept, note string) func(*casefile.Case) ([]domain.Event, error) {
		return func(c *casefile.Case) ([]domain.Event, error) {
			return c.Forward(dir, casefile.Forward{Actor: advocate, Now: now, Department: dept, Note: note})
		}
	}
	dueIn := func(days int) func(*testing.T, []domain.Event, *casefile.Case) {
		return func(t *testing.T, evs []domain.Event, c *casefile.Case) {
			t.Helper()
			want := now.AddDate(0, 0, days)
			if e := evs[0].(*casefile.CaseForwarded); !e.DueAt.Equal(want) {
				t.Errorf("due_at = %v, want %v", e.DueAt, want)
			}
			if c.DueAt == nil || !c.DueAt.Equal(want) || c.Status != casefile.StatusForwarded {
				t.Errorf("case = %+v", c)
			}
		}
	}
	run(t, []scenario{{
		name:  "OKDueFromCategorySLA",
		given: history(casefile.StatusTriaged),
		when:  forward("roads_works", "الحفرة خطيرة"),
		then:  []string{casefile.TypeCaseForwarded},
		check: func(t *testing.T, evs []domain.Event, c *casefile.Case) {
			t.Helper()
			dueIn(10)(t, evs, c)
			if c.Department != "roads_works" || c.Overdue(now) || !c.Overdue(now.AddDate(0, 0, 11)) {
				t.Errorf("case = %+v", c)
			}
		},
	}, {
		name:  "OKDueFromTriagedCategory",
		given: then(history(casefile.StatusReported), []domain.Event{&casefile.CaseTriaged{Priority: casefile.PriorityLow, Category: "lighting", At: hour(1)}}),
		when:  forward("public_lighting", ""),
		then:  []string{casefile.TypeCaseForwarded},
		check: dueIn(3),
	}, {
		name:  "OKToAnotherDepartmentThanTheCategorys",
		given: history(casefile.StatusTriaged),
		when:  forward("public_lighting", ""),
		then:  []string{casefile.TypeCaseForwarded},
		check: dueIn(10),
	}, {
		name: "OKCategoryGoneFromDirectory",
		given: []domain.Event{
			&casefile.CaseReported{ID: caseID, Title: "t", Description: "d", Category: "potholes", District: "x", At: t0},
			triaged(),
		},
		when:  forward("roads_works", ""),
		then:  []string{casefile.TypeCaseForwarded},
		check: dueIn(casefile.DefaultSLADays),
	},
		{name: "ErrDepartmentEmpty", given: history(casefile.StatusTriaged), when: forward("", ""), err: isInvalid("department")},
		{name: "ErrDepartmentUnknown", given: history(casefile.StatusTriaged), when: forward("police", ""), err: isInvalid("department")},
		{name: "ErrNoteTooLong", given: history(casefile.StatusTriaged), when: forward("roads_works", ar(casefile.MaxNote+1)), err: isInvalid("note")},
	})
}

func TestAcknowledge(t *testing.T) {
	t.Parallel()
	ack := func(ref string) func(*casefile.Case) ([]domain.Event, error) {
		return func(c *casefile.Case) ([]domain.Event, error) {
			return c.Acknowledge(casefile.Acknowledge{Actor: officer, Now: hour(3), Reference: ref, Note: "وصلنا الملف"})
		}
	}
	run(t, []scenario{{
		name:  "OK",
		given: history(casefile.StatusForwarded),
		when:  ack("VR-2025-114"),
		then:  []string{casefile.TypeCaseAcknowledged},
		check: func(t *testing.T, evs []domain.Event, c *casefile.Case) {
			t.Helper()
			if e := evs[0].(*casefile.CaseAcknowledged); e.Reference != "VR-2025-114" {
				t.Errorf("event = %+v", e)
			}
			if c.Status != casefile.StatusAcknowledged || c.Department != "roads_works" || c.LastPublicNote != "وصلنا الملف" {
				t.Errorf("case = %+v", c)
			}
		},
	}, {
		name:  "OKWithoutReference",
		given: history(casefile.StatusForwarded),
		when:  ack(""),
		then:  []string{casefile.TypeCaseAcknowledged},
	},
		{name: "ErrReferenceTooLong", given: history(casefile.StatusForwarded), when: ack(strings.Repeat("x", casefile.MaxReference+1)), err: isInvalid("reference")},
	})
}

func TestAnswer(t *testing.T) {
	t.Parallel()
	planned := time.Date(2025, 3, 10, 0, 0, 0, 0, time.FixedZone("Africa/Tunis", 3600))
	answer := func(response string, plannedFor *time.Time) func(*casefile.Case) ([]domain.Event, error) {
		return func(c *casefile.Case) ([]domain.Event, error) {
			return c.Answer(casefile.Answer{Actor: officer, Now: hour(4), Response: response, PlannedFor: plannedFor})
		}
	}
	run(t, []scenario{{
		name:  "OK",
		given: history(casefile.StatusAcknowledged),
		when:  answer("ستتم الأشغال يوم 10 مارس", &planned),
		then:  []string{casefile.TypeCaseAnswered},
		check: func(t *testing.T, evs []domain.Event, c *casefile.Case) {
			t.Helper()
			e := evs[0].(*casefile.CaseAnswered)
			if e.PlannedFor == nil || !e.PlannedFor.Equal(planned) || e.PlannedFor.Location() != time.UTC {
				t.Errorf("planned_for = %v, want %v in UTC", e.PlannedFor, planned)
			}
			if c.Status != casefile.StatusInProgress || c.LastPublicNote != "ستتم الأشغال يوم 10 مارس" {
				t.Errorf("case = %+v", c)
			}
		},
	}, {
		name:  "OKAgainWhileInProgress",
		given: history(casefile.StatusInProgress),
		when:  answer("تأخير بسبب الأمطار", nil),
		then:  []string{casefile.TypeCaseAnswered},
	},
		{name: "ErrResponseEmpty", given: history(casefile.StatusForwarded), when: answer("", nil), err: isInvalid("response")},
		{name: "ErrResponseTooLong", given: history(casefile.StatusForwarded), when: answer(ar(casefile.MaxText+1), nil), err: isInvalid("response")},
		{name: "ErrPlannedForZero", given: history(casefile.StatusForwarded), when: answer("r", &time.Time{}), err: isInvalid("planned_for")},
	})
}

func TestResolve(t *testing.T) {
	t.Parallel()
	resolve := func(note string) func(*casefile.Case) ([]domain.Event, error) {
		return func(c *casefile.Case) ([]domain.Event, error) {
			return c.Resolve(casefile.Resolve{Actor: officer, Now: hour(5), Note: note})
		}
	}
	run(t, []scenario{{
		name:  "OK",
		given: history(casefile.StatusInProgress),
		when:  resolve("تم ردم الحفرة"),
		then:  []string{casefile.TypeCaseResolved},
		check: func(t *testing.T, _ []domain.Event, c *casefile.Case) {
			t.Helper()
			if c.Status != casefile.StatusResolved || c.LastPublicNote != "تم ردم الحفرة" || c.Overdue(later) {
				t.Errorf("case = %+v", c)
			}
		},
	},
		{name: "ErrNoteEmpty", given: history(casefile.StatusForwarded), when: resolve(""), err: isInvalid("note")},
		{name: "ErrNoteTooLong", given: history(casefile.StatusForwarded), when: resolve(ar(casefile.MaxText + 1)), err: isInvalid("note")},
	})
}

func TestConfirm(t *testing.T) {
	t.Parallel()
	confirm := func(note string) func(*casefile.Case) ([]domain.Event, error) {
		return func(c *casefile.Case) ([]domain.Event, error) {
			return c.Confirm(casefile.Confirm{Actor: reporter, Now: hour(6), Note: note})
		}
	}
	run(t, []scenario{{
		name:  "OK",
		given: history(casefile.StatusResolved),
		when:  confirm("شكرا"),
		then:  []string{casefile.TypeResolutionConfirmed},
		check: func(t *testing.T, _ []domain.Event, c *casefile.Case) {
			t.Helper()
			if c.Status != casefile.StatusClosed || c.LastPublicNote != "شكرا" {
				t.Errorf("case = %+v", c)
			}
		},
	}, {
		name:  "OKWithoutNoteKeepsLastNote",
		given: history(casefile.StatusResolved),
		when:  confirm(""),
		then:  []string{casefile.TypeResolutionConfirmed},
		check: func(t *testing.T, _ []domain.Event, c *casefile.Case) {
			t.Helper()
			if c.LastPublicNote != "تم ردم الحفرة" {
				t.Errorf("last public note = %q", c.LastPublicNote)
			}
		},
	},
		{name: "ErrNoteTooLong", given: history(casefile.StatusResolved), when: confirm(ar(casefile.MaxNote + 1)), err: isInvalid("note")},
	})
}

func TestReopen(t *testing.T) {
	t.Parallel()
	dir := testDirectory(t)
	now := hour(24 * 15)
	reopen := func(at time.Time, reason string) func(*casefile.Case) ([]domain.Event, error) {
		return func(c *casefile.Case) ([]domain.Event, error) {
			return c.Reopen(dir, casefile.Reopen{Actor: reporter, Now: at, Reason: reason})
		}
	}
	run(t, []scenario{{
		name:  "OKSameDepartmentNewDueDate",
		given: history(casefile.StatusResolved),
		when:  reopen(now, "الحفرة عادت بعد المطر"),
		then:  []string{casefile.TypeCaseReopened},
		check: func(t *testing.T, evs []domain.Event, c *casefile.Case) {
			t.Helper()
			want := now.AddDate(0, 0, 10)
			if e := evs[0].(*casefile.CaseReopened); !e.DueAt.Equal(want) {
				t.Errorf("due_at = %v, want %v", e.DueAt, want)
			}
			if c.Status != casefile.StatusForwarded || c.Department != "roads_works" || c.ReopenedCount != 1 ||
				c.DueAt == nil || !c.DueAt.Equal(want) || c.LastPublicNote != "الحفرة عادت بعد المطر" {
				t.Errorf("case = %+v", c)
			}
		},
	}, {
		name: "OKTwice",
		given: then(history(casefile.StatusResolved), []domain.Event{
			&casefile.CaseReopened{Reason: "r", DueAt: hour(24 * 20), At: hour(24 * 10)},
			&casefile.CaseResolved{Note: "n", At: hour(24 * 12)},
		}),
		when: reopen(now, "ما زالت"),
		then: []string{casefile.TypeCaseReopened},
		check: func(t *testing.T, _ []domain.Event, c *casefile.Case) {
			t.Helper()
			if c.ReopenedCount != 2 || !c.DueAt.Equal(now.AddDate(0, 0, 10)) {
				t.Errorf("case = %+v", c)
			}
		},
	}, {
		name:  "OKThenOfficerActsAgain",
		given: then(history(casefile.StatusResolved), []domain.Event{&casefile.CaseReopened{Reason: "r", DueAt: hour(24 * 20), At: hour(24 * 10)}}),
		when: func(c *casefile.Case) ([]domain.Event, error) {
			return c.Acknowledge(casefile.Acknowledge{Actor: officer, Now: now})
		},
		then: []string{casefile.TypeCaseAcknowledged},
	},
		{name: "ErrReasonEmpty", given: history(casefile.StatusResolved), when: reopen(now, ""), err: isInvalid("reason")},
		{name: "ErrReasonTooLong", given: history(casefile.StatusResolved), when: reopen(now, ar(casefile.MaxNote+1)), err: isInvalid("reason")},
		{name: "ErrNowZero", given: history(casefile.StatusResolved), when: reopen(time.Time{}, "r"), err: isInvalid("now")},
	})
}

func TestComment(t *testing.T) {
	t.Parallel()
	comment := func(a domain.Actor, body string, v casefile.Visibility) func(*casefile.Case) ([]domain.Event, error) {
		return func(c *casefile.Case) ([]domain.Event, error) {
			return c.Comment(casefile.Comment{Actor: a, Now: later, Body: body, Visibility: v})
		}
	}
	lastNote := func(want string) func(*testing.T, []domain.Event, *casefile.Case) {
		return func(t *testing.T, _ []domain.Event, c *casefile.Case) {
			t.Helper()
			if c.LastPublicNote != want {
				t.Errorf("last public note = %q, want %q", c.LastPublicNote, want)
			}
		}
	}
	run(t, []scenario{{
		name:  "OKPublic",
		given: history(casefile.StatusReported),
		when:  comment(advocate, "نتابع الملف", casefile.VisibilityPublic),
		then:  []string{casefile.TypeCommentAdded},
		check: lastNote("نتابع الملف"),
	}, {
		name:  "OKInternalStaysOffThePublicNote",
		given: history(casefile.StatusResolved),
		when:  comment(admin, "المقاول لم يكمل العمل", casefile.VisibilityInternal),
		then:  []string{casefile.TypeCommentAdded},
		check: lastNote("تم ردم الحفرة"),
	}, {
		name:  "OKOfficerOnClosedCase",
		given: history(casefile.StatusClosed),
		when:  comment(officer, "للعلم", casefile.VisibilityInternal),
		then:  []string{casefile.TypeCommentAdded},
	},
		{name: "ErrOfficerBeforeForwarding", given: history(casefile.StatusTriaged), when: comment(officer, "b", casefile.VisibilityPublic), err: isForbidden()},
		{name: "ErrOfficerOfOtherDepartment", given: history(casefile.StatusForwarded), when: comment(otherOfficer, "b", casefile.VisibilityPublic), err: isForbidden()},
		{name: "ErrReporter", given: history(casefile.StatusResolved), when: comment(reporter, "b", casefile.VisibilityPublic), err: isForbidden()},
		{name: "ErrBodyEmpty", given: history(casefile.StatusForwarded), when: comment(advocate, "", casefile.VisibilityPublic), err: isInvalid("body")},
		{name: "ErrBodyTooLong", given: history(casefile.StatusForwarded), when: comment(advocate, ar(casefile.MaxText+1), casefile.VisibilityPublic), err: isInvalid("body")},
		{name: "ErrVisibilityMissing", given: history(casefile.StatusForwarded), when: comment(advocate, "b", ""), err: isInvalid("visibility")},
		{name: "ErrVisibilityUnknown", given: history(casefile.StatusForwarded), when: comment(advocate, "b", "staff"), err: isInvalid("visibility")},
	})
}

func TestSupport(t *testing.T) {
	t.Parallel()
	supported := &casefile.CaseSupported{At: hour(1)}
	run(t, []scenario{{
		name:  "OKCounts",
		given: then(history(casefile.StatusTriaged), []domain.Event{supported, supported}),
		when: func(c *casefile.Case) ([]domain.Event, error) {
			return c.Support(casefile.Support{Actor: public, Now: later})
		},
		then: []string{casefile.TypeCaseSupported},
		check: func(t *testing.T, _ []domain.Event, c *casefile.Case) {
			t.Helper()
			if c.Supporters != 3 || !c.UpdatedAt.Equal(later) {
				t.Errorf("case = %+v", c)
			}
		},
	}, {
		name:  "ErrNowZero",
		given: history(casefile.StatusReported),
		when: func(c *casefile.Case) ([]domain.Event, error) {
			return c.Support(casefile.Support{Actor: public})
		},
		err: isInvalid("now"),
	}})
}

func TestCampaigns(t *testing.T) {
	t.Parallel()
	const other = "campaign-01JNQ6BBBBBBBBBBBBBBBBBBBB"
	link := func(id string) func(*casefile.Case) ([]domain.Event, error) {
		return func(c *casefile.Case) ([]domain.Event, error) {
			return c.LinkCampaign(casefile.LinkCampaign{Actor: advocate, Now: later, CampaignID: id})
		}
	}
	unlink := func(id string) func(*casefile.Case) ([]domain.Event, error) {
		return func(c *casefile.Case) ([]domain.Event, error) {
			return c.UnlinkCampaign(casefile.UnlinkCampaign{Actor: advocate, Now: later, CampaignID: id})
		}
	}
	campaigns := func(want ...string) func(*testing.T, []domain.Event, *casefile.Case) {
		return func(t *testing.T, _ []domain.Event, c *casefile.Case) {
			t.Helper()
			if strings.Join(c.CampaignIDs, ",") != strings.Join(want, ",") {
				t.Errorf("campaign ids = %v, want %v", c.CampaignIDs, want)
			}
		}
	}
	run(t, []scenario{{
		name:  "OKLink",
		given: then(history(casefile.StatusForwarded), []domain.Event{linked(other)}),
		when:  link(campaignID),
		then:  []string{casefile.TypeCaseLinkedToCampaign},
		check: campaigns(other, campaignID),
	}, {
		name:  "OKLinkAgainRecordsNothing",
		given: then(history(casefile.StatusForwarded), []domain.Event{linked(campaignID)}),
		when:  link(" " + campaignID + " "),
		then:  nil,
		check: campaigns(campaignID),
	}, {
		name:  "OKUnlink",
		given: then(history(casefile.StatusClosed), []domain.Event{linked(campaignID), linked(other)}),
		when:  unlink(campaignID),
		then:  []string{casefile.TypeCaseUnlinkedFromCampaign},
		check: campaigns(other),
	}, {
		name:  "OKUnlinkFromRejectedCase",
		given: then(history(casefile.StatusReported), []domain.Event{linked(campaignID), rejected()}),
		when:  unlink(campaignID),
		then:  []string{casefile.TypeCaseUnlinkedFromCampaign},
		check: campaigns(),
	},
		{name: "ErrLinkEmpty", given: history(casefile.StatusReported), when: link("  "), err: isInvalid("campaign_id")},
		{name: "ErrLinkTooLong", given: history(casefile.StatusReported), when: link(strings.Repeat("c", casefile.MaxCampaignID+1)), err: isInvalid("campaign_id")},
		{name: "ErrUnlinkEmpty", given: history(casefile.StatusReported), when: unlink(""), err: isInvalid("campaign_id")},
		{name: "ErrUnlinkNotLinked", given: then(history(casefile.StatusReported), []domain.Event{linked(other)}), when: unlink(campaignID), err: isInvalid("campaign_id")},
	})
}

func TestRecordSLABreach(t *testing.T) {
	t.Parallel()
	due := forwarded().DueAt
	breach := func(now time.Time) func(*casefile.Case) ([]domain.Event, error) {
		return func(c *casefile.Case) ([]domain.Event, error) {
			return c.RecordSLABreach(casefile.RecordSLABreach{Actor: system, Now: now})
		}
	}
	breachedFor := func(want time.Time) func(*testing.T, []domain.Event, *casefile.Case) {
		return func(t *testing.T, evs []domain.Event, c *casefile.Case) {
			t.Helper()
			if e := evs[0].(*casefile.SLABreached); !e.DueAt.Equal(want) {
				t.Errorf("due_at = %v, want %v", e.DueAt, want)
			}
			if c.SLABreachedFor == nil || !c.SLABreachedFor.Equal(want) {
				t.Errorf("sla breached for = %v, want %v", c.SLABreachedFor, want)
			}
		}
	}
	reopenedDue := due.AddDate(0, 0, 30)
	reopenedHistory := then(history(casefile.StatusInProgress), []domain.Event{
		&casefile.SLABreached{DueAt: due, At: due.Add(time.Hour)},
		&casefile.CaseResolved{Note: "n", At: due.Add(2 * time.Hour)},
		&casefile.CaseReopened{Reason: "r", DueAt: reopenedDue, At: due.Add(3 * time.Hour)},
	})
	run(t, []scenario{{
		name:  "OK",
		given: history(casefile.StatusForwarded),
		when:  breach(due.Add(time.Second)),
		then:  []string{casefile.TypeSLABreached},
		check: breachedFor(due),
	}, {
		name:  "OKWhileAcknowledged",
		given: history(casefile.StatusAcknowledged),
		when:  breach(later),
		then:  []string{casefile.TypeSLABreached},
		check: breachedFor(due),
	}, {
		name:  "NothingBeforeDue",
		given: history(casefile.StatusForwarded),
		when:  breach(due.Add(-time.Second)),
		then:  nil,
	}, {
		name:  "NothingAtDue",
		given: history(casefile.StatusForwarded),
		when:  breach(due),
		then:  nil,
	}, {
		name:  "NothingTheSecondTime",
		given: then(history(casefile.StatusInProgress), []domain.Event{&casefile.SLABreached{DueAt: due, At: later}}),
		when:  breach(later.AddDate(0, 1, 0)),
		then:  nil,
	}, {
		name:  "NothingWhenResolvedLate",
		given: history(casefile.StatusResolved),
		when:  breach(later),
		then:  nil,
	}, {
		name:  "NothingForTheReopenedDueYet",
		given: reopenedHistory,
		when:  breach(reopenedDue.Add(-time.Minute)),
		then:  nil,
	}, {
		name:  "OKOnceMoreForTheReopenedDue",
		given: reopenedHistory,
		when:  breach(reopenedDue.Add(time.Minute)),
		then:  []string{casefile.TypeSLABreached},
		check: breachedFor(reopenedDue),
	}, {
		name:  "ErrNowZero",
		given: history(casefile.StatusForwarded),
		when:  breach(time.Time{}),
		err:   isInvalid("now"),
	}})
}
