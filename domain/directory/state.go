package directory

import (
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/citizenhouse/bayt/domain"
)

// State is the directory aggregate: the default directory with the events
// of its stream folded in by Apply. The zero State is the default
// directory, as an empty stream is.
type State struct {
	Version   int64     // number of events applied: the stream version
	UpdatedAt time.Time // when the last edit was saved; zero for the default

	dir *Directory // nil: the default
}

// Directory returns the directory as the edits applied so far leave it. It
// never changes afterwards: Apply builds a new one.
func (s *State) Directory() *Directory {
	if s.dir == nil {
		return Default()
	}
	return s.dir
}

// Apply folds e into s. It never validates and never fails: the event is a
// fact already decided. It builds a new *Directory rather than changing the
// one Directory returned, which readers may still hold; copying a State
// and applying events to the copy leaves the original as it was.
func (s *State) Apply(e domain.Event) {
	s.Version++
	d := s.Directory()
	switch e := e.(type) {
	case *DepartmentSaved:
		s.dir, s.UpdatedAt = d.withDepartment(e.department()), e.At
	case *CategorySaved:
		s.dir, s.UpdatedAt = d.withCategory(e.category()), e.At
	case *DistrictSaved:
		s.dir, s.UpdatedAt = d.withDistrict(e.district()), e.At
	}
}

// Statuses of the directory, as domain.Outcome reports them.
const (
	StatusDefault = "default"
	StatusEdited  = "edited"
)

// Status returns StatusDefault until the first edit, then StatusEdited.
func (s *State) Status() string {
	if s.Version == 0 {
		return StatusDefault
	}
	return StatusEdited
}

// Commands. Each carries the acting user and the time of the decision: the
// aggregate never reads the clock. Texts are trimmed before checking and
// recording. New refuses a code already in the directory, so that a form
// meant to add an entry never overwrites one; without it, saving a code
// already there changes that entry, and saving a new code adds it.

// SaveDepartment adds or changes a department.
type SaveDepartment struct {
	Actor      domain.Actor
	Now        time.Time
	New        bool
	Department Department
}

// SaveCategory adds or changes a category. Its department must be in the
// directory.
type SaveCategory struct {
	Actor    domain.Actor
	Now      time.Time
	New      bool
	Category Category
}

// SaveDistrict adds or changes a district. Its spellings replace the
// earlier ones; blank ones, repeats and its own names are dropped.
type SaveDistrict struct {
	Actor    domain.Actor
	Now      time.Time
	New      bool
	District District
}

// Every command method below decides in the same order and stops at the
// first failure:
//
//  1. role: a *domain.ForbiddenError, since only admins edit the directory;
//  2. input: *domain.InvalidError values, every problem at once, joined,
//     under the form's field names: code, name_ar, name_fr, name_en,
//     department, sla_days, theme, spellings.
//
// Saving an entry exactly as it is records nothing. Methods return the
// events to record without applying them: the caller appends them to the
// stream, then applies them.

// commandFields names fields as the forms and JSON bodies do: "name_ar".
func commandFields(name string) string { return strings.ReplaceAll(name, ".", "_") }

// SaveDepartment decides a department's save.
func (s *State) SaveDepartment(cmd SaveDepartment) ([]domain.Event, error) {
	if err := admin(cmd.Actor); err != nil {
		return nil, err
	}
	d := s.Directory()
	dep := Department{Code: strings.TrimSpace(cmd.Department.Code), Name: cmd.Department.Name.trimmed(), Email: strings.TrimSpace(cmd.Department.Email)}
	old, exists := d.Department(dep.Code)
	if err := errors.Join(checkDepartment(commandFields, dep), taken(cmd.New, exists)); err != nil {
		return nil, err
	}
	if exists && old == dep {
		return nil, nil
	}
	return []domain.Event{&DepartmentSaved{Code: dep.Code, Name: dep.Name, Email: dep.Email, At: cmd.Now.UTC()}}, nil
}

// SaveCategory decides a category's save.
func (s *State) SaveCategory(cmd SaveCategory) ([]domain.Event, error) {
	if err := admin(cmd.Actor); err != nil {
		return nil, err
	}
	d := s.Directory()
	cat := cmd.Category
	cat.Code, cat.Name, cat.Department = strings.TrimSpace(cat.Code), cat.Name.trimmed(), strings.TrimSpace(cat.Department)
	cat.Theme = Theme(strings.TrimSpace(string(cat.Theme)))
	old, exists := d.Category(cat.Code)
	if err := errors.Join(checkCategory(commandFields, cat, d), taken(cmd.New, exists)); err != nil {
		return nil, err
	}
	if exists && old == cat {
		return nil, nil
	}
	return []domain.Event{&CategorySaved{
		Code: cat.Code, Name: cat.Name, Department: cat.Department, SLADays: cat.SLADays, Theme: cat.Theme, At: cmd.Now.UTC(),
	}}, nil
}

// SaveDistrict decides a district's save.
func (s *State) SaveDistrict(cmd SaveDistrict) ([]domain.Event, error) {
	if err := admin(cmd.Actor); err != nil {
		return nil, err
	}
	d := s.Directory()
	dist := District{Code: strings.TrimSpace(cmd.District.Code), Name: cmd.District.Name.trimmed()}
	dist.Spellings = spellings(dist.Name, cmd.District.Spellings)
	old, exists := d.district[dist.Code]
	if err := errors.Join(checkDistrict(commandFields, dist, d), taken(cmd.New, exists)); err != nil {
		return nil, err
	}
	if exists {
		if o := d.districts[old]; o.Name == dist.Name && slices.Equal(o.Spellings, dist.Spellings) {
			return nil, nil
		}
	}
	if dist.Spellings == nil {
		dist.Spellings = []string{} // recorded as a list, empty or not
	}
	return []domain.Event{&DistrictSaved{Code: dist.Code, Name: dist.Name, Spellings: dist.Spellings, At: cmd.Now.UTC()}}, nil
}

// spellings returns list trimmed, without blanks, repeats or the
// district's own names, in the order given; nil for none.
func spellings(name Names, list []string) []string {
	seen := []string{SpellingKey(name.AR), SpellingKey(name.FR), SpellingKey(name.EN)}
	var out []string
	for _, s := range list {
		s = strings.TrimSpace(s)
		k := SpellingKey(s)
		if k == "" || slices.Contains(seen, k) {
			continue
		}
		seen = append(seen, k)
		out = append(out, s)
	}
	return out
}

// taken refuses to add a code already in the directory.
func taken(isNew, exists bool) error {
	if isNew && exists {
		return domain.Invalid("code", "already in the directory")
	}
	return nil
}

// admin refuses anyone but an admin: the directory decides where every
// case goes and how long a department has to answer.
func admin(a domain.Actor) error {
	if a.Role != domain.RoleAdmin {
		return domain.Forbidden("only an admin edits the directory")
	}
	return nil
}
