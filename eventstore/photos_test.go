package eventstore_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"slices"
	"sync"
	"testing"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/eventstore"
	"github.com/citizenhouse/bayt/eventstore/eventstoretest"
)

// photoStore is the contract Photos and MemoryPhotos share.
type photoStore interface {
	Put(ctx context.Context, caseID, id, contentType string, full, thumb []byte, width, height int) error
	Get(ctx context.Context, id string, thumb bool) ([]byte, string, []string, error)
}

var (
	_ photoStore = (*eventstore.Photos)(nil)
	_ photoStore = (*eventstore.MemoryPhotos)(nil)
)

// photoOf returns a fake photo's files and its id, the hash of the full
// file, from seed.
func photoOf(seed string) (id string, full, thumb []byte) {
	full, thumb = []byte("full:"+seed), []byte("thumb:"+seed)
	sum := sha256.Sum256(full)
	return hex.EncodeToString(sum[:]), full, thumb
}

func TestPhotos(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const caseA, caseB = "case-01JNQ3Z8X4K5M6N7P8Q9R0S1T2", "case-01JNQ40000000000000000000A"
	for name, store := range map[string]func(t *testing.T) photoStore{
		"Postgres": func(t *testing.T) photoStore {
			pool, _ := eventstoretest.Schema(t, nil)
			return eventstore.NewPhotos(pool)
		},
		"Memory": func(*testing.T) photoStore { return eventstore.NewMemoryPhotos() },
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := store(t)
			get := func(id string, thumb bool) ([]byte, []string) {
				t.Helper()
				data, ct, cases, err := s.Get(ctx, id, thumb)
				if err != nil || ct != "image/jpeg" {
					t.Fatalf("Get(%s) = %q, %v", id, ct, err)
				}
				return data, cases
			}

			id, full, thumb := photoOf("one")
			if err := s.Put(ctx, caseA, id, "image/jpeg", full, thumb, 1600, 1200); err != nil {
				t.Fatal(err)
			}
			full[0] = 'X' // the store keeps its own copy
			if data, cases := get(id, false); string(data) != "full:one" || !slices.Equal(cases, []string{caseA}) {
				t.Fatalf("full = %q of %v, want the file and its case", data, cases)
			}
			if data, _ := get(id, true); string(data) != "thumb:one" {
				t.Fatalf("thumb = %q", data)
			}

			// The same photo again, for the same case and another: stored
			// once, listed for both, its files as first stored.
			for _, c := range []string{caseA, caseB} {
				if err := s.Put(ctx, c, id, "image/jpeg", []byte("other"), []byte("other"), 1, 1); err != nil {
					t.Fatal(err)
				}
			}
			if data, cases := get(id, false); string(data) != "full:one" || !slices.Equal(cases, []string{caseA, caseB}) {
				t.Fatalf("after repeats: %q of %v, want the first files and both cases once", data, cases)
			}

			if _, _, _, err := s.Get(ctx, hex.EncodeToString(make([]byte, 32)), false); !errors.Is(err, domain.ErrNotFound) {
				t.Fatalf("Get(unknown) = %v, want ErrNotFound", err)
			}

			// Many uploads of one new picture at once: one photo.
			id2, full2, thumb2 := photoOf("two")
			var wg sync.WaitGroup
			errs := make(chan error, 8)
			for range 8 {
				wg.Go(func() { errs <- s.Put(ctx, caseB, id2, "image/jpeg", full2, thumb2, 10, 10) })
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatalf("concurrent Put: %v", err)
				}
			}
			if data, cases := get(id2, false); string(data) != "full:two" || !slices.Equal(cases, []string{caseB}) {
				t.Fatalf("after concurrent Puts: %q of %v", data, cases)
			}
		})
	}
}
