package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/citizenhouse/bayt/domain/casefile"
	"github.com/citizenhouse/bayt/eventstore"
	"github.com/citizenhouse/bayt/projections/relay"
	"github.com/citizenhouse/bayt/transport/webhook"
)

// receiver is a partner's server: it fails the first failFirst posts (all
// of them when failFirst is negative) and keeps every post.
type receiver struct {
	t         *testing.T
	failFirst int
	mu        sync.Mutex
	posts     []receivedPost
	srv       *httptest.Server
}

type receivedPost struct {
	eventID, event, hook, signature string
	body                            []byte
	accepted                        bool
}

func newReceiver(t *testing.T, failFirst int) *receiver {
	rc := &receiver{t: t, failFirst: failFirst}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			t.Error(err)
		}
		rc.mu.Lock()
		p := receivedPost{eventID: r.Header.Get(webhook.HeaderEventID), event: r.Header.Get(webhook.HeaderEvent),
			hook: r.Header.Get(webhook.HeaderHook), signature: r.Header.Get(webhook.HeaderSignature), body: body}
		p.accepted = rc.failFirst >= 0 && len(rc.posts) >= rc.failFirst
		rc.posts = append(rc.posts, p)
		rc.mu.Unlock()
		if !p.accepted {
			http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

// of returns the posts of one event.
func (rc *receiver) of(eventID string) []receivedPost {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	var out []receivedPost
	for _, p := range rc.posts {
		if p.eventID == eventID {
			out = append(out, p)
		}
	}
	return out
}

func (rc *receiver) count() int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return len(rc.posts)
}

// hookSignals carries the deliverer's reports to the test.
type hookSignals struct {
	delivered chan [2]string // hook id, event id
	gaveUp    chan string    // event id
}

func (s hookSignals) waitDelivered(t *testing.T, hookID string) string {
	t.Helper()
	timeout := time.After(20 * time.Second)
	for {
		select {
		case d := <-s.delivered:
			if d[0] == hookID {
				return d[1]
			}
		case <-timeout:
			t.Fatalf("no delivery to %s", hookID)
		}
	}
}

func (s hookSignals) waitGaveUp(t *testing.T) string {
	t.Helper()
	select {
	case id := <-s.gaveUp:
		return id
	case <-time.After(20 * time.Second):
		t.Fatal("no event given up on")
		return ""
	}
}

type deliveryLog struct {
	Items []webhook.Delivery `json:"items"`
}

// TestWebhooks registers two partners' hooks and follows public case
// events to them: a body signed with the hook's secret, holding no
// personal data; a receiver that fails twice gets the event a third time
// and keeps it, and is not posted to again when the event comes back (a
// retry for another hook, a second node); a receiver that always fails
// has the event given up on and parked; the delivery log says all of it,
// to admins alone; a hidden case is told of no more.
func TestWebhooks(t *testing.T) {
	t.Parallel()
	sig := hookSignals{delivered: make(chan [2]string, 64), gaveUp: make(chan string, 8)}
	ts := startServerWith(t, func(c *config) {
		c.WebhookRetries, c.WebhookBackoff = 3, time.Millisecond
		c.PublicURL = "https://bayt.example.org"
		c.webhookDeliveredFunc = func(hook, event string) { sig.delivered <- [2]string{hook, event} }
		c.webhookGaveUpFunc = func(event string) { sig.gaveUp <- event }
	})
	flaky, down := newReceiver(t, 2), newReceiver(t, -1)

	// Only admins manage hooks; bad input changes nothing.
	register := map[string]any{"url": flaky.srv.URL + "/bayt", "description": "Association des quartiers"}
	expectProblem(t, ts.do("POST", "/api/v1/webhooks", "", register), http.StatusUnauthorized, "unauthenticated")
	for _, who := range []string{"advocate", "officer"} {
		expectProblem(t, ts.do("POST", "/api/v1/webhooks", who, register), http.StatusForbidden, "forbidden")
		expectProblem(t, ts.do("GET", "/api/v1/webhooks", who, nil), http.StatusForbidden, "forbidden")
	}
	for body, status := range map[string]int{
		`{"url": "ftp://partner.example/hook"}`:           http.StatusUnprocessableEntity,
		`{"url": "https://user:pw@partner.example/hook"}`: http.StatusUnprocessableEntity,
		`{"url": ""}`: http.StatusUnprocessableEntity,
		`{"url": "https://partner.example/hook", "category": "nothing_such"}`: http.StatusUnprocessableEntity,
		`{"url": "https://partner.example/hook", "secret": "mine"}`:           http.StatusBadRequest,
		`{"url": 7}`:                       http.StatusBadRequest,
		`{"url": "https://partner.example`: http.StatusBadRequest,
	} {
		expectProblem(t, ts.do("POST", "/api/v1/webhooks", "admin", body), status, "invalid_input")
	}
	if got := ts.must(http.StatusOK, "GET", "/api/v1/webhooks", "admin", nil)["items"].([]any); len(got) != 0 {
		t.Fatalf("refused registrations left hooks: %v", got)
	}

	created := ts.must(http.StatusCreated, "POST", "/api/v1/webhooks", "admin", register, "Idempotency-Key", "partner-1")
	hookA, secretA := created["id"].(string), created["secret"].(string)
	if !strings.HasPrefix(hookA, "hook-") || !strings.HasPrefix(secretA, "whsec_") {
		t.Fatalf("registration answered %v", created)
	}
	if again := ts.must(http.StatusCreated, "POST", "/api/v1/webhooks", "admin", register, "Idempotency-Key", "partner-1"); again["id"] != hookA || again["secret"] != secretA {
		t.Fatalf("a repeated registration answered %v, want %v", again, created)
	}
	expectProblem(t, ts.do("POST", "/api/v1/webhooks", "admin", map[string]any{"url": down.srv.URL}, "Idempotency-Key", "partner-1"),
		http.StatusUnprocessableEntity, "invalid_input")
	hookB := ts.must(http.StatusCreated, "POST", "/api/v1/webhooks", "admin", map[string]any{"url": down.srv.URL, "district": "Lafayette"})["id"].(string)
	list := ts.must(http.StatusOK, "GET", "/api/v1/webhooks", "admin", nil)["items"].([]any)
	if len(list) != 2 || strings.Contains(string(ts.do("GET", "/api/v1/webhooks", "admin", nil).body), secretA) {
		t.Fatalf("hooks %v, want two, without their secrets", list)
	}

	// A report in Bab Souika: the flaky partner's, after two failures.
	const name, phone, email = "Samira Zarrouk", "+216 22 987 654", "samira@example.tn"
	caseA := ts.report(map[string]any{"reporter": map[string]any{"name": name, "phone": phone, "email": email},
		"location": map[string]any{"lat": 36.80654321, "lon": 10.18159}})["id"].(string)
	reported := sig.waitDelivered(t, hookA)
	posts := flaky.of(reported)
	if len(posts) != 3 || posts[0].accepted || posts[1].accepted || !posts[2].accepted {
		t.Fatalf("the flaky partner got %d posts of %s, want two refused then one kept", len(posts), reported)
	}
	for _, p := range posts {
		if string(p.body) != string(posts[0].body) || !webhook.Verify(secretA, p.body, p.signature) || p.hook != hookA || p.event != "CaseReported" {
			t.Fatalf("post %+v: want the same body each time, signed with the hook's secret", p)
		}
	}
	if webhook.Verify(secretA, append([]byte(" "), posts[0].body...), posts[0].signature) {
		t.Fatal("a changed body verifies")
	}
	var payload webhook.Payload
	if err := json.Unmarshal(posts[0].body, &payload); err != nil || payload.EventID != reported || payload.Case.ID != caseA ||
		payload.Case.Status != "reported" || *payload.Case.Lat != 36.807 || *payload.Case.Lon != 10.182 ||
		payload.Case.URL != "https://bayt.example.org/cases/"+caseA {
		t.Fatalf("payload %s (%v)", posts[0].body, err)
	}
	for _, secret := range []string{name, phone, email, "Samira", "reporter", "tracking", "36.8065"} {
		if strings.Contains(string(posts[0].body), secret) {
			t.Errorf("the delivery holds %q: %s", secret, posts[0].body)
		}
	}

	// The same event again, as a second node or a relay that restarted
	// would bring it: the log knows the partner has it.
	store := eventstore.New(ts.pool, eventstore.Config{})
	defer store.Close()
	d, err := webhook.New(webhook.Config{Store: webhookStore{eventstore.NewWebhooks(ts.pool)}, Cases: eventstore.NewRepository(store, caseCodec()),
		KeyedHashFunc: ts.program.keyedHash})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			msg, err := relay.NewMessage(relay.Notice{Position: payload.Position, Stream: caseA, Type: casefile.TypeCaseReported,
				EventID: reported, RecordedAt: time.Now()})
			if err == nil {
				err = d.Handle(msg)
			}
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if n := len(flaky.of(reported)); n != 3 {
		t.Fatalf("a redelivered event was posted again: %d posts", n)
	}

	// A report in Lafayette: the partner that is down has it given up
	// on after every retry, which retries the flaky partner's delivery
	// too, and it is not posted twice.
	poisoned, err := ts.program.bus.sub.Subscribe(t.Context(), webhookPoisonTopic)
	if err != nil {
		t.Fatal(err)
	}
	ts.report(map[string]any{"district": "Lafayette", "title": "Éclairage en panne rue de Marseille"})
	inLafayette := sig.waitDelivered(t, hookA)
	if given := sig.waitGaveUp(t); given != inLafayette {
		t.Fatalf("gave up on %s, want %s", given, inLafayette)
	}
	select {
	case msg := <-poisoned:
		msg.Ack()
		var n relay.Notice
		if err := json.Unmarshal(msg.Payload, &n); err != nil || n.EventID != inLafayette || msg.Metadata.Get("handler_poisoned") != "webhooks" ||
			!strings.Contains(msg.Metadata.Get("reason_poisoned"), hookB) {
			t.Fatalf("poison queue holds %s %v (%v), want the Lafayette report from the webhooks handler", msg.Payload, msg.Metadata, err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("nothing reached the webhooks' poison queue")
	}
	if n := len(down.of(inLafayette)); n != 4 {
		t.Errorf("the partner that is down got %d posts, want the first and three retries", n)
	}
	if n := len(flaky.of(inLafayette)); n != 1 {
		t.Errorf("the flaky partner got the Lafayette report %d times, want once", n)
	}

	// The delivery log, for admins only.
	for _, who := range []string{"advocate", "officer"} {
		expectProblem(t, ts.do("GET", "/api/v1/webhooks/"+hookA+"/deliveries", who, nil), http.StatusForbidden, "forbidden")
	}
	expectProblem(t, ts.do("GET", "/api/v1/webhooks/"+hookA+"/deliveries", "", nil), http.StatusUnauthorized, "unauthenticated")
	expectProblem(t, ts.do("GET", "/api/v1/webhooks/hook-nothing/deliveries", "admin", nil), http.StatusNotFound, "not_found")
	var logA, logB deliveryLog
	if err := json.Unmarshal(ts.do("GET", "/api/v1/webhooks/"+hookA+"/deliveries", "admin", nil).body, &logA); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(ts.do("GET", "/api/v1/webhooks/"+hookB+"/deliveries", "admin", nil).body, &logB); err != nil {
		t.Fatal(err)
	}
	if len(logA.Items) != 2 || logA.Items[0].EventID != inLafayette || logA.Items[0].Status != "delivered" || logA.Items[0].Attempts != 1 ||
		logA.Items[1].EventID != reported || logA.Items[1].Status != "delivered" || logA.Items[1].Attempts != 3 ||
		logA.Items[1].LastStatus == nil || *logA.Items[1].LastStatus != http.StatusNoContent || logA.Items[1].DeliveredAt == nil {
		t.Errorf("the flaky partner's log: %+v", logA.Items)
	}
	if len(logB.Items) != 1 || logB.Items[0].EventID != inLafayette || logB.Items[0].Status != "failed" || logB.Items[0].Attempts != 4 ||
		logB.Items[0].LastStatus == nil || *logB.Items[0].LastStatus != http.StatusServiceUnavailable || logB.Items[0].LastError == "" {
		t.Errorf("the log of the partner that is down: %+v", logB.Items)
	}

	// A hidden case is told of no more: its triage goes nowhere, the next
	// public event does.
	ts.must(http.StatusOK, "POST", "/api/v1/cases/"+caseA+"/moderate", "advocate", map[string]any{"hidden": true, "reason": "a private dispute"})
	ts.must(http.StatusOK, "POST", "/api/v1/cases/"+caseA+"/triage", "advocate", map[string]any{"priority": "high"})
	before := flaky.count()
	ts.report(map[string]any{"title": "Next public report"})
	next := sig.waitDelivered(t, hookA)
	if got := flaky.count(); got != before+1 || len(flaky.of(next)) != 1 {
		t.Errorf("after hiding the case, the partner got %d posts, want the next report's alone", got-before)
	}

	// A removed hook hears nothing more, and its log stays for admins.
	expectProblem(t, ts.do("DELETE", "/api/v1/webhooks/"+hookB, "advocate", nil), http.StatusForbidden, "forbidden")
	if r := ts.do("DELETE", "/api/v1/webhooks/"+hookB, "admin", nil); r.status != http.StatusNoContent {
		t.Fatalf("DELETE: %d %s", r.status, r.body)
	}
	expectProblem(t, ts.do("DELETE", "/api/v1/webhooks/"+hookB, "admin", nil), http.StatusNotFound, "not_found")
	if list := ts.must(http.StatusOK, "GET", "/api/v1/webhooks", "admin", nil)["items"].([]any); len(list) != 1 {
		t.Errorf("after removing one hook, %d listed", len(list))
	}
	if err := json.Unmarshal(ts.do("GET", "/api/v1/webhooks/"+hookB+"/deliveries", "admin", nil).body, &logB); err != nil || len(logB.Items) != 1 {
		t.Errorf("the removed hook's log: %+v (%v)", logB.Items, err)
	}
}
