package eventstore_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/eventstore"
	"github.com/citizenhouse/bayt/eventstore/eventstoretest"
	"github.com/jackc/pgx/v5/pgxpool"
)

// tokens is the contract Tokens and MemoryTokens share.
type tokens interface {
	Create(ctx context.Context, name string, role domain.Role, department string, expires time.Time) (string, eventstore.Token, error)
	Authenticate(ctx context.Context, secret string) (eventstore.Token, error)
	Revoke(ctx context.Context, id string) error
	List(ctx context.Context) ([]eventstore.Token, error)
	OpenSession(ctx context.Context, tokenSecret string) (string, eventstore.Token, error)
	Session(ctx context.Context, secret string, idle time.Duration) (eventstore.Token, error)
	CloseSession(ctx context.Context, secret string) error
	CreateFirstAdmin(ctx context.Context) (string, eventstore.Token, bool, error)
}

var (
	_ tokens = (*eventstore.Tokens)(nil)
	_ tokens = (*eventstore.MemoryTokens)(nil)
)

type tokensBundle struct {
	tokens tokens
	pool   *pgxpool.Pool // nil for MemoryTokens
	// expire moves a token's expiry into the past, as time passing would.
	expire func(t *testing.T, id string)
}

func TestTokens(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	create := func(t *testing.T, ts tokens, name string, role domain.Role, department string) (string, eventstore.Token) {
		t.Helper()
		secret, tok, err := ts.Create(ctx, name, role, department, time.Time{})
		if err != nil {
			t.Fatalf("Create(%q, %s, %q): %v", name, role, department, err)
		}
		return secret, tok
	}
	sameToken := func(a, b eventstore.Token) bool {
		return a.ID == b.ID && a.Name == b.Name && a.Role == b.Role && a.Department == b.Department &&
			a.CreatedAt.Equal(b.CreatedAt) && !a.CreatedAt.IsZero() && a.ExpiresAt.Equal(b.ExpiresAt) && a.RevokedAt.Equal(b.RevokedAt)
	}

	cases := []struct {
		name         string
		postgresOnly bool
		run          func(t *testing.T, b tokensBundle)
	}{
		{name: "OK", run: func(t *testing.T, b tokensBundle) {
			secrets := map[string]bool{}
			for _, c := range []struct {
				name        string
				role        domain.Role
				department  string
				wantName    string
				wantDepartm string
			}{
				{"أمل", domain.RoleAdmin, "", "أمل", ""},
				{"Karim", domain.RoleAdvocate, "", "Karim", ""},
				{"  Nour  ", domain.RoleOfficer, " roads_works ", "Nour", "roads_works"},
				{strings.Repeat("س", 100), domain.RoleAdvocate, "", strings.Repeat("س", 100), ""},
			} {
				secret, tok := create(t, b.tokens, c.name, c.role, c.department)
				if !strings.HasPrefix(secret, "bayt_") || len(secret) != len("bayt_")+43 || secrets[secret] {
					t.Errorf("secret = %q, want a fresh bayt_ and 43 base64url characters", secret)
				}
				secrets[secret] = true
				if !strings.HasPrefix(tok.ID, "tok-") || len(tok.ID) != len("tok-")+26 {
					t.Errorf("ID = %q, want tok- and a ULID", tok.ID)
				}
				if tok.Name != c.wantName || tok.Role != c.role || tok.Department != c.wantDepartm {
					t.Errorf("Create returned %+v", tok)
				}
				got, err := b.tokens.Authenticate(ctx, secret)
				if err != nil {
					t.Fatalf("Authenticate: %v", err)
				}
				if !sameToken(got, tok) {
					t.Errorf("Authenticate = %+v, Create returned %+v", got, tok)
				}
				if a := got.Actor(); a.ID != tok.ID || a.Role != c.role || a.Department != c.wantDepartm || a.Name != c.wantName {
					t.Errorf("Actor() = %+v", a)
				}
			}
		}},
		{name: "ErrUnauthenticated", run: func(t *testing.T, b tokensBundle) {
			secret, _ := create(t, b.tokens, "Amal", domain.RoleAdmin, "")
			flip := []byte(secret)
			flip[10] ^= 'A' ^ 'B'
			if flip[10] == secret[10] {
				t.Fatal("flip did nothing")
			}
			for _, wrong := range []string{
				"",
				"bayt_",
				string(flip),
				"bayt_" + base64.RawURLEncoding.EncodeToString(make([]byte, 32)),
				strings.TrimPrefix(secret, "bayt_"),
				"Bearer " + secret,
				secret + "A",
				secret[:len(secret)-1],
				strings.ToUpper(secret),
				" " + secret,
			} {
				if got, err := b.tokens.Authenticate(ctx, wrong); !errors.Is(err, domain.ErrUnauthenticated) || got != (eventstore.Token{}) {
					t.Errorf("Authenticate(%q) = %+v, %v; want ErrUnauthenticated", wrong, got, err)
				}
			}
			if _, err := b.tokens.Authenticate(ctx, secret); err != nil {
				t.Errorf("Authenticate(right secret): %v", err)
			}
		}},
		{name: "Revoked", run: func(t *testing.T, b tokensBundle) {
			secret, tok := create(t, b.tokens, "Amal", domain.RoleAdvocate, "")
			otherSecret, other := create(t, b.tokens, "Nour", domain.RoleOfficer, "roads_works")
			for range 2 { // revoking twice is fine
				if err := b.tokens.Revoke(ctx, tok.ID); err != nil {
					t.Fatalf("Revoke: %v", err)
				}
				if _, err := b.tokens.Authenticate(ctx, secret); !errors.Is(err, domain.ErrUnauthenticated) {
					t.Fatalf("Authenticate(revoked) error = %v, want ErrUnauthenticated", err)
				}
			}
			if got, err := b.tokens.Authenticate(ctx, otherSecret); err != nil || !sameToken(got, other) {
				t.Errorf("Authenticate(other) = %+v, %v; revoking one token touched another", got, err)
			}
			for _, id := range []string{"tok-01J00000000000000000000000", "", secret} {
				if err := b.tokens.Revoke(ctx, id); !errors.Is(err, domain.ErrNotFound) {
					t.Errorf("Revoke(%q) error = %v, want ErrNotFound", id, err)
				}
			}
		}},
		{name: "Expires", run: func(t *testing.T, b tokensBundle) {
			expires := time.Now().Add(time.Hour)
			secret, tok, err := b.tokens.Create(ctx, "Amal", domain.RoleAdvocate, "", expires)
			if err != nil {
				t.Fatal(err)
			}
			if !tok.ExpiresAt.Equal(expires.Truncate(time.Microsecond)) || tok.ExpiresAt.Location() != time.UTC {
				t.Errorf("ExpiresAt = %v, want %v in UTC", tok.ExpiresAt, expires)
			}
			otherSecret, other := create(t, b.tokens, "Nour", domain.RoleAdvocate, "")
			if got, err := b.tokens.Authenticate(ctx, secret); err != nil || !sameToken(got, tok) {
				t.Fatalf("Authenticate before expiry = %+v, %v; want %+v", got, err, tok)
			}
			b.expire(t, tok.ID)
			if _, err := b.tokens.Authenticate(ctx, secret); !errors.Is(err, domain.ErrUnauthenticated) {
				t.Errorf("Authenticate(expired) error = %v, want ErrUnauthenticated", err)
			}
			if got, err := b.tokens.Authenticate(ctx, otherSecret); err != nil || !sameToken(got, other) {
				t.Errorf("Authenticate(other) = %+v, %v; one token's expiry touched another", got, err)
			}
			for _, past := range []time.Time{time.Now().Add(-time.Second), time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)} {
				secret, tok, err := b.tokens.Create(ctx, "Amal", domain.RoleAdvocate, "", past)
				if got := invalidFields(err); !slices.Equal(got, []string{"expires"}) || secret != "" || tok != (eventstore.Token{}) {
					t.Errorf("Create(expires %v) = %q, %+v, %v; want invalid expires", past, secret, tok, err)
				}
			}
		}},
		{name: "List", run: func(t *testing.T, b tokensBundle) {
			if got, err := b.tokens.List(ctx); err != nil || len(got) != 0 {
				t.Fatalf("List of an empty store = %+v, %v", got, err)
			}
			var want []eventstore.Token
			for _, c := range []struct {
				name    string
				role    domain.Role
				dept    string
				expires time.Time
			}{
				{"Amal", domain.RoleAdmin, "", time.Time{}},
				{"Karim", domain.RoleOfficer, "roads_works", time.Now().Add(24 * time.Hour)},
				{"Nour", domain.RoleAdvocate, "", time.Time{}},
			} {
				_, tok, err := b.tokens.Create(ctx, c.name, c.role, c.dept, c.expires)
				if err != nil {
					t.Fatal(err)
				}
				want = append(want, tok)
			}
			revokedID := want[1].ID
			if err := b.tokens.Revoke(ctx, revokedID); err != nil {
				t.Fatal(err)
			}
			got, err := b.tokens.List(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(want) {
				t.Fatalf("List = %+v, want %d tokens", got, len(want))
			}
			slices.SortFunc(want, func(a, b eventstore.Token) int {
				if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
					return c
				}
				return strings.Compare(a.ID, b.ID)
			})
			for i := range want {
				revoked := got[i].RevokedAt
				if (want[i].ID == revokedID) != !revoked.IsZero() {
					t.Errorf("List[%d] = %+v: revoked at %v", i, got[i], revoked)
				}
				got[i].RevokedAt = time.Time{}
				if !sameToken(got[i], want[i]) {
					t.Errorf("List[%d] = %+v, want %+v", i, got[i], want[i])
				}
			}
			// Revoking again keeps the first revocation time.
			first := slices.IndexFunc(got, func(tk eventstore.Token) bool { return tk.ID == revokedID })
			before, _ := b.tokens.List(ctx)
			if err := b.tokens.Revoke(ctx, revokedID); err != nil {
				t.Fatal(err)
			}
			after, _ := b.tokens.List(ctx)
			if !after[first].RevokedAt.Equal(before[first].RevokedAt) {
				t.Errorf("a second revocation moved RevokedAt from %v to %v", before[first].RevokedAt, after[first].RevokedAt)
			}
		}},
		{name: "ErrInvalid", run: func(t *testing.T, b tokensBundle) {
			for _, c := range []struct {
				name       string
				role       domain.Role
				department string
				fields     []string
			}{
				{"Amal", "", "", []string{"role"}},
				{"Amal", domain.RolePublic, "", []string{"role"}},
				{"Amal", domain.RoleReporter, "", []string{"role"}},
				{"Amal", domain.RoleSystem, "", []string{"role"}},
				{"Amal", "root", "roads_works", []string{"role"}},
				{"Amal", "Admin", "", []string{"role"}},
				{"Amal", domain.RoleOfficer, "", []string{"department"}},
				{"Amal", domain.RoleOfficer, "   ", []string{"department"}},
				{"Amal", domain.RoleAdmin, "roads_works", []string{"department"}},
				{"Amal", domain.RoleAdvocate, "roads_works", []string{"department"}},
				{"", domain.RoleAdmin, "", []string{"name"}},
				{" \t ", domain.RoleAdmin, "", []string{"name"}},
				{strings.Repeat("س", 101), domain.RoleAdmin, "", []string{"name"}},
				{"\xff", domain.RoleAdmin, "", []string{"name"}},
				{"", domain.RoleOfficer, "", []string{"name", "department"}},
			} {
				secret, tok, err := b.tokens.Create(ctx, c.name, c.role, c.department, time.Time{})
				if got := invalidFields(err); !slices.Equal(got, c.fields) || domain.KindOf(err) != domain.KindInvalid {
					t.Errorf("Create(%q, %q, %q) error = %v (fields %v), want invalid %v", c.name, c.role, c.department, err, got, c.fields)
				}
				if secret != "" || tok != (eventstore.Token{}) {
					t.Errorf("Create(%q, %q, %q) returned %q, %+v with its error", c.name, c.role, c.department, secret, tok)
				}
			}
		}},
		{name: "Concurrent", run: func(t *testing.T, b tokensBundle) {
			var wg sync.WaitGroup
			errs := make(chan error, 16)
			for range 16 {
				wg.Go(func() {
					secret, tok, err := b.tokens.Create(ctx, "Amal", domain.RoleAdvocate, "", time.Time{})
					if err == nil {
						_, err = b.tokens.Authenticate(ctx, secret)
					}
					if err == nil {
						err = b.tokens.Revoke(ctx, tok.ID)
					}
					if err == nil {
						if _, err2 := b.tokens.Authenticate(ctx, secret); !errors.Is(err2, domain.ErrUnauthenticated) {
							err = errors.New("revoked token still authenticates")
						}
					}
					errs <- err
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Error(err)
				}
			}
		}},
		{name: "FirstAdmin", run: func(t *testing.T, b tokensBundle) {
			secret, tok, created, err := b.tokens.CreateFirstAdmin(ctx)
			if err != nil || !created || tok.Role != domain.RoleAdmin {
				t.Fatalf("CreateFirstAdmin on an empty store = %v, %v, %v; want a new admin token", tok, created, err)
			}
			if got, err := b.tokens.Authenticate(ctx, secret); err != nil || got.ID != tok.ID {
				t.Fatalf("the first admin's secret authenticates %v, %v", got, err)
			}
			// Once any token exists, even a revoked one, there is no
			// first admin to make.
			if err := b.tokens.Revoke(ctx, tok.ID); err != nil {
				t.Fatal(err)
			}
			if _, _, again, err := b.tokens.CreateFirstAdmin(ctx); err != nil || again {
				t.Fatalf("CreateFirstAdmin with a token issued = %v, %v; want nothing done", again, err)
			}
			if all, err := b.tokens.List(ctx); err != nil || len(all) != 1 {
				t.Fatalf("List = %d tokens, %v; want the one first admin", len(all), err)
			}
		}},
		{name: "Sessions", run: func(t *testing.T, b tokensBundle) {
			secret, tok := create(t, b.tokens, "Salma", domain.RoleAdvocate, "")
			if _, _, err := b.tokens.OpenSession(ctx, secret+"x"); !errors.Is(err, domain.ErrUnauthenticated) {
				t.Fatalf("OpenSession(bad secret) = %v, want ErrUnauthenticated", err)
			}
			first, got, err := b.tokens.OpenSession(ctx, secret)
			if err != nil || got.ID != tok.ID {
				t.Fatalf("OpenSession = %v, %v; want token %s", got, err, tok.ID)
			}
			second, _, err := b.tokens.OpenSession(ctx, secret)
			if err != nil || second == first || !strings.HasPrefix(first, "bses_") {
				t.Fatalf("second session %q (first %q), %v: want a fresh bses_ secret", second, first, err)
			}
			if got, err := b.tokens.Session(ctx, first, time.Hour); err != nil || got.ID != tok.ID {
				t.Fatalf("Session = %v, %v; want token %s", got, err, tok.ID)
			}
			for _, bad := range []string{"", secret, "bses_" + strings.Repeat("A", 43), first[:len(first)-1]} {
				if _, err := b.tokens.Session(ctx, bad, time.Hour); !errors.Is(err, domain.ErrUnauthenticated) {
					t.Errorf("Session(%q) = %v, want ErrUnauthenticated", bad, err)
				}
			}
			// A session idle for longer than allowed is over.
			if _, err := b.tokens.Session(ctx, first, 0); !errors.Is(err, domain.ErrUnauthenticated) {
				t.Errorf("Session(idle 0) = %v, want ErrUnauthenticated", err)
			}
			if err := b.tokens.CloseSession(ctx, first); err != nil {
				t.Fatal(err)
			}
			if _, err := b.tokens.Session(ctx, first, time.Hour); !errors.Is(err, domain.ErrUnauthenticated) {
				t.Errorf("Session after CloseSession = %v, want ErrUnauthenticated", err)
			}
			if err := b.tokens.CloseSession(ctx, first); err != nil {
				t.Errorf("closing twice: %v", err)
			}
			// Revoking the token ends every session it opened.
			if _, err := b.tokens.Session(ctx, second, time.Hour); err != nil {
				t.Fatalf("second session before revocation: %v", err)
			}
			if err := b.tokens.Revoke(ctx, tok.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := b.tokens.Session(ctx, second, time.Hour); !errors.Is(err, domain.ErrUnauthenticated) {
				t.Errorf("Session after revoking its token = %v, want ErrUnauthenticated", err)
			}
			if _, _, err := b.tokens.OpenSession(ctx, secret); !errors.Is(err, domain.ErrUnauthenticated) {
				t.Errorf("OpenSession with a revoked token = %v, want ErrUnauthenticated", err)
			}
		}},
		{name: "SecretStoredNowhere", postgresOnly: true, run: func(t *testing.T, b tokensBundle) {
			secret, tok := create(t, b.tokens, "Amal", domain.RoleAdmin, "")
			raw, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(secret, "bayt_"))
			if err != nil {
				t.Fatal(err)
			}
			dump := dumpSchema(t, b.pool)
			assertAbsent(t, dump, secret, strings.TrimPrefix(secret, "bayt_"))
			if strings.Contains(dump, hex.EncodeToString(raw)) {
				t.Error("the secret's random bytes are stored in the schema")
			}
			// The dump does hold the token and the hash, which proves it
			// read the table.
			sum := sha256.Sum256([]byte(secret))
			if !strings.Contains(dump, tok.ID) || !strings.Contains(dump, hex.EncodeToString(sum[:])) {
				t.Error("the dump lacks the token row")
			}
		}},
	}

	impls := []struct {
		name     string
		postgres bool
		setup    func(t *testing.T) tokensBundle
	}{
		{name: "Postgres", postgres: true, setup: func(t *testing.T) tokensBundle {
			t.Helper()
			pool, _ := eventstoretest.Schema(t, nil)
			return tokensBundle{tokens: eventstore.NewTokens(pool), pool: pool, expire: func(t *testing.T, id string) {
				t.Helper()
				tag, err := pool.Exec(ctx, "UPDATE tokens SET expires_at = now() - interval '1 second' WHERE id = $1", id)
				if err != nil || tag.RowsAffected() != 1 {
					t.Fatalf("expire %s: %v, %d rows", id, err, tag.RowsAffected())
				}
			}}
		}},
		{name: "Memory", setup: func(t *testing.T) tokensBundle {
			t.Helper()
			m := eventstore.NewMemoryTokens()
			return tokensBundle{tokens: m, expire: func(t *testing.T, id string) {
				eventstore.ExpireMemoryToken(m, id, time.Now().Add(-time.Second))
			}}
		}},
	}
	for _, impl := range impls {
		t.Run(impl.name, func(t *testing.T) {
			t.Parallel()
			for _, c := range cases {
				if c.postgresOnly && !impl.postgres {
					continue
				}
				t.Run(c.name, func(t *testing.T) {
					t.Parallel()
					c.run(t, impl.setup(t))
				})
			}
		})
	}
}

func TestNewTokensNilPool(t *testing.T) {
	t.Parallel()
	defer func() {
		if recover() == nil {
			t.Error("NewTokens(nil) did not panic")
		}
	}()
	eventstore.NewTokens(nil)
}

// invalidFields returns the fields of every *domain.InvalidError in err, in
// order, looking through errors.Join.
func invalidFields(err error) []string {
	var fields []string
	var walk func(error)
	walk = func(err error) {
		var inv *domain.InvalidError
		switch e := err.(type) {
		case nil:
		case interface{ Unwrap() []error }:
			for _, err := range e.Unwrap() {
				walk(err)
			}
		default:
			if errors.As(err, &inv) {
				fields = append(fields, inv.Field)
			}
		}
	}
	walk(err)
	return fields
}
