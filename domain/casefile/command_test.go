package casefile_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/domain/casefile"
	"github.com/citizenhouse/bayt/domain/domaintest"
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
		return scenario{Name: name, WhenFunc: report(edit), ErrFunc: domaintest.WantInvalid(field)}
	}
	run(t, []scenario{{
		Name: "DeskByAdvocate",
		WhenFunc: report(func(r *casefile.Report) {
			r.Actor, r.Channel = advocate, casefile.ChannelDesk
		}),
		Then: []string{casefile.TypeCaseReported},
		CheckFunc: func(t *testing.T, evs []domain.Event, c *casefile.Case) {
			t.Helper()
			if c.Channel != casefile.ChannelDesk || evs[0].(*casefile.CaseReported).Channel != casefile.ChannelDesk {
				t.Errorf("channel = %q, want desk", c.Channel)
			}
			if red, _ := casefile.Redact(evs[0]); red.(*casefile.CaseReported).Channel != "" {
				t.Error("the public form of a desk report names its channel")
			}
		},
	}, {
		Name:     "WebIsTheDefault",
		WhenFunc: report(func(r *casefile.Report) { r.Channel = casefile.ChannelWeb }),
		Then:     []string{casefile.TypeCaseReported},
		CheckFunc: func(t *testing.T, _ []domain.Event, c *casefile.Case) {
			t.Helper()
			if c.Channel != "" || c.Channel.Or() != casefile.ChannelWeb {
				t.Errorf("channel = %q, want it recorded as the default, the web", c.Channel)
			}
		},
	}, {
		Name:     "Open311ByThePublic",
		WhenFunc: report(func(r *casefile.Report) { r.Channel = casefile.ChannelOpen311 }),
		Then:     []string{casefile.TypeCaseReported},
	}, {
		Name:     "PhoneByThePublic",
		WhenFunc: report(func(r *casefile.Report) { r.Channel = casefile.ChannelPhone }),
		ErrFunc:  domaintest.WantForbidden(),
	},
		invalid("UnknownChannel", "channel", func(r *casefile.Report) { r.Channel = "fax" }),
		{
			Name:     "OK",
			WhenFunc: report(func(*casefile.Report) {}),
			Then:     []string{casefile.TypeCaseReported},
			CheckFunc: func(t *testing.T, evs []domain.Event, c *casefile.Case) {
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
			Name: "OKMinimal",
			WhenFunc: report(func(r *casefile.Report) {
				r.Location, r.Address, r.Language, r.ReporterSubject, r.TrackingTokenHash = nil, "", "", "", nil
			}),
			Then: []string{casefile.TypeCaseReported},
			CheckFunc: func(t *testing.T, _ []domain.Event, c *casefile.Case) {
				t.Helper()
				if c.Location != nil || c.ReporterSubject != "" {
					t.Errorf("case = %+v", c)
				}
			},
		}, {
			Name: "OKLimitsCountRunes",
			WhenFunc: report(func(r *casefile.Report) {
				r.Title, r.District, r.Address, r.Description = ar(casefile.MaxTitle), ar(casefile.MaxDistrict), ar(casefile.MaxAddress), ar(casefile.MaxDescription)
			}),
			Then: []string{casefile.TypeCaseReported},
		}, {
			Name:     "OKLocationBounds",
			WhenFunc: report(func(r *casefile.Report) { r.Location = &casefile.Location{Lat: -90, Lon: 180} }),
			Then:     []string{casefile.TypeCaseReported},
		}, {
			Name: "OKCommandNotAliased",
			WhenFunc: func(c *casefile.Case) ([]domain.Event, error) {
				cmd := valid()
				evs, err := c.Report(dir, cmd)
				cmd.Location.Lat, cmd.TrackingTokenHash[0] = 0, 0
				return evs, err
			},
			Then: []string{casefile.TypeCaseReported},
			CheckFunc: func(t *testing.T, _ []domain.Event, c *casefile.Case) {
				t.Helper()
				if c.Location.Lat != 36.8065 || c.TrackingTokenHash[0] != 9 {
					t.Error("the event shares memory with the command")
				}
			},
		},
		{
			Name: "OKKnownDistrictRecordedByCode",
			WhenFunc: func(c *casefile.Case) ([]domain.Event, error) {
				var evs []domain.Event
				for _, typed := range []string{"bab_souika", "  باب سويقه ", "بَاب سُوِيـقة", "BAB   swika", "Bab Souïka"} {
					cmd := valid()
					cmd.District = typed
					got, err := (&casefile.Case{}).Report(dir, cmd)
					if err != nil {
						return nil, err
					}
					if d := got[0].(*casefile.CaseReported).District; d != "bab_souika" {
						return nil, fmt.Errorf("district %q recorded as %q, want bab_souika", typed, d)
					}
					evs = got
				}
				return evs, nil
			},
			Then: []string{casefile.TypeCaseReported},
			CheckFunc: func(t *testing.T, _ []domain.Event, c *casefile.Case) {
				t.Helper()
				if c.District != "bab_souika" {
					t.Errorf("district = %q, want the code", c.District)
				}
			},
		}, {
			Name:     "OKUnknownDistrictKeptAsWritten",
			WhenFunc: report(func(r *casefile.Report) { r.District = "  Cité Ennasr 2 " }),
			Then:     []string{casefile.TypeCaseReported},
			CheckFunc: func(t *testing.T, _ []domain.Event, c *casefile.Case) {
				t.Helper()
				if c.District != "Cité Ennasr 2" {
					t.Errorf("district = %q, want the text trimmed", c.District)
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
		Name:     "OK",
		Given:    history(casefile.StatusReported),
		WhenFunc: triage(casefile.Triage{Priority: casefile.PriorityUrgent, Note: "  خطر على التلاميذ  "}),
		Then:     []string{casefile.TypeCaseTriaged},
		CheckFunc: func(t *testing.T, evs []domain.Event, c *casefile.Case) {
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
		Name:     "OKChangesCategory",
		Given:    history(casefile.StatusReported),
		WhenFunc: triage(casefile.Triage{Priority: casefile.PriorityLow, Category: "lighting"}),
		Then:     []string{casefile.TypeCaseTriaged},
		CheckFunc: func(t *testing.T, evs []domain.Event, c *casefile.Case) {
			t.Helper()
			if e := evs[0].(*casefile.CaseTriaged); e.Category != "lighting" {
				t.Errorf("event category = %q", e.Category)
			}
			if c.Category != "lighting" {
				t.Errorf("case category = %q", c.Category)
			}
		},
	}, {
		Name:     "OKSameCategoryIsNoChange",
		Given:    history(casefile.StatusReported),
		WhenFunc: triage(casefile.Triage{Priority: casefile.PriorityNormal, Category: "roads"}),
		Then:     []string{casefile.TypeCaseTriaged},
		CheckFunc: func(t *testing.T, evs []domain.Event, _ *casefile.Case) {
			t.Helper()
			if e := evs[0].(*casefile.CaseTriaged); e.Category != "" {
				t.Errorf("event category = %q, want none", e.Category)
			}
		},
	}, {
		Name:     "ErrPriorityMissing",
		Given:    history(casefile.StatusReported),
		WhenFunc: triage(casefile.Triage{}),
		ErrFunc:  domaintest.WantInvalid("priority"),
	}, {
		Name:     "ErrPriorityUnknown",
		Given:    history(casefile.StatusReported),
		WhenFunc: triage(casefile.Triage{Priority: "critical"}),
		ErrFunc:  domaintest.WantInvalid("priority"),
	}, {
		Name:     "ErrCategoryUnknown",
		Given:    history(casefile.StatusReported),
		WhenFunc: triage(casefile.Triage{Priority: casefile.PriorityHigh, Category: "potholes"}),
		ErrFunc:  domaintest.WantInvalid("category"),
	}, {
		Name:     "ErrNoteTooLong",
		Given:    history(casefile.StatusReported),
		WhenFunc: triage(casefile.Triage{Priority: casefile.PriorityHigh, Note: ar(casefile.MaxNote + 1)}),
		ErrFunc:  domaintest.WantInvalid("note"),
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
		Name:     "OK",
		Given:    history(casefile.StatusTriaged),
		WhenFunc: reject("خارج اختصاص البلدية"),
		Then:     []string{casefile.TypeCaseRejected},
		CheckFunc: func(t *testing.T, _ []domain.Event, c *casefile.Case) {
			t.Helper()
			if c.Status != casefile.StatusRejected || c.RejectReason != "خارج اختصاص البلدية" || c.LastPublicNote != c.RejectReason {
				t.Errorf("case = %+v", c)
			}
		},
	},
		{Name: "ErrReasonEmpty", Given: history(casefile.StatusReported), WhenFunc: reject("  "), ErrFunc: domaintest.WantInvalid("reason")},
		{Name: "ErrReasonTooLong", Given: history(casefile.StatusReported), WhenFunc: reject(ar(casefile.MaxNote + 1)), ErrFunc: domaintest.WantInvalid("reason")},
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
		Name:     "OK",
		Given:    history(casefile.StatusReported),
		WhenFunc: merge(otherID),
		Then:     []string{casefile.TypeCaseMerged},
		CheckFunc: func(t *testing.T, _ []domain.Event, c *casefile.Case) {
			t.Helper()
			if c.Status != casefile.StatusDuplicate || c.MergedInto != otherID {
				t.Errorf("case = %+v", c)
			}
		},
	},
		{Name: "ErrIntoEmpty", Given: history(casefile.StatusReported), WhenFunc: merge(""), ErrFunc: domaintest.WantInvalid("into")},
		{Name: "ErrIntoNotACase", Given: history(casefile.StatusReported), WhenFunc: merge("campaign-01JNQ40000000000000000000A"), ErrFunc: domaintest.WantInvalid("into")},
		{Name: "ErrIntoItself", Given: history(casefile.StatusTriaged), WhenFunc: merge(caseID), ErrFunc: domaintest.WantInvalid("into")},
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
		Name:     "OKDueFromCategorySLA",
		Given:    history(casefile.StatusTriaged),
		WhenFunc: forward("roads_works", "الحفرة خطيرة"),
		Then:     []string{casefile.TypeCaseForwarded},
		CheckFunc: func(t *testing.T, evs []domain.Event, c *casefile.Case) {
			t.Helper()
			dueIn(10)(t, evs, c)
			if c.Department != "roads_works" || c.Overdue(now) || !c.Overdue(now.AddDate(0, 0, 11)) {
				t.Errorf("case = %+v", c)
			}
		},
	}, {
		Name:      "OKDueFromTriagedCategory",
		Given:     then(history(casefile.StatusReported), []domain.Event{&casefile.CaseTriaged{Priority: casefile.PriorityLow, Category: "lighting", At: hour(1)}}),
		WhenFunc:  forward("public_lighting", ""),
		Then:      []string{casefile.TypeCaseForwarded},
		CheckFunc: dueIn(3),
	}, {
		Name:      "OKToAnotherDepartmentThanTheCategorys",
		Given:     history(casefile.StatusTriaged),
		WhenFunc:  forward("public_lighting", ""),
		Then:      []string{casefile.TypeCaseForwarded},
		CheckFunc: dueIn(10),
	}, {
		Name: "OKCategoryGoneFromDirectory",
		Given: []domain.Event{
			&casefile.CaseReported{ID: caseID, Title: "t", Description: "d", Category: "potholes", District: "x", At: t0},
			triaged(),
		},
		WhenFunc:  forward("roads_works", ""),
		Then:      []string{casefile.TypeCaseForwarded},
		CheckFunc: dueIn(casefile.DefaultSLADays),
	},
		{Name: "ErrDepartmentEmpty", Given: history(casefile.StatusTriaged), WhenFunc: forward("", ""), ErrFunc: domaintest.WantInvalid("department")},
		{Name: "ErrDepartmentUnknown", Given: history(casefile.StatusTriaged), WhenFunc: forward("police", ""), ErrFunc: domaintest.WantInvalid("department")},
		{Name: "ErrNoteTooLong", Given: history(casefile.StatusTriaged), WhenFunc: forward("roads_works", ar(casefile.MaxNote+1)), ErrFunc: domaintest.WantInvalid("note")},
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
		Name:     "OK",
		Given:    history(casefile.StatusForwarded),
		WhenFunc: ack("VR-2025-114"),
		Then:     []string{casefile.TypeCaseAcknowledged},
		CheckFunc: func(t *testing.T, evs []domain.Event, c *casefile.Case) {
			t.Helper()
			if e := evs[0].(*casefile.CaseAcknowledged); e.Reference != "VR-2025-114" {
				t.Errorf("event = %+v", e)
			}
			if c.Status != casefile.StatusAcknowledged || c.Department != "roads_works" || c.LastPublicNote != "وصلنا الملف" {
				t.Errorf("case = %+v", c)
			}
		},
	}, {
		Name:     "OKWithoutReference",
		Given:    history(casefile.StatusForwarded),
		WhenFunc: ack(""),
		Then:     []string{casefile.TypeCaseAcknowledged},
	},
		{Name: "ErrReferenceTooLong", Given: history(casefile.StatusForwarded), WhenFunc: ack(strings.Repeat("x", casefile.MaxReference+1)), ErrFunc: domaintest.WantInvalid("reference")},
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
		Name:     "OK",
		Given:    history(casefile.StatusAcknowledged),
		WhenFunc: answer("ستتم الأشغال يوم 10 مارس", &planned),
		Then:     []string{casefile.TypeCaseAnswered},
		CheckFunc: func(t *testing.T, evs []domain.Event, c *casefile.Case) {
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
		Name:     "OKAgainWhileInProgress",
		Given:    history(casefile.StatusInProgress),
		WhenFunc: answer("تأخير بسبب الأمطار", nil),
		Then:     []string{casefile.TypeCaseAnswered},
	},
		{Name: "ErrResponseEmpty", Given: history(casefile.StatusForwarded), WhenFunc: answer("", nil), ErrFunc: domaintest.WantInvalid("response")},
		{Name: "ErrResponseTooLong", Given: history(casefile.StatusForwarded), WhenFunc: answer(ar(casefile.MaxText+1), nil), ErrFunc: domaintest.WantInvalid("response")},
		{Name: "ErrPlannedForZero", Given: history(casefile.StatusForwarded), WhenFunc: answer("r", &time.Time{}), ErrFunc: domaintest.WantInvalid("planned_for")},
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
		Name:     "OK",
		Given:    history(casefile.StatusInProgress),
		WhenFunc: resolve("تم ردم الحفرة"),
		Then:     []string{casefile.TypeCaseResolved},
		CheckFunc: func(t *testing.T, _ []domain.Event, c *casefile.Case) {
			t.Helper()
			if c.Status != casefile.StatusResolved || c.LastPublicNote != "تم ردم الحفرة" || c.Overdue(later) {
				t.Errorf("case = %+v", c)
			}
		},
	},
		{Name: "ErrNoteEmpty", Given: history(casefile.StatusForwarded), WhenFunc: resolve(""), ErrFunc: domaintest.WantInvalid("note")},
		{Name: "ErrNoteTooLong", Given: history(casefile.StatusForwarded), WhenFunc: resolve(ar(casefile.MaxText + 1)), ErrFunc: domaintest.WantInvalid("note")},
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
		Name:     "OK",
		Given:    history(casefile.StatusResolved),
		WhenFunc: confirm("شكرا"),
		Then:     []string{casefile.TypeResolutionConfirmed},
		CheckFunc: func(t *testing.T, _ []domain.Event, c *casefile.Case) {
			t.Helper()
			if c.Status != casefile.StatusClosed || c.LastPublicNote != "شكرا" {
				t.Errorf("case = %+v", c)
			}
		},
	}, {
		Name:     "OKWithoutNoteKeepsLastNote",
		Given:    history(casefile.StatusResolved),
		WhenFunc: confirm(""),
		Then:     []string{casefile.TypeResolutionConfirmed},
		CheckFunc: func(t *testing.T, _ []domain.Event, c *casefile.Case) {
			t.Helper()
			if c.LastPublicNote != "تم ردم الحفرة" {
				t.Errorf("last public note = %q", c.LastPublicNote)
			}
		},
	},
		{Name: "ErrNoteTooLong", Given: history(casefile.StatusResolved), WhenFunc: confirm(ar(casefile.MaxNote + 1)), ErrFunc: domaintest.WantInvalid("note")},
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
		Name:     "OKSameDepartmentNewDueDate",
		Given:    history(casefile.StatusResolved),
		WhenFunc: reopen(now, "الحفرة عادت بعد المطر"),
		Then:     []string{casefile.TypeCaseReopened},
		CheckFunc: func(t *testing.T, evs []domain.Event, c *casefile.Case) {
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
		Name: "OKTwice",
		Given: then(history(casefile.StatusResolved), []domain.Event{
			&casefile.CaseReopened{Reason: "r", DueAt: hour(24 * 20), At: hour(24 * 10)},
			&casefile.CaseResolved{Note: "n", At: hour(24 * 12)},
		}),
		WhenFunc: reopen(now, "ما زالت"),
		Then:     []string{casefile.TypeCaseReopened},
		CheckFunc: func(t *testing.T, _ []domain.Event, c *casefile.Case) {
			t.Helper()
			if c.ReopenedCount != 2 || !c.DueAt.Equal(now.AddDate(0, 0, 10)) {
				t.Errorf("case = %+v", c)
			}
		},
	}, {
		Name:  "OKThenOfficerActsAgain",
		Given: then(history(casefile.StatusResolved), []domain.Event{&casefile.CaseReopened{Reason: "r", DueAt: hour(24 * 20), At: hour(24 * 10)}}),
		WhenFunc: func(c *casefile.Case) ([]domain.Event, error) {
			return c.Acknowledge(casefile.Acknowledge{Actor: officer, Now: now})
		},
		Then: []string{casefile.TypeCaseAcknowledged},
	},
		{Name: "ErrReasonEmpty", Given: history(casefile.StatusResolved), WhenFunc: reopen(now, ""), ErrFunc: domaintest.WantInvalid("reason")},
		{Name: "ErrReasonTooLong", Given: history(casefile.StatusResolved), WhenFunc: reopen(now, ar(casefile.MaxNote+1)), ErrFunc: domaintest.WantInvalid("reason")},
		{Name: "ErrNowZero", Given: history(casefile.StatusResolved), WhenFunc: reopen(time.Time{}, "r"), ErrFunc: domaintest.WantInvalid("now")},
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
		Name:      "OKPublic",
		Given:     history(casefile.StatusReported),
		WhenFunc:  comment(advocate, "نتابع الملف", casefile.VisibilityPublic),
		Then:      []string{casefile.TypeCommentAdded},
		CheckFunc: lastNote("نتابع الملف"),
	}, {
		Name:      "OKInternalStaysOffThePublicNote",
		Given:     history(casefile.StatusResolved),
		WhenFunc:  comment(admin, "المقاول لم يكمل العمل", casefile.VisibilityInternal),
		Then:      []string{casefile.TypeCommentAdded},
		CheckFunc: lastNote("تم ردم الحفرة"),
	}, {
		Name:     "OKOfficerOnClosedCase",
		Given:    history(casefile.StatusClosed),
		WhenFunc: comment(officer, "للعلم", casefile.VisibilityInternal),
		Then:     []string{casefile.TypeCommentAdded},
	},
		{Name: "ErrOfficerBeforeForwarding", Given: history(casefile.StatusTriaged), WhenFunc: comment(officer, "b", casefile.VisibilityPublic), ErrFunc: domaintest.WantForbidden()},
		{Name: "ErrOfficerOfOtherDepartment", Given: history(casefile.StatusForwarded), WhenFunc: comment(otherOfficer, "b", casefile.VisibilityPublic), ErrFunc: domaintest.WantForbidden()},
		{Name: "ErrReporter", Given: history(casefile.StatusResolved), WhenFunc: comment(reporter, "b", casefile.VisibilityPublic), ErrFunc: domaintest.WantForbidden()},
		{Name: "ErrBodyEmpty", Given: history(casefile.StatusForwarded), WhenFunc: comment(advocate, "", casefile.VisibilityPublic), ErrFunc: domaintest.WantInvalid("body")},
		{Name: "ErrBodyTooLong", Given: history(casefile.StatusForwarded), WhenFunc: comment(advocate, ar(casefile.MaxText+1), casefile.VisibilityPublic), ErrFunc: domaintest.WantInvalid("body")},
		{Name: "ErrVisibilityMissing", Given: history(casefile.StatusForwarded), WhenFunc: comment(advocate, "b", ""), ErrFunc: domaintest.WantInvalid("visibility")},
		{Name: "ErrVisibilityUnknown", Given: history(casefile.StatusForwarded), WhenFunc: comment(advocate, "b", "staff"), ErrFunc: domaintest.WantInvalid("visibility")},
	})
}

func TestSupport(t *testing.T) {
	t.Parallel()
	supported := &casefile.CaseSupported{At: hour(1)}
	run(t, []scenario{{
		Name:  "OKCounts",
		Given: then(history(casefile.StatusTriaged), []domain.Event{supported, supported}),
		WhenFunc: func(c *casefile.Case) ([]domain.Event, error) {
			return c.Support(casefile.Support{Actor: public, Now: later})
		},
		Then: []string{casefile.TypeCaseSupported},
		CheckFunc: func(t *testing.T, _ []domain.Event, c *casefile.Case) {
			t.Helper()
			if c.Supporters != 3 || !c.UpdatedAt.Equal(later) {
				t.Errorf("case = %+v", c)
			}
		},
	}, {
		Name:  "ErrNowZero",
		Given: history(casefile.StatusReported),
		WhenFunc: func(c *casefile.Case) ([]domain.Event, error) {
			return c.Support(casefile.Support{Actor: public})
		},
		ErrFunc: domaintest.WantInvalid("now"),
	}})

	keyed := then(history(casefile.StatusForwarded), []domain.Event{&casefile.CaseSupported{AddressKey: "a1", BrowserKey: "b1", At: hour(1)}})
	support := func(addressKey, browserKey string) func(*casefile.Case) ([]domain.Event, error) {
		return func(c *casefile.Case) ([]domain.Event, error) {
			return c.Support(casefile.Support{Actor: public, Now: later, AddressKey: addressKey, BrowserKey: browserKey})
		}
	}
	run(t, []scenario{
		{Name: "OKNewSupporterCounts", Given: keyed, WhenFunc: support("a2", "b2"), Then: []string{casefile.TypeCaseSupported},
			CheckFunc: func(t *testing.T, events []domain.Event, c *casefile.Case) {
				t.Helper()
				if e := events[0].(*casefile.CaseSupported); e.AddressKey != "a2" || e.BrowserKey != "b2" || c.Supporters != 2 {
					t.Errorf("event %+v, %d supporters; want both keys recorded and 2", e, c.Supporters)
				}
			}},
		// A repeat is no error, so that its answer cannot tell who
		// supported.
		{Name: "OKSameAddressAddsNothing", Given: keyed, WhenFunc: support("a1", "b2"), Then: nil},
		{Name: "OKSameBrowserAddsNothing", Given: keyed, WhenFunc: support("a2", "b1"), Then: nil},
		{Name: "OKWithoutKeysCounts", Given: keyed, WhenFunc: support("", ""), Then: []string{casefile.TypeCaseSupported}},
		{Name: "ErrRepeatOnClosed", Given: then(keyed, []domain.Event{&casefile.CaseRejected{Reason: "r", At: hour(2)}}),
			WhenFunc: support("a1", "b1"), ErrFunc: domaintest.WantTransition("support", "rejected")},
		{Name: "ErrKeyTooLong", Given: keyed, WhenFunc: support(strings.Repeat("k", casefile.MaxSupporterKey+1), ""), ErrFunc: domaintest.WantInvalid("address_key")},
	})
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
		Name:      "OKLink",
		Given:     then(history(casefile.StatusForwarded), []domain.Event{linked(other)}),
		WhenFunc:  link(campaignID),
		Then:      []string{casefile.TypeCaseLinkedToCampaign},
		CheckFunc: campaigns(other, campaignID),
	}, {
		Name:      "OKLinkAgainRecordsNothing",
		Given:     then(history(casefile.StatusForwarded), []domain.Event{linked(campaignID)}),
		WhenFunc:  link(" " + campaignID + " "),
		Then:      nil,
		CheckFunc: campaigns(campaignID),
	}, {
		Name:      "OKUnlink",
		Given:     then(history(casefile.StatusClosed), []domain.Event{linked(campaignID), linked(other)}),
		WhenFunc:  unlink(campaignID),
		Then:      []string{casefile.TypeCaseUnlinkedFromCampaign},
		CheckFunc: campaigns(other),
	}, {
		Name:      "OKUnlinkFromRejectedCase",
		Given:     then(history(casefile.StatusReported), []domain.Event{linked(campaignID), rejected()}),
		WhenFunc:  unlink(campaignID),
		Then:      []string{casefile.TypeCaseUnlinkedFromCampaign},
		CheckFunc: campaigns(),
	},
		{Name: "ErrLinkEmpty", Given: history(casefile.StatusReported), WhenFunc: link("  "), ErrFunc: domaintest.WantInvalid("campaign_id")},
		{Name: "ErrLinkTooLong", Given: history(casefile.StatusReported), WhenFunc: link(strings.Repeat("c", casefile.MaxCampaignID+1)), ErrFunc: domaintest.WantInvalid("campaign_id")},
		{Name: "ErrUnlinkEmpty", Given: history(casefile.StatusReported), WhenFunc: unlink(""), ErrFunc: domaintest.WantInvalid("campaign_id")},
		{Name: "ErrUnlinkNotLinked", Given: then(history(casefile.StatusReported), []domain.Event{linked(other)}), WhenFunc: unlink(campaignID), ErrFunc: domaintest.WantInvalid("campaign_id")},
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
		Name:      "OK",
		Given:     history(casefile.StatusForwarded),
		WhenFunc:  breach(due.Add(time.Second)),
		Then:      []string{casefile.TypeSLABreached},
		CheckFunc: breachedFor(due),
	}, {
		Name:      "OKWhileAcknowledged",
		Given:     history(casefile.StatusAcknowledged),
		WhenFunc:  breach(later),
		Then:      []string{casefile.TypeSLABreached},
		CheckFunc: breachedFor(due),
	}, {
		Name:     "NothingBeforeDue",
		Given:    history(casefile.StatusForwarded),
		WhenFunc: breach(due.Add(-time.Second)),
		Then:     nil,
	}, {
		Name:     "NothingAtDue",
		Given:    history(casefile.StatusForwarded),
		WhenFunc: breach(due),
		Then:     nil,
	}, {
		Name:     "NothingTheSecondTime",
		Given:    then(history(casefile.StatusInProgress), []domain.Event{&casefile.SLABreached{DueAt: due, At: later}}),
		WhenFunc: breach(later.AddDate(0, 1, 0)),
		Then:     nil,
	}, {
		Name:     "NothingWhenResolvedLate",
		Given:    history(casefile.StatusResolved),
		WhenFunc: breach(later),
		Then:     nil,
	}, {
		Name:     "NothingForTheReopenedDueYet",
		Given:    reopenedHistory,
		WhenFunc: breach(reopenedDue.Add(-time.Minute)),
		Then:     nil,
	}, {
		Name:      "OKOnceMoreForTheReopenedDue",
		Given:     reopenedHistory,
		WhenFunc:  breach(reopenedDue.Add(time.Minute)),
		Then:      []string{casefile.TypeSLABreached},
		CheckFunc: breachedFor(reopenedDue),
	}, {
		Name:     "ErrNowZero",
		Given:    history(casefile.StatusForwarded),
		WhenFunc: breach(time.Time{}),
		ErrFunc:  domaintest.WantInvalid("now"),
	}})
}
