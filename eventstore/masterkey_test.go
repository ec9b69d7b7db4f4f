package eventstore_test

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/citizenhouse/bayt/eventstore"
	"github.com/citizenhouse/bayt/eventstore/eventstoretest"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

func TestParseMasterKey(t *testing.T) {
	t.Parallel()
	mk, text := eventstore.NewMasterKey()
	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		got, err := eventstore.ParseMasterKey([]byte("  " + string(text) + "\n\n"))
		if err != nil || got.ID() != mk.ID() {
			t.Fatalf("ParseMasterKey = %v, %v; want id %s", got, err, mk.ID())
		}
		if other, _ := eventstore.NewMasterKey(); other.ID() == mk.ID() {
			t.Fatal("two new master keys share an id")
		}
	})
	for name, bad := range map[string]string{"ErrShort": "c2hvcnQ=", "ErrNotBase64": "not base64!", "ErrEmpty": ""} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if _, err := eventstore.ParseMasterKey([]byte(bad)); err == nil {
				t.Fatalf("ParseMasterKey(%q) succeeded", bad)
			}
		})
	}
}

// remember appends one event under an idempotency key whose answer is body.
func remember(t *testing.T, s *eventstore.Store, key, requestHash, body string) {
	t.Helper()
	_, err := s.Do(context.Background(), eventstore.Request{
		Appends: []eventstore.StreamAppend{{Stream: "case-" + key, Expected: eventstore.NoStream, Events: []eventstore.NewEvent{eventstoretest.Event("t", 1)}}},
		Idempotency: &eventstore.Idempotency{Key: key, RequestHash: []byte(requestHash), ResponseFunc: func(eventstore.Result) (eventstore.Stored, error) {
			return eventstore.Stored{Status: 201, Body: []byte(body)}, nil
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestSealedAnswers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool, _ := eventstoretest.Schema(t, nil)
	s := newPostgres(t, pool, eventstore.Config{})
	const token, requestHash = "trk-7Q2X9PLMKW3Z", "hash of a request naming layla"
	remember(t, s, "anonymous/k1", requestHash, `{"tracking_token":"`+token+`"}`)

	assertAbsent(t, dumpSchema(t, pool), token, requestHash)
	stored, err := s.Idempotent(ctx, "anonymous/k1", []byte(requestHash))
	if err != nil || stored == nil || !strings.Contains(string(stored.Body), token) {
		t.Fatalf("Idempotent = %+v, %v; want the answer with its token", stored, err)
	}
	if _, err := s.Idempotent(ctx, "anonymous/k1", []byte("another request")); !errors.Is(err, eventstore.ErrIdempotencyMismatch) {
		t.Fatalf("another request under the key: %v, want ErrIdempotencyMismatch", err)
	}
	again, err := s.Do(ctx, eventstore.Request{
		Appends:     []eventstore.StreamAppend{{Stream: "case-anonymous/k1", Expected: eventstore.Any, Events: []eventstore.NewEvent{eventstoretest.Event("t", 2)}}},
		Idempotency: &eventstore.Idempotency{Key: "anonymous/k1", RequestHash: []byte(requestHash), ResponseFunc: func(eventstore.Result) (eventstore.Stored, error) { return eventstore.Stored{}, nil }},
	})
	if err != nil || again.Replayed == nil || !strings.Contains(string(again.Replayed.Body), token) {
		t.Fatalf("replay inside an append = %+v, %v", again, err)
	}

	t.Run("ErrWrongMasterKey", func(t *testing.T) {
		t.Parallel()
		other := newPostgres(t, pool, eventstore.Config{MasterKey: eventstoretest.MasterKey(t)})
		if stored, err := other.Idempotent(ctx, "anonymous/k1", []byte(requestHash)); !errors.Is(err, eventstore.ErrWrongMasterKey) || stored != nil {
			t.Fatalf("Idempotent under another master key = %+v, %v; want ErrWrongMasterKey", stored, err)
		}
	})
	t.Run("ErrNoMasterKey", func(t *testing.T) {
		t.Parallel()
		bare := eventstore.New(pool, eventstore.Config{Logger: eventstoretest.Logger(t)})
		t.Cleanup(bare.Close)
		_, err := bare.Do(ctx, eventstore.Request{
			Appends:     []eventstore.StreamAppend{{Stream: "case-bare", Expected: eventstore.NoStream, Events: []eventstore.NewEvent{eventstoretest.Event("t", 1)}}},
			Idempotency: &eventstore.Idempotency{Key: "bare", RequestHash: []byte("h"), ResponseFunc: func(eventstore.Result) (eventstore.Stored, error) { return eventstore.Stored{}, nil }},
		})
		if !errors.Is(err, eventstore.ErrNoMasterKey) {
			t.Fatalf("idempotent append without a master key: %v, want ErrNoMasterKey", err)
		}
	})
}

// putClear stores n records the way they were stored before data keys
// were sealed: each key in clear, without a master key id.
func putClear(t *testing.T, pool *pgxpool.Pool, n int) []string {
	t.Helper()
	b := &pgx.Batch{}
	var subjects []string
	for i := range n {
		subject := fmt.Sprintf("subj-01J0000000000000000000%04d", i)
		key := make([]byte, 32)
		rand.Read(key) //nolint:errcheck // never fails
		nonce, ciphertext, err := eventstore.SealWithKey(key, subject, layla)
		if err != nil {
			t.Fatal(err)
		}
		b.Queue(`WITH k AS (INSERT INTO vault_keys (subject, key) VALUES ($1, $2))
INSERT INTO vault_data (subject, nonce, ciphertext) VALUES ($1, $3, $4)`, subject, key, nonce, ciphertext)
		subjects = append(subjects, subject)
	}
	if err := pool.SendBatch(context.Background(), b).Close(); err != nil {
		t.Fatal(err)
	}
	return subjects
}

func TestRewrap(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool, _ := eventstoretest.Schema(t, nil)
	mk1, mk2 := eventstoretest.MasterKey(t), eventstoretest.MasterKey(t)

	// Before: 1100 clear keys (more than two batches), then a vault, a
	// keyed-hash secret and a remembered answer under mk1.
	legacy := putClear(t, pool, 1100)
	v1 := eventstore.NewVault(pool, mk1)
	sealed := put(t, v1, layla)
	h1, err := v1.Hasher(ctx)
	if err != nil {
		t.Fatal(err)
	}
	remember(t, newPostgres(t, pool, eventstore.Config{MasterKey: mk1}), "k1", "h1", `{"tracking_token":"trk-1"}`)
	if got, err := v1.Get(ctx, legacy[0]); err != nil || got != layla {
		t.Fatalf("a clear legacy key reads: %+v, %v", got, err)
	}

	rep, err := eventstore.Rewrap(ctx, pool, nil, mk1)
	if err != nil || rep != (eventstore.RewrapReport{Keys: 1100}) {
		t.Fatalf("sealing clear keys: %+v, %v; want 1100 keys", rep, err)
	}
	assertKeyIDs(t, pool, mk1.ID())

	rep, err = eventstore.Rewrap(ctx, pool, mk1, mk2)
	if err != nil || rep != (eventstore.RewrapReport{Keys: 1102, Answers: 1}) {
		t.Fatalf("rotation: %+v, %v; want 1100+1 data keys, 1 secret, 1 answer", rep, err)
	}
	assertKeyIDs(t, pool, mk2.ID())
	if rep, err := eventstore.Rewrap(ctx, pool, mk1, mk2); err != nil || rep != (eventstore.RewrapReport{}) {
		t.Fatalf("rotating again: %+v, %v; want nothing to do", rep, err)
	}

	v2 := eventstore.NewVault(pool, mk2)
	for _, subject := range []string{sealed, legacy[0], legacy[1099]} {
		if got, err := v2.Get(ctx, subject); err != nil || got != layla {
			t.Errorf("Get(%s) under the new key = %+v, %v", subject, got, err)
		}
		if got, err := v1.Get(ctx, subject); !errors.Is(err, eventstore.ErrWrongMasterKey) || !got.Empty() {
			t.Errorf("Get(%s) under the old key = %+v, %v; want ErrWrongMasterKey", subject, got, err)
		}
	}
	h2, err := v2.Hasher(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if h1.Sum("p", "layla") != h2.Sum("p", "layla") {
		t.Error("rotation changed the keyed hashes: signatures in the log would no longer be recognised")
	}
	if h1.Sum("p", "layla") == h1.Sum("q", "layla") {
		t.Error("two purposes give one hash")
	}
	stored, err := newPostgres(t, pool, eventstore.Config{MasterKey: mk2}).Idempotent(ctx, "k1", []byte("h1"))
	if err != nil || stored == nil || string(stored.Body) != `{"tracking_token":"trk-1"}` {
		t.Fatalf("remembered answer after rotation = %+v, %v", stored, err)
	}

	t.Run("ErrWrongMasterKey", func(t *testing.T) {
		t.Parallel()
		// A mistyped key file must not seal anything: rows under mk2 are
		// neither "old" nor "new" for it.
		if _, err := pool.Exec(ctx, "INSERT INTO vault_keys (subject, key) VALUES ('subj-01J0000000000000000000CLEAR', $1)", make([]byte, 32)); err != nil {
			t.Fatal(err)
		}
		mk3 := eventstoretest.MasterKey(t)
		if _, err := eventstore.Rewrap(ctx, pool, nil, mk3); !errors.Is(err, eventstore.ErrWrongMasterKey) {
			t.Fatalf("Rewrap with a third key: %v, want ErrWrongMasterKey", err)
		}
		var n int
		if err := pool.QueryRow(ctx, "SELECT count(*) FROM vault_keys WHERE master_key_id = $1", mk3.ID()).Scan(&n); err != nil || n != 0 {
			t.Fatalf("%d keys sealed under the wrong key (%v)", n, err)
		}
		if _, err := eventstore.NewVault(pool, mk3).Hasher(ctx); !errors.Is(err, eventstore.ErrWrongMasterKey) {
			t.Fatalf("Hasher under a wrong key: %v, want ErrWrongMasterKey", err)
		}
	})
}

// assertKeyIDs fails unless every sealed row of the schema is under id.
func assertKeyIDs(t *testing.T, pool *pgxpool.Pool, id string) {
	t.Helper()
	for _, table := range []string{"vault_keys", "vault_secrets", "idempotency_keys"} {
		var other int
		if err := pool.QueryRow(context.Background(), "SELECT count(*) FROM "+table+" WHERE master_key_id IS DISTINCT FROM $1", id).Scan(&other); err != nil {
			t.Fatal(err)
		}
		if other != 0 {
			t.Errorf("%s: %d rows not under master key %s", table, other, id)
		}
	}
}

// put stores data in v or fails the test.
func put(t *testing.T, v *eventstore.Vault, data eventstore.PersonalData) string {
	t.Helper()
	subject, err := v.Put(context.Background(), data)
	if err != nil {
		t.Fatal(err)
	}
	return subject
}
