package eventstore_test

import (
	"context"
	"encoding/hex"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/eventstore"
	"github.com/citizenhouse/bayt/eventstore/eventstoretest"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// vault is the contract Vault and MemoryVault share.
type vault interface {
	Put(ctx context.Context, data eventstore.PersonalData) (string, error)
	Get(ctx context.Context, subject string) (eventstore.PersonalData, error)
	Erase(ctx context.Context, subject string) error
}

var (
	_ vault = (*eventstore.Vault)(nil)
	_ vault = (*eventstore.MemoryVault)(nil)
)

var layla = eventstore.PersonalData{Name: "ليلى حدّاد", Phone: "+961 ٧٠ ١٢٣ ٤٥٦", Email: "layla.haddad@example.org"}

type vaultBundle struct {
	vault vault
	pool  *pgxpool.Pool         // nil for MemoryVault
	mk    *eventstore.MasterKey // nil for MemoryVault
}

func TestVault(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	put := func(t *testing.T, v vault, data eventstore.PersonalData) string {
		t.Helper()
		subject, err := v.Put(ctx, data)
		if err != nil {
			t.Fatal(err)
		}
		return subject
	}

	cases := []struct {
		name         string
		postgresOnly bool
		run          func(t *testing.T, b vaultBundle)
	}{
		{name: "RoundTrip", run: func(t *testing.T, b vaultBundle) {
			for _, data := range []eventstore.PersonalData{layla, {Phone: "٠٧٠١٢٣٤٥٦"}, {}} {
				subject := put(t, b.vault, data)
				if !strings.HasPrefix(subject, "subj-") || len(subject) != len("subj-")+26 {
					t.Errorf("subject = %q, want subj- and a ULID", subject)
				}
				got, err := b.vault.Get(ctx, subject)
				if err != nil {
					t.Fatal(err)
				}
				if got != data {
					t.Errorf("Get(%s) = %+v, want %+v", subject, got, data)
				}
			}
			a, c := put(t, b.vault, layla), put(t, b.vault, layla)
			if a == c {
				t.Errorf("two Puts returned one subject %s", a)
			}
		}},
		{name: "ErrNotFound", run: func(t *testing.T, b vaultBundle) {
			put(t, b.vault, layla)
			for _, subject := range []string{"subj-01J00000000000000000000000", "", "anything"} {
				if _, err := b.vault.Get(ctx, subject); !errors.Is(err, domain.ErrNotFound) {
					t.Errorf("Get(%q) error = %v, want ErrNotFound", subject, err)
				}
				if err := b.vault.Erase(ctx, subject); !errors.Is(err, domain.ErrNotFound) {
					t.Errorf("Erase(%q) error = %v, want ErrNotFound", subject, err)
				}
			}
		}},
		{name: "ErrErased", run: func(t *testing.T, b vaultBundle) {
			subject, other := put(t, b.vault, layla), put(t, b.vault, layla)
			for range 2 { // erasing twice is fine
				if err := b.vault.Erase(ctx, subject); err != nil {
					t.Fatalf("Erase: %v", err)
				}
				got, err := b.vault.Get(ctx, subject)
				if !errors.Is(err, eventstore.ErrErased) || errors.Is(err, domain.ErrNotFound) || !got.Empty() {
					t.Fatalf("Get after Erase = %+v, %v; want ErrErased", got, err)
				}
			}
			if got, err := b.vault.Get(ctx, other); err != nil || got != layla {
				t.Errorf("Get(other) = %+v, %v; erasing one subject touched another", got, err)
			}
		}},
		{name: "ConcurrentErase", run: func(t *testing.T, b vaultBundle) {
			subject := put(t, b.vault, layla)
			var wg sync.WaitGroup
			errs := make(chan error, 16)
			for range 16 {
				wg.Go(func() {
					other, err := b.vault.Put(ctx, layla)
					if err == nil {
						_, err = b.vault.Get(ctx, other)
					}
					if err == nil {
						err = b.vault.Erase(ctx, subject)
					}
					errs <- err
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Errorf("concurrent Put, Get, Erase: %v", err)
				}
			}
			if _, err := b.vault.Get(ctx, subject); !errors.Is(err, eventstore.ErrErased) {
				t.Errorf("Get after concurrent Erase: %v, want ErrErased", err)
			}
		}},
		{name: "NoPersonalDataAtRest", postgresOnly: true, run: func(t *testing.T, b vaultBundle) {
			subject := put(t, b.vault, layla)
			var key, ciphertext []byte
			var keyID string
			if err := b.pool.QueryRow(ctx, `SELECT k.key, k.master_key_id, d.ciphertext FROM vault_keys k JOIN vault_data d USING (subject)
WHERE subject = $1`, subject).Scan(&key, &keyID, &ciphertext); err != nil {
				t.Fatal(err)
			}
			plaintext := []string{layla.Name, layla.Phone, layla.Email, "layla", "haddad"}
			assertAbsent(t, dumpSchema(t, b.pool), plaintext...)
			// The data key itself is stored sealed: the dump alone opens
			// nothing.
			clear, err := eventstore.UnwrapKey(b.mk, key, subject, keyID)
			if err != nil {
				t.Fatal(err)
			}
			if keyID != b.mk.ID() || len(clear) != 32 || strings.Contains(dumpSchema(t, b.pool), hex.EncodeToString(clear)) {
				t.Errorf("the data key of %s is stored in clear (key id %q)", subject, keyID)
			}
			if err := b.vault.Erase(ctx, subject); err != nil {
				t.Fatal(err)
			}
			dump := dumpSchema(t, b.pool)
			assertAbsent(t, dump, plaintext...)
			// The key is what made the ciphertext readable; it must be gone
			// while the ciphertext stays.
			if strings.Contains(dump, hex.EncodeToString(key)) {
				t.Error("the erased subject's key is still in the schema")
			}
			if !strings.Contains(dump, hex.EncodeToString(ciphertext)) {
				t.Error("the ciphertext went with the key; Erase should delete only the key")
			}
		}},
		{name: "AADBindsSubject", postgresOnly: true, run: func(t *testing.T, b vaultBundle) {
			victim, thief := put(t, b.vault, layla), put(t, b.vault, eventstore.PersonalData{Name: "X"})
			// Give thief everything of victim's, key included: only the
			// subject id, bound as additional data, still differs.
			for _, q := range []string{
				"UPDATE vault_keys SET key = (SELECT key FROM vault_keys WHERE subject = $1) WHERE subject = $2",
				`UPDATE vault_data SET (nonce, ciphertext) = (SELECT nonce, ciphertext FROM vault_data WHERE subject = $1)
WHERE subject = $2`,
			} {
				if _, err := b.pool.Exec(ctx, q, victim, thief); err != nil {
					t.Fatal(err)
				}
			}
			got, err := b.vault.Get(ctx, thief)
			if err == nil || errors.Is(err, domain.ErrNotFound) || errors.Is(err, eventstore.ErrErased) || !got.Empty() {
				t.Fatalf("Get(thief) = %+v, %v; want a decryption error", got, err)
			}
			if got, err := b.vault.Get(ctx, victim); err != nil || got != layla {
				t.Fatalf("Get(victim) = %+v, %v", got, err)
			}
		}},
		{name: "Tampered", postgresOnly: true, run: func(t *testing.T, b vaultBundle) {
			subject := put(t, b.vault, layla)
			if _, err := b.pool.Exec(ctx, "UPDATE vault_data SET ciphertext = set_byte(ciphertext, 0, get_byte(ciphertext, 0) # 1) WHERE subject = $1", subject); err != nil {
				t.Fatal(err)
			}
			if got, err := b.vault.Get(ctx, subject); err == nil || !got.Empty() {
				t.Fatalf("Get of tampered ciphertext = %+v, %v; want an error", got, err)
			}
		}},
	}

	impls := []struct {
		name     string
		postgres bool
		setup    func(t *testing.T) vaultBundle
	}{
		{name: "Postgres", postgres: true, setup: func(t *testing.T) vaultBundle {
			t.Helper()
			pool, _ := eventstoretest.Schema(t, nil)
			mk := eventstoretest.MasterKey(t)
			return vaultBundle{vault: eventstore.NewVault(pool, mk), pool: pool, mk: mk}
		}},
		{name: "Memory", setup: func(t *testing.T) vaultBundle {
			t.Helper()
			return vaultBundle{vault: eventstore.NewMemoryVault()}
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

func TestNewVaultNilPool(t *testing.T) {
	t.Parallel()
	defer func() {
		if recover() == nil {
			t.Error("NewVault(nil) did not panic")
		}
	}()
	eventstore.NewVault(nil, nil)
}

// dumpSchema returns every row of every table in pool's schema as text,
// bytea columns in hex, so a test can look for what must not be stored.
func dumpSchema(t *testing.T, pool *pgxpool.Pool) string {
	t.Helper()
	ctx := context.Background()
	rows, err := pool.Query(ctx, `SELECT table_name FROM information_schema.tables
WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`)
	if err != nil {
		t.Fatal(err)
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"events", "tokens", "vault_data", "vault_erasures", "vault_keys"} {
		if !strings.Contains(" "+strings.Join(tables, " ")+" ", " "+want+" ") {
			t.Fatalf("schema has tables %v, missing %s", tables, want)
		}
	}
	var dump strings.Builder
	for _, table := range tables {
		rows, err := pool.Query(ctx, "SELECT t::text FROM "+pgx.Identifier{table}.Sanitize()+" t")
		if err != nil {
			t.Fatal(err)
		}
		lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		dump.WriteString(table + "\n" + strings.Join(lines, "\n") + "\n")
	}
	return dump.String()
}

// assertAbsent fails when dump holds any of values, as text or as the hex
// of its UTF-8 bytes (how bytea columns read). The comparison ignores case.
func assertAbsent(t *testing.T, dump string, values ...string) {
	t.Helper()
	dump = strings.ToLower(dump)
	for _, v := range values {
		for _, form := range []string{strings.ToLower(v), hex.EncodeToString([]byte(v)), hex.EncodeToString([]byte(strings.ToLower(v)))} {
			if strings.Contains(dump, form) {
				t.Errorf("%q is stored in the schema (as %q)", v, form)
			}
		}
	}
}
