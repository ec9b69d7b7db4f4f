package directory

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/citizenhouse/bayt/domain"
)

//go:embed default.json
var defaultFile []byte

// MaxSLADays bounds a category's SLA. A year is already generous for a
// municipality; a larger figure is almost certainly a typo.
const MaxSLADays = 365

// Limits on the directory's texts, in runes. A spelling is what a
// resident types as their district, so it has the case's limit on a
// district.
const (
	MaxCode      = 50
	MaxName      = 200
	MaxSpelling  = 100
	MaxSpellings = 50
)

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

// trimmed returns n with surrounding spaces removed from every name.
func (n Names) trimmed() Names {
	return Names{AR: strings.TrimSpace(n.AR), FR: strings.TrimSpace(n.FR), EN: strings.TrimSpace(n.EN)}
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

// Themes returns every theme, in the order of the founding text.
func Themes() []Theme {
	return []Theme{ThemeCommunity, ThemePolitical, ThemeLegal, ThemeEconomic, ThemeSocial}
}

// Valid reports whether t is a known theme.
func (t Theme) Valid() bool {
	switch t {
	case ThemeCommunity, ThemePolitical, ThemeLegal, ThemeEconomic, ThemeSocial:
		return true
	}
	return false
}

// Department is a municipal department that cases are forwarded to and
// officers are bound to. Email is the department's shared mailbox, told of
// each case forwarded to it; "" when it has none. It is a staff address,
// but it is kept off every public surface all the same: a small
// department's mailbox may well be a person's.
type Department struct {
	Code  string `json:"code"`
	Name  Names  `json:"name"`
	Email string `json:"-"`
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

// District is a part of the city. Residents write its name in many ways
// ("Bab Souika", "باب سويقة", "Bab Swika"): Spellings lists the known ones
// besides the three names, so that a lookup finds the district whichever
// one was typed.
type District struct {
	Code      string   `json:"code"`
	Name      Names    `json:"name"`
	Spellings []string `json:"spellings,omitempty"`
}

// clone returns d with a spelling list of its own, so that no two
// directories (nor a directory and an event) share one.
func (d District) clone() District {
	d.Spellings = slices.Clone(d.Spellings)
	return d
}

// keys returns what a lookup of d goes by besides its code: its names and
// spellings, as SpellingKey makes them, without duplicates.
func (d District) keys() []string {
	var keys []string
	for _, s := range append([]string{d.Name.AR, d.Name.FR, d.Name.EN}, d.Spellings...) {
		if k := SpellingKey(s); k != "" && !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	return keys
}

// SpellingKey is what two spellings of a district must share to be the
// same: letters in lower case, runs of spaces as one space, no Arabic
// short vowels or tatweel, which residents type or omit at will, one form
// of each Arabic letter that keyboards and habits write several ways (alef
// with or without hamza or madda, final yeh or alef maksura, teh marbuta
// or heh, the Maghrebi qaf) and French letters without their accents, which
// phones add or leave out ("Médina", "Medina").
func SpellingKey(s string) string {
	var b strings.Builder
	for _, f := range strings.Fields(s) {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		for _, r := range f {
			if r == '\u0640' || (r >= '\u064B' && r <= '\u0652') || r == '\u0670' {
				continue
			}
			r = unicode.ToLower(r)
			if base, ok := letterForms[r]; ok {
				r = base
			}
			b.WriteRune(r)
		}
	}
	return b.String()
}

// letterForms maps a letter to the one form SpellingKey keeps of it.
var letterForms = map[rune]rune{
	'أ': 'ا', 'إ': 'ا', 'آ': 'ا', 'ٱ': 'ا',
	'ى': 'ي', 'ئ': 'ي', 'ة': 'ه', 'ؤ': 'و',
	'ڨ': 'ق', 'ڤ': 'ف', 'ک': 'ك', 'ی': 'ي',
	'à': 'a', 'â': 'a', 'ä': 'a', 'á': 'a',
	'é': 'e', 'è': 'e', 'ê': 'e', 'ë': 'e',
	'î': 'i', 'ï': 'i', 'í': 'i',
	'ô': 'o', 'ö': 'o', 'ó': 'o',
	'ù': 'u', 'û': 'u', 'ü': 'u', 'ú': 'u',
	'ç': 'c', 'ÿ': 'y',
}

// Directory is a validated set of departments, categories and districts,
// kept in the order they were written so lists render the way the admin
// wrote them. It never changes once built: an edit makes a new one, so a
// *Directory is safe for concurrent use and its accessors return copies.
type Directory struct {
	departments []Department
	categories  []Category
	districts   []District
	department  map[string]int
	category    map[string]int
	district    map[string]int // by code
	spelling    map[string]int // by SpellingKey of a name or spelling
}

// newDirectory indexes lists it takes ownership of. It never fails: a
// later entry with the code of an earlier one, or a spelling of an earlier
// district, wins, though validation never lets that happen.
func newDirectory(deps []Department, cats []Category, dists []District) *Directory {
	d := &Directory{
		departments: deps, categories: cats, districts: dists,
		department: make(map[string]int, len(deps)), category: make(map[string]int, len(cats)),
		district: make(map[string]int, len(dists)), spelling: map[string]int{},
	}
	for i, dep := range deps {
		d.department[dep.Code] = i
	}
	for i, c := range cats {
		d.category[c.Code] = i
	}
	for i, dist := range dists {
		d.district[dist.Code] = i
		for _, k := range dist.keys() {
			d.spelling[k] = i
		}
	}
	return d
}

// file is the on-disk shape of a directory.
type file struct {
	Departments []Department `json:"departments"`
	Categories  []Category   `json:"categories"`
	Districts   []District   `json:"districts"`
}

// defaultDirectory is the embedded file, parsed once: a *Directory never
// changes, so every caller may share it.
var defaultDirectory = sync.OnceValue(func() *Directory {
	d, err := Parse(bytes.NewReader(defaultFile))
	if err != nil {
		panic(fmt.Sprintf("directory: embedded default.json: %v", err))
	}
	return d
})

// Default returns the directory embedded in Bayt, which an empty directory
// stream stands for. It panics only if the embedded file is broken, which a
// test rules out before release.
func Default() *Directory { return defaultDirectory() }

// Parse reads a directory file and validates it: codes are unique
// snake_case, every name has its three languages, every category's
// department exists, SLA days are within 1..MaxSLADays, themes are known
// and no name or spelling belongs to two districts. Districts are
// optional. Unknown fields are refused so that a misspelt key is not
// silently dropped. Every problem found is reported, joined, as a
// *domain.InvalidError whose Field points into the file (e.g.
// "categories[2].sla_days").
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

	var errs []error
	if len(f.Departments) == 0 {
		errs = append(errs, domain.Invalid("departments", "at least one is required"))
	}
	if len(f.Categories) == 0 {
		errs = append(errs, domain.Invalid("categories", "at least one is required"))
	}
	// Each entry is checked against those before it, as if the admin had
	// saved them one after another.
	d := newDirectory(nil, nil, nil)
	for i, dep := range f.Departments {
		at := fileFields(fmt.Sprintf("departments[%d]", i))
		errs = append(errs, checkDepartment(at, dep))
		if _, dup := d.Department(dep.Code); dup {
			errs = append(errs, domain.Invalid(at("code"), "duplicate code "+dep.Code))
			continue
		}
		d = d.withDepartment(dep)
	}
	for i, cat := range f.Categories {
		at := fileFields(fmt.Sprintf("categories[%d]", i))
		errs = append(errs, checkCategory(at, cat, d))
		if _, dup := d.Category(cat.Code); dup {
			errs = append(errs, domain.Invalid(at("code"), "duplicate code "+cat.Code))
			continue
		}
		d = d.withCategory(cat)
	}
	for i, dist := range f.Districts {
		at := fileFields(fmt.Sprintf("districts[%d]", i))
		errs = append(errs, checkDistrict(at, dist, d))
		if _, dup := d.district[dist.Code]; dup {
			errs = append(errs, domain.Invalid(at("code"), "duplicate code "+dist.Code))
			continue
		}
		d = d.withDistrict(dist)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return d, nil
}

// fields names an entry's fields in errors: "code", "name.ar",
// "department", "sla_days", "theme", "spellings".
type fields func(name string) string

// fileFields names the fields of an entry of a file: "categories[2].code".
func fileFields(prefix string) fields {
	return func(name string) string { return prefix + "." + name }
}

// checkCode accepts short snake_case codes: they appear in URLs, Open311
// service codes and officers' tokens, where anything else is a hazard.
func checkCode(field, code string) error {
	if code == "" {
		return &domain.InvalidError{Field: field, Reason: "required", Rule: domain.RuleRequired}
	}
	if len(code) > MaxCode {
		return &domain.InvalidError{Field: field, Reason: fmt.Sprintf("longer than %d characters", MaxCode), Rule: domain.RuleTooLong, Limit: MaxCode}
	}
	if !ValidCode(code) {
		return domain.Invalid(field, "must be snake_case: a-z, 0-9 and _, starting with a letter")
	}
	return nil
}

// ValidCode reports whether code is snake_case: a-z, 0-9 and _, starting
// with a letter, at most MaxCode long.
func ValidCode(code string) bool {
	if code == "" || len(code) > MaxCode {
		return false
	}
	for i, r := range code {
		lower := r >= 'a' && r <= 'z'
		digitOrUnderscore := r >= '0' && r <= '9' || r == '_'
		if !lower && (i == 0 || !digitOrUnderscore) {
			return false
		}
	}
	return true
}

// checkText refuses a blank or overlong text.
func checkText(field, text string, limit int) error {
	switch n := utf8.RuneCountInString(text); {
	case !utf8.ValidString(text):
		return domain.Invalid(field, "must be valid UTF-8")
	case strings.TrimSpace(text) == "":
		return &domain.InvalidError{Field: field, Reason: "required", Rule: domain.RuleRequired}
	case n > limit:
		return &domain.InvalidError{Field: field, Reason: fmt.Sprintf("at most %d characters", limit), Rule: domain.RuleTooLong, Limit: limit}
	}
	return nil
}

func checkNames(at fields, n Names) error {
	return errors.Join(checkText(at("name.ar"), n.AR, MaxName), checkText(at("name.fr"), n.FR, MaxName), checkText(at("name.en"), n.EN, MaxName))
}

// checkDepartment applies the rules on a department of its own.
func checkDepartment(at fields, dep Department) error {
	return errors.Join(checkCode(at("code"), dep.Code), checkNames(at, dep.Name), checkEmail(at("email"), dep.Email))
}

// MaxEmail bounds a department's address, as SMTP does.
const MaxEmail = 254

// checkEmail accepts "" or something shaped like an address; the mail
// server is the judge of the rest.
func checkEmail(field, email string) error {
	if email == "" {
		return nil
	}
	at := strings.LastIndexByte(email, '@')
	if len(email) > MaxEmail || at < 1 || at == len(email)-1 || strings.ContainsAny(email, " \t\r\n<>,;\"") {
		return domain.Invalid(field, "not an email address")
	}
	return nil
}

// checkCategory applies the rules on a category in d.
func checkCategory(at fields, cat Category, d *Directory) error {
	errs := []error{checkCode(at("code"), cat.Code), checkNames(at, cat.Name)}
	if cat.Department == "" {
		errs = append(errs, &domain.InvalidError{Field: at("department"), Reason: "required", Rule: domain.RuleRequired})
	} else if _, ok := d.Department(cat.Department); !ok {
		errs = append(errs, domain.Invalid(at("department"), fmt.Sprintf("unknown department %q", cat.Department)))
	}
	if cat.SLADays < 1 || cat.SLADays > MaxSLADays {
		errs = append(errs, &domain.InvalidError{Field: at("sla_days"), Reason: fmt.Sprintf("must be between 1 and %d", MaxSLADays), Limit: MaxSLADays})
	}
	if !cat.Theme.Valid() {
		errs = append(errs, domain.Invalid(at("theme"), fmt.Sprintf("unknown theme %q", cat.Theme)))
	}
	return errors.Join(errs...)
}

// checkDistrict applies the rules on a district in d: besides its code and
// names, its spellings are texts of at most MaxSpelling runes, at most
// MaxSpellings of them, and none of its names and spellings may be one of
// another district's, or a lookup could not tell which was meant.
func checkDistrict(at fields, dist District, d *Directory) error {
	errs := []error{checkCode(at("code"), dist.Code), checkNames(at, dist.Name)}
	if len(dist.Spellings) > MaxSpellings {
		errs = append(errs, &domain.InvalidError{Field: at("spellings"), Reason: fmt.Sprintf("at most %d spellings", MaxSpellings), Limit: MaxSpellings})
	}
	for _, s := range dist.Spellings {
		if err := checkText(at("spellings"), s, MaxSpelling); err != nil {
			errs = append(errs, err)
			break
		}
	}
	for _, l := range []struct{ field, text string }{
		{"name.ar", dist.Name.AR}, {"name.fr", dist.Name.FR}, {"name.en", dist.Name.EN},
	} {
		if other, ok := d.spelledBy(l.text, dist.Code); ok {
			errs = append(errs, &domain.InvalidError{Field: at(l.field), Reason: "already names district " + other})
		}
	}
	for _, s := range dist.Spellings {
		if other, ok := d.spelledBy(s, dist.Code); ok {
			errs = append(errs, &domain.InvalidError{Field: at("spellings"), Reason: fmt.Sprintf("%q already names district %s", s, other)})
			break
		}
	}
	return errors.Join(errs...)
}

// spelledBy returns the code of the district other than code that text
// names, if any.
func (d *Directory) spelledBy(text, code string) (string, bool) {
	i, ok := d.spelling[SpellingKey(text)]
	if !ok || d.districts[i].Code == code {
		return "", false
	}
	return d.districts[i].Code, true
}

// withDepartment returns a copy of d with dep replacing the department of
// its code, or added last. d itself does not change.
func (d *Directory) withDepartment(dep Department) *Directory {
	i, ok := d.department[dep.Code]
	return newDirectory(replaced(d.departments, dep, i, ok), slices.Clone(d.categories), d.cloneDistricts())
}

// withCategory is withDepartment for a category.
func (d *Directory) withCategory(cat Category) *Directory {
	i, ok := d.category[cat.Code]
	return newDirectory(slices.Clone(d.departments), replaced(d.categories, cat, i, ok), d.cloneDistricts())
}

// withDistrict is withDepartment for a district.
func (d *Directory) withDistrict(dist District) *Directory {
	dists := d.cloneDistricts()
	if i, ok := d.district[dist.Code]; ok {
		dists[i] = dist.clone()
	} else {
		dists = append(dists, dist.clone())
	}
	return newDirectory(slices.Clone(d.departments), slices.Clone(d.categories), dists)
}

func (d *Directory) cloneDistricts() []District {
	out := make([]District, len(d.districts))
	for i, dist := range d.districts {
		out[i] = dist.clone()
	}
	return out
}

// replaced returns a copy of list with v at index i when found, or
// appended.
func replaced[T any](list []T, v T, i int, found bool) []T {
	out := slices.Clone(list)
	if found {
		out[i] = v
		return out
	}
	return append(out, v)
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

// District returns the district whose code is s, or which s names in any
// language or known spelling, as SpellingKey compares them.
func (d *Directory) District(s string) (District, bool) {
	i, ok := d.district[s]
	if !ok {
		if i, ok = d.spelling[SpellingKey(s)]; !ok {
			return District{}, false
		}
	}
	return d.districts[i].clone(), true
}

// Categories returns every category in the order written. The slice is a
// copy the caller may keep or change.
func (d *Directory) Categories() []Category {
	return append([]Category(nil), d.categories...)
}

// Departments returns every department in the order written. The slice is
// a copy the caller may keep or change.
func (d *Directory) Departments() []Department {
	return append([]Department(nil), d.departments...)
}

// Districts returns every district in the order written. The slice, and
// each district's spellings, are copies the caller may keep or change.
func (d *Directory) Districts() []District { return d.cloneDistricts() }
