package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/citizenhouse/bayt/transport/api"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
)

// contract is the OpenAPI document the server embeds, loaded and routed
// once for every test of the package: each exchange of testServer.do
// under /api/v1/ is checked against it.
type contract struct {
	doc    *openapi3.T
	router routers.Router
	// problem is the document's problem schema, which a refusal on a
	// path or method the document does not have must follow.
	problem *openapi3.Schema
}

var loadContract = sync.OnceValues(func() (*contract, error) {
	openapi3filter.RegisterBodyDecoder("application/geo+json", openapi3filter.JSONBodyDecoder)
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(api.OpenAPI)
	if err != nil {
		return nil, fmt.Errorf("load the OpenAPI document: %w", err)
	}
	if err := doc.Validate(loader.Context); err != nil {
		return nil, fmt.Errorf("the OpenAPI document is not valid: %w", err)
	}
	// The document's server is "/", which the router would take as one
	// host; the tests' servers listen on ports of their own.
	routed := *doc
	routed.Servers = nil
	router, err := legacy.NewRouter(&routed)
	if err != nil {
		return nil, fmt.Errorf("route the OpenAPI document: %w", err)
	}
	p := doc.Components.Schemas["Problem"]
	if p == nil || p.Value == nil {
		return nil, errors.New("the OpenAPI document has no Problem schema")
	}
	return &contract{doc: doc, router: router, problem: p.Value}, nil
})

// exchange is one request and its response as a client saw them.
type exchange struct {
	method string
	url    *url.URL
	header http.Header
	body   []byte
	resp   response
}

// check validates an exchange against the document. A request the
// document refuses must have been refused by the server too (a 4xx),
// with a response the document describes: the tests send bad input on
// purpose, and the document must not be looser or stricter than the
// server about it. A path or method the document lacks must be answered
// 404 or 405 with a problem document.
func (c *contract) check(ctx context.Context, x exchange) error {
	req, err := http.NewRequestWithContext(ctx, x.method, x.url.String(), bytes.NewReader(x.body))
	if err != nil {
		return err
	}
	req.Header = x.header.Clone()
	route, params, err := c.router.FindRoute(req)
	if err != nil {
		// The router's errors are new values, not its sentinels.
		var re *routers.RouteError
		if !errors.As(err, &re) {
			return fmt.Errorf("route: %w", err)
		}
		if x.resp.status != http.StatusNotFound && x.resp.status != http.StatusMethodNotAllowed {
			return fmt.Errorf("%s %s is not in the document, yet the server answered %d", x.method, x.url.Path, x.resp.status)
		}
		return c.isProblem(x.resp)
	}
	in := &openapi3filter.RequestValidationInput{
		Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true},
	}
	reqErr := openapi3filter.ValidateRequest(ctx, in)
	if reqErr != nil && (x.resp.status < 400 || x.resp.status >= 500) {
		return fmt.Errorf("the document refuses the request, yet the server answered %d: %w", x.resp.status, reqErr)
	}
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in, Status: x.resp.status, Header: x.resp.header,
		Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	out.SetBodyBytes(x.resp.body)
	if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
		return fmt.Errorf("response %d: %w", x.resp.status, err)
	}
	return nil
}

func (c *contract) isProblem(r response) error {
	if ct := r.header.Get("Content-Type"); ct != "application/problem+json" {
		return fmt.Errorf("answer %d of type %q, want application/problem+json", r.status, ct)
	}
	var v any
	if err := json.Unmarshal(r.body, &v); err != nil {
		return fmt.Errorf("answer %d is not JSON: %w", r.status, err)
	}
	return c.problem.VisitJSON(v, openapi3.EnableJSONSchema2020())
}

// checkContract notes an exchange of testServer.do, when it is one of the
// JSON API's, to be checked against the document when the test ends.
// Checking costs CPU; done as the exchanges happen, it would compete
// with the server under test and slow the tests that load it.
func (ts *testServer) checkContract(req *http.Request, body []byte, resp response) {
	if !strings.HasPrefix(req.URL.Path, "/api/v1/") {
		return
	}
	v, loaded := exchanges.LoadOrStore(ts.t, &exchangeLog{})
	log := v.(*exchangeLog)
	if !loaded {
		t := ts.t
		t.Cleanup(func() {
			exchanges.Delete(t)
			log.check(t)
		})
	}
	u := *req.URL
	log.add(exchange{method: req.Method, url: &u, header: req.Header.Clone(), body: body, resp: resp})
}

// exchanges holds each test's exchangeLog.
var exchanges sync.Map // *testing.T -> *exchangeLog

// exchangeLog is the exchanges of one test, which its servers' clients
// may add to from several goroutines.
type exchangeLog struct {
	mu   sync.Mutex
	list []exchange
}

func (l *exchangeLog) add(x exchange) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.list = append(l.list, x)
}

func (l *exchangeLog) check(t *testing.T) {
	t.Helper()
	c, err := loadContract()
	if err != nil {
		t.Fatal(err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, x := range l.list {
		if err := c.check(context.Background(), x); err != nil {
			t.Errorf("%s %s breaks the OpenAPI document: %v\nresponse: %s", x.method, x.url.RequestURI(), err, truncated(x.resp.body))
		}
	}
}

func truncated(b []byte) string {
	if len(b) > 600 {
		return string(b[:600]) + "…"
	}
	return string(b)
}

// TestOpenAPIDocumentIsValid loads the served document as a client would
// and validates it as OpenAPI 3.1, examples included.
func TestOpenAPIDocumentIsValid(t *testing.T) {
	t.Parallel()
	c, err := loadContract()
	if err != nil {
		t.Fatal(err)
	}
	if c.doc.OpenAPI != "3.1.0" || !c.doc.IsOpenAPI31OrLater() {
		t.Fatalf("openapi %q, want 3.1.0", c.doc.OpenAPI)
	}
	// Every example in Arabic and French is held to its schema too.
	if err := c.doc.Validate(context.Background(), openapi3.EnableExamplesValidation()); err != nil {
		t.Fatalf("an example breaks its schema: %v", err)
	}
	ar, fr := 0, 0
	for _, item := range c.doc.Paths.Map() {
		for _, op := range item.Operations() {
			if op.RequestBody == nil || op.RequestBody.Value == nil {
				continue
			}
			for _, mt := range op.RequestBody.Value.Content {
				if _, ok := mt.Examples["ar"]; ok {
					ar++
				}
				if _, ok := mt.Examples["fr"]; ok {
					fr++
				}
			}
		}
	}
	if ar < 20 || fr < 20 {
		t.Fatalf("%d request examples in Arabic and %d in French, want 20 or more of each", ar, fr)
	}
}

// TestOpenAPIDocumentsEveryRoute holds the document to the API's mux:
// every route the server registers under /api/v1/ is documented, and
// every documented operation is served. It also reads the document and
// the reference as a client would.
func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	t.Parallel()
	c, err := loadContract()
	if err != nil {
		t.Fatal(err)
	}
	ts := startServer(t)
	served := map[string]bool{}
	for _, pattern := range ts.program.api.Routes() {
		method, path, ok := strings.Cut(pattern, " ")
		if !ok || !strings.HasPrefix(path, "/api/v1/") {
			continue
		}
		served[method+" "+path] = true
	}
	documented := map[string]bool{}
	for path, item := range c.doc.Paths.Map() {
		for method := range item.Operations() {
			documented[method+" "+path] = true
		}
	}
	if len(served) < 50 {
		t.Fatalf("only %d routes under /api/v1/ registered: %v", len(served), served)
	}
	for r := range served {
		if !documented[r] {
			t.Errorf("%s is served but not in the OpenAPI document", r)
		}
	}
	for r := range documented {
		if !served[r] {
			t.Errorf("%s is in the OpenAPI document but not served", r)
		}
	}

	r := ts.do("GET", "/api/v1/openapi.json", "", nil)
	if r.status != http.StatusOK || !bytes.Equal(r.body, api.OpenAPI) || !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
		t.Fatalf("GET /api/v1/openapi.json: %d %q, %d bytes", r.status, r.header.Get("Content-Type"), len(r.body))
	}
	for _, path := range []string{"/api/docs", "/api/docs/reference.js", "/api/docs/redoc.standalone.js"} {
		r := ts.do("GET", path, "", nil)
		if csp := r.header.Get("Content-Security-Policy"); r.status != http.StatusOK || !strings.Contains(csp, "script-src 'self';") {
			t.Fatalf("GET %s: %d, CSP %q", path, r.status, csp)
		}
	}
}

// TestContractCatchesDrift proves the check of every exchange is live: a
// response that breaks the document, a request it refuses answered with
// success, and a route it lacks answered with success all fail it, while
// the exchanges as the server made them pass.
func TestContractCatchesDrift(t *testing.T) {
	t.Parallel()
	c, err := loadContract()
	if err != nil {
		t.Fatal(err)
	}
	ts := startServer(t)
	id := ts.report(nil)["id"].(string)
	u := func(path string) *url.URL {
		parsed, err := url.Parse(ts.url + path)
		if err != nil {
			t.Fatal(err)
		}
		return parsed
	}
	read := ts.do("GET", "/api/v1/cases/"+id, "", nil)
	get := exchange{method: "GET", url: u("/api/v1/cases/" + id), header: http.Header{}, resp: read}
	if err := c.check(context.Background(), get); err != nil {
		t.Fatalf("the server's own answer fails the check: %v", err)
	}
	drifted := func(mutate func(m map[string]any)) exchange {
		var m map[string]any
		if err := json.Unmarshal(read.body, &m); err != nil {
			t.Fatal(err)
		}
		mutate(m)
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		x := get
		x.resp.body = b
		return x
	}
	for name, x := range map[string]exchange{
		"a status the contract does not have": drifted(func(m map[string]any) { m["status"] = "lost" }),
		"a version as text":                   drifted(func(m map[string]any) { m["version"] = "1" }),
		"a required field dropped":            drifted(func(m map[string]any) { delete(m, "supporters") }),
		"an undocumented status code": func() exchange {
			x := get
			x.resp.status = http.StatusTeapot
			return x
		}(),
		"success on a request the contract refuses": {method: "POST", url: u("/api/v1/cases/" + id + "/triage"),
			header: http.Header{"Content-Type": {"application/json"}}, body: []byte(`{"priority":"whenever"}`),
			resp: response{status: http.StatusOK, header: http.Header{"Content-Type": {"application/json"}},
				body: []byte(`{"id":"` + id + `","status":"triaged","version":2,"position":2}`)}},
		"success on a path the contract lacks": {method: "GET", url: u("/api/v1/nothing"), header: http.Header{},
			resp: response{status: http.StatusOK, header: http.Header{"Content-Type": {"application/json"}}, body: []byte(`{}`)}},
		"a problem without its code": {method: "GET", url: u("/api/v1/nothing"), header: http.Header{},
			resp: response{status: http.StatusNotFound, header: http.Header{"Content-Type": {"application/problem+json"}},
				body: []byte(`{"type":"https://bayt.example/problems/not_found","title":"Not found","status":404}`)}},
	} {
		if err := c.check(context.Background(), x); err == nil {
			t.Errorf("%s passes the check", name)
		}
	}
	// And the server's own refusal of an unknown path passes.
	if r := ts.do("GET", "/api/v1/nothing", "", nil); r.status != http.StatusNotFound {
		t.Fatalf("GET /api/v1/nothing: %d", r.status)
	}
	// testServer.do noted every exchange of this test under /api/v1/ for
	// the check at its end, and no other.
	ts.do("GET", "/healthz", "", nil)
	v, ok := exchanges.Load(t)
	if !ok {
		t.Fatal("testServer.do noted no exchange for the check")
	}
	log := v.(*exchangeLog)
	log.mu.Lock()
	defer log.mu.Unlock()
	var noted []string
	for _, x := range log.list {
		noted = append(noted, x.method+" "+x.url.Path)
	}
	want := []string{"POST /api/v1/cases", "GET /api/v1/cases/" + id, "GET /api/v1/nothing"}
	if !slices.Equal(noted, want) {
		t.Fatalf("noted for the check: %q, want %q", noted, want)
	}
}
