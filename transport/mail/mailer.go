package mail

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/domain/casefile"
	"github.com/citizenhouse/bayt/domain/directory"
	"github.com/citizenhouse/bayt/projections/relay"
)

// Message is one mail to send.
type Message struct {
	To      string
	Subject string
	Text    string
	// Unsubscribe is the unsubscribe link, also sent as List-Unsubscribe
	// (with one-click POST, RFC 8058) so that mail clients offer it.
	Unsubscribe string
}

// Sender sends mail. Send returns once the server accepted the message,
// or an error; a failed send may be tried again. It is safe for
// concurrent use.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// Cases loads a case as its events leave it; an unknown case is an error
// wrapping domain.ErrNotFound.
type Cases interface {
	Load(ctx context.Context, id string) (*casefile.Case, int64, error)
}

// Vault reads a person's data: an error wrapping domain.ErrErased for an
// erased person, domain.ErrNotFound for an unknown one.
type Vault interface {
	Get(ctx context.Context, subject string) (domain.PersonalData, error)
}

// Departments looks a department up in the directory in force.
type Departments interface {
	Department(code string) (directory.Department, bool)
}

// Log is the mailer's record: what was sent, and who opted out. SendOnce
// calls send unless the event was already told to recipient, and reports
// whether it did; a send that fails is not recorded, and its error is
// returned. OptedOut reports whether target unsubscribed. Both are safe
// for concurrent use, across nodes too.
type Log interface {
	SendOnce(ctx context.Context, eventID, recipient string, send func(context.Context) error) (bool, error)
	OptedOut(ctx context.Context, target string) (bool, error)
}

// Config is what a Mailer needs.
type Config struct {
	Sender      Sender
	Cases       Cases
	Vault       Vault
	Departments Departments
	Log         Log
	// PublicURL is where residents reach Bayt ("https://bayt.example.org"):
	// the links in mail are under it.
	PublicURL string
	// KeyedHashFunc signs unsubscribe tokens (see domain.Ports).
	KeyedHashFunc func(purpose, text string) string
	// MaxAge is how old an event may be and still be told (a day when
	// zero): mail is news. A relay that starts from an older checkpoint
	// (a first start over a loaded or restored log) republishes history,
	// which must not reach anyone's inbox.
	MaxAge time.Duration
	// NowFunc is the clock MaxAge is measured by; time.Now when nil.
	NowFunc func() time.Time
	Logger  *slog.Logger
	// HandledFunc, when set, is called once the mailer is done with an
	// event, with the event's position and the number of mails it sent
	// for it. Tests wait on it instead of polling a mailbox.
	HandledFunc func(position int64, sent int)
}

func (c *Config) validate() error {
	if c.Sender == nil || c.Cases == nil || c.Vault == nil || c.Departments == nil || c.Log == nil || c.KeyedHashFunc == nil {
		return errors.New("mail: incomplete configuration")
	}
	u, err := url.Parse(c.PublicURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("mail: the public URL must be an http or https address, not %q", c.PublicURL)
	}
	c.PublicURL = strings.TrimRight(c.PublicURL, "/")
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.MaxAge <= 0 {
		c.MaxAge = 24 * time.Hour
	}
	if c.NowFunc == nil {
		c.NowFunc = time.Now
	}
	return nil
}

// Mailer sends the mail events call for.
type Mailer struct {
	cfg   Config
	texts *texts
}

// New returns a Mailer.
func New(cfg Config) (*Mailer, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	t, err := loadTexts()
	if err != nil {
		return nil, err
	}
	return &Mailer{cfg: cfg, texts: t}, nil
}

// Recipients, as the mail log keys them.
const (
	recipientReporter   = "reporter"
	recipientDepartment = "department"
)

// reporterKinds are the events a reporter is told of, and the mail each
// calls for.
var reporterKinds = map[string]string{
	casefile.TypeCaseForwarded: "reporter.forwarded",
	casefile.TypeCaseAnswered:  "reporter.answered",
	casefile.TypeCaseResolved:  "reporter.resolved",
	casefile.TypeCaseReopened:  "reporter.reopened",
}

// errNothingToSend ends a send that found no one to send to (an erased
// reporter, one without an address): nothing is claimed.
var errNothingToSend = errors.New("nothing to send")

// Handle is the watermill handler: it sends the mail the event a message
// names calls for, once. An error (the store or the SMTP server
// unreachable) has the message redelivered.
func (m *Mailer) Handle(msg *message.Message) error {
	var n relay.Notice
	if err := json.Unmarshal(msg.Payload, &n); err != nil {
		// Not a message of the relay's: nothing will ever make it one.
		m.cfg.Logger.Warn("mail: undecodable message", "err", err, "message_id", msg.UUID)
		return nil
	}
	sent, err := m.handle(msg.Context(), n)
	if err != nil {
		return err
	}
	if m.cfg.HandledFunc != nil && n.EventID != "" {
		m.cfg.HandledFunc(n.Position, sent)
	}
	return nil
}

func (m *Mailer) handle(ctx context.Context, n relay.Notice) (int, error) {
	kind, toReporter := reporterKinds[n.Type]
	toDepartment := n.Type == casefile.TypeCaseForwarded
	if n.EventID == "" || (!toReporter && !toDepartment) {
		return 0, nil
	}
	// A notice without the time (from a relay of an older Bayt, during an
	// upgrade) is taken as news: losing a mail is worse than a late one.
	if !n.RecordedAt.IsZero() && m.cfg.NowFunc().Sub(n.RecordedAt) > m.cfg.MaxAge {
		// Debug: a relay replaying a restored log would say it of every event.
		m.cfg.Logger.Debug("mail: event too old to tell", "position", n.Position, "type", n.Type)
		return 0, nil
	}
	c, _, err := m.cfg.Cases.Load(ctx, n.Stream)
	if errors.Is(err, domain.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("mail: load %s: %w", n.Stream, err)
	}
	sent := 0
	if toReporter {
		ok, err := m.tellReporter(ctx, n.EventID, kind, c)
		if err != nil {
			return sent, err
		}
		sent += count(ok)
	}
	if toDepartment {
		ok, err := m.tellDepartment(ctx, n.EventID, c)
		if err != nil {
			return sent, err
		}
		sent += count(ok)
	}
	return sent, nil
}

func count(ok bool) int {
	if ok {
		return 1
	}
	return 0
}

// tellReporter mails the case's reporter, if they left an address, were
// not erased and did not opt out.
func (m *Mailer) tellReporter(ctx context.Context, eventID, kind string, c *casefile.Case) (bool, error) {
	if c.ReporterSubject == "" {
		return false, nil
	}
	target := caseTarget(c.ID)
	if out, err := m.cfg.Log.OptedOut(ctx, target); err != nil || out {
		return false, err
	}
	lang := language(c.Language)
	dep, _ := m.cfg.Departments.Department(c.Department)
	data := mailData{Title: c.Title, Department: dep.Name.In(lang), CaseURL: m.caseURL(c.ID, lang), UnsubscribeURL: m.unsubscribeURL(target, lang)}
	sent, err := m.cfg.Log.SendOnce(ctx, eventID, recipientReporter, func(ctx context.Context) error {
		// Read at the last moment: an address erased a second ago is
		// not mailed.
		pd, err := m.cfg.Vault.Get(ctx, c.ReporterSubject)
		if errors.Is(err, domain.ErrErased) || errors.Is(err, domain.ErrNotFound) {
			return errNothingToSend
		}
		if err != nil {
			return fmt.Errorf("mail: read the reporter of %s: %w", c.ID, err)
		}
		if pd.Email == "" {
			return errNothingToSend
		}
		return m.send(ctx, pd.Email, lang, kind, data)
	})
	if errors.Is(err, errNothingToSend) {
		return false, nil
	}
	return sent, err
}

// tellDepartment mails the department a case was forwarded to, if the
// directory has an address for it.
func (m *Mailer) tellDepartment(ctx context.Context, eventID string, c *casefile.Case) (bool, error) {
	dep, ok := m.cfg.Departments.Department(c.Department)
	if !ok || dep.Email == "" {
		return false, nil
	}
	target := departmentTarget(dep.Code)
	if out, err := m.cfg.Log.OptedOut(ctx, target); err != nil || out {
		return false, err
	}
	// Departments read the default language: staff work in it.
	lang := Languages[0]
	data := mailData{Title: c.Title, Department: dep.Name.In(lang), CaseURL: m.caseURL(c.ID, lang), UnsubscribeURL: m.unsubscribeURL(target, lang)}
	return m.cfg.Log.SendOnce(ctx, eventID, recipientDepartment, func(ctx context.Context) error {
		return m.send(ctx, dep.Email, lang, "department.forwarded", data)
	})
}

func (m *Mailer) send(ctx context.Context, to, lang, kind string, data mailData) error {
	subject, body, err := m.texts.render(lang, kind, data)
	if err != nil {
		return err
	}
	if err := m.cfg.Sender.Send(ctx, Message{To: to, Subject: subject, Text: body, Unsubscribe: data.UnsubscribeURL}); err != nil {
		return fmt.Errorf("mail: send %s: %w", kind, err)
	}
	return nil
}

func (m *Mailer) caseURL(id, lang string) string {
	return m.cfg.PublicURL + "/cases/" + url.PathEscape(id) + "?lang=" + lang
}

func (m *Mailer) unsubscribeURL(target, lang string) string {
	return m.cfg.PublicURL + UnsubscribePath + "?" + url.Values{"t": {signToken(m.cfg.KeyedHashFunc, target)}, "lang": {lang}}.Encode()
}
