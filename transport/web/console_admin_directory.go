package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/domain/directory"
)

// DirectoryHistory reads the directory's stream. History returns an
// error of kind not found while the stream is empty (the default
// directory, never edited). It is safe for concurrent use.
type DirectoryHistory interface {
	History(ctx context.Context, id string) (domain.History, error)
}

// The directory's tables, as the page's element ids, the paths its forms
// post to and its messages name them.
const (
	tableDepartments = "departments"
	tableCategories  = "categories"
	tableDistricts   = "districts"
)

// entryFields are the fields each table's form posts, named as in the
// JSON bodies.
var entryFields = map[string][]string{
	tableDepartments: {"code", "name_ar", "name_fr", "name_en", "email"},
	tableCategories:  {"code", "name_ar", "name_fr", "name_en", "department", "sla_days", "theme"},
	tableDistricts:   {"code", "name_ar", "name_fr", "name_en", "spellings"},
}

// entryInput is an entry of the directory as a form holds it: text, as
// shown or as posted.
type entryInput struct {
	Code, NameAR, NameFR, NameEN, Department, SLADays, Theme, Spellings, Email string
	Errors                                                                     map[string]string
}

type dirDepartmentRow struct {
	Code, AR, FR, EN string
	Form             adminForm
}

type dirCategoryRow struct {
	Code, Name, Department, Theme string
	SLADays                       int
	Form                          adminForm
}

type dirDistrictRow struct {
	Code, AR, FR, EN string
	Spellings        []string
	Form             adminForm
}

type directoryBody struct {
	Notice, Error                       string
	Departments                         []dirDepartmentRow
	Categories                          []dirCategoryRow
	Districts                           []dirDistrictRow
	AddDepartment, AddCategory, AddDist adminForm
	Verified                            bool
	Timeline                            []timelineItem
}

// failedEntry is a refused form to show again, open, with what was posted
// and why it was refused.
type failedEntry struct {
	table string
	isNew bool
	in    entryInput
}

// directoryPage shows the directory in force, a form to edit each entry
// and to add one to each table, and the directory's verified history.
func (s *Server) directoryPage(w http.ResponseWriter, r *http.Request, d *pageData, _ staffRequest) {
	notice := ""
	if t := r.URL.Query().Get("saved"); entryFields[t] != nil {
		notice = d.T("admin.dir.saved." + t)
	}
	s.showDirectory(w, r, d, http.StatusOK, notice, "", nil)
}

func (s *Server) showDirectory(w http.ResponseWriter, r *http.Request, d *pageData, status int, notice, errMsg string, failed *failedEntry) {
	d.Title, d.Nav = d.T("admin.dir.title"), "directory"
	d.relink("/console/directory")
	dir := s.cfg.DirectoryService.Directory()
	body := directoryBody{Notice: notice, Error: errMsg}
	// form is the form of an entry: the refused one as posted, or the
	// entry as it stands.
	form := func(table string, isNew bool, in entryInput) adminForm {
		open := false
		if failed != nil && failed.table == table && failed.isNew == isNew && (isNew || failed.in.Code == in.Code) {
			in, open = failed.in, true
		}
		f := s.entryForm(d, dir, table, isNew, in)
		f.Open = open
		return f
	}
	for _, dep := range dir.Departments() {
		body.Departments = append(body.Departments, dirDepartmentRow{
			Code: dep.Code, AR: dep.Name.AR, FR: dep.Name.FR, EN: dep.Name.EN,
			Form: form(tableDepartments, false, entryInput{Code: dep.Code, NameAR: dep.Name.AR, NameFR: dep.Name.FR, NameEN: dep.Name.EN, Email: dep.Email}),
		})
	}
	for _, c := range dir.Categories() {
		body.Categories = append(body.Categories, dirCategoryRow{
			Code: c.Code, Name: c.Name.In(d.Lang), Department: departmentIn(dir, c.Department, d.Lang), Theme: d.themeName(string(c.Theme)), SLADays: c.SLADays,
			Form: form(tableCategories, false, entryInput{
				Code: c.Code, NameAR: c.Name.AR, NameFR: c.Name.FR, NameEN: c.Name.EN,
				Department: c.Department, SLADays: strconv.Itoa(c.SLADays), Theme: string(c.Theme),
			}),
		})
	}
	for _, dist := range dir.Districts() {
		body.Districts = append(body.Districts, dirDistrictRow{
			Code: dist.Code, AR: dist.Name.AR, FR: dist.Name.FR, EN: dist.Name.EN, Spellings: dist.Spellings,
			Form: form(tableDistricts, false, entryInput{
				Code: dist.Code, NameAR: dist.Name.AR, NameFR: dist.Name.FR, NameEN: dist.Name.EN, Spellings: strings.Join(dist.Spellings, "\n"),
			}),
		})
	}
	body.AddDepartment = form(tableDepartments, true, entryInput{})
	body.AddCategory = form(tableCategories, true, entryInput{})
	body.AddDist = form(tableDistricts, true, entryInput{})

	h, err := s.cfg.DirectoryHistory.History(r.Context(), directory.StreamID)
	switch {
	case errors.Is(err, domain.ErrNotFound):
		body.Verified = true // nothing recorded, nothing to doubt
	case err != nil:
		s.fail(w, r, d, err)
		return
	default:
		body.Verified, body.Timeline = h.Verified, d.directoryTimeline(dir, h.Events)
	}
	d.Body = body
	s.render(w, r, status, "console-directory", d)
}

// departmentIn names a department in lang, or gives its code.
func departmentIn(dir *directory.Directory, code, lang string) string {
	if dep, ok := dir.Department(code); ok {
		return dep.Name.In(lang)
	}
	return code
}

// entryForm is the form that adds an entry to table (isNew) or changes
// the entry in. An entry's code never changes: the edit form carries it
// hidden.
func (s *Server) entryForm(d *pageData, dir *directory.Directory, table string, isNew bool, in entryInput) adminForm {
	f := adminForm{Action: d.Link("/console/directory/" + table), New: isNew, Hidden: map[string]string{}}
	if isNew {
		f.ID, f.Legend, f.Submit = table+"-new", d.T("admin.dir.add."+table), d.T("admin.dir.add")
	} else {
		f.ID, f.Legend, f.Submit = table+"-"+in.Code, d.Tf("admin.dir.edit", in.Code), d.T("admin.dir.save")
		f.Hidden["code"] = in.Code
	}
	field := func(name, kind, value string, max int, required bool) formField {
		return d.adminField(f.ID, name, "admin.dir.field."+name, kind, value, max, required, in.Errors)
	}
	if isNew {
		f.Fields = append(f.Fields, field("code", "text", in.Code, directory.MaxCode, true))
	}
	f.Fields = append(f.Fields,
		field("name_ar", "text", in.NameAR, directory.MaxName, true),
		field("name_fr", "text", in.NameFR, directory.MaxName, true),
		field("name_en", "text", in.NameEN, directory.MaxName, true))
	switch table {
	case tableDepartments:
		f.Fields = append(f.Fields, field("email", "email", in.Email, directory.MaxEmail, false))
	case tableCategories:
		deps := []option{{Value: "", Label: d.T("admin.choose")}}
		for _, dep := range dir.Departments() {
			deps = append(deps, option{Value: dep.Code, Label: dep.Name.In(d.Lang), Selected: dep.Code == in.Department})
		}
		themes := []option{{Value: "", Label: d.T("admin.choose")}}
		for _, t := range directory.Themes() {
			themes = append(themes, option{Value: string(t), Label: d.themeName(string(t)), Selected: string(t) == in.Theme})
		}
		dep, sla, theme := field("department", "select", in.Department, 0, true), field("sla_days", "number", in.SLADays, 3, true), field("theme", "select", in.Theme, 0, true)
		dep.Options, theme.Options = deps, themes
		f.Fields = append(f.Fields, dep, sla, theme)
	case tableDistricts:
		f.Fields = append(f.Fields, field("spellings", "textarea", in.Spellings, directory.MaxSpellings*(directory.MaxSpelling+1), false))
	}
	f.Errors = formErrors(f.Fields)
	return f
}

// saveDirectoryEntry is POST /console/directory/{table}: it adds or
// changes an entry through the directory service (mode=add refuses a code
// in use), then answers 303 back to the page with a notice; a refusal
// shows the page again with the form open and the reasons by its fields,
// and changes nothing.
func (s *Server) saveDirectoryEntry(w http.ResponseWriter, r *http.Request, d *pageData, sr staffRequest) {
	table := r.PathValue("table")
	if entryFields[table] == nil {
		s.renderError(w, r, d, http.StatusNotFound, "not_found")
		return
	}
	f := r.PostForm
	in := entryInput{
		Code: f.Get("code"), NameAR: f.Get("name_ar"), NameFR: f.Get("name_fr"), NameEN: f.Get("name_en"),
		Department: f.Get("department"), SLADays: f.Get("sla_days"), Theme: f.Get("theme"), Spellings: f.Get("spellings"),
		Email: f.Get("email"),
	}
	isNew := f.Get("mode") == "add"
	names := directory.Names{AR: in.NameAR, FR: in.NameFR, EN: in.NameEN}
	opts := domain.UpdateOptions{IfMatch: domain.AnyVersion}
	svc := s.cfg.DirectoryService
	var err error
	switch table {
	case tableDepartments:
		_, err = svc.SaveDepartment(r.Context(), directory.SaveDepartment{
			Actor: sr.actor, New: isNew, Department: directory.Department{Code: in.Code, Name: names, Email: in.Email},
		}, opts)
	case tableCategories:
		// A number that does not read is no number of days: the service
		// refuses 0 with the reason the page shows.
		sla, _ := strconv.Atoi(strings.TrimSpace(in.SLADays))
		_, err = svc.SaveCategory(r.Context(), directory.SaveCategory{Actor: sr.actor, New: isNew, Category: directory.Category{
			Code: in.Code, Name: names, Department: in.Department, SLADays: sla, Theme: directory.Theme(in.Theme),
		}}, opts)
	case tableDistricts:
		_, err = svc.SaveDistrict(r.Context(), directory.SaveDistrict{Actor: sr.actor, New: isNew, District: directory.District{
			Code: in.Code, Name: names, Spellings: splitSpellings(in.Spellings),
		}}, opts)
	}
	if err == nil {
		consoleRedirect(w, r, d, "/console/directory", url.Values{"saved": {table}})
		return
	}
	// The form to show again: the row's own, or the add form for a code
	// the table does not have.
	dir := svc.Directory()
	failed := &failedEntry{table: table, isNew: isNew || !hasEntry(dir, table, in.Code), in: in}
	switch domain.KindOf(err) {
	case domain.KindInvalid:
		errs, ok := d.adminFieldErrors(err, entryFields[table], directoryReason(in))
		if !ok {
			s.fail(w, r, d, err)
			return
		}
		failed.in.Errors = errs
		s.showDirectory(w, r, d, http.StatusUnprocessableEntity, "", d.T("admin.dir.refused"), failed)
	case domain.KindConflict:
		s.showDirectory(w, r, d, http.StatusConflict, "", d.T("admin.err.conflict"), failed)
	case domain.KindForbidden:
		s.renderError(w, r, d, http.StatusForbidden, "forbidden")
	default:
		s.fail(w, r, d, err)
	}
}

// hasEntry reports whether table has an entry with code.
func hasEntry(dir *directory.Directory, table, code string) bool {
	var ok bool
	switch table {
	case tableDepartments:
		_, ok = dir.Department(code)
	case tableCategories:
		_, ok = dir.Category(code)
	case tableDistricts:
		var dist directory.District
		dist, ok = dir.District(code)
		ok = ok && dist.Code == code
	}
	return ok
}

// splitSpellings reads the spellings field: one per line, or separated by
// commas, Arabic ones included.
func splitSpellings(text string) []string {
	return strings.FieldsFunc(text, func(r rune) bool { return r == '\n' || r == '\r' || r == ',' || r == '،' })
}

// directoryReason gives the reason, in the page's language, for an input
// error of the directory service on what in posted.
func directoryReason(in entryInput) func(d *pageData, field string, inv *domain.InvalidError) string {
	return func(d *pageData, field string, inv *domain.InvalidError) string {
		switch {
		case inv.Rule == domain.RuleRequired:
			return d.T("admin.err.required")
		case inv.Rule == domain.RuleTooLong && field == "spellings":
			return d.Tf("admin.err.spelling_long", inv.Limit)
		case inv.Rule == domain.RuleTooLong:
			return d.Tf("admin.err.too_long", inv.Limit)
		case field == "code" && directory.ValidCode(strings.TrimSpace(in.Code)):
			return d.T("admin.err.code_taken")
		case field == "code":
			return d.T("admin.err.code")
		case field == "department":
			return d.T("admin.err.department_unknown")
		case field == "sla_days":
			return d.Tf("admin.err.sla_days", directory.MaxSLADays)
		case field == "theme":
			return d.T("admin.err.theme")
		case field == "email":
			return d.T("admin.err.email")
		case field == "spellings" && inv.Limit > 0:
			return d.Tf("admin.err.spellings_count", inv.Limit)
		case field == "spellings", strings.HasPrefix(field, "name_"):
			return d.T("admin.err.name_taken")
		}
		return d.T("admin.err.invalid")
	}
}

// directoryTimeline is the directory's history as the page shows it:
// each edit with what it saved, and who saved it (admins see names).
func (d *pageData) directoryTimeline(dir *directory.Directory, events []domain.Recorded) []timelineItem {
	return d.timelineOf(events, "", "", func(e domain.Recorded, it *timelineItem) {
		name := directory.EventName(e.Type)
		it.Type, it.Label = name, d.T("event."+name)
		if a := e.Metadata.Actor; a.Name != "" {
			it.Actor += " · " + a.Name
		}
		ev, err := directory.Decode(e.Type, e.Data)
		if err != nil {
			return // an edit of a newer Bayt: its label and hash still show
		}
		switch ev := ev.(type) {
		case *directory.DepartmentSaved:
			it.Text = ev.Code + " · " + ev.Name.In(d.Lang)
		case *directory.CategorySaved:
			it.Text = ev.Code + " · " + ev.Name.In(d.Lang)
			it.Details = append(it.Details,
				detail{Label: d.T("admin.dir.field.department"), Value: departmentIn(dir, ev.Department, d.Lang)},
				detail{Label: d.T("admin.dir.field.sla_days"), Value: strconv.Itoa(ev.SLADays)},
				detail{Label: d.T("admin.dir.field.theme"), Value: d.themeName(string(ev.Theme))})
		case *directory.DistrictSaved:
			it.Text = ev.Code + " · " + ev.Name.In(d.Lang)
			if len(ev.Spellings) > 0 {
				it.Details = append(it.Details, detail{Label: d.T("admin.dir.field.spellings"), Value: strings.Join(ev.Spellings, "، ")})
			}
		}
	})
}
