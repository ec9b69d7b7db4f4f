package organisation_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/domain/directory"
	"github.com/citizenhouse/bayt/domain/domaintest"
	"github.com/citizenhouse/bayt/domain/organisation"
)

// ar returns n Arabic letters: limits count runes, not bytes.
func ar(n int) string { return strings.Repeat("ب", n) }

func TestRegister(t *testing.T) {
	t.Parallel()
	dir := testDirectory(t)
	tunis := time.FixedZone("Africa/Tunis", 3600)
	valid := func() organisation.Register {
		return organisation.Register{
			Actor: advocate, Now: t0.In(tunis), ID: orgID, Name: "  جمعية نساء حي النصر  ",
			Kind: organisation.KindAssociation, Themes: []directory.Theme{directory.ThemeSocial, directory.ThemeLegal, directory.ThemeSocial},
		}
	}
	register := func(edit func(*organisation.Register)) func(*organisation.Organisation) ([]domain.Event, error) {
		return func(o *organisation.Organisation) ([]domain.Event, error) {
			cmd := valid()
			edit(&cmd)
			return o.Register(dir, cmd)
		}
	}
	invalid := func(name, field string, edit func(*organisation.Register)) scenario {
		return scenario{Name: name, WhenFunc: register(edit), ErrFunc: domaintest.WantInvalid(field)}
	}
	run(t, []scenario{{
		Name:     "OK",
		WhenFunc: register(func(*organisation.Register) {}),
		Then:     []string{organisation.TypeOrganisationRegistered},
		CheckFunc: func(t *testing.T, evs []domain.Event, o *organisation.Organisation) {
			t.Helper()
			e := evs[0].(*organisation.OrganisationRegistered)
			if e.Name != "جمعية نساء حي النصر" {
				t.Errorf("name = %q, want it trimmed", e.Name)
			}
			if !slices.Equal(e.Themes, themesSocial) {
				t.Errorf("themes = %v, want %v without duplicates", e.Themes, themesSocial)
			}
			if e.At != t0 || e.At.Location() != time.UTC {
				t.Errorf("at = %v, want %v in UTC", e.At, t0)
			}
			if o.ID != orgID || o.Name != e.Name || o.Kind != organisation.KindAssociation || !slices.Equal(o.Themes, themesSocial) ||
				o.DepartmentCode != "" || len(o.Members) != 0 || o.Version != 1 || !o.CreatedAt.Equal(t0) || !o.UpdatedAt.Equal(t0) || !o.Registered() {
				t.Errorf("organisation = %+v", o)
			}
		},
	}, {
		Name: "OKMunicipalDepartment",
		WhenFunc: register(func(r *organisation.Register) {
			r.Name, r.Kind, r.Themes, r.DepartmentCode = "الشؤون الاجتماعية", organisation.KindMunicipalDepartment, nil, " social_affairs "
		}),
		Then: []string{organisation.TypeOrganisationRegistered},
		CheckFunc: func(t *testing.T, _ []domain.Event, o *organisation.Organisation) {
			t.Helper()
			if o.DepartmentCode != "social_affairs" || o.Themes != nil {
				t.Errorf("organisation = %+v", o)
			}
		},
	}, {
		Name:     "OKMunicipalDepartmentWithoutCode",
		WhenFunc: register(func(r *organisation.Register) { r.Kind = organisation.KindMunicipalDepartment }),
		Then:     []string{organisation.TypeOrganisationRegistered},
	}, {
		Name:     "OKPrivateSectorNoThemes",
		WhenFunc: register(func(r *organisation.Register) { r.Kind, r.Themes = organisation.KindPrivateSector, []directory.Theme{} }),
		Then:     []string{organisation.TypeOrganisationRegistered},
		CheckFunc: func(t *testing.T, evs []domain.Event, o *organisation.Organisation) {
			t.Helper()
			if evs[0].(*organisation.OrganisationRegistered).Themes != nil || o.Themes != nil {
				t.Errorf("themes = %v, want none", o.Themes)
			}
		},
	}, {
		Name:     "OKLimitsCountRunes",
		WhenFunc: register(func(r *organisation.Register) { r.Name = ar(organisation.MaxName) }),
		Then:     []string{organisation.TypeOrganisationRegistered},
	},
		invalid("ErrNameEmpty", "name", func(r *organisation.Register) { r.Name = " " }),
		invalid("ErrNameTooLong", "name", func(r *organisation.Register) { r.Name = ar(organisation.MaxName + 1) }),
		invalid("ErrNameNotUTF8", "name", func(r *organisation.Register) { r.Name = "a\xffb" }),
		invalid("ErrKindMissing", "kind", func(r *organisation.Register) { r.Kind = "" }),
		invalid("ErrKindUnknown", "kind", func(r *organisation.Register) { r.Kind = "party" }),
		invalid("ErrThemeUnknown", "themes[1]", func(r *organisation.Register) {
			r.Themes = []directory.Theme{directory.ThemeSocial, "culture"}
		}),
		invalid("ErrDepartmentCodeNotMunicipal", "department_code", func(r *organisation.Register) { r.DepartmentCode = "social_affairs" }),
		invalid("ErrDepartmentCodeUnknown", "department_code", func(r *organisation.Register) {
			r.Kind, r.DepartmentCode = organisation.KindMunicipalDepartment, "police"
		}),
		invalid("ErrIDEmpty", "id", func(r *organisation.Register) { r.ID = "" }),
		invalid("ErrIDNotAnOrganisation", "id", func(r *organisation.Register) { r.ID = "case-01JNQ3Z8X4K5M6N7P8Q9R0S1T2" }),
		invalid("ErrIDNotAULID", "id", func(r *organisation.Register) { r.ID = "org-1" }),
		invalid("ErrNowZero", "now", func(r *organisation.Register) { r.Now = time.Time{} }),
		invalid("ErrEveryFieldName", "name", func(r *organisation.Register) { r.Name, r.Kind = "", "" }),
		invalid("ErrEveryFieldKind", "kind", func(r *organisation.Register) { r.Name, r.Kind = "", "" }),
	})
}

func TestUpdate(t *testing.T) {
	t.Parallel()
	update := func(name string, themes []directory.Theme) func(*organisation.Organisation) ([]domain.Event, error) {
		return func(o *organisation.Organisation) ([]domain.Event, error) {
			return o.Update(organisation.Update{Actor: admin, Now: hour(3), Name: name, Themes: themes})
		}
	}
	is := func(name string, themes []directory.Theme) func(*testing.T, []domain.Event, *organisation.Organisation) {
		return func(t *testing.T, evs []domain.Event, o *organisation.Organisation) {
			t.Helper()
			e := evs[0].(*organisation.OrganisationUpdated)
			if e.Name != name || !slices.Equal(e.Themes, themes) {
				t.Errorf("event = %+v, want name %q and themes %v", e, name, themes)
			}
			if o.Name != name || !slices.Equal(o.Themes, themes) || !o.UpdatedAt.Equal(hour(3)) || !o.CreatedAt.Equal(t0) || o.Version != 2 {
				t.Errorf("organisation = %+v", o)
			}
		}
	}
	run(t, []scenario{{
		Name:      "OKName",
		Given:     history("registered"),
		WhenFunc:  update("  جمعية المرأة والشباب  ", nil),
		Then:      []string{organisation.TypeOrganisationUpdated},
		CheckFunc: is("جمعية المرأة والشباب", themesSocial),
	}, {
		Name:      "OKThemes",
		Given:     history("registered"),
		WhenFunc:  update("", []directory.Theme{directory.ThemeEconomic}),
		Then:      []string{organisation.TypeOrganisationUpdated},
		CheckFunc: is("جمعية نساء حي النصر", []directory.Theme{directory.ThemeEconomic}),
	}, {
		Name:     "OKClearsThemes",
		Given:    history("registered"),
		WhenFunc: update("", []directory.Theme{}),
		Then:     []string{organisation.TypeOrganisationUpdated},
		CheckFunc: func(t *testing.T, _ []domain.Event, o *organisation.Organisation) {
			t.Helper()
			if o.Themes != nil {
				t.Errorf("themes = %v, want none", o.Themes)
			}
		},
	}, {
		Name:     "OKNothingChangedRecordsNothing",
		Given:    history("registered"),
		WhenFunc: update("جمعية نساء حي النصر", []directory.Theme{directory.ThemeSocial, directory.ThemeLegal, directory.ThemeLegal}),
		Then:     nil,
	}, {
		Name:     "OKNothingGivenRecordsNothing",
		Given:    history("registered"),
		WhenFunc: update("", nil),
		Then:     nil,
	},
		{Name: "ErrNameBlank", Given: history("registered"), WhenFunc: update("   ", nil), ErrFunc: domaintest.WantInvalid("name")},
		{Name: "ErrNameTooLong", Given: history("registered"), WhenFunc: update(ar(organisation.MaxName+1), nil), ErrFunc: domaintest.WantInvalid("name")},
		{Name: "ErrThemeUnknown", Given: history("registered"), WhenFunc: update("", []directory.Theme{"culture"}), ErrFunc: domaintest.WantInvalid("themes[0]")},
		{Name: "ErrNowZero", Given: history("registered"), WhenFunc: func(o *organisation.Organisation) ([]domain.Event, error) {
			return o.Update(organisation.Update{Actor: admin, Name: "n"})
		}, ErrFunc: domaintest.WantInvalid("now")},
		{Name: "ErrNowZeroEvenWhenNothingChanges", Given: history("registered"), WhenFunc: func(o *organisation.Organisation) ([]domain.Event, error) {
			return o.Update(organisation.Update{Actor: admin})
		}, ErrFunc: domaintest.WantInvalid("now")},
	})
}

func TestAddMember(t *testing.T) {
	t.Parallel()
	add := func(id, role, subject string) func(*organisation.Organisation) ([]domain.Event, error) {
		return func(o *organisation.Organisation) ([]domain.Event, error) {
			return o.AddMember(organisation.AddMember{Actor: advocate, Now: hour(3), MemberID: id, Role: role, MemberSubject: subject})
		}
	}
	withMember := then(history("registered"), []domain.Event{added(memberID, "subj-1")})
	run(t, []scenario{{
		Name:     "OK",
		Given:    withMember,
		WhenFunc: add(" "+member2ID+" ", "  أمينة المال ", " subj-2 "),
		Then:     []string{organisation.TypeMemberAdded},
		CheckFunc: func(t *testing.T, evs []domain.Event, o *organisation.Organisation) {
			t.Helper()
			e := evs[0].(*organisation.MemberAdded)
			if e.MemberID != member2ID || e.Role != "أمينة المال" || e.MemberSubject != "subj-2" {
				t.Errorf("event = %+v", e)
			}
			want := []organisation.Member{
				{ID: memberID, Role: "رئيسة الجمعية", Subject: "subj-1", AddedAt: hour(1)},
				{ID: member2ID, Role: "أمينة المال", Subject: "subj-2", AddedAt: hour(3)},
			}
			if !slices.Equal(o.Members, want) {
				t.Errorf("members = %+v, want %+v", o.Members, want)
			}
			if m, ok := o.Member(member2ID); !ok || m.Subject != "subj-2" {
				t.Errorf("Member(%s) = %+v, %v", member2ID, m, ok)
			}
		},
	}, {
		Name:     "OKWithoutRole",
		Given:    history("registered"),
		WhenFunc: add(memberID, "", "subj-1"),
		Then:     []string{organisation.TypeMemberAdded},
	}, {
		Name:     "OKLimitsCountRunes",
		Given:    history("registered"),
		WhenFunc: add(memberID, ar(organisation.MaxRole), "subj-1"),
		Then:     []string{organisation.TypeMemberAdded},
	}, {
		Name:     "OKSubjectOfARemovedMember",
		Given:    then(withMember, []domain.Event{removed(memberID)}),
		WhenFunc: add(member2ID, "", "subj-1"),
		Then:     []string{organisation.TypeMemberAdded},
	},
		{Name: "ErrMemberIDEmpty", Given: history("registered"), WhenFunc: add("", "", "subj-1"), ErrFunc: domaintest.WantInvalid("member_id")},
		{Name: "ErrMemberIDNotAMember", Given: history("registered"), WhenFunc: add("org-01JNQ5AAAAAAAAAAAAAAAAAAAA", "", "subj-1"), ErrFunc: domaintest.WantInvalid("member_id")},
		{Name: "ErrMemberIDNotAULID", Given: history("registered"), WhenFunc: add("member-1", "", "subj-1"), ErrFunc: domaintest.WantInvalid("member_id")},
		{Name: "ErrMemberIDAlreadyUsed", Given: withMember, WhenFunc: add(memberID, "", "subj-2"), ErrFunc: domaintest.WantInvalid("member_id")},
		{Name: "ErrSubjectAlreadyAMember", Given: withMember, WhenFunc: add(member2ID, "", "subj-1"), ErrFunc: domaintest.WantInvalid("member_subject")},
		{Name: "ErrSubjectEmpty", Given: history("registered"), WhenFunc: add(memberID, "r", "  "), ErrFunc: domaintest.WantInvalid("member_subject")},
		{Name: "ErrSubjectTooLong", Given: history("registered"), WhenFunc: add(memberID, "r", strings.Repeat("s", organisation.MaxSubject+1)), ErrFunc: domaintest.WantInvalid("member_subject")},
		{Name: "ErrRoleTooLong", Given: history("registered"), WhenFunc: add(memberID, ar(organisation.MaxRole+1), "subj-1"), ErrFunc: domaintest.WantInvalid("role")},
		{Name: "ErrNowZero", Given: history("registered"), WhenFunc: func(o *organisation.Organisation) ([]domain.Event, error) {
			return o.AddMember(organisation.AddMember{Actor: admin, MemberID: memberID, MemberSubject: "subj-1"})
		}, ErrFunc: domaintest.WantInvalid("now")},
	})
}

func TestRemoveMember(t *testing.T) {
	t.Parallel()
	remove := func(id string) func(*organisation.Organisation) ([]domain.Event, error) {
		return func(o *organisation.Organisation) ([]domain.Event, error) {
			return o.RemoveMember(organisation.RemoveMember{Actor: admin, Now: hour(3), MemberID: id})
		}
	}
	withMembers := then(history("registered"), []domain.Event{added(memberID, "subj-1"), added(member2ID, "subj-2")})
	run(t, []scenario{{
		Name:     "OK",
		Given:    withMembers,
		WhenFunc: remove(memberID),
		Then:     []string{organisation.TypeMemberRemoved},
		CheckFunc: func(t *testing.T, _ []domain.Event, o *organisation.Organisation) {
			t.Helper()
			if len(o.Members) != 1 || o.Members[0].ID != member2ID || !o.UpdatedAt.Equal(hour(3)) {
				t.Errorf("members = %+v", o.Members)
			}
			if _, ok := o.Member(memberID); ok {
				t.Error("removed member still found")
			}
		},
	},
		{Name: "ErrMemberIDEmpty", Given: withMembers, WhenFunc: remove(""), ErrFunc: domaintest.WantInvalid("member_id")},
		{Name: "ErrNotAMember", Given: history("registered"), WhenFunc: remove(memberID), ErrFunc: domaintest.WantInvalid("member_id")},
		{Name: "ErrRemovedTwice", Given: then(withMembers, []domain.Event{removed(memberID)}), WhenFunc: remove(memberID), ErrFunc: domaintest.WantInvalid("member_id")},
		{Name: "ErrNowZero", Given: withMembers, WhenFunc: func(o *organisation.Organisation) ([]domain.Event, error) {
			return o.RemoveMember(organisation.RemoveMember{Actor: admin, MemberID: memberID})
		}, ErrFunc: domaintest.WantInvalid("now")},
	})
}
