package eventstore

import (
	"bytes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
)

// The master key lives outside the database (a file the operator keeps),
// so that a copy of the database alone opens nobody: every person's data
// key and every remembered answer is sealed under keys derived from it.
// Derived keys, not the master key itself, do the sealing, one per use, so
// that a ciphertext of one kind can never be passed off as another.

// ErrWrongMasterKey is returned for a row sealed under another master key
// than the one configured: a mistyped BAYT_MASTER_KEY_FILE, or a rotation
// not finished. Nothing is ever answered from such a row.
var ErrWrongMasterKey = errors.New("sealed under another master key")

// ErrNoMasterKey is returned when sealing or opening is asked of a store or
// vault that was given no master key.
var ErrNoMasterKey = errors.New("no master key configured")

// MasterKeySize is the master key's length in bytes.
const MasterKeySize = 32

// sealedKeySize is a wrapped 32-byte key: nonce, key, GCM tag.
const sealedKeySize = 12 + vaultKeySize + 16

// MasterKey is the key outside the database that every data key and every
// remembered answer is sealed under. It is safe for concurrent use.
type MasterKey struct {
	id string
	// wrap seals data keys and secrets; answers seals idempotency answers.
	wrap, answers cipher.AEAD
}

// NewMasterKey returns a fresh random master key and its text form, what
// a key file holds.
func NewMasterKey() (*MasterKey, []byte) {
	raw := make([]byte, MasterKeySize)
	rand.Read(raw) //nolint:errcheck // crypto/rand.Read never fails
	mk, err := newMasterKey(raw)
	if err != nil {
		panic(err) // the size is right by construction
	}
	text := base64.StdEncoding.AppendEncode(nil, raw)
	return mk, append(text, '\n')
}

// ParseMasterKey reads a master key from the text of a key file: the
// base64 of 32 bytes, surrounding white space ignored.
func ParseMasterKey(text []byte) (*MasterKey, error) {
	raw, err := base64.StdEncoding.DecodeString(string(bytes.TrimSpace(text)))
	if err != nil {
		return nil, fmt.Errorf("master key: not base64: %w", err)
	}
	if len(raw) != MasterKeySize {
		return nil, fmt.Errorf("master key: %d bytes, want %d", len(raw), MasterKeySize)
	}
	return newMasterKey(raw)
}

func newMasterKey(raw []byte) (*MasterKey, error) {
	derive := func(purpose string, n int) ([]byte, error) {
		return hkdf.Key(sha256.New, raw, nil, "bayt master key: "+purpose, n)
	}
	id, err := derive("key id", 8)
	if err != nil {
		return nil, fmt.Errorf("master key: %w", err)
	}
	mk := &MasterKey{id: hex.EncodeToString(id)}
	for _, k := range []struct {
		purpose string
		aead    *cipher.AEAD
	}{{"wrap data keys", &mk.wrap}, {"idempotency answers", &mk.answers}} {
		key, err := derive(k.purpose, 32)
		if err != nil {
			return nil, fmt.Errorf("master key: %w", err)
		}
		if *k.aead, err = newAEAD(key); err != nil {
			return nil, err
		}
	}
	return mk, nil
}

// ID names the master key without revealing it: rows record the id of the
// key they are sealed under, so that a wrong key is told apart from a
// damaged row and a rotation can resume where it stopped.
func (m *MasterKey) ID() string { return m.id }

// sealWith encrypts plain under aead with a fresh nonce, bound to ad; the
// result is nonce ‖ ciphertext.
func sealWith(aead cipher.AEAD, plain, ad []byte) []byte {
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plain)+aead.Overhead())
	rand.Read(nonce) //nolint:errcheck // crypto/rand.Read never fails
	return aead.Seal(nonce, nonce, plain, ad)
}

func openWith(aead cipher.AEAD, sealed, ad []byte) ([]byte, error) {
	if len(sealed) < aead.NonceSize()+aead.Overhead() {
		return nil, errors.New("sealed value too short")
	}
	n := aead.NonceSize()
	return aead.Open(nil, sealed[:n], sealed[n:], ad)
}

// checkID refuses a row sealed under another master key. An empty id is a
// row from before sealing (clear), which callers handle themselves.
func (m *MasterKey) checkID(what, id string) error {
	if m == nil {
		return fmt.Errorf("%s: %w", what, ErrNoMasterKey)
	}
	if id != m.id {
		return fmt.Errorf("%s is %w %s, not %s (the one configured)", what, ErrWrongMasterKey, id, m.id)
	}
	return nil
}

// wrapKey seals a 32-byte key, bound to what it is the key of ("subject
// subj-…" or "secret NAME").
func (m *MasterKey) wrapKey(key []byte, owner string) []byte {
	return sealWith(m.wrap, key, []byte("key of "+owner))
}

// unwrapKey reverses wrapKey. A key sealed under this master key that does
// not open is damaged or moved to another owner, never returned.
func (m *MasterKey) unwrapKey(sealed []byte, owner, id string) ([]byte, error) {
	if err := m.checkID("key of "+owner, id); err != nil {
		return nil, err
	}
	key, err := openWith(m.wrap, sealed, []byte("key of "+owner))
	if err != nil {
		return nil, fmt.Errorf("unwrap key of %s: %w", owner, err)
	}
	return key, nil
}

// sealAnswer seals one part of a remembered answer ("request", the hash of
// the request, which for a signature is a bare hash of little more than a
// name, or "body", which holds a report's tracking token), bound to its
// idempotency key.
func (m *MasterKey) sealAnswer(part string, plain []byte, key string) []byte {
	return sealWith(m.answers, plain, []byte(part+" of "+key))
}

// openAnswer reverses sealAnswer. A row without a master key id was
// remembered before answers were sealed and is read as it is.
func (m *MasterKey) openAnswer(part string, sealed []byte, key, id string) ([]byte, error) {
	if id == "" {
		return sealed, nil
	}
	if err := m.checkID("remembered answer", id); err != nil {
		return nil, err
	}
	plain, err := openWith(m.answers, sealed, []byte(part+" of "+key))
	if err != nil {
		return nil, fmt.Errorf("open remembered answer: %w", err)
	}
	return plain, nil
}

// Hasher computes keyed hashes (HMAC-SHA256): the same text gives the same
// hash under one secret, and without the secret nobody can test a guess
// against a hash, as they could against a bare sha256 of a name. It is
// safe for concurrent use.
type Hasher struct {
	key []byte
}

// NewHasher returns a Hasher under a random secret, for Bayt without a
// database, whose hashes need to last only as long as the process.
func NewHasher() *Hasher { return &Hasher{key: newVaultKey()} }

// Sum returns the hex keyed hash of text for purpose. Different purposes
// give unrelated hashes of the same text.
func (h *Hasher) Sum(purpose, text string) string {
	mac := hmac.New(sha256.New, h.key)
	mac.Write([]byte(purpose))
	mac.Write([]byte{0})
	mac.Write([]byte(text))
	return hex.EncodeToString(mac.Sum(nil))
}
