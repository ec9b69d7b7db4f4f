package eventstore

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/json"
	"fmt"

	"github.com/citizenhouse/bayt/domain"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/oklog/ulid/v2"
)

// The personal-data vault keeps reporters', signers' and
// members' names, phones and emails out of the event log. The log is hash
// chained and append-only, so nothing written to it can ever be removed;
// personal data must be removable on request. Each data subject therefore
// gets a key of their own and events hold only the subject id. Erasing a
// person deletes their key (crypto-shredding): the ciphertext stays where it
// is, every copy of it becomes unreadable once the key is gone, and the log
// and its hashes are untouched.
//
// A deleted key row is gone for the application at commit, but PostgreSQL
// keeps the old tuple until VACUUM reclaims it, and WAL archives and backups
// keep it for as long as they are retained. Erasure is complete only once
// those have rolled over.

// ErrErased is returned for a subject whose personal data was erased: the
// subject existed, and nobody can read what it held any more.
var ErrErased = domain.ErrErased

// PersonalData is what Bayt knows about a person (name, phone, email). It
// lives only in the vault, never in an event. It is the domain's type, so
// the vault satisfies the ports transport declares without conversion.
type PersonalData = domain.PersonalData

const (
	subjectPrefix = "subj-"
	vaultKeySize  = 32 // AES-256
)

func newSubject() string { return subjectPrefix + ulid.Make().String() }

// newVaultKey returns a fresh random key for one subject.
func newVaultKey() []byte {
	key := make([]byte, vaultKeySize)
	rand.Read(key) //nolint:errcheck // crypto/rand.Read never fails; it crashes the program instead
	return key
}

// seal encrypts data under key with AES-256-GCM and a fresh random nonce.
// The subject id is the additional authenticated data: the ciphertext then
// opens only as the record of that subject, so a row copied or moved to
// another subject (by a bug, a bad restore or an attacker with write access)
// fails to decrypt instead of showing one person's data as another's.
// Random 96-bit nonces are safe here because each key seals a handful of
// records, far from GCM's 2^32 limit per key.
func seal(key []byte, subject string, data PersonalData) (nonce, ciphertext []byte, err error) {
	aead, err := newAEAD(key)
	if err != nil {
		return nil, nil, err
	}
	plain, err := json.Marshal(data)
	if err != nil {
		return nil, nil, fmt.Errorf("encode personal data: %w", err)
	}
	nonce = make([]byte, aead.NonceSize())
	rand.Read(nonce) //nolint:errcheck // crypto/rand.Read never fails
	return nonce, aead.Seal(nil, nonce, plain, []byte(subject)), nil
}

// open reverses seal. It fails when key, subject, nonce or ciphertext is
// not the one seal used.
func open(key []byte, subject string, nonce, ciphertext []byte) (PersonalData, error) {
	aead, err := newAEAD(key)
	if err != nil {
		return PersonalData{}, err
	}
	if len(nonce) != aead.NonceSize() {
		return PersonalData{}, fmt.Errorf("decrypt personal data of %s: nonce of %d bytes", subject, len(nonce))
	}
	plain, err := aead.Open(nil, nonce, ciphertext, []byte(subject))
	if err != nil {
		return PersonalData{}, fmt.Errorf("decrypt personal data of %s: %w", subject, err)
	}
	var data PersonalData
	if err := json.Unmarshal(plain, &data); err != nil {
		return PersonalData{}, fmt.Errorf("decode personal data of %s: %w", subject, err)
	}
	return data, nil
}

func newAEAD(key []byte) (cipher.AEAD, error) {
	if len(key) != vaultKeySize {
		return nil, fmt.Errorf("vault key of %d bytes, want %d", len(key), vaultKeySize)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("vault cipher: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("vault cipher: %w", err)
	}
	return aead, nil
}

// Vault is the personal-data vault on PostgreSQL (tables vault_keys,
// vault_data and vault_erasures). Each data key is stored sealed under the
// master key, so the table holds nothing that opens the data without it.
// It is safe for concurrent use.
type Vault struct {
	pool *pgxpool.Pool
	mk   *MasterKey
}

// NewVault returns a Vault on pool, whose schema must be migrated, sealing
// data keys under mk. A Vault without a master key can still erase and
// discard, which need no key; Put and Get fail with ErrNoMasterKey.
func NewVault(pool *pgxpool.Pool, mk *MasterKey) *Vault {
	if pool == nil {
		panic("eventstore: nil pool")
	}
	return &Vault{pool: pool, mk: mk}
}

// Put stores data under a new subject with a new key and returns the
// subject id ("subj-" + ULID), which is what events may carry.
func (v *Vault) Put(ctx context.Context, data PersonalData) (string, error) {
	if v.mk == nil {
		return "", fmt.Errorf("put personal data: %w", ErrNoMasterKey)
	}
	subject, key := newSubject(), newVaultKey()
	nonce, ciphertext, err := seal(key, subject, data)
	if err != nil {
		return "", err
	}
	// One statement, so one transaction: there is never a key without its
	// data or data without its key.
	_, err = v.pool.Exec(ctx, `
WITH k AS (INSERT INTO vault_keys (subject, key, master_key_id) VALUES ($1, $2, $5))
INSERT INTO vault_data (subject, nonce, ciphertext) VALUES ($1, $3, $4)`,
		subject, v.mk.wrapKey(key, subject), nonce, ciphertext, v.mk.ID())
	if err != nil {
		return "", fmt.Errorf("put personal data: %w", translate(err))
	}
	return subject, nil
}

// Get returns the personal data of subject: domain.ErrNotFound for a
// subject the vault never held, ErrErased for one that was erased.
func (v *Vault) Get(ctx context.Context, subject string) (PersonalData, error) {
	var (
		key, nonce, ciphertext []byte
		keyID                  *string
		erased                 bool
	)
	err := v.pool.QueryRow(ctx, `
SELECT k.key, k.master_key_id, d.nonce, d.ciphertext, e.subject IS NOT NULL
FROM (SELECT $1::text AS subject) s
LEFT JOIN vault_keys k USING (subject)
LEFT JOIN vault_data d USING (subject)
LEFT JOIN vault_erasures e USING (subject)`, subject).Scan(&key, &keyID, &nonce, &ciphertext, &erased)
	if err != nil {
		return PersonalData{}, fmt.Errorf("get personal data of %s: %w", subject, translate(err))
	}
	if key != nil && keyID != nil {
		if key, err = v.mk.unwrapKey(key, subject, *keyID); err != nil {
			return PersonalData{}, fmt.Errorf("get personal data of %s: %w", subject, err)
		}
	}
	// A key without an id was stored in clear, before keys were sealed;
	// bayt serve seals those when it starts.
	return openRecord(subject, erased, key, nonce, ciphertext)
}

// openRecord decides what Get answers from what the vault holds for
// subject, the same way for every implementation.
func openRecord(subject string, erased bool, key, nonce, ciphertext []byte) (PersonalData, error) {
	switch {
	case erased:
		return PersonalData{}, fmt.Errorf("get personal data of %s: %w", subject, ErrErased)
	case key == nil || ciphertext == nil:
		return PersonalData{}, fmt.Errorf("get personal data of %s: %w", subject, domain.ErrNotFound)
	}
	return open(key, subject, nonce, ciphertext)
}

// Erase deletes the key of subject, which makes its personal data
// unreadable for good, and records the erasure. Erasing an erased subject
// succeeds; an unknown subject is domain.ErrNotFound.
func (v *Vault) Erase(ctx context.Context, subject string) error {
	err := pgx.BeginFunc(ctx, v.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, "DELETE FROM vault_keys WHERE subject = $1", subject)
		if err != nil {
			return err
		}
		if tag.RowsAffected() > 0 {
			_, err := tx.Exec(ctx, `INSERT INTO vault_erasures (subject, erased_at) VALUES ($1, now())
ON CONFLICT (subject) DO NOTHING`, subject)
			return err
		}
		// No key: erased before, or never there. This is a new statement,
		// so under READ COMMITTED it sees an Erase that committed while
		// the DELETE above waited for its row lock.
		var erased bool
		if err := tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM vault_erasures WHERE subject = $1)", subject).Scan(&erased); err != nil {
			return err
		}
		if !erased {
			return domain.ErrNotFound
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("erase personal data of %s: %w", subject, translate(err))
	}
	return nil
}

// Discard removes subject's key and data without a trace, for data stored
// for a command that was not recorded: no event refers to the subject, so
// there is no erasure to remember. Discarding an unknown subject succeeds.
func (v *Vault) Discard(ctx context.Context, subject string) error {
	_, err := v.pool.Exec(ctx, `
WITH k AS (DELETE FROM vault_keys WHERE subject = $1)
DELETE FROM vault_data WHERE subject = $1`, subject)
	if err != nil {
		return fmt.Errorf("discard personal data of %s: %w", subject, translate(err))
	}
	return nil
}
