package web

import (
	"context"
	"crypto/subtle"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/transport"
)

// StaffToken is a staff credential as the console lists it: never its
// secret.
type StaffToken struct {
	ID         string
	Name       string
	Role       domain.Role
	Department string
	CreatedAt  time.Time
	ExpiresAt  time.Time // zero: until revoked
	RevokedAt  time.Time // zero: live
}

// Staff is the console's door: signing in with a token into a session
// kept on the server, and, for admins, the tokens themselves. Session
// returns domain.ErrUnauthenticated for a session that is unknown, idle
// for longer than idle, or whose token was revoked or expired.
type Staff interface {
	OpenSession(ctx context.Context, tokenSecret string) (session string, actor domain.Actor, err error)
	Session(ctx context.Context, session string, idle time.Duration) (domain.Actor, error)
	CloseSession(ctx context.Context, session string) error
	CreateToken(ctx context.Context, name string, role domain.Role, department string, expires time.Time) (secret string, tok StaffToken, err error)
	ListTokens(ctx context.Context) ([]StaffToken, error)
	RevokeToken(ctx context.Context, id string) error
}

// Vault reads a reporter's contact details, for advocates and admins.
type Vault interface {
	Get(ctx context.Context, subject string) (domain.PersonalData, error)
}

const (
	// sessionCookie holds the session's secret; the server keeps only its
	// hash.
	sessionCookie = "bayt_session"
	// signInCookie holds the sign-in form's CSRF secret, before there is
	// a session to bind the form to.
	signInCookie = "bayt_signin"
	// csrfField is the hidden field every console form carries.
	csrfField = "csrf_token"
	// csrfPurpose keys the hash that makes a session's CSRF value.
	csrfPurpose = "console.csrf"
	// defaultSessionIdle ends a console session unused for a working day.
	defaultSessionIdle = 8 * time.Hour
)

// staffRequest is a console request from a signed-in member of staff.
type staffRequest struct {
	actor domain.Actor
	csrf  string // the value the session's forms carry
	// photos are the files a form with a file field posted.
	photos [][]byte
}

// Allowed roles of a console page.
var (
	anyStaff     = []domain.Role{domain.RoleAdmin, domain.RoleAdvocate, domain.RoleOfficer}
	advocates    = []domain.Role{domain.RoleAdmin, domain.RoleAdvocate}
	adminsOnly   = []domain.Role{domain.RoleAdmin}
	errNoSession = errors.New("no console session")
)

// consoleRoutes registers the staff console ("Staff console" of the API
// contract). Every route but the sign-in form and the sign-in itself
// needs a session; every POST needs the session's CSRF value and a
// same-site origin.
func (s *Server) consoleRoutes() {
	if s.cfg.Staff == nil {
		return
	}
	s.mux.HandleFunc("GET /console", s.consoleHome)
	s.mux.HandleFunc("GET /console/{$}", s.consoleHome)
	s.mux.HandleFunc("POST /console/session", s.signIn)
	s.mux.HandleFunc("POST /console/logout", s.staffOnly(anyStaff, s.signOut))
	s.mux.HandleFunc("GET /console/inbox", s.staffOnly(anyStaff, s.inbox))
	s.consoleCaseRoutes()
	s.consoleIntakeRoutes()
	s.consoleCampaignRoutes()
	s.consoleAdminRoutes()
	// A console path that is not a page is the console's own not-found,
	// behind the session like every other console page.
	s.mux.HandleFunc("GET /console/", s.staffOnly(anyStaff, func(w http.ResponseWriter, r *http.Request, d *pageData, _ staffRequest) {
		s.renderError(w, r, d, http.StatusNotFound, "not_found")
	}))
}

// staffHandler serves a console page to a signed-in member of staff.
type staffHandler func(w http.ResponseWriter, r *http.Request, d *pageData, sr staffRequest)

// staffOnly wraps a console page: it finds the session (a request without
// one goes to the sign-in form, and changes nothing), refuses a role the
// page is not for (403), and for a POST checks the origin and the CSRF
// field (403) before anything is read or changed. The actor goes into the
// request's metadata, so that every event the page records names them.
func (s *Server) staffOnly(roles []domain.Role, h staffHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		d := s.data(r, "console")
		actor, csrf, err := s.session(r)
		if err != nil {
			if errors.Is(err, errNoSession) || domain.KindOf(err) == domain.KindUnauthenticated {
				clearCookie(w, r, sessionCookie)
				if r.Method == http.MethodGet || r.Method == http.MethodHead {
					http.Redirect(w, r, d.Link("/console"), http.StatusSeeOther)
					return
				}
				s.renderError(w, r, d, http.StatusForbidden, "signed_out")
				return
			}
			s.fail(w, r, d, err)
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		d.Staff = &staffNav{Name: actor.Name, Role: string(actor.Role), Department: actor.Department, CSRF: csrf,
			Advocate: actor.Role.Staff(), Admin: actor.Role == domain.RoleAdmin}
		if !slices.Contains(roles, actor.Role) {
			s.renderError(w, r, d, http.StatusForbidden, "role")
			return
		}
		var photos [][]byte
		if r.Method == http.MethodPost {
			if !s.crossSite.FormAllowed(r) {
				s.renderError(w, r, d, http.StatusForbidden, "forbidden")
				return
			}
			if s.cfg.Photos != nil && isMultipart(r) {
				var (
					cancel context.CancelFunc
					ok     bool
				)
				if r, photos, cancel, ok = s.readPhotoForm(w, r, d, 1); !ok {
					return
				}
				defer cancel()
			} else if !s.parseConsoleForm(w, r, d) {
				return
			}
			if subtle.ConstantTimeCompare([]byte(r.PostForm.Get(csrfField)), []byte(csrf)) != 1 {
				s.renderError(w, r, d, http.StatusForbidden, "csrf")
				return
			}
		}
		meta := domain.MetadataFrom(r.Context())
		meta.Actor = actor
		r = r.WithContext(domain.WithMetadata(r.Context(), meta))
		h(w, r, d, staffRequest{actor: actor, csrf: csrf, photos: photos})
	}
}

// parseConsoleForm reads a posted form of at most transport.MaxBody
// bytes, answering a bad or too large one itself.
func (s *Server) parseConsoleForm(w http.ResponseWriter, r *http.Request, d *pageData) bool {
	r.Body = http.MaxBytesReader(w, r.Body, transport.MaxBody)
	if err := r.ParseForm(); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			s.renderError(w, r, d, http.StatusRequestEntityTooLarge, "bad")
			return false
		}
		s.renderError(w, r, d, http.StatusBadRequest, "bad")
		return false
	}
	return true
}

// session returns the actor of the request's console session and the
// CSRF value its forms carry: a keyed hash of the session's secret, so
// that nothing more is stored and nobody without the secret can make it.
func (s *Server) session(r *http.Request) (domain.Actor, string, error) {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return domain.Actor{}, "", errNoSession
	}
	actor, err := s.cfg.Staff.Session(r.Context(), c.Value, s.sessionIdle())
	if err != nil {
		return domain.Actor{}, "", err
	}
	return actor, s.cfg.KeyedHashFunc(csrfPurpose, c.Value), nil
}

func (s *Server) sessionIdle() time.Duration {
	if s.cfg.SessionIdle > 0 {
		return s.cfg.SessionIdle
	}
	return defaultSessionIdle
}

// signInBody is the sign-in form.
type signInBody struct {
	CSRF  string
	Error string
}

// consoleHome is /console: the sign-in form, or the inbox for someone
// signed in.
func (s *Server) consoleHome(w http.ResponseWriter, r *http.Request) {
	d := s.data(r, "console")
	if _, _, err := s.session(r); err == nil {
		http.Redirect(w, r, d.Link("/console/inbox"), http.StatusSeeOther)
		return
	} else if !errors.Is(err, errNoSession) && domain.KindOf(err) != domain.KindUnauthenticated {
		s.fail(w, r, d, err)
		return
	}
	s.showSignIn(w, r, d, http.StatusOK, "")
}

// showSignIn renders the sign-in form with a fresh CSRF secret in a
// cookie of its own: double submission, since there is no session yet to
// bind the form to.
func (s *Server) showSignIn(w http.ResponseWriter, r *http.Request, d *pageData, status int, errKey string) {
	secret := newFormKey()
	http.SetCookie(w, &http.Cookie{
		Name: signInCookie, Value: secret, Path: "/console", HttpOnly: true, Secure: transport.Secure(r),
		SameSite: http.SameSiteStrictMode, MaxAge: int(time.Hour / time.Second),
	})
	w.Header().Set("Cache-Control", "no-store")
	d.Title = d.T("console.signin.title")
	body := signInBody{CSRF: secret}
	if errKey != "" {
		body.Error = d.T(errKey)
	}
	d.Body = body
	s.render(w, r, status, "console-signin", d)
}

// signIn is POST /console/session: the token in the form opens a session
// (303 to /console); a wrong token shows the form again (401) and opens
// nothing. The token travels in the body only, never in an address.
func (s *Server) signIn(w http.ResponseWriter, r *http.Request) {
	d := s.data(r, "console")
	if !s.crossSite.FormAllowed(r) {
		s.renderError(w, r, d, http.StatusForbidden, "forbidden")
		return
	}
	if !s.parseConsoleForm(w, r, d) {
		return
	}
	c, err := r.Cookie(signInCookie)
	if err != nil || !validFormKey(c.Value) || subtle.ConstantTimeCompare([]byte(r.PostForm.Get(csrfField)), []byte(c.Value)) != 1 {
		s.showSignIn(w, r, d, http.StatusForbidden, "console.signin.expired")
		return
	}
	session, actor, err := s.cfg.Staff.OpenSession(r.Context(), strings.TrimSpace(r.PostForm.Get("token")))
	if err != nil {
		if domain.KindOf(err) == domain.KindUnauthenticated {
			s.log.InfoContext(r.Context(), "console sign-in refused", "client", transport.ClientAddress(r))
			s.showSignIn(w, r, d, http.StatusUnauthorized, "console.signin.wrong")
			return
		}
		s.fail(w, r, d, err)
		return
	}
	s.log.InfoContext(r.Context(), "console sign-in", "token_id", actor.ID, "role", actor.Role)
	clearCookie(w, r, signInCookie)
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: session, Path: "/console", HttpOnly: true, Secure: transport.Secure(r),
		SameSite: http.SameSiteLaxMode,
	})
	http.Redirect(w, r, d.Link("/console"), http.StatusSeeOther)
}

// signOut ends the session for good, on the server as in the browser.
func (s *Server) signOut(w http.ResponseWriter, r *http.Request, d *pageData, _ staffRequest) {
	c, _ := r.Cookie(sessionCookie)
	if c != nil {
		if err := s.cfg.Staff.CloseSession(r.Context(), c.Value); err != nil {
			s.fail(w, r, d, err)
			return
		}
	}
	clearCookie(w, r, sessionCookie)
	http.Redirect(w, r, d.Link("/console"), http.StatusSeeOther)
}

func clearCookie(w http.ResponseWriter, r *http.Request, name string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: "/console", MaxAge: -1, HttpOnly: true, Secure: transport.Secure(r)})
}

// staffNav is what the console's layout shows of who is signed in, and
// the CSRF value its forms carry.
type staffNav struct {
	Name, Role, Department string
	CSRF                   string
	Advocate, Admin        bool
}

// consoleRedirect answers a console form that succeeded: 303 back to
// path, in the page's language.
func consoleRedirect(w http.ResponseWriter, r *http.Request, d *pageData, path string, query url.Values) {
	target := d.Link(path)
	if len(query) > 0 {
		sep := "?"
		if strings.Contains(target, "?") {
			sep = "&"
		}
		target += sep + query.Encode()
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}
