package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/domain/casefile"
	"github.com/citizenhouse/bayt/projections"
	"github.com/citizenhouse/bayt/projections/caselist"
	"github.com/citizenhouse/bayt/transport"
)

// CaseReader reads cases and their history.
type CaseReader interface {
	Load(ctx context.Context, id string) (*casefile.Case, int64, error)
	History(ctx context.Context, id string) (domain.History, error)
}

// CaseLister answers GET /api/v1/cases from a read model, and gives the
// number of a case read from its stream. Number returns "" for a case the
// read model does not have yet.
type CaseLister interface {
	List(ctx context.Context, f caselist.Filter) (caselist.Page, error)
	Number(ctx context.Context, id string) (string, error)
}

// Vault reads personal data for staff. Get returns an error wrapping
// domain.ErrNotFound for an unknown subject and domain.ErrErased for an
// erased one; either way the caller shows nothing.
type Vault interface {
	Get(ctx context.Context, subject string) (domain.PersonalData, error)
}

// Idempotency looks up a remembered answer. It returns nil when the key is
// new, and an invalid-input error when the key was used with another
// request.
type Idempotency interface {
	Idempotent(ctx context.Context, key string, requestHash []byte) (*domain.Response, error)
}

func (s *Server) caseRoutes() {
	cs := s.cfg.CaseService
	s.mux.HandleFunc("POST /api/v1/cases", s.reportCase)
	s.mux.HandleFunc("GET /api/v1/cases", s.listCases)
	s.mux.HandleFunc("GET /api/v1/cases/{id}", s.getCase)
	s.mux.HandleFunc("GET /api/v1/cases/{id}/history", s.history(casefile.ValidID, s.cfg.Cases.History, casefile.HistoryFor))

	s.mux.HandleFunc("POST /api/v1/cases/{id}/triage", caseCommand(s, func(cx cmdContext, b struct {
		Priority casefile.Priority `json:"priority"`
		Category string            `json:"category"`
		Note     string            `json:"note"`
	}) (domain.Outcome, error) {
		return cs.Triage(cx.ctx, cx.id, casefile.Triage{Actor: cx.actor, Priority: b.Priority, Category: b.Category, Note: b.Note}, cx.opts)
	}))
	s.mux.HandleFunc("POST /api/v1/cases/{id}/reject", caseCommand(s, func(cx cmdContext, b struct {
		Reason string `json:"reason"`
	}) (domain.Outcome, error) {
		return cs.Reject(cx.ctx, cx.id, casefile.Reject{Actor: cx.actor, Reason: b.Reason}, cx.opts)
	}))
	s.mux.HandleFunc("POST /api/v1/cases/{id}/merge", caseCommand(s, func(cx cmdContext, b struct {
		Into string `json:"into"`
	}) (domain.Outcome, error) {
		return cs.Merge(cx.ctx, cx.id, casefile.Merge{Actor: cx.actor, Into: b.Into}, cx.opts)
	}))
	s.mux.HandleFunc("POST /api/v1/cases/{id}/forward", caseCommand(s, func(cx cmdContext, b struct {
		Department string `json:"department"`
		Note       string `json:"note"`
	}) (domain.Outcome, error) {
		return cs.Forward(cx.ctx, cx.id, casefile.Forward{Actor: cx.actor, Department: b.Department, Note: b.Note}, cx.opts)
	}))
	s.mux.HandleFunc("POST /api/v1/cases/{id}/acknowledge", caseCommand(s, func(cx cmdContext, b struct {
		Reference string `json:"reference"`
		Note      string `json:"note"`
	}) (domain.Outcome, error) {
		return cs.Acknowledge(cx.ctx, cx.id, casefile.Acknowledge{Actor: cx.actor, Reference: b.Reference, Note: b.Note}, cx.opts)
	}))
	s.mux.HandleFunc("POST /api/v1/cases/{id}/answer", caseCommand(s, func(cx cmdContext, b struct {
		Response   string     `json:"response"`
		PlannedFor *time.Time `json:"planned_for"`
	}) (domain.Outcome, error) {
		return cs.Answer(cx.ctx, cx.id, casefile.Answer{Actor: cx.actor, Response: b.Response, PlannedFor: b.PlannedFor}, cx.opts)
	}))
	s.mux.HandleFunc("POST /api/v1/cases/{id}/resolve", caseCommand(s, func(cx cmdContext, b struct {
		Note string `json:"note"`
	}) (domain.Outcome, error) {
		return cs.Resolve(cx.ctx, cx.id, casefile.Resolve{Actor: cx.actor, Note: b.Note}, cx.opts)
	}))
	s.mux.HandleFunc("POST /api/v1/cases/{id}/confirm", caseCommand(s, func(cx cmdContext, b struct {
		Note          string `json:"note"`
		TrackingToken string `json:"tracking_token"`
	}) (domain.Outcome, error) {
		return cs.Confirm(cx.ctx, cx.id, casefile.Confirm{Actor: cx.actor, Note: b.Note}, b.TrackingToken, cx.opts)
	}))
	s.mux.HandleFunc("POST /api/v1/cases/{id}/reopen", caseCommand(s, func(cx cmdContext, b struct {
		Reason        string `json:"reason"`
		TrackingToken string `json:"tracking_token"`
	}) (domain.Outcome, error) {
		return cs.Reopen(cx.ctx, cx.id, casefile.Reopen{Actor: cx.actor, Reason: b.Reason}, b.TrackingToken, cx.opts)
	}))
	s.mux.HandleFunc("POST /api/v1/cases/{id}/comments", caseCommand(s, func(cx cmdContext, b struct {
		Body       string              `json:"body"`
		Visibility casefile.Visibility `json:"visibility"`
	}) (domain.Outcome, error) {
		return cs.Comment(cx.ctx, cx.id, casefile.Comment{Actor: cx.actor, Body: b.Body, Visibility: b.Visibility}, cx.opts)
	}))
	s.mux.HandleFunc("POST /api/v1/cases/{id}/support", caseCommand(s, func(cx cmdContext, _ struct{}) (domain.Outcome, error) {
		return cs.Support(cx.ctx, cx.id, casefile.Support{Actor: cx.actor},
			transport.ClientAddress(cx.r), transport.SupporterID(cx.w, cx.r), cx.opts)
	}))
	s.mux.HandleFunc("POST /api/v1/cases/{id}/moderate", caseCommand(s, func(cx cmdContext, b struct {
		Hidden            *bool   `json:"hidden"`
		PublicTitle       *string `json:"public_title"`
		PublicDescription *string `json:"public_description"`
		Reason            string  `json:"reason"`
	}) (domain.Outcome, error) {
		return cs.Moderate(cx.ctx, cx.id, casefile.Moderate{Actor: cx.actor, Hidden: b.Hidden, PublicTitle: b.PublicTitle,
			PublicDescription: b.PublicDescription, Reason: b.Reason}, cx.opts)
	}))
}

// cmdContext is what a command handler gets besides its body: the stream
// it acts on ("" for a new one), the acting user, the update options read
// from the request, and the response writer, for a cookie it sets.
type cmdContext struct {
	ctx   context.Context
	w     http.ResponseWriter
	r     *http.Request
	id    string
	actor domain.Actor
	opts  domain.UpdateOptions
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

// created names the field of commandResponse that carries what a command
// created inside its stream.
type created int

const (
	createsNothing created = iota
	createsActivity
	createsCommitment
	createsMember
)

func newCommandResponse(o domain.Outcome, c created) commandResponse {
	resp := commandResponse{ID: o.Stream, Status: o.Status, Version: o.Version, Position: o.Position, TrackingToken: o.TrackingToken}
	switch c {
	case createsActivity:
		resp.ActivityID = o.Created
	case createsCommitment:
		resp.CommitmentID = o.Created
	case createsMember:
		resp.MemberID = o.Created
	}
	return resp
}

// commandFunc runs one command through a domain service.
type commandFunc[B any] func(cx cmdContext, body B) (domain.Outcome, error)

func caseCommand[B any](s *Server, run commandFunc[B]) http.HandlerFunc {
	return command(s, casefile.ValidID, createsNothing, run)
}

// command builds the handler of one command on the existing stream named
// by the path's id.
func command[B any](s *Server, validID func(string) bool, c created, run commandFunc[B]) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		handle(s, w, r, validID, http.StatusOK, c, run)
	}
}

// creation builds the handler of a command that opens a new stream; it
// answers 201.
func creation[B any](s *Server, run commandFunc[B]) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		handle(s, w, r, nil, http.StatusCreated, createsNothing, run)
	}
}

// handle runs one command: it authenticates, decodes the body strictly,
// checks the path's id (when validID is set), honours If-Match and
// Idempotency-Key, and answers with the outcome.
func handle[B any](s *Server, w http.ResponseWriter, r *http.Request, validID func(string) bool, status int, c created, run commandFunc[B]) {
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
	var id string
	if validID != nil {
		if id = r.PathValue("id"); !validID(id) {
			s.writeProblem(w, r, domain.ErrNotFound)
			return
		}
	}
	opts, ok := s.commandOptions(w, r, actor, raw)
	if !ok {
		return
	}
	if opts.Idempotency != nil {
		opts.Idempotency.ResponseFunc = func(o domain.Outcome) (domain.Response, error) {
			return jsonResponse(status, newCommandResponse(o, c))
		}
	}
	out, err := run(cmdContext{ctx: r.Context(), w: w, r: r, id: id, actor: actor, opts: opts}, body)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	if out.Replayed != nil {
		writeStored(w, *out.Replayed)
		return
	}
	w.Header().Set("ETag", etag(out.Version))
	if status == http.StatusCreated && casefile.ValidID(out.Stream) {
		w.Header().Set("Location", "/api/v1/cases/"+out.Stream)
	}
	writeJSON(w, status, newCommandResponse(out, c))
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
		if !transport.PrintableASCII(key, 200) {
			s.writeProblem(w, r, malformed("Idempotency-Key", "1 to 200 printable ASCII characters"))
			return opts, false
		}
		// Keys are scoped to the caller (anonymous callers to their
		// address), so two clients choosing the same key never see each
		// other's answers, a reporter's tracking token among them. An
		// address is personal data: the scope keeps only its hash.
		scoped := actor.ID + "/" + key
		if actor.ID == "" {
			sum := sha256.Sum256([]byte(transport.ClientAddress(r) + "\x00" + key))
			scoped = "anonymous:" + hex.EncodeToString(sum[:])
		}
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
	if actor.Role == domain.RolePublic && !s.cfg.WriteLimit.Allow(r, s.now()) {
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
	// Channel is for staff recording a report a resident brought to the
	// desk or phoned in; the public's reports come through the web.
	Channel casefile.Channel `json:"channel"`
}

func (s *Server) reportCase(w http.ResponseWriter, r *http.Request) {
	creation(s, func(cx cmdContext, b reportRequest) (domain.Outcome, error) {
		var pd domain.PersonalData
		if b.Reporter != nil {
			pd = domain.PersonalData{Name: b.Reporter.Name, Phone: b.Reporter.Phone, Email: b.Reporter.Email}
		}
		return s.cfg.CaseService.Report(cx.ctx, casefile.Report{
			Actor: cx.actor, Title: b.Title, Description: b.Description, Category: b.Category,
			District: b.District, Location: b.Location, Address: b.Address, Language: b.Language, Channel: b.Channel,
		}, pd, cx.opts)
	})(w, r)
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
	// The stream cannot count the year's reports: the case list did.
	if c.Number, err = s.cfg.CaseList.Number(r.Context(), id); err != nil {
		s.writeProblem(w, r, err)
		return
	}
	if !actor.Role.Staff() {
		// The public, officers and reporters read what moderation left
		// them; a hidden case does not exist for them.
		p, ok := c.Public()
		if !ok {
			s.writeProblem(w, r, domain.NotFound(id))
			return
		}
		w.Header().Set("ETag", etag(version))
		writeJSON(w, http.StatusOK, newCaseView(&p, s.now()))
		return
	}
	v := newCaseView(c, s.now())
	v.Moderation = newModerationView(c.Moderation)
	v.Channel = c.Channel.Or()
	if c.ReporterSubject != "" {
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
	// A cursor is a token this server gave: anything else is malformed,
	// like any other query parameter that is not what it should be.
	if _, err := projections.ParseCursor(q.Get("cursor")); err != nil {
		s.writeProblem(w, r, malformed("cursor", "not a cursor this server gave"))
		return nil, 0, false
	}
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
		Status: q.Get("status"), District: s.districtCode(q.Get("district")), Category: q.Get("category"),
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
