package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/message/router/middleware"
	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/domain/directory"
	"github.com/citizenhouse/bayt/eventstore"
	"github.com/citizenhouse/bayt/projections/relay"
	"github.com/citizenhouse/bayt/transport/mail"
	"github.com/jackc/pgx/v5/pgxpool"
)

// mailDeps are what the mailer reads: the cases, the vault, the directory
// and the keyed hash the unsubscribe links are signed with.
type mailDeps struct {
	pool      *pgxpool.Pool
	cases     mail.Cases
	vault     domain.Vault
	directory *directory.Live
	keyedHash func(purpose, text string) string
}

// wireMail mounts the unsubscribe page and, when BAYT_SMTP_URL is set,
// adds the mailer to the router as one more consumer of the events. The
// page is served even without SMTP: links in mail already sent keep
// working after mail is turned off.
func (p *program) wireMail(cfg config, router *message.Router, b *bus, deps mailDeps, logger *slog.Logger) error {
	mailLog := eventstore.NewMailLog(deps.pool)
	unsub, err := mail.NewUnsubscribe(mailLog, deps.keyedHash, logger)
	if err != nil {
		return err
	}
	p.unsubscribe = unsub
	if cfg.SMTPURL == "" {
		logger.Info("BAYT_SMTP_URL is not set: no mail is sent")
		return nil
	}
	sender, err := mail.NewSMTP(cfg.SMTPURL)
	if err != nil {
		return fmt.Errorf("%w: BAYT_SMTP_URL: %w", errUsage, err)
	}
	m, err := mail.New(mail.Config{
		Sender: sender, Cases: deps.cases, Vault: deps.vault, Departments: deps.directory, Log: mailLog,
		PublicURL: cfg.PublicURL, KeyedHashFunc: deps.keyedHash, Logger: logger, HandledFunc: cfg.mailHandledFunc,
	})
	if err != nil {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	p.mailer = m
	p.workers = append(p.workers, forgetSentMail(mailLog, logger))
	h := router.AddConsumerHandler("mail", relay.EventsTopic, b.sub, m.Handle)
	// An SMTP server is down for minutes, not milliseconds: the mail
	// handler retries for about two minutes before the router's own
	// retries and poison queue take over.
	h.AddMiddleware(middleware.Retry{
		MaxRetries: 8, InitialInterval: time.Second, Multiplier: 2, MaxInterval: 30 * time.Second,
		Logger: watermill.NewSlogLogger(logger),
	}.Middleware)
	logger.Info("mail on", "smtp_host", smtpHost(cfg.SMTPURL), "public_url", cfg.PublicURL)
	return nil
}

// smtpHost is what the log may say of BAYT_SMTP_URL: never its password.
func smtpHost(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Host
}

// validateMail checks the mail settings: links need the public address.
func (c config) validateMail() error {
	if c.SMTPURL == "" {
		return nil
	}
	if _, err := mail.NewSMTP(c.SMTPURL); err != nil {
		return fmt.Errorf("%w: BAYT_SMTP_URL: %w", errUsage, err)
	}
	u, err := url.Parse(c.PublicURL)
	if c.PublicURL == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%w: BAYT_SMTP_URL is set, so BAYT_PUBLIC_URL must say where residents reach Bayt, such as https://bayt.example.org", errUsage)
	}
	return nil
}

// sentMailRetention is how long the record of a sent mail is kept: well
// past the day after which the mailer tells no event (mail.Config.MaxAge),
// so forgetting a row can never let a mail go twice.
const sentMailRetention = 7 * 24 * time.Hour

// forgetSentMail keeps mail_sent to the last week, hourly.
func forgetSentMail(log *eventstore.MailLog, logger *slog.Logger) func(context.Context) error {
	return func(ctx context.Context) error {
		t := time.NewTicker(time.Hour)
		defer t.Stop()
		for {
			if _, err := log.ForgetSent(ctx, sentMailRetention); err != nil && ctx.Err() == nil {
				logger.Warn("forget sent mail", "err", err)
			}
			select {
			case <-ctx.Done():
				return nil
			case <-t.C:
			}
		}
	}
}
