package main

import (
	"bufio"
	"context"
	"encoding/base64"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/mail"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/citizenhouse/bayt/domain/directory"
	"github.com/citizenhouse/bayt/eventstore/eventstoretest"
	"github.com/citizenhouse/bayt/projections/relay"
)

// receivedMail is one mail the test's SMTP server accepted, decoded.
type receivedMail struct {
	To, Subject, Text, ListUnsubscribe string
}

// smtpServer is a small SMTP server the test runs on loopback: it speaks
// enough of RFC 5321 (EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT) for a real
// client, and keeps what it accepts. A mail is kept before the server
// answers DATA, so once a client's send returned the mail is here.
type smtpServer struct {
	t    *testing.T
	ln   net.Listener
	mu   sync.Mutex
	mail []receivedMail
	wg   sync.WaitGroup
	// refuse is how many mails the server still refuses, as a server
	// that is briefly unable to take mail does (451).
	refuse atomic.Int32
}

func startSMTP(t *testing.T) *smtpServer {
	t.Helper()
	ln, err := new(net.ListenConfig).Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &smtpServer{t: t, ln: ln}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				s.serve(conn)
			}()
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		s.wg.Wait()
	})
	return s
}

// url is the BAYT_SMTP_URL that reaches the server.
func (s *smtpServer) url() string {
	return "smtp://" + s.ln.Addr().String() + "?from=bayt@example.org&tls=none"
}

func (s *smtpServer) serve(conn net.Conn) {
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	r := bufio.NewReader(conn)
	reply := func(line string) { _, _ = io.WriteString(conn, line+"\r\n") }
	reply("220 test ESMTP")
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		verb := strings.ToUpper(strings.Fields(line + " x")[0])
		switch verb {
		case "EHLO", "HELO":
			reply("250-test")
			reply("250-8BITMIME")
			reply("250 SMTPUTF8")
		case "DATA":
			reply("354 go on")
			var data strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				data.WriteString(strings.TrimPrefix(l, "."))
			}
			if s.refuse.Add(-1) >= 0 {
				reply("451 4.3.0 try again later")
				continue
			}
			m, err := decodeMail(data.String())
			if err != nil {
				s.t.Errorf("the server received a mail it cannot read: %v", err)
				reply("554 unreadable")
				continue
			}
			s.mu.Lock()
			s.mail = append(s.mail, m)
			s.mu.Unlock()
			reply("250 kept")
		case "QUIT":
			reply("221 bye")
			return
		default: // MAIL, RCPT, RSET, NOOP
			reply("250 ok")
		}
	}
}

func decodeMail(raw string) (receivedMail, error) {
	msg, err := mail.ReadMessage(strings.NewReader(raw))
	if err != nil {
		return receivedMail{}, err
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		return receivedMail{}, err
	}
	body := io.Reader(msg.Body)
	switch strings.ToLower(msg.Header.Get("Content-Transfer-Encoding")) {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, body)
	}
	text, err := io.ReadAll(body)
	if err != nil {
		return receivedMail{}, err
	}
	to, err := mail.ParseAddress(msg.Header.Get("To"))
	if err != nil {
		return receivedMail{}, err
	}
	return receivedMail{To: to.Address, Subject: subject, Text: strings.ReplaceAll(string(text), "\r\n", "\n"), ListUnsubscribe: msg.Header.Get("List-Unsubscribe")}, nil
}

// to returns the mails received for address, in the order received.
func (s *smtpServer) to(address string) []receivedMail {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []receivedMail
	for _, m := range s.mail {
		if m.To == address {
			out = append(out, m)
		}
	}
	return out
}

// mailHandled records what the mailer reported of each event it handled.
type mailHandled struct {
	mu    sync.Mutex
	sent  map[int64]int
	moved chan struct{}
}

func newMailHandled() *mailHandled {
	return &mailHandled{sent: map[int64]int{}, moved: make(chan struct{})}
}

func (h *mailHandled) handled(position int64, sent int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.sent[position] += sent
	close(h.moved)
	h.moved = make(chan struct{})
}

// wait returns how many mails the mailer sent for the event at position,
// once it handled it.
func (h *mailHandled) wait(t *testing.T, position int64) int {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		h.mu.Lock()
		sent, ok := h.sent[position]
		moved := h.moved
		h.mu.Unlock()
		if ok {
			return sent
		}
		select {
		case <-moved:
		case <-deadline:
			t.Fatalf("the mailer never handled the event at position %d", position)
		}
	}
}

const publicURL = "https://bayt.example.org"

// mailbox is an SMTP server the test runs: the test's own (startSMTP), or
// mailpit when BAYT_TEST_MAILPIT names its binary (startMailpit).
type mailbox interface {
	// url is the BAYT_SMTP_URL that reaches the server.
	url() string
	// to returns the mails received for address, in the order received.
	to(address string) []receivedMail
}

func startMailbox(t *testing.T) mailbox {
	t.Helper()
	if bin := os.Getenv("BAYT_TEST_MAILPIT"); bin != "" {
		return startMailpit(t, bin)
	}
	return startSMTP(t)
}

func startMailServer(t *testing.T) (*testServer, mailbox, *mailHandled) {
	t.Helper()
	smtp := startMailbox(t)
	handled := newMailHandled()
	ts := startServerWith(t, func(c *config) {
		c.SMTPURL, c.PublicURL, c.mailHandledFunc = smtp.url(), publicURL, handled.handled
	})
	return ts, smtp, handled
}

// step runs a case command and returns the position of its event.
func (ts *testServer) step(path, who string, body map[string]any) int64 {
	ts.t.Helper()
	p, _ := ts.must(http.StatusOK, "POST", path, who, body)["position"].(float64)
	if p == 0 {
		ts.t.Fatalf("%s returned no position", path)
	}
	return int64(p)
}

var unsubscribeLink = regexp.MustCompile(regexp.QuoteMeta(publicURL) + `/mail/unsubscribe\?\S+`)

func TestMailToReporterAndDepartment(t *testing.T) {
	t.Parallel()
	ts, smtp, handled := startMailServer(t)
	ctx := context.Background()
	// An admin gives the roads department a mailbox in the console; an
	// address that is not one is refused and changes nothing.
	roads, _ := directory.Default().Department("roads_works")
	roads.Email = "voirie@ville.example"
	admin := newConsoleClient(ts)
	admin.signIn("admin")
	form := url.Values{"code": {roads.Code}, "name_ar": {roads.Name.AR}, "name_fr": {roads.Name.FR}, "name_en": {roads.Name.EN}, "email": {"voirie at ville"}}
	admin.get("/console/directory")
	if p := admin.post("/console/directory/departments?lang=en", form); p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "This is not an email address.") {
		t.Fatalf("a department address that is not one: %d", p.status)
	}
	form.Set("email", roads.Email)
	admin.get("/console/directory")
	if p := admin.post("/console/directory/departments", form); p.status != http.StatusSeeOther {
		t.Fatalf("give the department an address: %d:\n%s", p.status, p.body)
	}
	if p := admin.get("/console/directory"); !strings.Contains(p.body, `value="`+roads.Email+`"`) {
		t.Fatal("the console does not show the department's address in its form")
	}
	if r := ts.do("GET", "/api/v1/departments", "", nil); strings.Contains(string(r.body), roads.Email) {
		t.Fatalf("the public directory shows a department's mailbox: %s", r.body)
	}

	const amel = "amel@example.tn"
	rep := ts.report(map[string]any{"title": "Nid-de-poule rue de la Liberté", "language": "fr", "reporter": map[string]any{"name": "Amel", "email": amel}})
	id, token := rep["id"].(string), rep["tracking_token"].(string)
	path := "/api/v1/cases/" + id
	ts.step(path+"/triage", "advocate", map[string]any{"priority": "normal"})
	forwarded := ts.step(path+"/forward", "advocate", map[string]any{"department": "roads_works"})
	if n := handled.wait(t, forwarded); n != 2 {
		t.Fatalf("forwarding sent %d mails, want the reporter's and the department's", n)
	}
	ts.step(path+"/acknowledge", "officer", map[string]any{"reference": "BO-1"})
	answered := ts.step(path+"/answer", "officer", map[string]any{"response": "Travaux la semaine prochaine"})
	resolved := ts.step(path+"/resolve", "officer", map[string]any{"note": "Rebouché"})
	reopened := ts.step(path+"/reopen", "", map[string]any{"reason": "Le trou est revenu", "tracking_token": token})
	for _, p := range []int64{answered, resolved, reopened} {
		if n := handled.wait(t, p); n != 1 {
			t.Fatalf("the event at %d sent %d mails, want 1", p, n)
		}
	}

	t.Run("OneMailPerStatusChangeInFrench", func(t *testing.T) {
		got := smtp.to(amel)
		want := []string{"transmis à la municipalité", "a répondu", "est résolu", "est rouvert"}
		if len(got) != len(want) {
			t.Fatalf("the reporter got %d mails, want %d: %+v", len(got), len(want), got)
		}
		// Handlers run concurrently, so mails about successive events may
		// arrive in either order: each change must be told exactly once.
		for _, w := range want {
			n := 0
			for _, m := range got {
				if strings.Contains(m.Subject, w) && strings.Contains(m.Subject, "Nid-de-poule") {
					n++
				}
			}
			if n != 1 {
				t.Errorf("%d mails in French say %q, want 1: %+v", n, w, got)
			}
		}
		for i, m := range got {
			if !strings.Contains(m.Text, publicURL+"/cases/"+id+"?lang=fr") || !strings.Contains(m.Text, "Bonjour") {
				t.Errorf("mail %d lacks the case link or is not in French:\n%s", i, m.Text)
			}
			link := unsubscribeLink.FindString(m.Text)
			if link == "" || m.ListUnsubscribe != "<"+link+">" || strings.Contains(link, "amel") || strings.Contains(link, id) {
				t.Errorf("mail %d: unsubscribe link %q (header %q): want an opaque link in the body and the header", i, link, m.ListUnsubscribe)
			}
		}
		if !strings.Contains(got[0].Text, "Voirie et travaux publics") {
			t.Errorf("the forwarding mail does not name the department in French:\n%s", got[0].Text)
		}
	})

	t.Run("DepartmentToldOfNewCase", func(t *testing.T) {
		got := smtp.to(roads.Email)
		if len(got) != 1 || !strings.Contains(got[0].Subject, "Nid-de-poule") || !strings.Contains(got[0].Text, publicURL+"/cases/"+id) {
			t.Fatalf("the department got %+v, want one mail about the case", got)
		}
	})

	t.Run("RedeliveredEventSendsNothing", func(t *testing.T) {
		var eventID string
		if err := ts.pool.QueryRow(ctx, "SELECT event_id FROM events WHERE position = $1", forwarded).Scan(&eventID); err != nil {
			t.Fatal(err)
		}
		before := len(smtp.to(amel)) + len(smtp.to(roads.Email))
		for _, at := range []time.Time{time.Now(), time.Now().Add(-48 * time.Hour)} {
			msg, err := relay.NewMessage(relay.Notice{Position: forwarded, Stream: id, Type: "casefile.case_forwarded", EventID: eventID, RecordedAt: at})
			if err != nil {
				t.Fatal(err)
			}
			if err := ts.program.mailer.Handle(msg); err != nil {
				t.Fatal(err)
			}
		}
		if after := len(smtp.to(amel)) + len(smtp.to(roads.Email)); after != before {
			t.Fatalf("a redelivered event sent %d more mails", after-before)
		}
	})

	t.Run("HistoryIsNotNews", func(t *testing.T) {
		// An event of two days ago the mailer never saw, as a relay
		// republishing a restored log delivers it: nobody is told.
		var eventID string
		if err := ts.pool.QueryRow(ctx, "SELECT event_id FROM events WHERE position = $1", answered).Scan(&eventID); err != nil {
			t.Fatal(err)
		}
		if _, err := ts.pool.Exec(ctx, "DELETE FROM mail_sent WHERE event_id = $1", eventID); err != nil {
			t.Fatal(err)
		}
		msg, err := relay.NewMessage(relay.Notice{Position: answered, Stream: id, Type: "casefile.case_answered", EventID: eventID, RecordedAt: time.Now().Add(-48 * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		before := len(smtp.to(amel))
		if err := ts.program.mailer.Handle(msg); err != nil {
			t.Fatal(err)
		}
		if after := len(smtp.to(amel)); after != before {
			t.Fatalf("an old event sent %d mails", after-before)
		}
	})

	t.Run("NothingAfterErasure", func(t *testing.T) {
		url := eventstoretest.URLFor(t, ts.schema)
		if out, err := run(t, "person", "erase", "-database-url", url, "-case", id, "-master-key-file", ts.keyFile); err != nil || !strings.Contains(out, "erased") {
			t.Fatalf("erase: %q, %v", out, err)
		}
		again := ts.step(path+"/resolve", "officer", map[string]any{"note": "Rebouché, pour de bon"})
		if n := handled.wait(t, again); n != 0 || len(smtp.to(amel)) != 4 {
			t.Fatalf("after erasure the mailer sent %d mails; the reporter has %d", n, len(smtp.to(amel)))
		}
	})
}

func TestMailUnsubscribe(t *testing.T) {
	t.Parallel()
	ts, smtp, handled := startMailServer(t)
	const sami = "sami@example.tn"
	rep := ts.report(map[string]any{"language": "en", "reporter": map[string]any{"email": sami}})
	id := rep["id"].(string)
	path := "/api/v1/cases/" + id
	ts.step(path+"/triage", "advocate", map[string]any{"priority": "normal"})
	if n := handled.wait(t, ts.step(path+"/forward", "advocate", map[string]any{"department": "roads_works"})); n != 1 {
		t.Fatalf("forwarding sent %d mails, want the reporter's alone (the department has no address)", n)
	}
	got := smtp.to(sami)
	if len(got) != 1 || !strings.Contains(got[0].Subject, "was forwarded") {
		t.Fatalf("the reporter got %+v, want one mail in English", got)
	}
	link, err := url.Parse(unsubscribeLink.FindString(got[0].Text))
	if err != nil || link.Path != "/mail/unsubscribe" {
		t.Fatalf("no unsubscribe link in %q", got[0].Text)
	}
	local := link.Path + "?" + link.RawQuery

	// Following the link changes nothing: link checkers follow links.
	if r := ts.page("GET", local, nil); r.status != http.StatusOK || !strings.Contains(string(r.body), `<form method="post"`) {
		t.Fatalf("GET the link: %d\n%s", r.status, r.body)
	}
	ts.step(path+"/acknowledge", "officer", map[string]any{"reference": "BO-2"})
	if n := handled.wait(t, ts.step(path+"/answer", "officer", map[string]any{"response": "Next week"})); n != 1 {
		t.Fatalf("the answer sent %d mails before unsubscribing, want 1", n)
	}

	forged := url.Values{"t": {strings.Replace(link.Query().Get("t"), ".", ".0", 1)}}
	if r := ts.page("POST", "/mail/unsubscribe", forged); r.status != http.StatusBadRequest || r.header.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("POST a forged token: %d %s", r.status, r.header.Get("Content-Type"))
	}
	if r := ts.page("POST", "/mail/unsubscribe", link.Query()); r.status != http.StatusOK || !strings.Contains(string(r.body), "You are unsubscribed") {
		t.Fatalf("POST the link's form: %d\n%s", r.status, r.body)
	}
	if n := handled.wait(t, ts.step(path+"/resolve", "officer", map[string]any{"note": "Done"})); n != 0 || len(smtp.to(sami)) != 2 {
		t.Fatalf("after unsubscribing the mailer sent %d mails; the reporter has %d, want 2", n, len(smtp.to(sami)))
	}
}

// TestMailRetriedWhenRefused has the SMTP server refuse the first two
// attempts: the handler's Retry sends the mail on the third, once.
func TestMailRetriedWhenRefused(t *testing.T) {
	t.Parallel()
	smtp := startSMTP(t)
	handled := newMailHandled()
	ts := startServerWith(t, func(c *config) {
		c.SMTPURL, c.PublicURL, c.mailHandledFunc = smtp.url(), publicURL, handled.handled
	})
	smtp.refuse.Store(2)
	const nour = "nour@example.tn"
	id := ts.report(map[string]any{"language": "ar", "reporter": map[string]any{"email": nour}})["id"].(string)
	ts.step("/api/v1/cases/"+id+"/triage", "advocate", map[string]any{"priority": "normal"})
	if n := handled.wait(t, ts.step("/api/v1/cases/"+id+"/forward", "advocate", map[string]any{"department": "roads_works"})); n != 1 {
		t.Fatalf("forwarding sent %d mails, want 1", n)
	}
	got := smtp.to(nour)
	if len(got) != 1 || smtp.refuse.Load() >= 0 || !strings.Contains(got[0].Subject, "أُحيلت قضيتك") {
		t.Fatalf("after two refusals the reporter got %+v (refusals left %d), want one mail in Arabic", got, smtp.refuse.Load())
	}
}

func TestMailConfig(t *testing.T) {
	t.Parallel()
	base := configFromEnv()
	base.DatabaseURL = "postgres://127.0.0.1/x"
	for name, c := range map[string]struct {
		smtp, public string
		ok           bool
	}{
		"NoMail":           {"", "", true},
		"Mail":             {"smtp://u:p@mail.example.org:587?from=bayt@example.org", "https://bayt.example.org", true},
		"NoPublicURL":      {"smtp://mail.example.org?from=bayt@example.org", "", false},
		"PublicURLNotHTTP": {"smtp://mail.example.org?from=bayt@example.org", "bayt.example.org", false},
		"NoFrom":           {"smtp://mail.example.org", "https://bayt.example.org", false},
		"WrongScheme":      {"http://mail.example.org?from=bayt@example.org", "https://bayt.example.org", false},
	} {
		cfg := base
		cfg.SMTPURL, cfg.PublicURL = c.smtp, c.public
		err := cfg.validate()
		if c.ok && err != nil || !c.ok && exitCode(err) != 2 {
			t.Errorf("%s: validate() = %v, want ok %v (a usage error otherwise)", name, err, c.ok)
		}
	}
	if h := smtpHost("smtp://user:secret@mail.example.org:587?from=bayt@example.org"); h != "mail.example.org:587" {
		t.Errorf("smtpHost = %q, want the host alone: never the password in the log", h)
	}
}
