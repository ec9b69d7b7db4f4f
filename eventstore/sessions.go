package eventstore

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/citizenhouse/bayt/domain"
	"github.com/jackc/pgx/v5"
)

// A console session secret is "bses_" and 32 random bytes in unpadded
// base64url, like a token's: the browser's cookie holds it, the database
// only its sha256.
const sessionPrefix = "bses_"

var sessionSecretLen = len(sessionPrefix) + base64.RawURLEncoding.EncodedLen(tokenSecretSize)

func newSessionSecret() (string, [sha256.Size]byte) {
	b := make([]byte, tokenSecretSize)
	rand.Read(b) //nolint:errcheck // crypto/rand.Read never fails; it crashes the program instead
	secret := sessionPrefix + base64.RawURLEncoding.EncodeToString(b)
	return secret, sha256.Sum256([]byte(secret))
}

// hashSession returns the hash a well-formed session secret is kept under,
// and false for anything Bayt could not have issued.
func hashSession(secret string) ([sha256.Size]byte, bool) {
	if len(secret) != sessionSecretLen || !strings.HasPrefix(secret, sessionPrefix) {
		return [sha256.Size]byte{}, false
	}
	if _, err := base64.RawURLEncoding.Strict().DecodeString(secret[len(sessionPrefix):]); err != nil {
		return [sha256.Size]byte{}, false
	}
	return sha256.Sum256([]byte(secret)), true
}

// OpenSession signs in with a token's secret: it returns a new session
// secret for the browser and the token it acts as, or
// domain.ErrUnauthenticated for a token that does not authenticate.
func (t *Tokens) OpenSession(ctx context.Context, tokenSecret string) (string, Token, error) {
	tok, err := t.Authenticate(ctx, tokenSecret)
	if err != nil {
		return "", Token{}, err
	}
	secret, hash := newSessionSecret()
	if _, err := t.pool.Exec(ctx, `INSERT INTO console_sessions (hash, token_id) VALUES ($1, $2)`, hash[:], tok.ID); err != nil {
		return "", Token{}, fmt.Errorf("open session: %w", translate(err))
	}
	return secret, tok, nil
}

// Session returns the token a session acts as and marks the session seen
// now. A malformed or unknown session, one idle for longer than idle, and
// one whose token was revoked or expired are domain.ErrUnauthenticated:
// revoking a token ends its sessions from their next request on.
func (t *Tokens) Session(ctx context.Context, secret string, idle time.Duration) (Token, error) {
	hash, ok := hashSession(secret)
	if !ok {
		return Token{}, domain.ErrUnauthenticated
	}
	tok, err := scanToken(t.pool.QueryRow(ctx, `UPDATE console_sessions s SET last_seen_at = now()
FROM tokens t
WHERE s.hash = $1 AND t.id = s.token_id AND s.last_seen_at > now() - make_interval(secs => $2)
  AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > now())
RETURNING t.id, t.name, t.role, t.department, t.created_at, t.expires_at, t.revoked_at`, hash[:], idle.Seconds()))
	if errors.Is(err, pgx.ErrNoRows) {
		return Token{}, domain.ErrUnauthenticated
	}
	if err != nil {
		return Token{}, fmt.Errorf("session: %w", translate(err))
	}
	return tok, nil
}

// CloseSession ends a session. Ending an unknown or ended one succeeds:
// signing out twice is not an error.
func (t *Tokens) CloseSession(ctx context.Context, secret string) error {
	hash, ok := hashSession(secret)
	if !ok {
		return nil
	}
	if _, err := t.pool.Exec(ctx, `DELETE FROM console_sessions WHERE hash = $1`, hash[:]); err != nil {
		return fmt.Errorf("close session: %w", translate(err))
	}
	return nil
}

// memorySession is a session of MemoryTokens.
type memorySession struct {
	tokenHash [sha256.Size]byte
	lastSeen  time.Time
}

// OpenSession signs in, as Tokens.OpenSession does.
func (m *MemoryTokens) OpenSession(ctx context.Context, tokenSecret string) (string, Token, error) {
	tok, err := m.Authenticate(ctx, tokenSecret)
	if err != nil {
		return "", Token{}, err
	}
	tokenHash, _ := hashSecret(tokenSecret)
	secret, hash := newSessionSecret()
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.sessions == nil {
		m.sessions = map[[sha256.Size]byte]*memorySession{}
	}
	m.sessions[hash] = &memorySession{tokenHash: tokenHash, lastSeen: time.Now()}
	return secret, tok, nil
}

// Session returns the token a session acts as, as Tokens.Session does.
func (m *MemoryTokens) Session(ctx context.Context, secret string, idle time.Duration) (Token, error) {
	if err := ctx.Err(); err != nil {
		return Token{}, err
	}
	hash, ok := hashSession(secret)
	if !ok {
		return Token{}, domain.ErrUnauthenticated
	}
	now := time.Now()
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.sessions[hash]
	if !ok || now.Sub(s.lastSeen) >= idle {
		return Token{}, domain.ErrUnauthenticated
	}
	rec, ok := m.byHash[s.tokenHash]
	if !ok || !rec.tok.RevokedAt.IsZero() || (!rec.tok.ExpiresAt.IsZero() && !rec.tok.ExpiresAt.After(now)) {
		return Token{}, domain.ErrUnauthenticated
	}
	s.lastSeen = now
	return rec.tok, nil
}

// CloseSession ends a session, as Tokens.CloseSession does.
func (m *MemoryTokens) CloseSession(ctx context.Context, secret string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if hash, ok := hashSession(secret); ok {
		m.mu.Lock()
		delete(m.sessions, hash)
		m.mu.Unlock()
	}
	return nil
}
