package directory

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/citizenhouse/bayt/domain"
)

//go:embed default.json
var defaultFile []byte

// MaxSLADays bounds a category's SLA. A year is already generous for a
// municipality; a larger figure is almost certainly a typo.
const MaxSLADays = 365

// maxCodeLen keeps codes short enough for URLs and Open311 service codes.
const maxCodeLen = 50

// Names is a label in the three languages of Bayt. All three are required,
// so no page ever falls back to a blank.
type Names struct {
	AR string `json:"ar"`
	FR string `json:"fr"`
	EN string `json:"en"`
}

// In returns the name in lang ("ar", "fr" or "en"). Arabic is the default
// language of Bayt, so any other value gets the Arabic name.
func (n Names) In(lang string) string {
	switch lang {
	case "fr":
		return n.FR
	case "en":
		return n.EN
	}
	return n.AR
}

// Theme is one of the seed's axes of intervention. Each category counts under
// one theme so that social research can map needs by district and theme.
type Theme string

// Themes, as in the founding text of the Citizen's House.
const (
	ThemeCommunity Theme = "community"
	ThemePolitical Theme = "political"
	ThemeLegal     Theme = "legal"
	ThemeEconomic  Theme = "economic"
	ThemeSocial    Theme = "social"
)

// Valid reports whether t is a known theme.
func (t Theme) Valid() bool {
	switch t {
	case ThemeCommunity, ThemePolitical, ThemeLegal, ThemeEconomic, ThemeSocial:
		return true
	}
	return false
}

// Department is a municipal department that cases are forwarded to and
// officers are bound to.
type Department struct {
	Code string `json:"code"`
	Name Names  `json:"name"`
}

// Category is what a resident reports about. Department is where advocates
// forward such a case by default; SLADays is how long that department has
// from forwarding until the case is overdue.
type Category struct {
	Code       string `json:"code"`
	Name       Names  `json:"name"`
	Department string `json:"department"`
	SLADays    int    `json:"sla_days"`
	Theme      Theme  `json:"theme"`
}

// Directory is a validated set of departments and categories, kept in the
// order of its file so lists render the way the admin wrote them.
type Directory struct {
	departments []Department
	categories  []Category
	department  map[string]int
	category    map[string]int
}

// file is the on-disk shape of a directory.
type file struct {
	Departments []Department `json:"departments"`
	Categories  []Category   `json:"categories"`
}

// Default returns the directory embedded in Bayt. It panics only if the
// embedded file is broken, which a test rules out before release.
func Default() *Directory {
	d, err := Parse(bytes.NewReader(defaultFile))
	if err != nil {
		panic(fmt.Sprintf("directory: embedded default.json: %v", err))
	}
	return d
}

// Parse reads a directory file and validates it: codes are unique
// snake_case, every name has its three languages, every category's
// department exists, SLA days are within 1..MaxSLADays and themes are known.
// Unknown fields are refused so that a misspelt key is not silently dropped.
// Every problem found is reported, joined, as a *domain.InvalidError whose
// Field points into the file (e.g. "categories[2].sla_days").
func Parse(r io.Reader) (*Directory, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var f file
	if err := dec.Decode(&f); err != nil {
		return nil, domain.Invalid("", "malformed directory: "+err.Error())
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, domain.Invalid("", "malformed directory: data after the top-level object")
	}

	d := &Directory{
		departments: f.Departments,
		categories:  f.Categories,
		department:  make(map[string]int, len(f.Departments)),
		category:    make(map[string]int, len(f.Categories)),
	}
	var errs []error
	if len(f.Departments) == 0 {
		errs = append(errs, domain.Invalid("departments", "at least one is required"))
	}
	if len(f.Categories) == 0 {
		errs = append(errs, domain.Invalid("categories", "at least one is required"))
	}
	for i, dep := range f.Departments {
		at := fmt.Sprintf("departments[%d]", i)
		errs = append(errs, checkCode(at+".code", dep.Code), checkNames(at+".name", dep.Name))
		if _, dup := d.department[dep.Code]; dup {
			errs = append(errs, domain.Invalid(at+".code", "duplicate code "+dep.Code))
			continue
		}
		d.department[dep.Code] = i
	}
	for i, cat := range f.Categories {
		at := fmt.Sprintf("categories[%d]", i)
		errs = append(errs, checkCode(at+".code", cat.Code), checkNames(at+".name", cat.Name))
		if _, ok := d.department[cat.Department]; !ok {
			errs = append(errs, domain.Invalid(at+".department", fmt.Sprintf("unknown department %q", cat.Department)))
		}
		if cat.SLADays < 1 || cat.SLADays > MaxSLADays {
			errs = append(errs, domain.Invalid(at+".sla_days", fmt.Sprintf("must be between 1 and %d", MaxSLADays)))
		}
		if !cat.Theme.Valid() {
			errs = append(errs, domain.Invalid(at+".theme", fmt.Sprintf("unknown theme %q", cat.Theme)))
		}
		if _, dup := d.category[cat.Code]; dup {
			errs = append(errs, domain.Invalid(at+".code", "duplicate code "+cat.Code))
			continue
		}
		d.category[cat.Code] = i
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return d, nil
}

// checkCode accepts short snake_case codes: they appear in URLs, Open311
// service codes and officers' tokens, where anything else is a hazard.
func checkCode(field, code string) error {
	if code == "" {
		return domain.Invalid(field, "required")
	}
	if len(code) > maxCodeLen {
		return domain.Invalid(field, fmt.Sprintf("longer than %d characters", maxCodeLen))
	}
	for i, r := range code {
		lower := r >= 'a' && r <= 'z'
		digitOrUnderscore := r >= '0' && r <= '9' || r == '_'
		if !lower && (i == 0 || !digitOrUnderscore) {
			return domain.Invalid(field, "must be snake_case: a-z, 0-9 and _, starting with a letter")
		}
	}
	return nil
}

func checkNames(field string, n Names) error {
	var errs []error
	for _, l := range []struct{ lang, name string }{{"ar", n.AR}, {"fr", n.FR}, {"en", n.EN}} {
		if strings.TrimSpace(l.name) == "" {
			errs = append(errs, domain.Invalid(field+"."+l.lang, "required"))
		}
	}
	return errors.Join(errs...)
}

// Category returns the category with code.
func (d *Directory) Category(code string) (Category, bool) {
	i, ok := d.category[code]
	if !ok {
		return Category{}, false
	}
	return d.categories[i], true
}

// Department returns the department with code.
func (d *Directory) Department(code string) (Department, bool) {
	i, ok := d.department[code]
	if !ok {
		return Department{}, false
	}
	return d.departments[i], true
}

// Categories returns every category in file order. The slice is a copy the
// caller may keep or change.
func (d *Directory) Categories() []Category {
	return append([]Category(nil), d.categories...)
}

// Departments returns every department in file order. The slice is a copy the
// caller may keep or change.
func (d *Directory) Departments() []Department {
	return append([]Department(nil), d.departments...)
}
