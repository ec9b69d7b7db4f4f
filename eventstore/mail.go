package eventstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// MailLog is the mailer's record on PostgreSQL (tables mail_sent and
// mail_opt_outs): which event was told to which recipient, and who asked
// to be told nothing more. It is safe for concurrent use.
type MailLog struct {
	pool *pgxpool.Pool
}

// NewMailLog returns the mail log on pool, whose schema must be migrated.
func NewMailLog(pool *pgxpool.Pool) *MailLog {
	if pool == nil {
		panic("eventstore: nil pool")
	}
	return &MailLog{pool: pool}
}

// SendOnce calls send unless the event was already told to recipient,
// and reports whether it called it. The claim on (eventID, recipient) is
// taken in a transaction that stays open while send runs and commits only
// when send succeeded: a concurrent delivery of the same event (another
// node, a redelivery) waits on the claim and then finds it taken, and a
// send that fails leaves nothing claimed, so a retry sends again. The one
// gap left is a commit that fails after the server accepted the mail: that
// mail may go twice, never zero times.
func (l *MailLog) SendOnce(ctx context.Context, eventID, recipient string, send func(context.Context) error) (bool, error) {
	tx, err := l.pool.Begin(ctx)
	if err != nil {
		return false, fmt.Errorf("claim mail %s/%s: %w", eventID, recipient, err)
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	tag, err := tx.Exec(ctx, `INSERT INTO mail_sent (event_id, recipient) VALUES ($1, $2) ON CONFLICT DO NOTHING`, eventID, recipient)
	if err != nil {
		return false, fmt.Errorf("claim mail %s/%s: %w", eventID, recipient, err)
	}
	if tag.RowsAffected() == 0 {
		return false, nil
	}
	if err := send(ctx); err != nil {
		return false, err
	}
	if err := tx.Commit(ctx); err != nil {
		return true, fmt.Errorf("record mail %s/%s: %w", eventID, recipient, err)
	}
	return true, nil
}

// OptOut records that target wants no more mail. Recording it twice is
// recording it once.
func (l *MailLog) OptOut(ctx context.Context, target string) error {
	if _, err := l.pool.Exec(ctx, `INSERT INTO mail_opt_outs (target) VALUES ($1) ON CONFLICT DO NOTHING`, target); err != nil {
		return fmt.Errorf("record opt-out: %w", err)
	}
	return nil
}

// OptedOut reports whether target asked for no more mail.
func (l *MailLog) OptedOut(ctx context.Context, target string) (bool, error) {
	var yes bool
	err := l.pool.QueryRow(ctx, `SELECT true FROM mail_opt_outs WHERE target = $1`, target).Scan(&yes)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read opt-out: %w", err)
	}
	return yes, nil
}

// ForgetSent deletes the record of mail sent longer than age ago, and
// returns how many rows it deleted. It is safe once age is past the
// mailer's MaxAge: an event that old is never told again, so its row
// prevents nothing.
func (l *MailLog) ForgetSent(ctx context.Context, age time.Duration) (int64, error) {
	tag, err := l.pool.Exec(ctx, `DELETE FROM mail_sent WHERE sent_at < now() - make_interval(secs => $1)`, age.Seconds())
	if err != nil {
		return 0, fmt.Errorf("forget sent mail: %w", err)
	}
	return tag.RowsAffected(), nil
}
