package eventstore

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/citizenhouse/bayt/domain"
)

// MemoryPhotos is Photos in process memory, for tests and for running
// Bayt with nothing kept. It is safe for concurrent use.
type MemoryPhotos struct {
	mu     sync.Mutex
	photos map[string]*memoryPhoto
}

type memoryPhoto struct {
	full, thumb []byte
	contentType string
	cases       []string
}

// NewMemoryPhotos returns an empty MemoryPhotos.
func NewMemoryPhotos() *MemoryPhotos {
	return &MemoryPhotos{photos: map[string]*memoryPhoto{}}
}

// Put stores a photo as Photos.Put does.
func (m *MemoryPhotos) Put(ctx context.Context, caseID, id, contentType string, full, thumb []byte, _, _ int) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	ph, ok := m.photos[id]
	if !ok {
		// Copies: the caller may reuse its slices.
		ph = &memoryPhoto{full: append([]byte(nil), full...), thumb: append([]byte(nil), thumb...), contentType: contentType}
		m.photos[id] = ph
	}
	if slices.Contains(ph.cases, caseID) {
		return nil
	}
	ph.cases = append(ph.cases, caseID)
	return nil
}

// Get returns a photo as Photos.Get does.
func (m *MemoryPhotos) Get(ctx context.Context, id string, thumb bool) ([]byte, string, []string, error) {
	if err := ctx.Err(); err != nil {
		return nil, "", nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	ph, ok := m.photos[id]
	if !ok {
		return nil, "", nil, fmt.Errorf("get photo %s: %w", id, domain.ErrNotFound)
	}
	data := ph.full
	if thumb {
		data = ph.thumb
	}
	return append([]byte(nil), data...), ph.contentType, append([]string(nil), ph.cases...), nil
}
