package web

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/domain/casefile"
	"github.com/citizenhouse/bayt/projections/caselist"
	"github.com/citizenhouse/bayt/transport"
)

// consoleCaseRoutes registers the case workbench (/console/cases/{id}) and its actions.
func (s *Server) consoleCaseRoutes() {
	s.mux.HandleFunc("GET /console/cases/{id}", s.staffOnly(anyStaff, s.workbench))
	s.mux.HandleFunc("POST /console/cases/{id}/{action}", s.staffOnly(anyStaff, s.caseAction))
}

// actionContext is what one action of the workbench runs with.
type actionContext struct {
	ctx   context.Context
	cs    *casefile.Service
	id    string
	actor domain.Actor
	form  url.Values
	opts  domain.UpdateOptions
	// photos are the files the form posted, and addPhoto adds one.
	photos   [][]byte
	addPhoto func(ctx context.Context, id string, actor domain.Actor, trackingToken string, file []byte, opts domain.UpdateOptions) (domain.Outcome, error)
}

// caseAction is one form of the workbench: the fields it posts, in the
// order the form shows them, and the command it runs. The commands and
// their field mapping are those of POST /api/v1/cases/{id}/{action}:
// whoever may act and whatever the input, the domain decides.
type caseAction struct {
	fields []string
	run    func(cx actionContext) (domain.Outcome, error)
}

// caseActions are the workbench's forms, by the path's action.
var caseActions = map[string]caseAction{
	"triage": {[]string{"priority", "category", "note"}, func(cx actionContext) (domain.Outcome, error) {
		return cx.cs.Triage(cx.ctx, cx.id, casefile.Triage{Actor: cx.actor, Priority: casefile.Priority(cx.form.Get("priority")),
			Category: cx.form.Get("category"), Note: cx.form.Get("note")}, cx.opts)
	}},
	"reject": {[]string{"reason"}, func(cx actionContext) (domain.Outcome, error) {
		return cx.cs.Reject(cx.ctx, cx.id, casefile.Reject{Actor: cx.actor, Reason: cx.form.Get("reason")}, cx.opts)
	}},
	"merge": {[]string{"into"}, func(cx actionContext) (domain.Outcome, error) {
		return cx.cs.Merge(cx.ctx, cx.id, casefile.Merge{Actor: cx.actor, Into: strings.TrimSpace(cx.form.Get("into"))}, cx.opts)
	}},
	"forward": {[]string{"department", "note"}, func(cx actionContext) (domain.Outcome, error) {
		return cx.cs.Forward(cx.ctx, cx.id, casefile.Forward{Actor: cx.actor, Department: cx.form.Get("department"),
			Note: cx.form.Get("note")}, cx.opts)
	}},
	"acknowledge": {[]string{"reference", "note"}, func(cx actionContext) (domain.Outcome, error) {
		return cx.cs.Acknowledge(cx.ctx, cx.id, casefile.Acknowledge{Actor: cx.actor, Reference: cx.form.Get("reference"),
			Note: cx.form.Get("note")}, cx.opts)
	}},
	"answer": {[]string{"response", "planned_for"}, func(cx actionContext) (domain.Outcome, error) {
		planned, err := formDate(cx.form, "planned_for")
		if err != nil {
			return domain.Outcome{}, err
		}
		return cx.cs.Answer(cx.ctx, cx.id, casefile.Answer{Actor: cx.actor, Response: cx.form.Get("response"), PlannedFor: planned}, cx.opts)
	}},
	"resolve": {[]string{"note"}, func(cx actionContext) (domain.Outcome, error) {
		return cx.cs.Resolve(cx.ctx, cx.id, casefile.Resolve{Actor: cx.actor, Note: cx.form.Get("note")}, cx.opts)
	}},
	// Confirm and reopen on the resident's behalf: staff act as
	// themselves, with no tracking token.
	"confirm": {[]string{"note"}, func(cx actionContext) (domain.Outcome, error) {
		return cx.cs.Confirm(cx.ctx, cx.id, casefile.Confirm{Actor: cx.actor, Note: cx.form.Get("note")}, "", cx.opts)
	}},
	"reopen": {[]string{"reason"}, func(cx actionContext) (domain.Outcome, error) {
		return cx.cs.Reopen(cx.ctx, cx.id, casefile.Reopen{Actor: cx.actor, Reason: cx.form.Get("reason")}, "", cx.opts)
	}},
	"comment": {[]string{"body", "visibility"}, func(cx actionContext) (domain.Outcome, error) {
		return cx.cs.Comment(cx.ctx, cx.id, casefile.Comment{Actor: cx.actor, Body: cx.form.Get("body"),
			Visibility: casefile.Visibility(cx.form.Get("visibility"))}, cx.opts)
	}},
	"moderate": {[]string{"hidden", "public_title", "public_description", "reason"}, func(cx actionContext) (domain.Outcome, error) {
		cmd := casefile.Moderate{Actor: cx.actor, Reason: cx.form.Get("reason")}
		// A field the form did not post keeps what the last moderation
		// decided, as a field the JSON body leaves out.
		if vs := cx.form["hidden"]; len(vs) > 0 {
			// The form posts hidden=false before the checkbox, so the
			// last value is the checkbox's when it is ticked.
			b, err := strconv.ParseBool(vs[len(vs)-1])
			if err != nil {
				return domain.Outcome{}, domain.Invalid("hidden", "must be true or false")
			}
			cmd.Hidden = &b
		}
		if cx.form.Has("public_title") {
			v := cx.form.Get("public_title")
			cmd.PublicTitle = &v
		}
		if cx.form.Has("public_description") {
			v := cx.form.Get("public_description")
			cmd.PublicDescription = &v
		}
		return cx.cs.Moderate(cx.ctx, cx.id, cmd, cx.opts)
	}},
	"photo": {[]string{"photo"}, func(cx actionContext) (domain.Outcome, error) {
		if cx.addPhoto == nil {
			return domain.Outcome{}, domain.Invalid("photo", "photos are not kept here")
		}
		// A form without a file is still asked who posts it: someone who
		// may not add a photo hears that, not that the file is missing.
		var file []byte
		if len(cx.photos) > 0 {
			file = cx.photos[0]
		}
		return cx.addPhoto(cx.ctx, cx.id, cx.actor, "", file, cx.opts)
	}},
	"moderate_photo": {[]string{"photo_id", "hidden", "reason"}, func(cx actionContext) (domain.Outcome, error) {
		vs := cx.form["hidden"] // hidden=false, then the checkbox's true when ticked
		hidden := len(vs) > 0 && vs[len(vs)-1] == "true"
		return cx.cs.ModeratePhoto(cx.ctx, cx.id, casefile.ModeratePhoto{Actor: cx.actor, PhotoID: cx.form.Get("photo_id"),
			Hidden: hidden, Reason: cx.form.Get("reason")}, cx.opts)
	}},
}

// actionOrder is the order in which the workbench shows its forms: the
// case's way through the Citizen's House, then the municipality, then
// what applies in any status.
var actionOrder = []string{"triage", "forward", "reject", "merge", "acknowledge", "answer", "resolve", "confirm", "reopen", "comment", "moderate",
	"photo", "moderate_photo"}

// formDate reads a date input (YYYY-MM-DD) as midnight UTC; an empty one
// is no date.
func formDate(form url.Values, name string) (*time.Time, error) {
	v := strings.TrimSpace(form.Get(name))
	if v == "" {
		return nil, nil
	}
	t, err := time.ParseInLocation(time.DateOnly, v, time.UTC)
	if err != nil {
		return nil, domain.Invalid(name, "must be a date, YYYY-MM-DD")
	}
	return &t, nil
}

// actionState is a refused form, shown again with what was posted.
type actionState struct {
	Action  string
	Values  url.Values
	Errors  map[string]string // by field
	Message string            // the reason, for the whole form
	// Since is the version the form showed, when the case changed since:
	// the timeline's entries after it are what changed.
	Since int64
}

// caseAction runs one form of the workbench: 303 back to the workbench
// when the domain accepted it; otherwise the workbench again, with the
// form as posted and the reason next to it, and nothing recorded.
func (s *Server) caseAction(w http.ResponseWriter, r *http.Request, d *pageData, sr staffRequest) {
	id, name := r.PathValue("id"), r.PathValue("action")
	act, ok := caseActions[name]
	if !casefile.ValidID(id) || !ok {
		s.renderError(w, r, d, http.StatusNotFound, "not_found")
		return
	}
	// Every form carries the version its page showed: a case that changed
	// since is a conflict, never a silent overwrite.
	version, err := strconv.ParseInt(r.PostForm.Get("version"), 10, 64)
	if err != nil || version < 0 {
		s.renderError(w, r, d, http.StatusBadRequest, "bad")
		return
	}
	cx := actionContext{ctx: r.Context(), cs: s.cfg.CaseService, id: id, actor: sr.actor, form: r.PostForm,
		opts: domain.UpdateOptions{IfMatch: version}, photos: sr.photos}
	if s.cfg.Photos != nil {
		cx.addPhoto = s.addPhoto
	}
	_, err = act.run(cx)
	if err == nil {
		consoleRedirect(w, r, d, "/console/cases/"+id, url.Values{"done": {name}})
		return
	}
	st := &actionState{Action: name, Values: r.PostForm}
	var (
		status int
		tr     *domain.TransitionError
		vc     *domain.VersionConflictError
	)
	switch {
	case errors.As(err, &vc):
		status, st.Message, st.Since = http.StatusConflict, d.T("wb.refused.conflict"), version
	case errors.As(err, &tr):
		status, st.Message = http.StatusConflict, d.Tf("wb.refused.transition", d.statusName(casefile.Status(tr.Status)))
	case errors.Is(err, domain.ErrForbidden):
		status, st.Message = http.StatusForbidden, d.forbiddenReason(name, sr.actor)
	case domain.KindOf(err) == domain.KindInvalid:
		errs, ok := d.actionFieldErrors(err, act.fields)
		if !ok {
			s.fail(w, r, d, err)
			return
		}
		status, st.Errors, st.Message = http.StatusUnprocessableEntity, errs, d.T("wb.refused.invalid")
	default:
		s.fail(w, r, d, err)
		return
	}
	s.showWorkbench(w, r, d, sr, status, id, st, "")
}

// forbiddenReason tells an actor why the domain refused them action.
func (d *pageData) forbiddenReason(action string, actor domain.Actor) string {
	switch {
	case actor.Role == domain.RoleOfficer && (action == "acknowledge" || action == "answer" || action == "resolve" || action == "comment"):
		return d.T("wb.refused.department")
	case action == "acknowledge" || action == "answer" || action == "resolve":
		return d.T("wb.refused.officer")
	default:
		return d.T("wb.refused.advocate")
	}
}

// actionFieldErrors translates the input errors in err to messages by
// form field, as fieldErrors does for the report form. It reports false
// when err holds anything else, or an error of a field the form does not
// have: that is not for the person at the form to correct.
func (d *pageData) actionFieldErrors(err error, fields []string) (map[string]string, bool) {
	errs, ok := inputErrors(err, func(field string) bool { return slices.Contains(fields, field) })
	if !ok {
		return nil, false
	}
	out := map[string]string{}
	for field, inv := range errs {
		switch inv.Rule {
		case domain.RuleRequired:
			out[field] = d.T("wb.err.required")
		case domain.RuleTooLong:
			out[field] = d.Tf("wb.err.too_long", inv.Limit)
		default:
			switch field {
			case "priority", "category", "department", "into", "planned_for", "visibility", "photo", "photo_id":
				out[field] = d.T("wb.err." + field)
			default:
				out[field] = d.T("wb.err.invalid")
			}
		}
	}
	return out, true
}

// workbench is the case workbench: the case as its reader may see it,
// the forms they may use, and the timeline.
func (s *Server) workbench(w http.ResponseWriter, r *http.Request, d *pageData, sr staffRequest) {
	id := r.PathValue("id")
	if !casefile.ValidID(id) {
		s.renderError(w, r, d, http.StatusNotFound, "not_found")
		return
	}
	done := r.URL.Query().Get("done")
	if _, ok := caseActions[done]; !ok {
		done = ""
	}
	s.showWorkbench(w, r, d, sr, http.StatusOK, id, nil, done)
}

// moderationView is what staff read of a case's moderation.
type moderationView struct {
	Hidden                             bool
	PublicTitle, PublicDescription     string
	Reason                             string
	ReplacedTitle, ReplacedDescription bool
}

// reporterView is the reporter's contact as advocates and admins read it;
// State is "none", "erased" or "unavailable" when there is nothing to show.
type reporterView struct {
	Name, Phone, Email string
	State              string
}

// checkField is a checkbox of an action's form.
type checkField struct {
	ID, Name, Label string
	Checked         bool
}

// mergeSearch is the search of the merge form: a GET form on the
// workbench, and a button per case found.
type mergeSearch struct {
	Action   string
	Lang     string // the page's language, when the visitor chose it
	Q        string
	Searched bool
	Results  []caseItem
}

// actionForm is one form of the workbench.
type actionForm struct {
	Name, Title, Action, Submit string
	Version                     int64
	Fields                      []formField
	Check                       *checkField
	Message                     string // the refusal, when this form was refused
	Errors                      []fieldError
	Merge                       *mergeSearch
	// Multipart says the form posts a file.
	Multipart bool
}

type workbenchBody struct {
	caseItem
	PublicHref  string // "" for a hidden case
	Description string
	Address     string
	Department  string
	Priority    string
	Due         *stamp
	DueText     string
	Reopened    int
	// Channel is how the report came in, for advocates and admins.
	Channel      string
	RejectReason string
	MergedInto   string
	MergedHref   string
	Hidden       bool
	Moderation   *moderationView
	Reporter     *reporterView
	Done         string
	// Refusal is the reason of a refused form, also shown at the top of
	// the page; RefusalHref points at the form, titled RefusalForm, when
	// the page shows it.
	// Changes are what changed since the form's version, when that was
	// the reason.
	Refusal, RefusalHref, RefusalForm string
	Changes                           []timelineItem
	Forms                             []actionForm
	Verified                          bool
	Timeline                          []timelineItem
	// Photos are the case's photos as the reader may see them: staff see
	// the hidden ones too, marked.
	Photos []galleryPhoto
}

// NotePrefix names the messages of the timeline section.
func (workbenchBody) NotePrefix() string { return "case" }

// showWorkbench renders the workbench of case id with status, and st's
// form as it was posted when st is set.
func (s *Server) showWorkbench(w http.ResponseWriter, r *http.Request, d *pageData, sr staffRequest, status int, id string, st *actionState, done string) {
	d.Nav = "inbox"
	ctx := r.Context()
	loaded, version, err := s.cfg.Cases.Load(ctx, id)
	if err != nil {
		s.fail(w, r, d, err)
		return
	}
	if loaded.Number, err = s.cfg.CaseList.Number(ctx, id); err != nil {
		s.fail(w, r, d, err)
		return
	}
	staff := sr.actor.Role.Staff()
	// Officers read a case as the public does: moderation's texts, and a
	// hidden case not at all, as GET /api/v1/cases/{id} answers them.
	c := loaded
	if !staff {
		p, ok := loaded.Public()
		if !ok {
			s.renderError(w, r, d, http.StatusNotFound, "not_found")
			return
		}
		c = &p
	}
	h, err := s.cfg.Cases.History(ctx, id)
	if err != nil {
		s.fail(w, r, d, err)
		return
	}
	seen, err := casefile.HistoryFor(h, sr.actor)
	if err != nil {
		s.fail(w, r, d, err)
		return
	}
	now := s.now()
	body := workbenchBody{
		caseItem: d.newConsoleItem(c, now), Description: c.Description, Address: c.Address,
		Priority: d.T("priority." + string(c.Priority)), Reopened: c.ReopenedCount, RejectReason: c.RejectReason,
		Hidden: c.Hidden(), Done: done, Verified: seen.Verified, Timeline: d.workbenchTimeline(seen.Events),
	}
	if sr.actor.Role.Staff() {
		body.Channel = d.T("channel." + string(c.Channel.Or()))
	}
	if !c.Hidden() {
		body.PublicHref = d.Link("/cases/" + c.ID)
	}
	if c.Department != "" {
		body.Department = d.departmentName(c.Department)
	}
	if c.DueAt != nil {
		st := d.stamp(*c.DueAt)
		body.Due = &st
		if c.Status.AwaitsDepartment() {
			body.DueText = d.dueText(*c.DueAt, now)
		}
	}
	if c.MergedInto != "" {
		body.MergedInto, body.MergedHref = c.MergedInto, d.Link("/console/cases/"+c.MergedInto)
	}
	if staff {
		if m := c.Moderation; m != nil {
			body.Moderation = &moderationView{Hidden: m.Hidden, PublicTitle: m.PublicTitle, PublicDescription: m.PublicDescription,
				Reason: m.Reason, ReplacedTitle: m.PublicTitle != "", ReplacedDescription: m.PublicDescription != ""}
		}
		body.Reporter = s.reporter(ctx, c.ReporterSubject)
	}
	if st != nil {
		body.Refusal = st.Message
		if st.Since > 0 {
			var changed []domain.Recorded
			for _, e := range seen.Events {
				if e.Version > st.Since {
					changed = append(changed, e)
				}
			}
			body.Changes = d.workbenchTimeline(changed)
		}
	}
	if s.cfg.Photos != nil {
		base := "/photos/"
		if staff {
			base = "/console/photos/" // the hidden ones too, behind the session
		}
		body.Photos = d.gallery(c, base)
	}
	body.Forms = s.actionForms(r, d, sr.actor, c, version, st)
	if st != nil {
		for _, f := range body.Forms {
			if f.Name == st.Action {
				body.RefusalHref, body.RefusalForm = "#act-"+f.Name, f.Title
			}
		}
	}
	d.Title = c.Title
	d.Body = body
	s.render(w, r, status, "console-case", d)
}

// reporter reads the reporter's contact from the vault. An erased or
// absent reporter is a plain line, not an error; nor is a vault that does
// not answer, which must not keep the workbench from opening.
func (s *Server) reporter(ctx context.Context, subject string) *reporterView {
	if subject == "" {
		return &reporterView{State: "none"}
	}
	pd, err := s.cfg.Vault.Get(ctx, subject)
	switch {
	case err == nil && pd.Empty():
		return &reporterView{State: "none"}
	case err == nil:
		return &reporterView{Name: pd.Name, Phone: pd.Phone, Email: pd.Email}
	case errors.Is(err, domain.ErrErased):
		return &reporterView{State: "erased"}
	case errors.Is(err, domain.ErrNotFound):
		return &reporterView{State: "none"}
	default:
		s.log.WarnContext(ctx, "read reporter contact", "err", err,
			"correlation_id", domain.MetadataFrom(ctx).CorrelationID)
		return &reporterView{State: "unavailable"}
	}
}

// dueText says how long a department has left, or how late it is, in
// whole days.
func (d *pageData) dueText(due, now time.Time) string {
	const day = 24 * time.Hour
	left := due.Sub(now)
	if left >= 0 {
		switch n := int(left / day); n {
		case 0:
			return d.T("wb.due_today")
		case 1:
			return d.T("wb.due_left_one")
		default:
			return d.Tf("wb.due_left", n)
		}
	}
	switch n := int(-left / day); n {
	case 0:
		return d.T("wb.due_over_today")
	case 1:
		return d.T("wb.due_over_one")
	default:
		return d.Tf("wb.due_over", n)
	}
}

// workbenchTimeline is the timeline of the events a member of staff may
// see: internal comments say so, and who acted is named for staff, who
// alone read names (domain.History.For). Links to cases go to their
// workbench.
func (d *pageData) workbenchTimeline(events []domain.Recorded) []timelineItem {
	items := d.timeline(events)
	// Items carry their event's hash: the comments and every event with a
	// name are single events, never a collapsed run.
	type extra struct {
		internal bool
		name     string
	}
	byHash := map[string]extra{}
	for _, e := range events {
		var x extra
		if e.Type == casefile.TypeCommentAdded {
			var f struct {
				Visibility casefile.Visibility `json:"visibility"`
			}
			if err := json.Unmarshal(e.Data, &f); err == nil && f.Visibility == casefile.VisibilityInternal {
				x.internal = true
			}
		}
		x.name = e.Metadata.Actor.Name
		if x.internal || x.name != "" {
			byHash[hex.EncodeToString(e.Hash)] = x
		}
	}
	for i := range items {
		it := &items[i]
		if x, ok := byHash[it.Hash]; ok && it.Type != transport.EventName(casefile.TypeCaseSupported) {
			if x.internal {
				it.Label = d.T("wb.internal_comment")
				it.Type += " step-internal"
			}
			if x.name != "" {
				it.Actor += " · " + x.name
			}
		}
		for j := range it.Details {
			if p, ok := strings.CutPrefix(it.Details[j].Href, "/cases/"); ok {
				it.Details[j].Href = "/console/cases/" + p
			}
		}
	}
	return items
}

// actionForms builds the forms the actor may use on c in its status. The
// server does not rely on this: a form posted anyway is decided, and
// refused, by the domain.
func (s *Server) actionForms(r *http.Request, d *pageData, actor domain.Actor, c *casefile.Case, version int64, st *actionState) []actionForm {
	staff := actor.Role.Staff()
	ofDepartment := actor.Role == domain.RoleOfficer && actor.Department != "" && actor.Department == c.Department
	early := c.Status == casefile.StatusReported || c.Status == casefile.StatusTriaged
	show := map[string]bool{
		"triage":         staff && c.Status == casefile.StatusReported,
		"forward":        staff && c.Status == casefile.StatusTriaged,
		"reject":         staff && early,
		"merge":          staff && early,
		"acknowledge":    ofDepartment && c.Status == casefile.StatusForwarded,
		"answer":         ofDepartment && c.Status.AwaitsDepartment(),
		"resolve":        ofDepartment && c.Status.AwaitsDepartment(),
		"confirm":        staff && c.Status == casefile.StatusResolved,
		"reopen":         staff && c.Status == casefile.StatusResolved,
		"comment":        staff || ofDepartment,
		"moderate":       staff,
		"photo":          staff && s.cfg.Photos != nil,
		"moderate_photo": staff && s.cfg.Photos != nil && len(c.Photos) > 0,
	}
	var forms []actionForm
	for _, name := range actionOrder {
		if !show[name] {
			continue
		}
		var posted url.Values
		var errs map[string]string
		f := actionForm{
			Name: name, Title: d.T("wb.act." + name), Submit: d.T("wb.submit." + name), Version: version,
			Action: d.Link("/console/cases/" + c.ID + "/" + name),
		}
		if st != nil && st.Action == name {
			posted, errs, f.Message = st.Values, st.Errors, st.Message
		}
		value := func(field, def string) string {
			if posted != nil {
				return posted.Get(field)
			}
			return def
		}
		field := func(field, kind, def string, max int, required bool) formField {
			ff := formField{
				Name: field, ID: "f-" + name + "-" + field, Label: d.T("wb.field." + name + "." + field), Kind: kind,
				Value: value(field, def), Max: max, Required: required, Autocomplete: "off", Error: errs[field],
			}
			d.describe(&ff, "wb.hint."+name+"."+field)
			return ff
		}
		note := func(fname string, max int, required bool) formField {
			return field(fname, "textarea", "", max, required)
		}
		switch name {
		case "triage":
			priority := field("priority", "select", string(c.Priority), 0, true)
			priority.Options = d.priorityOptions(priority.Value)
			category := field("category", "select", c.Category, 0, false)
			category.Options = d.categoryOptions(category.Value)
			f.Fields = []formField{priority, category, note("note", casefile.MaxNote, false)}
		case "reject":
			f.Fields = []formField{note("reason", casefile.MaxNote, true)}
		case "merge":
			f.Fields = []formField{field("into", "text", "", len(casefile.StreamPrefix)+26, true)}
			f.Merge = s.mergeSearch(r, d, actor, c)
		case "forward":
			def := ""
			if cat, ok := s.cfg.Directory.Category(c.Category); ok {
				def = cat.Department
			}
			dep := field("department", "select", def, 0, true)
			dep.Options = d.departmentOptions(dep.Value)
			f.Fields = []formField{dep, note("note", casefile.MaxNote, false)}
		case "acknowledge":
			f.Fields = []formField{field("reference", "text", "", casefile.MaxReference, false), note("note", casefile.MaxNote, false)}
		case "answer":
			f.Fields = []formField{note("response", casefile.MaxText, true), field("planned_for", "date", "", len(time.DateOnly), false)}
		case "resolve":
			f.Fields = []formField{note("note", casefile.MaxText, true)}
		case "confirm":
			f.Fields = []formField{note("note", casefile.MaxNote, false)}
		case "reopen":
			f.Fields = []formField{note("reason", casefile.MaxNote, true)}
		case "comment":
			// An officer reads only public comments: an internal one would
			// vanish from their own page.
			def := string(casefile.VisibilityInternal)
			if !staff {
				def = string(casefile.VisibilityPublic)
			}
			vis := field("visibility", "select", def, 0, true)
			for _, v := range []casefile.Visibility{casefile.VisibilityInternal, casefile.VisibilityPublic} {
				vis.Options = append(vis.Options, option{Value: string(v), Label: d.T("wb.visibility." + string(v)), Selected: string(v) == vis.Value})
			}
			f.Fields = []formField{note("body", casefile.MaxText, true), vis}
		case "moderate":
			var m casefile.Moderation
			if c.Moderation != nil {
				m = *c.Moderation
			}
			checked := m.Hidden
			if posted != nil {
				vs := posted["hidden"]
				checked = len(vs) > 0 && vs[len(vs)-1] == "true"
			}
			f.Check = &checkField{ID: "f-moderate-hidden", Name: "hidden", Label: d.T("wb.field.moderate.hidden"), Checked: checked}
			f.Fields = []formField{
				field("public_title", "text", m.PublicTitle, casefile.MaxTitle, false),
				field("public_description", "textarea", m.PublicDescription, casefile.MaxDescription, false),
				note("reason", casefile.MaxNote, true),
			}
			if e := errs["hidden"]; e != "" {
				f.Errors = append(f.Errors, fieldError{Name: f.Check.ID, Label: f.Check.Label, Message: e})
			}
		case "photo":
			f.Multipart = true
			f.Fields = []formField{field("photo", "file", "", 0, true)}
		case "moderate_photo":
			which := field("photo_id", "select", "", 0, true)
			for i, p := range c.Photos {
				label := d.Tf("photos.alt", i+1)
				if p.Hidden {
					label += " · " + d.T("wb.photo.hidden")
				}
				which.Options = append(which.Options, option{Value: p.ID, Label: label, Selected: p.ID == which.Value})
			}
			checked := posted != nil && len(posted["hidden"]) > 0 && posted["hidden"][len(posted["hidden"])-1] == "true"
			f.Check = &checkField{ID: "f-moderate_photo-hidden", Name: "hidden", Label: d.T("wb.field.moderate_photo.hidden"), Checked: checked}
			f.Fields = []formField{which, note("reason", casefile.MaxNote, true)}
		}
		for _, ff := range f.Fields {
			if ff.Error != "" {
				f.Errors = append(f.Errors, fieldError{Name: ff.ID, Label: ff.Label, Message: ff.Error})
			}
		}
		forms = append(forms, f)
	}
	return forms
}

// maxMergeQuery bounds the merge search's text, as the API bounds q.
const maxMergeQuery = 200

// mergeLimit is how many cases the merge search shows.
const mergeLimit = 10

// mergeSearch answers the merge form's search (?merge_q=) from the case
// list, leaving out the case itself. A list that cannot be read leaves
// the search empty: the form still takes a case number.
func (s *Server) mergeSearch(r *http.Request, d *pageData, actor domain.Actor, c *casefile.Case) *mergeSearch {
	q := strings.TrimSpace(r.URL.Query().Get("merge_q"))
	for utf8.RuneCountInString(q) > maxMergeQuery {
		_, size := utf8.DecodeLastRuneInString(q)
		q = q[:len(q)-size]
	}
	m := &mergeSearch{Action: "/console/cases/" + c.ID, Lang: strings.TrimPrefix(d.query, "?lang="), Q: q}
	if q == "" {
		return m
	}
	m.Searched = true
	now := s.now()
	page, err := s.cfg.CaseList.List(r.Context(), caselist.Filter{Q: q, Staff: actor.Role.Staff(), Limit: mergeLimit + 1, Now: now})
	if err != nil {
		s.log.WarnContext(r.Context(), "merge search", "err", err)
		return m
	}
	for i := range page.Items {
		if page.Items[i].ID != c.ID && len(m.Results) < mergeLimit {
			m.Results = append(m.Results, d.newConsoleItem(&page.Items[i], now))
		}
	}
	return m
}

func (d *pageData) priorityOptions(selected string) []option {
	var out []option
	for _, p := range []casefile.Priority{casefile.PriorityLow, casefile.PriorityNormal, casefile.PriorityHigh, casefile.PriorityUrgent} {
		out = append(out, option{Value: string(p), Label: d.T("priority." + string(p)), Selected: string(p) == selected})
	}
	return out
}

func (d *pageData) categoryOptions(selected string) []option {
	var out []option
	for _, c := range d.s.cfg.Directory.Categories() {
		out = append(out, option{Value: c.Code, Label: c.Name.In(d.Lang), Selected: c.Code == selected})
	}
	return out
}

// districtOptions offers the directory's districts, named in the page's
// language, with the one text names selected. A text the directory does
// not know is offered too, as written and selected, so that a form sent
// back keeps what came in. None when the directory has no districts.
func (d *pageData) districtOptions(text string) []option {
	dists := d.s.cfg.Directory.Districts()
	if len(dists) == 0 {
		return nil
	}
	selected := d.s.districtCode(text)
	out := make([]option, 0, len(dists)+1)
	known := false
	for _, dist := range dists {
		out = append(out, option{Value: dist.Code, Label: dist.Name.In(d.Lang), Selected: dist.Code == selected})
		known = known || dist.Code == selected
	}
	if !known && text != "" {
		out = append(out, option{Value: text, Label: text, Selected: true})
	}
	return out
}

func (d *pageData) departmentOptions(selected string) []option {
	var out []option
	for _, dep := range d.s.cfg.Directory.Departments() {
		out = append(out, option{Value: dep.Code, Label: dep.Name.In(d.Lang), Selected: dep.Code == selected})
	}
	return out
}
