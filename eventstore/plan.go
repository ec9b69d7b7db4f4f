package eventstore

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"github.com/citizenhouse/bayt/domain"
	"github.com/oklog/ulid/v2"
)

type streamHead struct {
	version int64
	hash    []byte
}

type keyRecord struct {
	requestHash []byte
	stored      Stored
}

// planner decides a batch of requests against the heads of the streams and
// of the log, in order, as if each request ran alone: a refused request
// leaves no trace, and an accepted one moves the heads that the next
// request is checked against. Both stores use it, so the rules of the
// contract live in one place.
type planner struct {
	streams  map[string]*streamHead
	keys     map[string]keyRecord
	position int64
	logHash  []byte
	now      time.Time

	accepted []Event
	metadata [][]byte // JSON metadata of accepted[i]
	newKeys  map[string]keyRecord
}

func newPlanner(position int64, logHash []byte, now time.Time) *planner {
	if logHash == nil {
		logHash = genesis
	}
	return &planner{
		streams:  map[string]*streamHead{},
		keys:     map[string]keyRecord{},
		newKeys:  map[string]keyRecord{},
		position: position,
		logHash:  logHash,
		now:      now.UTC().Truncate(time.Microsecond),
	}
}

func (p *planner) head(stream string) *streamHead {
	h, ok := p.streams[stream]
	if !ok {
		h = &streamHead{hash: genesis}
		p.streams[stream] = h
	}
	return h
}

// plan decides one request. A request whose key was seen returns the
// remembered answer; otherwise every expected version must hold.
func (p *planner) plan(req Request, meta domain.Metadata) (Result, error) {
	if err := req.validate(); err != nil {
		return Result{}, err
	}
	if idem := req.Idempotency; idem != nil {
		if rec, ok := p.keys[idem.Key]; ok {
			if !bytes.Equal(rec.requestHash, idem.RequestHash) {
				return Result{}, ErrIdempotencyMismatch
			}
			stored := rec.stored
			return Result{Replayed: &stored}, nil
		}
		// A key with no credential behind it is scoped to the caller's
		// address; even hashed, the permanent log does not keep it.
		if meta.Actor.ID != "" {
			meta.IdempotencyKey = idem.Key
		}
	}
	for _, a := range req.Appends {
		if err := checkExpected(a.Stream, a.Expected, p.head(a.Stream).version); err != nil {
			return Result{}, err
		}
	}
	metaJSON, err := json.Marshal(meta)
	if err != nil {
		return Result{}, fmt.Errorf("encode metadata: %w", err)
	}
	canonicalMeta, err := canonicalJSON(metaJSON)
	if err != nil {
		return Result{}, fmt.Errorf("encode metadata: %w", err)
	}
	// Work on copies and move the heads only once the whole request holds.
	heads := make(map[string]streamHead, len(req.Appends))
	position, chain := p.position, p.logHash
	res := Result{FirstPosition: position + 1}
	for _, a := range req.Appends {
		h := *p.head(a.Stream)
		for _, ne := range a.Events {
			position++
			e := Event{
				Position:      position,
				StreamID:      a.Stream,
				StreamVersion: h.version + 1,
				ID:            ne.ID,
				Type:          ne.Type,
				SchemaVersion: ne.SchemaVersion,
				Data:          ne.Data,
				Metadata:      meta,
				RecordedAt:    p.now,
				PrevHash:      h.hash,
				LogPrevHash:   chain,
			}
			if e.ID == "" {
				e.ID = ulid.Make().String()
			}
			if e.SchemaVersion == 0 {
				e.SchemaVersion = 1
			}
			if e.Hash, err = eventHash(e.PrevHash, &e, canonicalMeta); err != nil {
				return Result{}, fmt.Errorf("hash %s: %w", a.Stream, err)
			}
			e.LogHash = logHash(e.LogPrevHash, e.Position, e.Hash)
			h.version, h.hash, chain = e.StreamVersion, e.Hash, e.LogHash
			res.Events = append(res.Events, e)
		}
		heads[a.Stream] = h
		res.Versions = append(res.Versions, h.version)
	}
	res.LastPosition = position
	var rec *keyRecord
	if idem := req.Idempotency; idem != nil {
		stored, err := idem.ResponseFunc(res)
		if err != nil {
			return Result{}, fmt.Errorf("idempotent response: %w", err)
		}
		rec = &keyRecord{requestHash: idem.RequestHash, stored: stored}
	}
	for s, h := range heads {
		*p.streams[s] = h
	}
	p.position, p.logHash = position, chain
	p.accepted = append(p.accepted, res.Events...)
	for range res.Events {
		p.metadata = append(p.metadata, metaJSON)
	}
	if rec != nil {
		p.keys[req.Idempotency.Key] = *rec
		p.newKeys[req.Idempotency.Key] = *rec
	}
	return res, nil
}
