package eventstore

import (
	"context"
	"fmt"
	"sync"

	"github.com/citizenhouse/bayt/domain"
)

// MemoryVault is a personal-data vault in process memory with the same
// contract and the same encryption as Vault, for tests and for running
// Bayt with nothing kept. It is safe for concurrent use.
type MemoryVault struct {
	mu     sync.RWMutex
	keys   map[string][]byte
	data   map[string]sealed
	erased map[string]bool
}

type sealed struct {
	nonce, ciphertext []byte
}

// NewMemoryVault returns an empty in-memory vault.
func NewMemoryVault() *MemoryVault {
	return &MemoryVault{
		keys:   map[string][]byte{},
		data:   map[string]sealed{},
		erased: map[string]bool{},
	}
}

// Put stores data under a new subject, as Vault.Put does.
func (m *MemoryVault) Put(ctx context.Context, data PersonalData) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	subject, key := newSubject(), newVaultKey()
	nonce, ciphertext, err := seal(key, subject, data)
	if err != nil {
		return "", err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.keys[subject] = key
	m.data[subject] = sealed{nonce: nonce, ciphertext: ciphertext}
	return subject, nil
}

// Get returns the personal data of subject, as Vault.Get does.
func (m *MemoryVault) Get(ctx context.Context, subject string) (PersonalData, error) {
	if err := ctx.Err(); err != nil {
		return PersonalData{}, err
	}
	m.mu.RLock()
	key, erased, rec := m.keys[subject], m.erased[subject], m.data[subject]
	m.mu.RUnlock()
	// Stored slices are never modified, so reading them unlocked is safe.
	return openRecord(subject, erased, key, rec.nonce, rec.ciphertext)
}

// Erase deletes the key of subject, as Vault.Erase does.
func (m *MemoryVault) Erase(ctx context.Context, subject string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.erased[subject] {
		return nil
	}
	if _, ok := m.keys[subject]; !ok {
		return fmt.Errorf("erase personal data of %s: %w", subject, domain.ErrNotFound)
	}
	delete(m.keys, subject)
	m.erased[subject] = true
	return nil
}

// Discard removes subject entirely, as Vault.Discard does.
func (m *MemoryVault) Discard(ctx context.Context, subject string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.keys, subject)
	delete(m.data, subject)
	return nil
}
