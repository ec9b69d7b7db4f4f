package directory_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/domain/directory"
	"github.com/citizenhouse/bayt/domain/domaintest"
)

var (
	t0       = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	admin    = domain.Actor{ID: "tok-adm", Name: "Admin", Role: domain.RoleAdmin}
	advocate = domain.Actor{ID: "tok-adv", Role: domain.RoleAdvocate}
	officer  = domain.Actor{ID: "tok-off", Role: domain.RoleOfficer, Department: "roads_works"}
	names    = directory.Names{AR: "الأرصفة", FR: "Trottoirs", EN: "Sidewalks"}
)

type scenario = domaintest.Scenario[directory.State]

func run(t *testing.T, scenarios []scenario) {
	t.Helper()
	domaintest.Run(t, domaintest.Aggregate[directory.State]{
		Name:        "directory",
		ApplyFunc:   (*directory.State).Apply,
		VersionFunc: func(s *directory.State) int64 { return s.Version },
	}, scenarios)
}

func sidewalks() directory.Category {
	return directory.Category{Code: "sidewalks", Name: names, Department: "roads_works", SLADays: 12, Theme: directory.ThemeCommunity}
}

func saveCategory(edit func(*directory.SaveCategory)) func(*directory.State) ([]domain.Event, error) {
	return func(s *directory.State) ([]domain.Event, error) {
		cmd := directory.SaveCategory{Actor: admin, Now: t0, New: true, Category: sidewalks()}
		edit(&cmd)
		return s.SaveCategory(cmd)
	}
}

func TestStateEmptyIsDefault(t *testing.T) {
	t.Parallel()
	var s directory.State
	if s.Directory() != directory.Default() || s.Status() != directory.StatusDefault || s.Version != 0 {
		t.Fatalf("zero state = %+v, want the default directory", s)
	}
	if _, ok := s.Directory().Category("roads"); !ok {
		t.Fatal("the zero state lacks the default's categories")
	}
}

func TestSaveCategory(t *testing.T) {
	t.Parallel()
	invalid := func(name, field string, edit func(*directory.SaveCategory)) scenario {
		return scenario{Name: name, WhenFunc: saveCategory(edit), ErrFunc: domaintest.WantInvalid(field)}
	}
	run(t, []scenario{{
		Name:     "OKNew",
		WhenFunc: saveCategory(func(c *directory.SaveCategory) { c.Category.Name.AR = "  الأرصفة  " }),
		Then:     []string{directory.TypeCategorySaved},
		CheckFunc: func(t *testing.T, evs []domain.Event, s *directory.State) {
			t.Helper()
			e := evs[0].(*directory.CategorySaved)
			if e.Name.AR != "الأرصفة" || !e.At.Equal(t0) {
				t.Errorf("event = %+v, want trimmed names and the command's time", e)
			}
			c, ok := s.Directory().Category("sidewalks")
			if !ok || c != sidewalks() {
				t.Errorf("category = %+v, %v", c, ok)
			}
			if cats := s.Directory().Categories(); cats[len(cats)-1].Code != "sidewalks" {
				t.Errorf("a new category goes last: %v", cats)
			}
			if s.Status() != directory.StatusEdited || !s.UpdatedAt.Equal(t0) {
				t.Errorf("state = %+v", s)
			}
		},
	}, {
		Name: "OKChangeSLA",
		WhenFunc: saveCategory(func(c *directory.SaveCategory) {
			c.New = false
			c.Category = mustCategory(t, "roads")
			c.Category.SLADays = 3
		}),
		Then: []string{directory.TypeCategorySaved},
		CheckFunc: func(t *testing.T, _ []domain.Event, s *directory.State) {
			t.Helper()
			if c, _ := s.Directory().Category("roads"); c.SLADays != 3 {
				t.Errorf("roads SLA = %d, want 3", c.SLADays)
			}
			if c, _ := directory.Default().Category("roads"); c.SLADays != 30 {
				t.Errorf("the edit changed the default directory: SLA %d", c.SLADays)
			}
			if got := s.Directory().Categories()[0].Code; got != "roads" {
				t.Errorf("an edited category keeps its place: first is %s", got)
			}
		},
	}, {
		Name:     "OKUnchangedRecordsNothing",
		WhenFunc: saveCategory(func(c *directory.SaveCategory) { c.New, c.Category = false, mustCategory(t, "water") }),
		Then:     nil,
	}, {
		Name:     "OKAfterEdit",
		Given:    []domain.Event{&directory.DepartmentSaved{Code: "culture", Name: names, At: t0}},
		WhenFunc: saveCategory(func(c *directory.SaveCategory) { c.Category.Department = "culture" }),
		Then:     []string{directory.TypeCategorySaved},
	},
		{Name: "ErrForbiddenAdvocate", WhenFunc: saveCategory(func(c *directory.SaveCategory) { c.Actor = advocate }), ErrFunc: domaintest.WantForbidden()},
		{Name: "ErrForbiddenOfficer", WhenFunc: saveCategory(func(c *directory.SaveCategory) { c.Actor = officer }), ErrFunc: domaintest.WantForbidden()},
		{Name: "ErrForbiddenBeforeInput", WhenFunc: saveCategory(func(c *directory.SaveCategory) { c.Actor, c.Category = domain.Anonymous, directory.Category{} }), ErrFunc: domaintest.WantForbidden()},
		invalid("ErrCodeTaken", "code", func(c *directory.SaveCategory) { c.Category.Code = "roads" }),
		invalid("ErrCodeEmpty", "code", func(c *directory.SaveCategory) { c.Category.Code = " " }),
		invalid("ErrCodeNotSnakeCase", "code", func(c *directory.SaveCategory) { c.Category.Code = "Side walks" }),
		invalid("ErrCodeTooLong", "code", func(c *directory.SaveCategory) { c.Category.Code = strings.Repeat("a", 51) }),
		invalid("ErrNameAR", "name_ar", func(c *directory.SaveCategory) { c.Category.Name.AR = "" }),
		invalid("ErrNameFR", "name_fr", func(c *directory.SaveCategory) { c.Category.Name.FR = "  " }),
		invalid("ErrNameEN", "name_en", func(c *directory.SaveCategory) { c.Category.Name.EN = strings.Repeat("x", 201) }),
		invalid("ErrNoDepartment", "department", func(c *directory.SaveCategory) { c.Category.Department = "" }),
		invalid("ErrUnknownDepartment", "department", func(c *directory.SaveCategory) { c.Category.Department = "culture" }),
		invalid("ErrSLAZero", "sla_days", func(c *directory.SaveCategory) { c.Category.SLADays = 0 }),
		invalid("ErrSLATooLong", "sla_days", func(c *directory.SaveCategory) { c.Category.SLADays = 366 }),
		invalid("ErrTheme", "theme", func(c *directory.SaveCategory) { c.Category.Theme = "cultural" }),
		{
			Name: "ErrEveryField",
			WhenFunc: saveCategory(func(c *directory.SaveCategory) {
				c.Category = directory.Category{Code: "X"}
			}),
			ErrFunc: func(t *testing.T, err error) {
				t.Helper()
				for _, f := range []string{"code", "name_ar", "name_fr", "name_en", "department", "sla_days", "theme"} {
					if !domaintest.HasInvalid(err, f) {
						t.Errorf("error = %v, want one on %s", err, f)
					}
				}
			},
		},
	})
}

func mustCategory(t *testing.T, code string) directory.Category {
	t.Helper()
	c, ok := directory.Default().Category(code)
	if !ok {
		t.Fatalf("no category %s", code)
	}
	return c
}

func TestSaveDepartment(t *testing.T) {
	t.Parallel()
	save := func(edit func(*directory.SaveDepartment)) func(*directory.State) ([]domain.Event, error) {
		return func(s *directory.State) ([]domain.Event, error) {
			cmd := directory.SaveDepartment{Actor: admin, Now: t0, New: true, Department: directory.Department{Code: "culture", Name: names}}
			edit(&cmd)
			return s.SaveDepartment(cmd)
		}
	}
	run(t, []scenario{{
		Name:     "OKNew",
		WhenFunc: save(func(*directory.SaveDepartment) {}),
		Then:     []string{directory.TypeDepartmentSaved},
		CheckFunc: func(t *testing.T, _ []domain.Event, s *directory.State) {
			t.Helper()
			if d, ok := s.Directory().Department("culture"); !ok || d.Name != names {
				t.Errorf("department = %+v, %v", d, ok)
			}
		},
	}, {
		Name: "OKRename",
		WhenFunc: save(func(c *directory.SaveDepartment) {
			c.New, c.Department.Code = false, "roads_works"
		}),
		Then: []string{directory.TypeDepartmentSaved},
		CheckFunc: func(t *testing.T, _ []domain.Event, s *directory.State) {
			t.Helper()
			if d, _ := s.Directory().Department("roads_works"); d.Name != names {
				t.Errorf("department = %+v", d)
			}
			if n := len(s.Directory().Departments()); n != len(directory.Default().Departments()) {
				t.Errorf("departments = %d, want the default's count", n)
			}
		},
	},
		{Name: "ErrForbidden", WhenFunc: save(func(c *directory.SaveDepartment) { c.Actor = advocate }), ErrFunc: domaintest.WantForbidden()},
		{Name: "ErrCodeTaken", WhenFunc: save(func(c *directory.SaveDepartment) { c.Department.Code = "sanitation" }), ErrFunc: domaintest.WantInvalid("code")},
		{Name: "ErrNameAR", WhenFunc: save(func(c *directory.SaveDepartment) { c.Department.Name.AR = "" }), ErrFunc: domaintest.WantInvalid("name_ar")},
	})
}

func TestSaveDistrict(t *testing.T) {
	t.Parallel()
	hay := directory.District{Code: "hay_ennasr", Name: directory.Names{AR: "حي النصر", FR: "Cité Ennasr", EN: "Ennasr"}}
	save := func(edit func(*directory.SaveDistrict)) func(*directory.State) ([]domain.Event, error) {
		return func(s *directory.State) ([]domain.Event, error) {
			cmd := directory.SaveDistrict{Actor: admin, Now: t0, New: true, District: hay}
			cmd.District.Spellings = []string{" Ennasr 2 ", "", "ennasr", "El Nasr", "el  nasr"}
			edit(&cmd)
			return s.SaveDistrict(cmd)
		}
	}
	run(t, []scenario{{
		Name:     "OKNew",
		WhenFunc: save(func(*directory.SaveDistrict) {}),
		Then:     []string{directory.TypeDistrictSaved},
		CheckFunc: func(t *testing.T, evs []domain.Event, s *directory.State) {
			t.Helper()
			if got := evs[0].(*directory.DistrictSaved).Spellings; !slices.Equal(got, []string{"Ennasr 2", "El Nasr"}) {
				t.Errorf("spellings = %q, want trimmed, without blanks, repeats or its own names", got)
			}
			for _, s2 := range []string{"hay_ennasr", "حي النصر", "ennasr 2", "EL NASR", "Cité  Ennasr"} {
				if d, ok := s.Directory().District(s2); !ok || d.Code != "hay_ennasr" {
					t.Errorf("District(%q) = %+v, %v", s2, d, ok)
				}
			}
		},
	}, {
		Name:     "OKNoSpellings",
		WhenFunc: save(func(c *directory.SaveDistrict) { c.District.Spellings = nil }),
		Then:     []string{directory.TypeDistrictSaved},
	}, {
		Name: "OKChangeSpellings",
		WhenFunc: save(func(c *directory.SaveDistrict) {
			c.New = false
			c.District, _ = directory.Default().District("bab_souika")
			c.District.Spellings = []string{"Bab Souiqa"}
		}),
		Then: []string{directory.TypeDistrictSaved},
		CheckFunc: func(t *testing.T, _ []domain.Event, s *directory.State) {
			t.Helper()
			if _, ok := s.Directory().District("Bab Swika"); ok {
				t.Error("a dropped spelling still finds the district")
			}
			if d, ok := s.Directory().District("bab souiqa"); !ok || d.Code != "bab_souika" {
				t.Errorf("District(bab souiqa) = %+v, %v", d, ok)
			}
		},
	},
		{Name: "ErrForbidden", WhenFunc: save(func(c *directory.SaveDistrict) { c.Actor = officer }), ErrFunc: domaintest.WantForbidden()},
		{Name: "ErrSpellingOfAnother", WhenFunc: save(func(c *directory.SaveDistrict) { c.District.Spellings = []string{"Bab Swika"} }), ErrFunc: domaintest.WantInvalid("spellings")},
		{Name: "ErrNameOfAnother", WhenFunc: save(func(c *directory.SaveDistrict) { c.District.Name.FR = "médina" }), ErrFunc: domaintest.WantInvalid("name_fr")},
		{Name: "ErrSpellingTooLong", WhenFunc: save(func(c *directory.SaveDistrict) { c.District.Spellings = []string{strings.Repeat("ب", 101)} }), ErrFunc: domaintest.WantInvalid("spellings")},
		{Name: "ErrTooManySpellings", WhenFunc: save(func(c *directory.SaveDistrict) {
			c.District.Spellings = nil
			for i := range 51 {
				c.District.Spellings = append(c.District.Spellings, "Ennasr "+strings.Repeat("i", i+1))
			}
		}), ErrFunc: domaintest.WantInvalid("spellings")},
		{Name: "ErrCodeTaken", WhenFunc: save(func(c *directory.SaveDistrict) { c.District.Code = "medina" }), ErrFunc: domaintest.WantInvalid("code")},
	})
}

// TestFold folds a stream of edits of every kind over the default, as a
// repository does, and checks the directory they leave, and that a state
// copied before an edit keeps the directory it had.
func TestFold(t *testing.T) {
	t.Parallel()
	events := domaintest.Redecode(t, []domain.Event{
		&directory.DepartmentSaved{Code: "culture", Name: names, At: t0},
		&directory.CategorySaved{Code: "libraries", Name: names, Department: "culture", SLADays: 40, Theme: directory.ThemeSocial, At: t0.Add(time.Hour)},
		&directory.CategorySaved{Code: "roads", Name: mustCategory(t, "roads").Name, Department: "roads_works", SLADays: 9, Theme: directory.ThemeCommunity, At: t0.Add(2 * time.Hour)},
		&directory.DistrictSaved{Code: "la_marsa", Name: directory.Names{AR: "المرسى", FR: "La Marsa", EN: "La Marsa"}, Spellings: []string{"Marsa"}, At: t0.Add(3 * time.Hour)},
	}, directory.Decode)
	var s directory.State
	s.Apply(events[0])
	before := s
	beforeDir := s.Directory()
	for _, e := range events[1:] {
		s.Apply(e)
	}
	d := s.Directory()
	if s.Version != 4 || !s.UpdatedAt.Equal(t0.Add(3*time.Hour)) {
		t.Errorf("state = %+v", s)
	}
	if c, ok := d.Category("libraries"); !ok || c.Department != "culture" || c.SLADays != 40 {
		t.Errorf("libraries = %+v, %v", c, ok)
	}
	if c, _ := d.Category("roads"); c.SLADays != 9 {
		t.Errorf("roads SLA = %d, want 9", c.SLADays)
	}
	if dist, ok := d.District("marsa"); !ok || dist.Code != "la_marsa" {
		t.Errorf("District(marsa) = %+v, %v", dist, ok)
	}
	if len(d.Districts()) != len(directory.Default().Districts())+1 {
		t.Errorf("districts = %d", len(d.Districts()))
	}
	if _, ok := beforeDir.Category("libraries"); ok || before.Directory() != beforeDir || before.Version != 1 {
		t.Error("applying to a state changed the directory an earlier copy holds")
	}
	if _, ok := directory.Default().Category("libraries"); ok {
		t.Error("folding changed the default directory")
	}
}

func TestEvents(t *testing.T) {
	t.Parallel()
	domaintest.RoundTrip(t, []domain.Event{
		&directory.DepartmentSaved{Code: "culture", Name: names, At: t0},
		&directory.CategorySaved{Code: "libraries", Name: names, Department: "culture", SLADays: 40, Theme: directory.ThemeSocial, At: t0},
		&directory.DistrictSaved{Code: "la_marsa", Name: names, Spellings: []string{"Marsa"}, At: t0},
	}, directory.Decode, directory.Events(), 3)
	if directory.EventName(directory.TypeCategorySaved) != "CategorySaved" || directory.EventName("x") != "x" {
		t.Error("EventName")
	}
}
