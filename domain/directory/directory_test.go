package directory_test

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/domain/directory"
)

func TestDefault(t *testing.T) {
	t.Parallel()

	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		d := directory.Default()
		if n := len(d.Departments()); n < 8 || n > 10 {
			t.Errorf("departments = %d, want 8..10", n)
		}
		want := []string{
			"roads", "lighting", "waste", "water", "housing", "transport", "green_spaces",
			"markets_prices", "schools", "health", "public_freedoms", "admin_services",
		}
		var got []string
		for _, c := range d.Categories() {
			got = append(got, c.Code)
		}
		if !slices.Equal(got, want) {
			t.Errorf("categories = %v, want %v (in file order)", got, want)
		}
	})

	t.Run("EveryCategoryHasItsDepartment", func(t *testing.T) {
		t.Parallel()
		d := directory.Default()
		for _, c := range d.Categories() {
			dep, ok := d.Department(c.Department)
			if !ok || dep.Code != c.Department {
				t.Errorf("category %s: department %q not found", c.Code, c.Department)
			}
			if c.SLADays < 1 {
				t.Errorf("category %s: sla_days %d", c.Code, c.SLADays)
			}
		}
	})

	t.Run("Themes", func(t *testing.T) {
		t.Parallel()
		d := directory.Default()
		for code, want := range map[string]directory.Theme{
			"public_freedoms": directory.ThemePolitical,
			"markets_prices":  directory.ThemeEconomic,
			"admin_services":  directory.ThemeLegal,
			"housing":         directory.ThemeSocial,
			"roads":           directory.ThemeCommunity,
		} {
			c, ok := d.Category(code)
			if !ok || c.Theme != want {
				t.Errorf("category %s: theme %q, want %q", code, c.Theme, want)
			}
		}
	})

	t.Run("ArabicNames", func(t *testing.T) {
		t.Parallel()
		c, ok := directory.Default().Category("lighting")
		if !ok {
			t.Fatal("lighting not found")
		}
		if c.Name.In("ar") != "الإنارة العمومية" || c.Name.In("") != c.Name.AR {
			t.Errorf("arabic name = %q", c.Name.In("ar"))
		}
		if c.Name.In("fr") != "Éclairage public" || c.Name.In("en") != "Public lighting" {
			t.Errorf("names = %+v", c.Name)
		}
	})

	t.Run("UnknownCode", func(t *testing.T) {
		t.Parallel()
		d := directory.Default()
		if _, ok := d.Category("nope"); ok {
			t.Error("unknown category found")
		}
		if _, ok := d.Department("roads"); ok {
			t.Error("category code found as a department")
		}
	})

	t.Run("ListsAreCopies", func(t *testing.T) {
		t.Parallel()
		d := directory.Default()
		d.Categories()[0].SLADays = 999
		d.Departments()[0].Code = "changed"
		if c := d.Categories()[0]; c.SLADays == 999 {
			t.Error("Categories exposes internal state")
		}
		if dep := d.Departments()[0]; dep.Code == "changed" {
			t.Error("Departments exposes internal state")
		}
	})
}

// valid is a minimal good file; each bad case below breaks one thing.
const valid = `{
  "departments": [{"code": "roads_works", "name": {"ar": "الطرقات", "fr": "Voirie", "en": "Roads"}}],
  "categories": [{"code": "roads", "name": {"ar": "الطرقات", "fr": "Chaussées", "en": "Roads"},
                  "department": "roads_works", "sla_days": 30, "theme": "community"}]
}`

func TestParse(t *testing.T) {
	t.Parallel()

	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		d, err := directory.Parse(strings.NewReader(valid))
		if err != nil {
			t.Fatal(err)
		}
		c, ok := d.Category("roads")
		want := directory.Category{
			Code: "roads", Name: directory.Names{AR: "الطرقات", FR: "Chaussées", EN: "Roads"},
			Department: "roads_works", SLADays: 30, Theme: directory.ThemeCommunity,
		}
		if !ok || c != want {
			t.Errorf("category = %+v, want %+v", c, want)
		}
	})

	dep := `{"code": "roads_works", "name": {"ar": "أ", "fr": "b", "en": "c"}}`
	cat := func(code, dept, sla, theme string) string {
		return `{"code": "` + code + `", "name": {"ar": "أ", "fr": "b", "en": "c"}, "department": "` + dept +
			`", "sla_days": ` + sla + `, "theme": "` + theme + `"}`
	}
	file := func(deps, cats string) string {
		return `{"departments": [` + deps + `], "categories": [` + cats + `]}`
	}
	good := cat("roads", "roads_works", "30", "community")

	for _, tt := range []struct {
		name  string
		file  string
		field string
	}{
		{"ErrMalformed", `{"departments": [`, ""},
		{"ErrNotAnObject", `[]`, ""},
		{"ErrTrailingData", valid + ` {}`, ""},
		{"ErrUnknownField", strings.Replace(valid, `"sla_days"`, `"sla_day": 1, "sla_days"`, 1), ""},
		{"ErrNoDepartments", file("", ""), "departments"},
		{"ErrNoCategories", file(dep, ""), "categories"},
		{"ErrDuplicateDepartment", file(dep+","+dep, good), "departments[1].code"},
		{"ErrDuplicateCategory", file(dep, good+","+good), "categories[1].code"},
		{"ErrUnknownDepartment", file(dep, cat("roads", "sanitation", "30", "community")), "categories[0].department"},
		{"ErrSLAZero", file(dep, cat("roads", "roads_works", "0", "community")), "categories[0].sla_days"},
		{"ErrSLANegative", file(dep, cat("roads", "roads_works", "-3", "community")), "categories[0].sla_days"},
		{"ErrSLATooLong", file(dep, cat("roads", "roads_works", "366", "community")), "categories[0].sla_days"},
		{"ErrUnknownTheme", file(dep, cat("roads", "roads_works", "30", "cultural")), "categories[0].theme"},
		{"ErrMissingTheme", file(dep, cat("roads", "roads_works", "30", "")), "categories[0].theme"},
		{"ErrEmptyCategoryCode", file(dep, cat("", "roads_works", "30", "community")), "categories[0].code"},
		{"ErrCategoryCodeNotSnakeCase", file(dep, cat("Roads", "roads_works", "30", "community")), "categories[0].code"},
		{"ErrCategoryCodeStartsWithDigit", file(dep, cat("1roads", "roads_works", "30", "community")), "categories[0].code"},
		{"ErrCategoryCodeWithSpace", file(dep, cat("roads works", "roads_works", "30", "community")), "categories[0].code"},
		{"ErrCategoryCodeTooLong", file(dep, cat(strings.Repeat("a", 51), "roads_works", "30", "community")), "categories[0].code"},
		{"ErrEmptyDepartmentCode", file(`{"code": "", "name": {"ar": "أ", "fr": "b", "en": "c"}}`, ""), "departments[0].code"},
		{"ErrDepartmentNameAR", file(`{"code": "roads_works", "name": {"ar": " ", "fr": "b", "en": "c"}}`, good), "departments[0].name.ar"},
		{"ErrDepartmentNameFR", file(`{"code": "roads_works", "name": {"ar": "أ", "en": "c"}}`, good), "departments[0].name.fr"},
		{"ErrDepartmentNameEN", file(`{"code": "roads_works", "name": {"ar": "أ", "fr": "b"}}`, good), "departments[0].name.en"},
		{"ErrCategoryNameAR", file(dep, strings.Replace(good, `"ar": "أ"`, `"ar": ""`, 1)), "categories[0].name.ar"},
		{"ErrCategoryNameEN", file(dep, strings.Replace(good, `"en": "c"`, `"en": ""`, 1)), "categories[0].name.en"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, err := directory.Parse(strings.NewReader(tt.file))
			if err == nil {
				t.Fatalf("Parse = %v, want an error", d)
			}
			if !hasInvalid(err, tt.field) {
				t.Errorf("Parse error = %v, want an InvalidError on field %q", err, tt.field)
			}
			if domain.KindOf(err) != domain.KindInvalid {
				t.Errorf("KindOf = %v, want KindInvalid", domain.KindOf(err))
			}
		})
	}
}

// hasInvalid reports whether err, or any error joined into it, is an
// *domain.InvalidError on field.
func hasInvalid(err error, field string) bool {
	var inv *domain.InvalidError
	if errors.As(err, &inv) && inv.Field == field {
		return true
	}
	switch e := err.(type) {
	case interface{ Unwrap() []error }:
		for _, err := range e.Unwrap() {
			if hasInvalid(err, field) {
				return true
			}
		}
	case interface{ Unwrap() error }:
		return hasInvalid(e.Unwrap(), field)
	}
	return false
}

func TestDistricts(t *testing.T) {
	t.Parallel()

	t.Run("DefaultTunis", func(t *testing.T) {
		t.Parallel()
		d := directory.Default()
		if n := len(d.Districts()); n < 8 {
			t.Fatalf("districts = %d, want the demo city's eight at least", n)
		}
		for s, want := range map[string]string{
			"bab_souika": "bab_souika", "Bab Souika": "bab_souika", "باب سويقة": "bab_souika",
			"bab souika": "bab_souika", "Bab Swika": "bab_souika", "  BAB   SOUIKA ": "bab_souika",
			"المدينة العتيقة": "medina", "Medina": "medina", "حي التضامن": "ettadhamen", "العُمران": "el_omrane",
			"la medina": "medina", "المدينه العتيقه": "medina", "Cite Ettadhamen": "ettadhamen", "المنزة": "el_menzah",
		} {
			if got, ok := d.District(s); !ok || got.Code != want {
				t.Errorf("District(%q) = %q, %v; want %s", s, got.Code, ok, want)
			}
		}
		if _, ok := d.District("Paris"); ok {
			t.Error("an unknown district was found")
		}
	})

	t.Run("ListsAreCopies", func(t *testing.T) {
		t.Parallel()
		d := directory.Default()
		d.Districts()[1].Spellings[0] = "changed"
		got, _ := d.District("bab_souika")
		got.Spellings[0] = "changed too"
		if again, _ := d.District("bab_souika"); again.Spellings[0] != "Bab Swika" {
			t.Errorf("spellings = %q: the accessors expose internal state", again.Spellings)
		}
	})

	dist := func(code, fr string, spellings ...string) string {
		b, _ := json.Marshal(spellings)
		return `{"code": "` + code + `", "name": {"ar": "أ` + code + `", "fr": "` + fr + `", "en": "` + fr + `"}, "spellings": ` + string(b) + `}`
	}
	withDistricts := func(ds ...string) string {
		return strings.TrimSuffix(strings.TrimSpace(valid), "}") + `, "districts": [` + strings.Join(ds, ",") + `]}`
	}
	if _, err := directory.Parse(strings.NewReader(withDistricts(dist("a", "A", "a1"), dist("b", "B", "b1")))); err != nil {
		t.Fatalf("Parse two districts: %v", err)
	}
	for _, tt := range []struct{ name, file, field string }{
		{"ErrDuplicateCode", withDistricts(dist("a", "A"), dist("a", "B")), "districts[1].code"},
		{"ErrSpellingOfAnother", withDistricts(dist("a", "A", "x"), dist("b", "B", "X")), "districts[1].spellings"},
		{"ErrNameOfAnother", withDistricts(dist("a", "A", "bee"), dist("b", "Bee")), "districts[1].name.fr"},
		{"ErrCode", withDistricts(dist("A b", "A")), "districts[0].code"},
		{"ErrBlankSpelling", withDistricts(dist("a", "A", " ")), "districts[0].spellings"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if _, err := directory.Parse(strings.NewReader(tt.file)); !hasInvalid(err, tt.field) {
				t.Errorf("Parse = %v, want an InvalidError on %s", err, tt.field)
			}
		})
	}
}
