package web

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/citizenhouse/bayt/domain"
)

// consoleAdminRoutes registers the admin pages: tokens (/console/tokens) and the directory (/console/directory).
func (s *Server) consoleAdminRoutes() {
	s.mux.HandleFunc("GET /console/tokens", s.staffOnly(adminsOnly, s.tokensPage))
	s.mux.HandleFunc("POST /console/tokens", s.staffOnly(adminsOnly, s.createToken))
	s.mux.HandleFunc("GET "+tokenCreatedPath, s.staffOnly(adminsOnly, s.tokenCreatedPage))
	s.mux.HandleFunc("POST /console/tokens/{id}/revoke", s.staffOnly(adminsOnly, s.revokeToken))
	if s.cfg.DirectoryService == nil {
		return
	}
	s.mux.HandleFunc("GET /console/directory", s.staffOnly(adminsOnly, s.directoryPage))
	s.mux.HandleFunc("POST /console/directory/{table}", s.staffOnly(adminsOnly, s.saveDirectoryEntry))
}

// tokenRoles are the roles a token may be issued for, in the order the
// form offers them.
var tokenRoles = []domain.Role{domain.RoleAdvocate, domain.RoleOfficer, domain.RoleAdmin}

// Limits of the token form, as the token store checks them.
const (
	maxTokenName = 100
	dateLayout   = "2006-01-02"
)

// tokenRow is a token as the list shows it: never its secret.
type tokenRow struct {
	ID, Name, Role, Department string
	Created                    stamp
	Expires                    *stamp
	Status, StatusName         string // live, revoked or expired
	Revoked                    *stamp
}

// tokenForm is the create form as posted, and its errors.
type tokenForm struct {
	Name, Role, Department, Expires string
	Errors                          map[string]string
}

type tokensBody struct {
	Notice, Error string
	Rows          []tokenRow
	Form          adminForm
}

// adminForm is one form of the admin pages: its fields, the errors found
// in what was posted, and whether it starts open.
type adminForm struct {
	ID, Action, Legend, Submit string
	// New marks a form that adds an entry: it posts mode=add, which
	// refuses a code already in use.
	New    bool
	Hidden map[string]string
	Fields []formField
	Errors []fieldError
	Open   bool
}

// adminFormData is a form with its page, for the "admin-form" template.
type adminFormData struct {
	adminForm
	*pageData
}

// AdminForm gives the "admin-form" template a form and the page's methods.
func (d *pageData) AdminForm(f adminForm) adminFormData { return adminFormData{f, d} }

// tokensPage lists every token and offers the create form.
func (s *Server) tokensPage(w http.ResponseWriter, r *http.Request, d *pageData, _ staffRequest) {
	notice := ""
	if r.URL.Query().Has("revoked") {
		notice = d.T("admin.tokens.revoked")
	}
	s.showTokens(w, r, d, http.StatusOK, notice, tokenForm{})
}

func (s *Server) showTokens(w http.ResponseWriter, r *http.Request, d *pageData, status int, notice string, in tokenForm) {
	d.Title, d.Nav = d.T("admin.tokens.title"), "tokens"
	d.relink("/console/tokens")
	tokens, err := s.cfg.Staff.ListTokens(r.Context())
	if err != nil {
		s.fail(w, r, d, err)
		return
	}
	now := s.now()
	body := tokensBody{Notice: notice, Form: s.tokenForm(d, in)}
	for _, t := range tokens {
		row := tokenRow{ID: t.ID, Name: t.Name, Role: d.T("admin.role." + string(t.Role)), Created: d.stamp(t.CreatedAt), Status: "live"}
		if t.Department != "" {
			row.Department = d.departmentName(t.Department)
		}
		if !t.ExpiresAt.IsZero() {
			st := d.stamp(t.ExpiresAt)
			row.Expires = &st
		}
		switch {
		case !t.RevokedAt.IsZero():
			st := d.stamp(t.RevokedAt)
			row.Status, row.Revoked = "revoked", &st
		case !t.ExpiresAt.IsZero() && !t.ExpiresAt.After(now):
			row.Status = "expired"
		}
		row.StatusName = d.T("admin.tokens.status." + row.Status)
		body.Rows = append(body.Rows, row)
	}
	d.Body = body
	s.render(w, r, status, "console-tokens", d)
}

// tokenForm builds the create form from what was posted.
func (s *Server) tokenForm(d *pageData, in tokenForm) adminForm {
	f := adminForm{ID: "new-token", Action: d.Link("/console/tokens"), Legend: d.T("admin.tokens.create"), Submit: d.T("admin.tokens.submit"), Open: true}
	roles := []option{{Value: "", Label: d.T("admin.choose")}}
	for _, role := range tokenRoles {
		roles = append(roles, option{Value: string(role), Label: d.T("admin.role." + string(role)), Selected: string(role) == in.Role})
	}
	deps := []option{{Value: "", Label: d.T("admin.tokens.no_department")}}
	for _, dep := range s.cfg.Directory.Departments() {
		deps = append(deps, option{Value: dep.Code, Label: dep.Name.In(d.Lang), Selected: dep.Code == in.Department})
	}
	f.Fields = []formField{
		d.adminField(f.ID, "name", "admin.tokens.name", "text", in.Name, maxTokenName, true, in.Errors),
		d.adminField(f.ID, "role", "admin.tokens.role", "select", in.Role, 0, true, in.Errors),
		d.adminField(f.ID, "department", "admin.tokens.department", "select", in.Department, 0, false, in.Errors),
		d.adminField(f.ID, "expires", "admin.tokens.expires", "date", in.Expires, len(dateLayout), false, in.Errors),
	}
	f.Fields[1].Options, f.Fields[2].Options = roles, deps
	f.Errors = formErrors(f.Fields)
	return f
}

// adminField is one field of an admin form, its id unique on the page:
// the form's id, then the field's name. Its hint is the message
// labelKey+"_hint", when there is one.
func (d *pageData) adminField(form, name, labelKey, kind, value string, max int, required bool, errs map[string]string) formField {
	f := formField{
		Name: name, ID: form + "-" + name, Label: d.T(labelKey), Kind: kind, Value: value, Max: max,
		Required: required, Autocomplete: "off", Error: errs[name],
	}
	d.describe(&f, labelKey+"_hint")
	return f
}

// formErrors lists the errors of fields, in their order, for a form's
// summary; its links point at each field's id.
func formErrors(fields []formField) []fieldError {
	var out []fieldError
	for _, f := range fields {
		if f.Error != "" {
			out = append(out, fieldError{Name: f.ID, Label: f.Label, Message: f.Error})
		}
	}
	return out
}

type tokenCreatedBody struct {
	Secret, Name, Role, Department, Back string
	Expires                              *stamp
}

// createToken issues a token from the form and answers 303 to the page
// that shows its secret, this once, carried there in a one-shot cookie
// (see setOneShot). The page is never stored.
func (s *Server) createToken(w http.ResponseWriter, r *http.Request, d *pageData, sr staffRequest) {
	f := r.PostForm
	in := tokenForm{
		Name: f.Get("name"), Role: strings.TrimSpace(f.Get("role")),
		Department: strings.TrimSpace(f.Get("department")), Expires: strings.TrimSpace(f.Get("expires")),
		Errors: map[string]string{},
	}
	switch n := utf8.RuneCountInString(strings.TrimSpace(in.Name)); {
	case n == 0:
		in.Errors["name"] = d.T("admin.err.required")
	case n > maxTokenName:
		in.Errors["name"] = d.Tf("admin.err.too_long", maxTokenName)
	}
	role := domain.Role(in.Role)
	department := in.Department
	switch role {
	case domain.RoleOfficer:
		if department == "" {
			in.Errors["department"] = d.T("admin.err.department_required")
		} else if _, ok := s.cfg.Directory.Department(department); !ok {
			in.Errors["department"] = d.T("admin.err.department_unknown")
		}
	case domain.RoleAdmin, domain.RoleAdvocate:
		// Without JavaScript the department select keeps its choice
		// when the role changes: only an officer's counts.
		department = ""
	default:
		in.Errors["role"] = d.T("admin.err.role")
	}
	var expires time.Time
	if in.Expires != "" {
		day, err := time.Parse(dateLayout, in.Expires)
		// The token works through the day chosen, which the list then
		// shows as its last.
		expires = day.AddDate(0, 0, 1).Add(-time.Second)
		if err != nil || !expires.After(s.now()) {
			in.Errors["expires"] = d.T("admin.err.expires")
		}
	}
	if len(in.Errors) > 0 {
		s.showTokens(w, r, d, http.StatusUnprocessableEntity, "", in)
		return
	}
	secret, tok, err := s.cfg.Staff.CreateToken(r.Context(), in.Name, role, department, expires)
	if err != nil {
		errs, ok := d.adminFieldErrors(err, []string{"name", "role", "department", "expires"}, tokenReason)
		if !ok {
			s.fail(w, r, d, err)
			return
		}
		in.Errors = errs
		s.showTokens(w, r, d, http.StatusUnprocessableEntity, "", in)
		return
	}
	s.log.InfoContext(r.Context(), "console token created", "token_id", tok.ID, "role", tok.Role, "by", sr.actor.ID)
	created := tokenCreated{Secret: secret, Name: tok.Name, Role: string(tok.Role), Department: tok.Department}
	if !tok.ExpiresAt.IsZero() {
		created.Expires = &tok.ExpiresAt
	}
	if err := setOneShot(w, r, tokenCreatedCookie, tokenCreatedPath, created); err != nil {
		s.fail(w, r, d, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, d.Link(tokenCreatedPath), http.StatusSeeOther)
}

// The page that shows a new token's secret, and the one-shot cookie that
// carries it there.
const (
	tokenCreatedPath   = "/console/tokens/created"
	tokenCreatedCookie = "bayt_token_created"
)

// tokenCreated is what the created page shows of a new token.
type tokenCreated struct {
	Secret     string     `json:"secret"`
	Name       string     `json:"name"`
	Role       string     `json:"role"`
	Department string     `json:"department,omitempty"`
	Expires    *time.Time `json:"expires,omitempty"`
}

// tokenCreatedPage shows the secret of the token just created, once; a
// reload goes back to the list of tokens.
func (s *Server) tokenCreatedPage(w http.ResponseWriter, r *http.Request, d *pageData, _ staffRequest) {
	w.Header().Set("Cache-Control", "no-store")
	var tok tokenCreated
	if !takeOneShot(w, r, tokenCreatedCookie, tokenCreatedPath, &tok) || tok.Secret == "" {
		http.Redirect(w, r, d.Link("/console/tokens"), http.StatusSeeOther)
		return
	}
	d.Title, d.Nav = d.T("admin.tokens.created"), "tokens"
	d.relink("/console/tokens")
	body := tokenCreatedBody{Secret: tok.Secret, Name: tok.Name, Role: d.T("admin.role." + tok.Role), Back: d.Link("/console/tokens")}
	if tok.Department != "" {
		body.Department = d.departmentName(tok.Department)
	}
	if tok.Expires != nil {
		st := d.stamp(*tok.Expires)
		body.Expires = &st
	}
	d.Body = body
	s.render(w, r, http.StatusOK, "console-tokens-created", d)
}

// tokenReason is the reason, in the page's language, for an input error
// of the token store. The form checks the name, role and expiry first, so
// the store's refusals are the rare ones left.
func tokenReason(d *pageData, field string, inv *domain.InvalidError) string {
	switch {
	case inv.Rule == domain.RuleRequired:
		return d.T("admin.err.required")
	case field == "role":
		return d.T("admin.err.role")
	case field == "department":
		return d.T("admin.err.department_required")
	case field == "expires":
		return d.T("admin.err.expires")
	}
	return d.T("admin.err.invalid")
}

// revokeToken revokes a token: from its next request on it authenticates
// nobody, and the console sessions opened with it are over.
func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request, d *pageData, sr staffRequest) {
	id := r.PathValue("id")
	// The last admin token that works is never revoked from the
	// console: that would lock every admin out, with only a shell on
	// the server to get back in.
	tokens, err := s.cfg.Staff.ListTokens(r.Context())
	if err != nil {
		s.fail(w, r, d, err)
		return
	}
	now, liveAdmins, target := s.now(), 0, StaffToken{}
	for _, t := range tokens {
		live := t.RevokedAt.IsZero() && (t.ExpiresAt.IsZero() || t.ExpiresAt.After(now))
		if live && t.Role == domain.RoleAdmin {
			liveAdmins++
		}
		if t.ID == id && live {
			target = t
		}
	}
	if target.Role == domain.RoleAdmin && liveAdmins <= 1 {
		s.showTokens(w, r, d, http.StatusConflict, d.T("admin.tokens.last_admin"), tokenForm{})
		return
	}
	if err := s.cfg.Staff.RevokeToken(r.Context(), id); err != nil {
		s.fail(w, r, d, err)
		return
	}
	s.log.InfoContext(r.Context(), "console token revoked", "token_id", id, "by", sr.actor.ID)
	consoleRedirect(w, r, d, "/console/tokens", url.Values{"revoked": {"1"}})
}

// adminFieldErrors translates the input errors in err to messages by
// form field, with reason giving each one's text. It reports false when
// err holds anything else, or an error on a field the form does not
// have: that is not the admin's to correct.
func (d *pageData) adminFieldErrors(err error, fields []string, reason func(d *pageData, field string, inv *domain.InvalidError) string) (map[string]string, bool) {
	errs, ok := inputErrors(err, func(field string) bool { return slices.Contains(fields, field) })
	if !ok {
		return nil, false
	}
	out := map[string]string{}
	for field, inv := range errs {
		out[field] = reason(d, field, inv)
	}
	return out, true
}

// relink points the language switcher at path: a console form's answer
// is shown at the address it was posted to, which is not a page to open.
func (d *pageData) relink(path string) {
	for i := range d.Langs {
		d.Langs[i].Href = path + "?lang=" + d.Langs[i].Code
	}
}
