package api

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/domain/casefile"
	"github.com/citizenhouse/bayt/projections/caselist"
	"github.com/oklog/ulid/v2"
)

// CaseRepository loads and changes cases. Update decides against the
// current state and appends at the version decided on; see
// eventstore.Repository.
type CaseRepository interface {
	Load(ctx context.Context, id string) (*casefile.Case, int64, error)
	Update(ctx context.Context, id string, opts domain.UpdateOptions, decide func(*casefile.Case) ([]domain.Event, error)) (domain.Outcome, error)
	History(ctx context.Context, id string) (domain.History, error)
}

// CaseLister answers GET /api/v1/cases from a read model.
type CaseLister interface {
	List(ctx context.Context, f caselist.Filter) (caselist.Page, error)
}

// Vault keeps personal data outside events. Get returns an error wrapping
// domain.ErrNotFound for an unknown subject and domain.ErrErased for an erased
// one; either way the caller shows nothing.
type Vault interface {
	Put(ctx context.Context, data domain.PersonalData) (subject string, err error)
	Get(ctx context.Context, subject string) (domain.PersonalData, error)
	Erase(ctx context.Context, subject string) error
}

// Idempotency looks up a remembered answer. It returns nil when the key is
// new, and an invalid-input error when the key was used with another
// request.
type Idempotency interface {
	Idempotent(ctx context.Context, key string, requestHash []byte) (*domain.Response, error)
}

func (s *Server) caseRoutes() {
	s.mux.HandleFunc("POST /api/v1/cases", s.reportCase)
	s.mux.HandleFunc("GET /api/v1/cases", s.listCases)
	s.mux.HandleFunc("GET /api/v1/cases/{id}", s.getCase)
	s.mux.HandleFunc("GET /api/v1/cases/{id}/history", s.history(casefile.ValidID, s.cfg.Cases.History, casePublic))

	s.mux.HandleFunc("POST /api/v1/cases/{id}/triage", caseCommand(s, func(c *casefile.Case, b struct {
		Priority casefile.Priority `json:"priority"`
		Category string            `json:"category"`
		Note     string            `json:"note"`
	}, cx cmdContext) ([]domain.Event, error) {
		return c.Triage(s.cfg.Directory, casefile.Triage{Actor: cx.actor, Now: cx.now, Priority: b.Priority, Category: b.Category, Note: b.Note})
	}))
	s.mux.HandleFunc("POST /api/v1/cases/{id}/reject", caseCommand(s, func(c *casefile.Case, b struct {
		Reason string `json:"reason"`
	}, cx cmdContext) ([]domain.Event, error) {
		return c.Reject(casefile.Reject{Actor: cx.actor, Now: cx.now, Reason: b.Reason})
	}))
	s.mux.HandleFunc("POST /api/v1/cases/{id}/merge", caseCommand(s, func(c *casefile.Case, b struct {
		Into string `json:"into"`
	}, cx cmdContext) ([]domain.Event, error) {
		if b.Into != "" && b.Into != c.ID && cx.actor.Role.Staff() {
			if _, _, err := s.cfg.Cases.Load(cx.ctx, b.Into); errors.Is(err, domain.ErrNotFound) {
				return nil, domain.Invalid("into", "no such case")
			} else if err != nil {
				return nil, err
			}
		}
		return c.Merge(casefile.Merge{Actor: cx.actor, Now: cx.now, Into: b.Into})
	}))
	s.mux.HandleFunc("POST /api/v1/cases/{id}/forward", caseCommand(s, func(c *casefile.Case, b struct {
		Department string `json:"department"`
		Note       string `json:"note"`
	}, cx cmdContext) ([]domain.Event, error) {
		return c.Forward(s.cfg.Directory, casefile.Forward{Actor: cx.actor, Now: cx.now, Department: b.Department, Note: b.Note})
	}))
	s.mux.HandleFunc("POST /api/v1/cases/{id}/acknowledge", caseCommand(s, func(c *casefile.Case, b struct {
		Reference string `json:"reference"`
		Note      string `json:"note"`
	}, cx cmdContext) ([]domain.Event, error) {
		return c.Acknowledge(casefile.Acknowledge{Actor: cx.actor, Now: cx.now, Reference: b.Reference, Note: b.Note})
	}))
	s.mux.HandleFunc("POST /api/v1/cases/{id}/answer", caseCommand(s, func(c *casefile.Case, b struct {
		Response   string     `json:"response"`
		PlannedFor *time.Time `json:"planned_for"`
	}, cx cmdContext) ([]domain.Event, error) {
		return c.Answer(casefile.Answer{Actor: cx.actor, Now: cx.now, Response: b.Response, PlannedFor: b.PlannedFor})
	}))
	s.mux.HandleFunc("POST /api/v1/cases/{id}/resolve", caseCommand(s, func(c *casefile.Case, b struct {
		Note string `json:"note"`
	}, cx cmdContext) ([]domain.Event, error) {
		return c.Resolve(casefile.Resolve{Actor: cx.actor, Now: cx.now, Note: b.Note})
	}))
	s.mux.HandleFunc("POST /api/v1/cases/{id}/confirm", caseCommand(s, func(c *casefile.Case, b struct {
		Note          string `json:"note"`
		TrackingToken string `json:"tracking_token"`
	}, cx cmdContext) ([]domain.Event, error) {
		return c.Confirm(casefile.Confirm{Actor: asReporter(c, cx.actor, b.TrackingToken), Now: cx.now, Note: b.Note})
	}))
	s.mux.HandleFunc("POST /api/v1/cases/{id}/reopen", caseCommand(s, func(c *casefile.Case, b struct {
		Reason        string `json:"reason"`
		TrackingToken string `json:"tracking_token"`
	}, cx cmdContext) ([]domain.Event, error) {
		return c.Reopen(s.cfg.Directory, casefile.Reopen{Actor: asReporter(c, cx.actor, b.TrackingToken), Now: cx.now, Reason: b.Reason})
	}))
	s.mux.HandleFunc("POST /api/v1/cases/{id}/comments", caseCommand(s, func(c *casefile.Case, b struct {
		Body       string              `json:"body"`
		Visibility casefile.Visibility `json:"visibility"`
	}, cx cmdContext) ([]domain.Event, error) {
		return c.Comment(casefile.Comment{Actor: cx.actor, Now: cx.now, Body: b.Body, Visibility: b.Visibility})
	}))
	s.mux.HandleFunc("POST /api/v1/cases/{id}/support", caseCommand(s, func(c *casefile.Case, _ struct{}, cx cmdContext) ([]domain.Event, error) {
		return c.Support(casefile.Support{Actor: cx.actor, Now: cx.now})
	}))
}

// asReporter makes an anonymous caller the case's reporter when the
// tracking token they send is the one the case was reported with.
func asReporter(c *casefile.Case, a domain.Actor, token string) domain.Actor {
	if token == "" || a.Role != domain.RolePublic || len(c.TrackingTokenHash) == 0 {
		return a
	}
	sum := sha256.Sum256([]byte(token))
	if subtle.ConstantTimeCompare(sum[:], c.TrackingTokenHash) == 1 {
		return domain.Actor{Role: domain.RoleReporter}
	}
	return a
}

// cmdContext is what a command handler gets besides the state and body.
// A handler that creates a part of the stream (an activity, a commitment)
// names it in out.
type cmdContext struct {
	ctx   context.Context
	r     *http.Request
	actor domain.Actor
	now   time.Time
	out   *commandResponse
}

// path returns a wildcard of the request's path.
func (cx cmdContext) path(name string) string { return cx.r.PathValue(name) }

// commandResponse is the answer to every command on a stream.
type commandResponse struct {
	ID            string `json:"id"`
	Status        string `json:"status"`
	Version       int64  `json:"version"`
	Position      int64  `json:"position"`
	TrackingToken string `json:"tracking_token,omitempty"`
	ActivityID    string `json:"activity_id,omitempty"`
	CommitmentID  string `json:"commitment_id,omitempty"`
	MemberID      string `json:"member_id,omitempty"`
}

// updater changes one kind of aggregate; see eventstore.Repository.
type updater[T any] interface {
	Update(ctx context.Context, id string, opts domain.UpdateOptions, decide func(*T) ([]domain.Event, error)) (domain.Outcome, error)
}

// kind describes one kind of stream to the command handlers.
type kind[T any] struct {
	repo    updater[T]
	validID func(string) bool
	apply   func(*T, domain.Event)
	status  func(*T) string
}

func (s *Server) caseKind() kind[casefile.Case] {
	return kind[casefile.Case]{repo: s.cfg.Cases, validID: casefile.ValidID, apply: (*casefile.Case).Apply,
		status: func(c *casefile.Case) string { return string(c.Status) }}
}

func caseCommand[B any](s *Server, decide func(c *casefile.Case, body B, cx cmdContext) ([]domain.Event, error)) http.HandlerFunc {
	return command(s, s.caseKind(), decide)
}

// command builds the handler of one command on an existing stream.
func command[T, B any](s *Server, k kind[T], decide func(state *T, body B, cx cmdContext) ([]domain.Event, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		handle(s, w, r, k, r.PathValue("id"), false, decide)
	}
}

// handle runs one command on the stream id: it authenticates, decodes the
// body strictly, honours If-Match and Idempotency-Key, decides against the
// current state and appends. With create, the stream must be new and the
// answer is 201.
func handle[T, B any](s *Server, w http.ResponseWriter, r *http.Request, k kind[T], id string, create bool,
	decide func(state *T, body B, cx cmdContext) ([]domain.Event, error)) {
	r, actor, err := s.withActor(r)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	raw, err := readBody(r)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	var body B
	if err := decodeStrict(raw, &body); err != nil {
		s.writeProblem(w, r, err)
		return
	}
	if !k.validID(id) {
		s.writeProblem(w, r, domain.ErrNotFound)
		return
	}
	opts, ok := s.commandOptions(w, r, actor, raw)
	if !ok {
		return
	}
	opts.Create = create
	status := http.StatusOK
	if create {
		status = http.StatusCreated
	}
	out := &commandResponse{ID: id}
	cx := cmdContext{ctx: r.Context(), r: r, actor: actor, now: s.now(), out: out}
	if opts.Idempotency != nil {
		opts.Idempotency.ResponseFunc = func(o domain.Outcome) (domain.Response, error) {
			resp := *out
			resp.Version, resp.Position = o.Version, o.Position
			return jsonResponse(status, resp)
		}
	}
	res, err := k.repo.Update(r.Context(), id, opts, func(state *T) ([]domain.Event, error) {
		events, err := decide(state, body, cx)
		if err != nil {
			return nil, err
		}
		for _, e := range events {
			k.apply(state, e)
		}
		out.Status = k.status(state)
		return events, nil
	})
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	if res.Replayed != nil {
		writeStored(w, *res.Replayed)
		return
	}
	out.Version, out.Position = res.Version, res.Position
	w.Header().Set("ETag", etag(res.Version))
	writeJSON(w, status, out)
}

// commandOptions reads If-Match and Idempotency-Key, answers a repeated
// request from memory, and applies the anonymous write limit. It returns
// false when it has answered.
func (s *Server) commandOptions(w http.ResponseWriter, r *http.Request, actor domain.Actor, body []byte) (domain.UpdateOptions, bool) {
	opts := domain.UpdateOptions{IfMatch: domain.AnyVersion}
	if im := r.Header.Get("If-Match"); im != "" {
		v, err := strconv.ParseInt(strings.Trim(strings.TrimPrefix(strings.TrimSpace(im), "W/"), `"`), 10, 64)
		if err != nil || v < 0 {
			s.writeProblem(w, r, malformed("If-Match", `must be a version in quotes, such as "3"`))
			return opts, false
		}
		opts.IfMatch = v
	}
	if key := r.Header.Get("Idempotency-Key"); key != "" {
		if !printableASCII(key, 200) {
			s.writeProblem(w, r, malformed("Idempotency-Key", "1 to 200 printable ASCII characters"))
			return opts, false
		}
		// Keys are scoped to the caller (anonymous callers to their
		// address), so two clients choosing the same key never see each
		// other's answers, a reporter's tracking token among them.
		caller := actor.ID
		if caller == "" {
			caller = "anonymous@" + clientAddress(r)
		}
		scoped := caller + "/" + key
		h := sha256.New()
		h.Write([]byte(r.Method + " " + r.URL.Path + "\x00"))
		h.Write(body)
		hash := h.Sum(nil)
		stored, err := s.cfg.Idempotency.Idempotent(r.Context(), scoped, hash)
		if err != nil {
			s.writeProblem(w, r, err)
			return opts, false
		}
		if stored != nil {
			writeStored(w, *stored)
			return opts, false
		}
		opts.Idempotency = &domain.Idempotency{Key: scoped, RequestHash: hash}
	}
	if actor.Role == domain.RolePublic && !s.limiter.allow(clientAddress(r), s.now()) {
		writeProblemDoc(w, newProblem(http.StatusTooManyRequests, codeRateLimited, "too many anonymous writes from your address; try again in a minute"))
		return opts, false
	}
	return opts, true
}

func jsonResponse(status int, v any) (domain.Response, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return domain.Response{}, err
	}
	return domain.Response{Status: status, Body: append(b, '\n')}, nil
}

func writeStored(w http.ResponseWriter, resp domain.Response) {
	var head struct {
		Version int64 `json:"version"`
	}
	if json.Unmarshal(resp.Body, &head) == nil && head.Version > 0 {
		w.Header().Set("ETag", etag(head.Version))
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Idempotent-Replayed", "true")
	w.WriteHeader(resp.Status)
	_, _ = w.Write(resp.Body)
}

func etag(version int64) string { return `"` + strconv.FormatInt(version, 10) + `"` }

type reportRequest struct {
	Title       string             `json:"title"`
	Description string             `json:"description"`
	Category    string             `json:"category"`
	District    string             `json:"district"`
	Location    *casefile.Location `json:"location"`
	Address     string             `json:"address"`
	Reporter    *struct {
		Name  string `json:"name"`
		Phone string `json:"phone"`
		Email string `json:"email"`
	} `json:"reporter"`
	Language string `json:"language"`
}

func (s *Server) reportCase(w http.ResponseWriter, r *http.Request) {
	r, actor, err := s.withActor(r)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	raw, err := readBody(r)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	var body reportRequest
	if err := decodeStrict(raw, &body); err != nil {
		s.writeProblem(w, r, err)
		return
	}
	opts, ok := s.commandOptions(w, r, actor, raw)
	if !ok {
		return
	}
	var pd domain.PersonalData
	if body.Reporter != nil {
		pd = domain.PersonalData{Name: body.Reporter.Name, Phone: body.Reporter.Phone, Email: body.Reporter.Email}
	}
	cmd, token, err := s.draftReport(casefile.Report{
		Actor: actor, Title: body.Title, Description: body.Description, Category: body.Category,
		District: body.District, Location: body.Location, Address: body.Address, Language: body.Language,
	}, &pd)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	resp, replayed, err := s.recordReport(r.Context(), cmd, token, pd, opts)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	if replayed != nil {
		writeStored(w, *replayed)
		return
	}
	w.Header().Set("ETag", etag(resp.Version))
	w.Header().Set("Location", "/api/v1/cases/"+resp.ID)
	writeJSON(w, http.StatusCreated, resp)
}

// draftReport completes a report command (id, time, tracking token) and
// decides it once against an empty case, with the reporter's contact
// details checked too, so that bad input is refused, every problem at
// once, before anything is stored. pd is trimmed in place.
func (s *Server) draftReport(cmd casefile.Report, pd *domain.PersonalData) (casefile.Report, string, error) {
	cmd.Now = s.now()
	cmd.ID = casefile.StreamPrefix + ulid.Make().String()
	token := newSecret()
	sum := sha256.Sum256([]byte(token))
	cmd.TrackingTokenHash = sum[:]
	*pd = domain.PersonalData{Name: strings.TrimSpace(pd.Name), Phone: strings.TrimSpace(pd.Phone), Email: strings.TrimSpace(pd.Email)}
	_, err := (&casefile.Case{}).Report(s.cfg.Directory, cmd)
	if err := errors.Join(err, validatePersonalData(*pd)); err != nil {
		return cmd, "", err
	}
	return cmd, token, nil
}

// recordReport stores the reporter in the vault and appends the report.
// A repeated idempotent request returns the first answer as replayed.
func (s *Server) recordReport(ctx context.Context, cmd casefile.Report, token string, pd domain.PersonalData, opts domain.UpdateOptions) (commandResponse, *domain.Response, error) {
	if !pd.Empty() {
		subject, err := s.cfg.Vault.Put(ctx, pd)
		if err != nil {
			return commandResponse{}, nil, err
		}
		cmd.ReporterSubject = subject
	}
	resp := commandResponse{ID: cmd.ID, Status: string(casefile.StatusReported), TrackingToken: token}
	opts.Create = true
	if opts.Idempotency != nil {
		opts.Idempotency.ResponseFunc = func(o domain.Outcome) (domain.Response, error) {
			r := resp
			r.Version, r.Position = o.Version, o.Position
			return jsonResponse(http.StatusCreated, r)
		}
	}
	out, err := s.cfg.Cases.Update(ctx, cmd.ID, opts, func(c *casefile.Case) ([]domain.Event, error) {
		return c.Report(s.cfg.Directory, cmd)
	})
	if (err != nil || out.Replayed != nil) && cmd.ReporterSubject != "" {
		// Nothing refers to the data just stored: shred it rather than
		// keep a person's details no one can find to erase.
		if eraseErr := s.cfg.Vault.Erase(context.WithoutCancel(ctx), cmd.ReporterSubject); eraseErr != nil {
			s.log.WarnContext(ctx, "erase unused personal data", "err", eraseErr)
		}
	}
	if err != nil {
		return commandResponse{}, nil, err
	}
	if out.Replayed != nil {
		return commandResponse{}, out.Replayed, nil
	}
	resp.Version, resp.Position = out.Version, out.Position
	return resp, nil, nil
}

func validatePersonalData(p domain.PersonalData) error {
	var errs []error
	if len([]rune(p.Name)) > 200 {
		errs = append(errs, domain.Invalid("reporter.name", "at most 200 characters"))
	}
	if len(p.Phone) > 40 {
		errs = append(errs, domain.Invalid("reporter.phone", "at most 40 characters"))
	}
	if len(p.Email) > 254 || (p.Email != "" && !strings.Contains(p.Email, "@")) {
		errs = append(errs, domain.Invalid("reporter.email", "not an email address"))
	}
	return errors.Join(errs...)
}

// newSecret returns 32 random bytes, base64url: a tracking token.
func newSecret() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// streamRead authenticates a read of the stream named in r's path. It
// answers and returns ok false when the token or the id is bad.
func (s *Server) streamRead(w http.ResponseWriter, r *http.Request, validID func(string) bool) (_ *http.Request, _ domain.Actor, id string, ok bool) {
	r, actor, err := s.withActor(r)
	if err != nil {
		s.writeProblem(w, r, err)
		return r, actor, "", false
	}
	id = r.PathValue("id")
	if !validID(id) {
		s.writeProblem(w, r, domain.ErrNotFound)
		return r, actor, "", false
	}
	return r, actor, id, true
}

func (s *Server) getCase(w http.ResponseWriter, r *http.Request) {
	r, actor, id, ok := s.streamRead(w, r, casefile.ValidID)
	if !ok {
		return
	}
	c, version, err := s.cfg.Cases.Load(r.Context(), id)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	v := newCaseView(c, s.now())
	if actor.Role.Staff() && c.ReporterSubject != "" {
		pd, err := s.cfg.Vault.Get(r.Context(), c.ReporterSubject)
		switch {
		case err == nil:
			v.Reporter = &pd
		case errors.Is(err, domain.ErrErased):
			// Erased: the reporter is gone for everyone.
			v.ReporterErased = true
		case errors.Is(err, domain.ErrNotFound):
		default:
			s.writeProblem(w, r, err)
			return
		}
	}
	w.Header().Set("ETag", etag(version))
	writeJSON(w, http.StatusOK, v)
}

// listQuery checks a list request (its token, its query string and its
// limit) and answers when they are bad. limit is 0 when not given.
func (s *Server) listQuery(w http.ResponseWriter, r *http.Request) (q url.Values, limit int, ok bool) {
	if _, err := s.actor(r); err != nil {
		s.writeProblem(w, r, err)
		return nil, 0, false
	}
	if err := validQuery(r); err != nil {
		s.writeProblem(w, r, err)
		return nil, 0, false
	}
	q = r.URL.Query()
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			s.writeProblem(w, r, malformed("limit", "must be a positive number"))
			return nil, 0, false
		}
		limit = n
	}
	return q, limit, true
}

func (s *Server) listCases(w http.ResponseWriter, r *http.Request) {
	q, limit, ok := s.listQuery(w, r)
	if !ok {
		return
	}
	f := caselist.Filter{
		Status: q.Get("status"), District: q.Get("district"), Category: q.Get("category"),
		Department: q.Get("department"), Q: q.Get("q"), Cursor: q.Get("cursor"), Now: s.now(), Limit: limit,
	}
	if v := q.Get("overdue"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			s.writeProblem(w, r, malformed("overdue", "must be true or false"))
			return
		}
		f.Overdue = &b
	}
	if len(f.Q) > 200 {
		s.writeProblem(w, r, malformed("q", "at most 200 characters"))
		return
	}
	page, err := s.cfg.CaseList.List(r.Context(), f)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	out := struct {
		Items      []caseView `json:"items"`
		NextCursor *string    `json:"next_cursor"`
	}{Items: make([]caseView, 0, len(page.Items))}
	for i := range page.Items {
		out.Items = append(out.Items, newCaseView(&page.Items[i], f.Now))
	}
	if page.NextCursor != "" {
		out.NextCursor = &page.NextCursor
	}
	writeJSON(w, http.StatusOK, out)
}
