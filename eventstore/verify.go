package eventstore

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/jackc/pgx/v5"
)

// TamperError names the first place where the log does not prove itself:
// a row changed, removed, inserted or moved.
type TamperError struct {
	Stream   string
	Position int64
	Reason   string
}

func (e *TamperError) Error() string {
	return fmt.Sprintf("log altered: stream %s at position %d: %s", e.Stream, e.Position, e.Reason)
}

// ErrTampered matches every *TamperError.
var ErrTampered = errors.New("log altered")

// Is makes errors.Is(err, ErrTampered) hold.
func (e *TamperError) Is(target error) bool { return target == ErrTampered }

// Report summarises a verification that passed.
type Report struct {
	Events   int64
	Streams  int64
	Head     int64
	HeadHash []byte
	Took     time.Duration
}

// chainWalker checks events handed to it in position order against both
// chains. A missing position is the first fault, but the row after the
// hole belongs to another stream; so after a hole the walker goes on with
// the stream chains alone until it finds the stream that lost an event.
type chainWalker struct {
	position int64
	chain    []byte
	streams  map[string]streamHead
	hole     *TamperError
}

func newChainWalker() *chainWalker {
	return &chainWalker{chain: genesis, streams: map[string]streamHead{}}
}

func (w *chainWalker) check(e *Event, metadata []byte) error {
	bad := func(reason string) error {
		if w.hole != nil {
			w.hole.Stream = e.StreamID
			return w.hole
		}
		return &TamperError{Stream: e.StreamID, Position: e.Position, Reason: reason}
	}
	if w.hole == nil {
		if e.Position != w.position+1 {
			w.hole = &TamperError{Position: w.position + 1,
				Reason: fmt.Sprintf("position %d missing: an event was removed or moved", w.position+1)}
		} else if !bytes.Equal(e.LogPrevHash, w.chain) {
			return bad("log chain broken: rows were moved, or the row before it changed")
		}
	}
	st, ok := w.streams[e.StreamID]
	if !ok {
		st = streamHead{hash: genesis}
	}
	if e.StreamVersion != st.version+1 {
		return bad(fmt.Sprintf("stream version %d follows %d", e.StreamVersion, st.version))
	}
	if !bytes.Equal(e.PrevHash, st.hash) {
		return bad("stream chain broken: prev_hash does not match the previous event")
	}
	want, err := hashStored(e, metadata)
	if err != nil {
		return bad("undecodable row: " + err.Error())
	}
	if !bytes.Equal(e.Hash, want) {
		return bad("content changed: hash does not match the event")
	}
	if w.hole == nil && !bytes.Equal(e.LogHash, logHash(e.LogPrevHash, e.Position, e.Hash)) {
		return bad("log hash does not match")
	}
	w.position, w.chain = e.Position, e.LogHash
	w.streams[e.StreamID] = streamHead{version: e.StreamVersion, hash: e.Hash}
	return nil
}

// checkHeads compares the walked streams with the recorded heads, which is
// how the removal of a stream's newest event shows.
func (w *chainWalker) checkHeads(heads map[string]streamHead) error {
	ids := make([]string, 0, len(heads))
	for id := range heads {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	fault := func(stream, reason string) error {
		if w.hole != nil {
			w.hole.Stream = stream
			return w.hole
		}
		return &TamperError{Stream: stream, Position: w.position + 1, Reason: reason}
	}
	for _, id := range ids {
		h, st := heads[id], w.streams[id]
		if h.version != st.version || !bytes.Equal(h.hash, st.hash) {
			return fault(id, fmt.Sprintf("stream head says version %d, log holds %d: its newest events are gone or changed", h.version, st.version))
		}
	}
	for id, st := range w.streams {
		if _, ok := heads[id]; !ok {
			return fault(id, fmt.Sprintf("stream with %d events has no head row", st.version))
		}
	}
	if w.hole != nil {
		w.hole.Stream = "(unknown)"
		return w.hole
	}
	return nil
}

// Verify walks the whole log in position order and checks both hash chains
// and every stream's head. It returns a *TamperError for the first bad row.
//
// It reads in one repeatable-read snapshot, so appends committing while it
// walks neither show as a missing head nor as a head ahead of the log.
func (s *Store) Verify(ctx context.Context) (rep Report, err error) {
	err = pgx.BeginTxFunc(ctx, s.pool, snapshotTx, func(tx pgx.Tx) error {
		rep, err = verifyLog(ctx, tx)
		return err
	})
	return rep, err
}

// snapshotTx reads a consistent picture of the log and the stream heads.
var snapshotTx = pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}

type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

func verifyLog(ctx context.Context, q querier) (Report, error) {
	start := time.Now()
	w := newChainWalker()
	const page = 10000
	var rep Report
	for {
		rows, err := q.Query(ctx, selectRawEvents+"WHERE position > $1 ORDER BY position LIMIT $2", w.position, page)
		if err != nil {
			return rep, fmt.Errorf("verify: %w", err)
		}
		n := 0
		var last int64 = -1
		for rows.Next() {
			var (
				e    Event
				meta []byte
			)
			if err := rows.Scan(&e.Position, &e.StreamID, &e.StreamVersion, &e.ID, &e.Type, &e.SchemaVersion,
				&e.Data, &meta, &e.RecordedAt, &e.PrevHash, &e.Hash, &e.LogPrevHash, &e.LogHash); err != nil {
				rows.Close()
				return rep, fmt.Errorf("verify: scan: %w", err)
			}
			if err := w.check(&e, meta); err != nil {
				rows.Close()
				return rep, err
			}
			n++
			last = e.Position
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return rep, fmt.Errorf("verify: %w", err)
		}
		rep.Events += int64(n)
		if n < page || last < 0 {
			break
		}
	}
	heads, err := readHeads(ctx, q, "")
	if err != nil {
		return rep, err
	}
	if err := w.checkHeads(heads); err != nil {
		return rep, err
	}
	rep.Streams, rep.Head, rep.HeadHash, rep.Took = int64(len(heads)), w.position, w.chain, time.Since(start)
	return rep, nil
}

func readHeads(ctx context.Context, q querier, stream string) (map[string]streamHead, error) {
	sql, args := "SELECT id, version, last_hash FROM streams", []any{}
	if stream != "" {
		sql, args = sql+" WHERE id = $1", []any{stream}
	}
	//nolint:rowserrcheck // pgx.ForEachRow checks rows.Err
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("read stream heads: %w", err)
	}
	heads := map[string]streamHead{}
	var (
		id string
		h  streamHead
	)
	_, err = pgx.ForEachRow(rows, []any{&id, &h.version, &h.hash}, func() error {
		heads[id] = streamHead{version: h.version, hash: append([]byte(nil), h.hash...)}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read stream heads: %w", err)
	}
	return heads, nil
}

// VerifyStream checks one stream's chain against its head, as the history
// of a case shows it. It does not check the log chain: Verify does.
func (s *Store) VerifyStream(ctx context.Context, stream string) error {
	return translate(pgx.BeginTxFunc(ctx, s.pool, snapshotTx, func(tx pgx.Tx) error {
		return verifyOneStream(ctx, tx, stream)
	}))
}

func verifyOneStream(ctx context.Context, q querier, stream string) error {
	//nolint:rowserrcheck // pgx.ForEachRow checks rows.Err
	rows, err := q.Query(ctx, selectRawEvents+"WHERE stream_id = $1 ORDER BY stream_version", stream)
	if err != nil {
		return fmt.Errorf("verify %s: %w", stream, err)
	}
	var (
		e     Event
		meta  []byte
		evs   []Event
		metas [][]byte
	)
	_, err = pgx.ForEachRow(rows, []any{&e.Position, &e.StreamID, &e.StreamVersion, &e.ID, &e.Type, &e.SchemaVersion,
		&e.Data, &meta, &e.RecordedAt, &e.PrevHash, &e.Hash, &e.LogPrevHash, &e.LogHash}, func() error {
		evs = append(evs, e)
		metas = append(metas, append([]byte(nil), meta...))
		e = Event{}
		return nil
	})
	if err != nil {
		return fmt.Errorf("verify %s: %w", stream, err)
	}
	heads, err := readHeads(ctx, q, stream)
	if err != nil {
		return err
	}
	return verifyStream(stream, evs, metas, heads[stream])
}

func verifyStream(stream string, events []Event, metas [][]byte, head streamHead) error {
	if head.hash == nil {
		head.hash = genesis
	}
	st := streamHead{hash: genesis}
	for i := range events {
		e := &events[i]
		bad := func(reason string) error { return &TamperError{Stream: stream, Position: e.Position, Reason: reason} }
		if e.StreamVersion != st.version+1 {
			return bad(fmt.Sprintf("stream version %d follows %d", e.StreamVersion, st.version))
		}
		if !bytes.Equal(e.PrevHash, st.hash) {
			return bad("stream chain broken")
		}
		want, err := hashStored(e, metas[i])
		if err != nil || !bytes.Equal(want, e.Hash) {
			return bad("content changed: hash does not match the event")
		}
		st = streamHead{version: e.StreamVersion, hash: e.Hash}
	}
	if st.version != head.version || !bytes.Equal(st.hash, head.hash) {
		return &TamperError{Stream: stream, Position: 0, Reason: fmt.Sprintf("stream head says version %d, log holds %d", head.version, st.version)}
	}
	return nil
}

// VerifyStream checks one stream's chain, as Store.VerifyStream.
func (m *Memory) VerifyStream(_ context.Context, stream string) error {
	m.mu.RLock()
	defer m.mu.RUnlock()
	var (
		evs   []Event
		metas [][]byte
	)
	for _, i := range m.index[stream] {
		e := m.log[i]
		meta, err := json.Marshal(e.Metadata)
		if err != nil {
			return err
		}
		evs, metas = append(evs, e), append(metas, meta)
	}
	var head streamHead
	if h, ok := m.streams[stream]; ok {
		head = streamHead{version: h.version, hash: h.hash}
	}
	return verifyStream(stream, evs, metas, head)
}

// hashStored recomputes the hash of a stored event from its raw metadata.
func hashStored(e *Event, metadata []byte) ([]byte, error) {
	meta, err := canonicalJSON(metadata)
	if err != nil {
		return nil, err
	}
	return eventHash(e.PrevHash, e, meta)
}

// Verification is one recorded run of a whole-log verification.
type Verification struct {
	At      time.Time
	OK      bool
	Events  int64
	Head    int64
	Failure string
}

// RecordVerification keeps the outcome of a whole-log verification: its
// report when the log proved intact, what was found when it did not.
// Errors that prove nothing either way (the database went away) are not
// recorded.
func (s *Store) RecordVerification(ctx context.Context, rep Report, verr error) error {
	failure := ""
	if verr != nil {
		if !errors.Is(verr, ErrTampered) {
			return nil
		}
		failure = verr.Error()
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO audit_verifications (ok, events, head, head_hash, failure) VALUES ($1, $2, $3, $4, $5)`,
		verr == nil, rep.Events, rep.Head, rep.HeadHash, failure)
	if err != nil {
		return fmt.Errorf("record verification: %w", translate(err))
	}
	return nil
}

// LastVerification returns the newest recorded verification; ok is false
// when the log was never verified.
func (s *Store) LastVerification(ctx context.Context) (v Verification, ok bool, err error) {
	err = s.pool.QueryRow(ctx, `SELECT verified_at, ok, events, head, failure FROM audit_verifications ORDER BY verified_at DESC LIMIT 1`).
		Scan(&v.At, &v.OK, &v.Events, &v.Head, &v.Failure)
	if errors.Is(err, pgx.ErrNoRows) {
		return v, false, nil
	}
	if err != nil {
		return v, false, fmt.Errorf("read last verification: %w", translate(err))
	}
	return v, true, nil
}

// HeadHash returns the log's head position and the hash that chains every
// event up to it (nil on an empty log).
func (s *Store) HeadHash(ctx context.Context) (int64, []byte, error) {
	var (
		pos  int64
		hash []byte
	)
	err := s.pool.QueryRow(ctx, "SELECT position, log_hash FROM events ORDER BY position DESC LIMIT 1").Scan(&pos, &hash)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil, nil
	}
	if err != nil {
		return 0, nil, fmt.Errorf("read log head: %w", translate(err))
	}
	return pos, hash, nil
}
