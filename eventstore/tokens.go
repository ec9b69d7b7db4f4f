package eventstore

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/citizenhouse/bayt/domain"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/oklog/ulid/v2"
)

// Staff authenticate with bearer tokens. A secret is "bayt_" followed by 32
// random bytes in unpadded base64url; the prefix makes a leaked secret easy
// to recognise (secret scanners, logs). Only sha256 of the secret is stored:
// the secret has 256 bits of entropy, so a fast unsalted hash is enough to
// make a leaked table useless, and looking the hash up by equality leaks
// nothing through timing that could help guess another secret.
const (
	tokenPrefix     = "bayt_"
	tokenSecretSize = 32
	tokenNameMax    = 100
)

var tokenSecretLen = len(tokenPrefix) + base64.RawURLEncoding.EncodedLen(tokenSecretSize)

// Token is a staff credential, without its secret or the secret's hash.
// ID is safe to show and to record in events; it is what Revoke takes.
type Token struct {
	ID         string
	Name       string
	Role       domain.Role
	Department string
	CreatedAt  time.Time
	// ExpiresAt is when the token stops authenticating; zero for a token
	// that lives until it is revoked.
	ExpiresAt time.Time
	// RevokedAt is when the token was revoked; zero while it is not.
	RevokedAt time.Time
}

// Actor returns the actor a request authenticated with t acts as.
func (t Token) Actor() domain.Actor {
	return domain.Actor{ID: t.ID, Name: t.Name, Role: t.Role, Department: t.Department}
}

// newToken validates a request for a token and returns it with a fresh
// secret and the secret's hash. Name and department are trimmed; expires,
// when not zero, must come after now.
func newToken(name string, role domain.Role, department string, expires, now time.Time) (secret string, hash [sha256.Size]byte, tok Token, err error) {
	name, department = strings.TrimSpace(name), strings.TrimSpace(department)
	var errs []error
	switch n := utf8.RuneCountInString(name); {
	case !utf8.ValidString(name):
		errs = append(errs, domain.Invalid("name", "not valid UTF-8"))
	case n == 0:
		errs = append(errs, domain.Invalid("name", "required"))
	case n > tokenNameMax:
		errs = append(errs, domain.Invalid("name", fmt.Sprintf("longer than %d characters", tokenNameMax)))
	}
	switch role {
	case domain.RoleOfficer:
		if department == "" {
			errs = append(errs, domain.Invalid("department", "required for an officer"))
		}
	case domain.RoleAdmin, domain.RoleAdvocate:
		if department != "" {
			errs = append(errs, domain.Invalid("department", "only an officer has a department"))
		}
	default:
		errs = append(errs, domain.Invalid("role", "must be admin, advocate or officer"))
	}
	if !expires.IsZero() && !expires.After(now) {
		errs = append(errs, domain.Invalid("expires", "must be in the future"))
	}
	if err := errors.Join(errs...); err != nil {
		return "", hash, Token{}, err
	}
	b := make([]byte, tokenSecretSize)
	rand.Read(b) //nolint:errcheck // crypto/rand.Read never fails; it crashes the program instead
	secret = tokenPrefix + base64.RawURLEncoding.EncodeToString(b)
	tok = Token{ID: "tok-" + ulid.Make().String(), Name: name, Role: role, Department: department}
	if !expires.IsZero() {
		// PostgreSQL keeps microseconds: the token handed back is the one
		// stored.
		tok.ExpiresAt = expires.UTC().Truncate(time.Microsecond)
	}
	return secret, sha256.Sum256([]byte(secret)), tok, nil
}

// hashSecret returns the hash a well-formed secret is stored under, and
// false for anything that could not be a secret Bayt issued, which is then
// refused without a look-up.
func hashSecret(secret string) ([sha256.Size]byte, bool) {
	if len(secret) != tokenSecretLen || !strings.HasPrefix(secret, tokenPrefix) {
		return [sha256.Size]byte{}, false
	}
	if _, err := base64.RawURLEncoding.Strict().DecodeString(secret[len(tokenPrefix):]); err != nil {
		return [sha256.Size]byte{}, false
	}
	return sha256.Sum256([]byte(secret)), true
}

// Tokens keeps staff tokens in PostgreSQL (table tokens). It is safe for
// concurrent use.
type Tokens struct {
	pool *pgxpool.Pool
}

// NewTokens returns Tokens on pool, whose schema must be migrated.
func NewTokens(pool *pgxpool.Pool) *Tokens {
	if pool == nil {
		panic("eventstore: nil pool")
	}
	return &Tokens{pool: pool}
}

// Create issues a token and returns its secret, which is shown once and
// kept nowhere. Role must be admin, advocate or officer; an officer needs a
// department and nobody else may have one; name is 1 to 100 characters;
// expires is zero for a token that lives until it is revoked, or a time
// to come. Breaking a rule returns *domain.InvalidError values (joined).
func (t *Tokens) Create(ctx context.Context, name string, role domain.Role, department string, expires time.Time) (string, Token, error) {
	secret, hash, tok, err := newToken(name, role, department, expires, time.Now())
	if err != nil {
		return "", Token{}, err
	}
	err = t.pool.QueryRow(ctx, `INSERT INTO tokens (id, name, role, department, hash, expires_at) VALUES ($1, $2, $3, $4, $5, $6)
RETURNING created_at`, tok.ID, tok.Name, string(tok.Role), nullable(tok.Department), hash[:], nullableTime(tok.ExpiresAt)).Scan(&tok.CreatedAt)
	if err != nil {
		return "", Token{}, fmt.Errorf("create token: %w", translate(err))
	}
	tok.CreatedAt = tok.CreatedAt.UTC()
	return secret, tok, nil
}

const tokenColumns = "id, name, role, department, created_at, expires_at, revoked_at"

// scanToken reads a row of tokenColumns.
func scanToken(row pgx.Row) (Token, error) {
	var (
		tok              Token
		role             string
		dept             *string
		expires, revoked *time.Time
	)
	if err := row.Scan(&tok.ID, &tok.Name, &role, &dept, &tok.CreatedAt, &expires, &revoked); err != nil {
		return Token{}, err
	}
	tok.Role, tok.Department, tok.CreatedAt = domain.Role(role), deref(dept), tok.CreatedAt.UTC()
	if expires != nil {
		tok.ExpiresAt = expires.UTC()
	}
	if revoked != nil {
		tok.RevokedAt = revoked.UTC()
	}
	return tok, nil
}

// Authenticate returns the live token whose secret is secret, or
// domain.ErrUnauthenticated for a malformed, unknown, revoked or expired
// one. Every call asks the database, so a revocation or an expiry holds
// from the next request on.
func (t *Tokens) Authenticate(ctx context.Context, secret string) (Token, error) {
	hash, ok := hashSecret(secret)
	if !ok {
		return Token{}, domain.ErrUnauthenticated
	}
	tok, err := scanToken(t.pool.QueryRow(ctx, `SELECT `+tokenColumns+` FROM tokens
WHERE hash = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())`, hash[:]))
	if errors.Is(err, pgx.ErrNoRows) {
		return Token{}, domain.ErrUnauthenticated
	}
	if err != nil {
		return Token{}, fmt.Errorf("authenticate: %w", translate(err))
	}
	return tok, nil
}

// List returns every token ever issued, revoked and expired ones included,
// oldest first.
func (t *Tokens) List(ctx context.Context) ([]Token, error) {
	rows, err := t.pool.Query(ctx, `SELECT `+tokenColumns+` FROM tokens ORDER BY created_at, id`)
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", translate(err))
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Token, error) { return scanToken(row) })
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", translate(err))
	}
	return out, nil
}

// Revoke makes the token id unusable from now on. Revoking a revoked token
// succeeds and keeps the first revocation time; an unknown id is
// domain.ErrNotFound.
func (t *Tokens) Revoke(ctx context.Context, id string) error {
	tag, err := t.pool.Exec(ctx, "UPDATE tokens SET revoked_at = COALESCE(revoked_at, now()) WHERE id = $1", id)
	if err != nil {
		return fmt.Errorf("revoke token %s: %w", id, translate(err))
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("revoke token %s: %w", id, domain.ErrNotFound)
	}
	return nil
}

// MemoryTokens keeps staff tokens in process memory with the same contract
// as Tokens, and likewise keeps only hashes of secrets. It is safe for
// concurrent use.
type MemoryTokens struct {
	mu     sync.RWMutex
	byID   map[string]*memoryToken
	byHash map[[sha256.Size]byte]*memoryToken
	// sessions are the console's sign-ins, by the hash of their secret.
	sessions map[[sha256.Size]byte]*memorySession
}

type memoryToken struct {
	tok Token
}

// NewMemoryTokens returns an empty in-memory token store.
func NewMemoryTokens() *MemoryTokens {
	return &MemoryTokens{byID: map[string]*memoryToken{}, byHash: map[[sha256.Size]byte]*memoryToken{}}
}

// Create issues a token, as Tokens.Create does.
func (m *MemoryTokens) Create(ctx context.Context, name string, role domain.Role, department string, expires time.Time) (string, Token, error) {
	if err := ctx.Err(); err != nil {
		return "", Token{}, err
	}
	secret, hash, tok, err := newToken(name, role, department, expires, time.Now())
	if err != nil {
		return "", Token{}, err
	}
	// PostgreSQL keeps microseconds; so does this, for the same answers.
	tok.CreatedAt = time.Now().UTC().Truncate(time.Microsecond)
	rec := &memoryToken{tok: tok}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.byID[tok.ID], m.byHash[hash] = rec, rec
	return secret, tok, nil
}

// Authenticate returns the live token whose secret is secret, as
// Tokens.Authenticate does.
func (m *MemoryTokens) Authenticate(ctx context.Context, secret string) (Token, error) {
	if err := ctx.Err(); err != nil {
		return Token{}, err
	}
	hash, ok := hashSecret(secret)
	if !ok {
		return Token{}, domain.ErrUnauthenticated
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	rec, ok := m.byHash[hash]
	if !ok || !rec.tok.RevokedAt.IsZero() || (!rec.tok.ExpiresAt.IsZero() && !rec.tok.ExpiresAt.After(time.Now())) {
		return Token{}, domain.ErrUnauthenticated
	}
	return rec.tok, nil
}

// List returns every token, as Tokens.List does.
func (m *MemoryTokens) List(ctx context.Context) ([]Token, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.RLock()
	out := make([]Token, 0, len(m.byID))
	for _, rec := range m.byID {
		out = append(out, rec.tok)
	}
	m.mu.RUnlock()
	slices.SortFunc(out, func(a, b Token) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), strings.Compare(a.ID, b.ID))
	})
	return out, nil
}

// Revoke makes the token id unusable, as Tokens.Revoke does.
func (m *MemoryTokens) Revoke(ctx context.Context, id string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	rec, ok := m.byID[id]
	if !ok {
		return fmt.Errorf("revoke token %s: %w", id, domain.ErrNotFound)
	}
	if rec.tok.RevokedAt.IsZero() {
		rec.tok.RevokedAt = time.Now().UTC().Truncate(time.Microsecond)
	}
	return nil
}

// nullableTime stores the zero time as NULL.
func nullableTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// firstAdminName names the admin token a new deployment starts with.
const firstAdminName = "admin (first start)"

// CreateFirstAdmin issues an admin token if no token was ever issued, and
// returns its secret and true; on a database that has any token it does
// nothing and returns false. Two servers starting at once on an empty
// database issue one token between them.
func (t *Tokens) CreateFirstAdmin(ctx context.Context) (string, Token, bool, error) {
	secret, hash, tok, err := newToken(firstAdminName, domain.RoleAdmin, "", time.Time{}, time.Now())
	if err != nil {
		return "", Token{}, false, err
	}
	created := false
	err = pgx.BeginFunc(ctx, t.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "LOCK TABLE tokens IN SHARE ROW EXCLUSIVE MODE"); err != nil {
			return err
		}
		err := tx.QueryRow(ctx, `INSERT INTO tokens (id, name, role, hash) SELECT $1, $2, $3, $4
WHERE NOT EXISTS (SELECT 1 FROM tokens) RETURNING created_at`, tok.ID, tok.Name, string(tok.Role), hash[:]).Scan(&tok.CreatedAt)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		created = err == nil
		return err
	})
	if err != nil {
		return "", Token{}, false, fmt.Errorf("first admin token: %w", translate(err))
	}
	if !created {
		return "", Token{}, false, nil
	}
	tok.CreatedAt = tok.CreatedAt.UTC()
	return secret, tok, true, nil
}

// CreateFirstAdmin issues an admin token if none was ever issued, as
// Tokens.CreateFirstAdmin does.
func (m *MemoryTokens) CreateFirstAdmin(ctx context.Context) (string, Token, bool, error) {
	m.mu.RLock()
	n := len(m.byID)
	m.mu.RUnlock()
	if n > 0 {
		return "", Token{}, false, nil
	}
	secret, tok, err := m.Create(ctx, firstAdminName, domain.RoleAdmin, "", time.Time{})
	return secret, tok, err == nil, err
}
