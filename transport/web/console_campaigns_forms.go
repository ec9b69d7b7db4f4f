package web

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/domain/campaign"
)

// The campaign and organisation pages of the console hold many small
// forms on one page. Each has a key ("plan", "held:act-…"); a refusal
// names the form it answers, so the page shows the reason next to that
// form, with what was posted, and every other form as it was.

// netForm is one form of a campaign or organisation page.
type netForm struct {
	Key, ID, Action string
	Version         int64 // the stream's version the form was shown at: its If-Match
	Hidden          []hiddenField
	Fields          []formField
	// Checks are groups of checkboxes (an organisation's themes).
	Checks []checkGroup
	// Messages are the refusal's reasons that no field of the form holds.
	Messages []string
	Submit   string
	// Others are further submit buttons posting the same fields elsewhere
	// (a commitment fulfilled or broken).
	Others []formButton
	// Refused says that this form was just refused: a folded form opens.
	Refused bool
	Page    *pageData
}

type hiddenField struct{ Name, Value string }

type formButton struct{ Action, Label string }

// checkGroup is a fieldset of checkboxes sharing one name.
type checkGroup struct {
	Name, ID, Legend, Error string
	Options                 []option
}

// netRefusal is a form refused: which one, why, and what it held.
type netRefusal struct {
	Form string
	// Message is the reason for the form as a whole; Fields, the reasons
	// by field name.
	Message string
	Fields  map[string]string
	Values  url.Values
	// shown records the fields whose reason a form displayed.
	shown map[string]bool
}

// Summary lists every reason of the refusal, for the notice at the top of
// the page.
func (ref *netRefusal) Summary() []string {
	if ref == nil {
		return nil
	}
	var out []string
	if ref.Message != "" {
		out = append(out, ref.Message)
	}
	var fields []string
	for _, m := range ref.Fields {
		if !slices.Contains(fields, m) && m != ref.Message {
			fields = append(fields, m)
		}
	}
	slices.Sort(fields)
	return append(out, fields...)
}

// newNetForm starts the form key posting to action, filled from ref when
// ref refused it.
func (d *pageData) newNetForm(key, action string, version int64, submit string, ref *netRefusal) *netForm {
	f := &netForm{Key: key, ID: "form-" + domID(key), Action: d.Link(action), Version: version, Submit: d.T(submit), Page: d}
	if ref != nil && ref.Form == key && ref.Message != "" {
		f.Messages = append(f.Messages, ref.Message)
	}
	return f
}

// refused reports whether ref answers f.
func (f *netForm) refused(ref *netRefusal) bool { return ref != nil && ref.Form == f.Key }

// field adds a field named name (as in the JSON body) labelled by the
// message labelKey; on a refused form it shows what was posted and the
// field's reason.
func (f *netForm) field(ref *netRefusal, name, labelKey, kind, value string, max int, required bool) *formField {
	d := f.Page
	ff := formField{
		Name: name, ID: f.ID + "-" + domID(name), Label: d.T(labelKey), Kind: kind, Value: value,
		Max: max, Required: required, Autocomplete: "off",
	}
	if f.refused(ref) {
		ff.Value = ref.Values.Get(name)
		if msg := ref.Fields[name]; msg != "" {
			ff.Error = msg
			ref.markShown(name)
		}
	}
	d.describe(&ff, labelKey+"_hint")
	f.Fields = append(f.Fields, ff)
	return &f.Fields[len(f.Fields)-1]
}

// choice adds a select of options, the one valued value chosen.
func (f *netForm) choice(ref *netRefusal, name, labelKey, value string, required bool, opts []option) {
	ff := f.field(ref, name, labelKey, "select", value, 0, required)
	for _, o := range opts {
		o.Selected = o.Value == ff.Value
		ff.Options = append(ff.Options, o)
	}
}

func (ref *netRefusal) markShown(name string) {
	if ref.shown == nil {
		ref.shown = map[string]bool{}
	}
	ref.shown[name] = true
}

// finish adds to the refused form the reasons none of its fields showed:
// a refusal is never silent.
func (f *netForm) finish(ref *netRefusal) *netForm {
	if !f.refused(ref) {
		return f
	}
	f.Refused = true
	names := make([]string, 0, len(ref.Fields))
	for name := range ref.Fields {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if msg := ref.Fields[name]; !ref.shown[name] && !slices.Contains(f.Messages, msg) {
			f.Messages = append(f.Messages, msg)
		}
	}
	return f
}

// domID turns a form key or a field name into a piece of an element id.
func domID(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '-'
	}, s)
}

// formUnreadable holds the fields a form could not even read, by name, as
// message keys: a count that is no number, a date in no known form. The
// domain is not asked about a form it could not be given.
type formUnreadable map[string]string

func (e formUnreadable) Error() string { return "unreadable form fields" }

// formReader reads a posted form's numbers and dates, noting those it
// cannot read.
type formReader struct {
	form url.Values
	bad  formUnreadable
}

func (fr *formReader) fail(name, key string) {
	if fr.bad == nil {
		fr.bad = formUnreadable{}
	}
	fr.bad[name] = key
}

// Err returns the fields that could not be read, or nil.
func (fr *formReader) Err() error {
	if len(fr.bad) == 0 {
		return nil
	}
	return fr.bad
}

// Int reads a whole number; an empty field is zero, which the domain
// judges.
func (fr *formReader) Int(name string) int {
	s := strings.TrimSpace(fr.form.Get(name))
	if s == "" {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		fr.fail(name, "cw.err.number")
	}
	return n
}

// Time reads a moment as an <input type="datetime-local"> or type="date"
// sends it, or in RFC 3339. The pages show every time in UTC, so a time
// without a zone is read as UTC too; a date alone is the start of its day,
// or, with endOfDay, its last second: a commitment due by a day is kept
// if kept that day. An empty field is the zero time, which the domain
// judges.
func (fr *formReader) Time(name string, endOfDay bool) time.Time {
	s := strings.TrimSpace(fr.form.Get(name))
	if s == "" {
		return time.Time{}
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05"} {
		if t, err := time.ParseInLocation(layout, s, time.UTC); err == nil {
			return t
		}
	}
	if t, err := time.ParseInLocation("2006-01-02", s, time.UTC); err == nil {
		if endOfDay {
			t = t.Add(24*time.Hour - time.Second)
		}
		return t
	}
	fr.fail(name, "cw.err.date")
	return time.Time{}
}

// formVersion reads the hidden version field: the version of the stream
// the page was shown at, so that a change made meanwhile by someone else
// is refused rather than overwritten. A form without one (a script's)
// acts on whatever version there is.
func formVersion(form url.Values) (domain.UpdateOptions, bool) {
	s := strings.TrimSpace(form.Get("version"))
	if s == "" {
		return domain.UpdateOptions{IfMatch: domain.AnyVersion}, true
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v < 1 {
		return domain.UpdateOptions{}, false
	}
	return domain.UpdateOptions{IfMatch: v}, true
}

// netRefusalOf turns err into a refusal of form, in the page's language,
// with the status it is answered with; stream names what changed meanwhile
// ("cw" for a campaign, "corg" for an organisation). It reports false for
// an error that is no refusal (not found, internal), which the caller
// answers as a page of its own.
func (d *pageData) netRefusalOf(err error, form, stream string, posted url.Values) (*netRefusal, int, bool) {
	ref := &netRefusal{Form: form, Values: posted, Fields: map[string]string{}}
	var (
		unreadable formUnreadable
		tr         *domain.TransitionError
		vc         *domain.VersionConflictError
	)
	switch {
	case errors.As(err, &unreadable):
		for name, key := range unreadable {
			ref.Fields[name] = d.T(key)
		}
		return ref, http.StatusUnprocessableEntity, true
	case errors.As(err, &vc):
		ref.Message = d.T(stream + ".err.stale")
		return ref, http.StatusConflict, true
	case errors.As(err, &tr):
		switch tr.Status {
		case "":
			return nil, 0, false // nothing there to act on: not found
		case string(campaign.StatusClosed):
			ref.Message = d.T("cw.err.closed")
		case string(campaign.CommitmentStateFulfilled), string(campaign.CommitmentStateBroken):
			ref.Message = d.T("cw.err.settled")
		case "held":
			ref.Message = d.T("cw.err.held")
		default:
			ref.Message = d.T("cw.err.transition")
		}
		return ref, http.StatusConflict, true
	}
	switch domain.KindOf(err) {
	case domain.KindForbidden:
		ref.Message = d.T("cw.err.forbidden")
		return ref, http.StatusForbidden, true
	case domain.KindInvalid:
		d.collectInvalid(err, ref.Fields)
		return ref, http.StatusUnprocessableEntity, true
	}
	return nil, 0, false
}

// collectInvalid puts the reason of every input error in err into out,
// by form field: the first reason of each field.
func (d *pageData) collectInvalid(err error, out map[string]string) {
	errs, _ := inputErrors(err, func(string) bool { return true })
	for name, inv := range errs {
		if strings.HasPrefix(name, "themes[") {
			name = "themes" // the checkboxes are one field on the form
		}
		if _, seen := out[name]; !seen {
			out[name] = d.invalidReason(name, inv)
		}
	}
}

// invalidReason says in the page's language what is wrong with a field:
// by the kind of rule broken, then by field, never by the English reason,
// which is for programs.
func (d *pageData) invalidReason(field string, inv *domain.InvalidError) string {
	switch inv.Rule {
	case domain.RuleRequired:
		return d.T("err.required")
	case domain.RuleTooLong:
		return d.Tf("err.too_long", inv.Limit)
	case domain.RuleTooShort:
		return d.Tf("cw.err.too_short", inv.Limit)
	case domain.RuleOther:
	}
	switch field {
	case "theme", "kind", "outcome", "organisation_id", "lead_organisation", "target_department", "themes":
		return d.T("cw.err.choose")
	case "department_code":
		return d.T("corg.err.department")
	case "case_id":
		return d.T("cw.err.case")
	case "activity_id":
		return d.T("cw.err.activity")
	case "commitment_id":
		return d.T("cw.err.commitment")
	case "member_id":
		return d.T("corg.err.member")
	case "scheduled_for", "due_by":
		return d.T("cw.err.date")
	case "count":
		return d.Tf("cw.err.count", campaign.MaxPaperSignatures)
	case "attendance.women", "attendance.men":
		return d.Tf("cw.err.attendance", campaign.MaxAttendance)
	case "attendance.youth":
		return d.T("cw.err.youth")
	case "attendance.total":
		return d.Tf("cw.err.total", campaign.MaxAttendance)
	case "name":
		return d.T("err.required")
	case "email":
		return d.T("err.email")
	}
	return d.T("err.invalid")
}
