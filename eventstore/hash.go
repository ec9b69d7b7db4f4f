package eventstore

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
)

// genesis is the prev_hash of the first event of every chain.
var genesis = make([]byte, sha256.Size)

// eventHash chains e onto prev. The encoding is canonical so that what
// PostgreSQL hands back from jsonb (keys reordered, whitespace dropped,
// numbers rewritten) hashes the same as what was written: every field is
// length-prefixed, JSON is re-encoded with sorted keys and normalised
// numbers, and the time is taken in microseconds, PostgreSQL's precision.
//
// meta is the metadata already in canonical form (canonicalJSON): every
// event of a request shares it, so it is encoded once.
func eventHash(prev []byte, e *Event, meta []byte) ([]byte, error) {
	payload, err := canonicalJSON(e.Data)
	if err != nil {
		return nil, fmt.Errorf("canonical payload: %w", err)
	}
	h := sha256.New()
	h.Write(prev)
	for _, field := range [][]byte{
		[]byte(e.StreamID),
		strconv.AppendInt(nil, e.StreamVersion, 10),
		[]byte(e.ID),
		[]byte(e.Type),
		strconv.AppendInt(nil, int64(e.SchemaVersion), 10),
		strconv.AppendInt(nil, e.RecordedAt.UnixMicro(), 10),
		payload,
		meta,
	} {
		var n [4]byte
		binary.BigEndian.PutUint32(n[:], uint32(len(field)))
		h.Write(n[:])
		h.Write(field)
	}
	return h.Sum(nil), nil
}

// logHash chains an event's stream hash onto the log at its position, so
// that moving, removing or inserting a row anywhere in the log shows.
func logHash(prev []byte, position int64, eventHash []byte) []byte {
	h := sha256.New()
	h.Write(prev)
	var p [8]byte
	binary.BigEndian.PutUint64(p[:], uint64(position))
	h.Write(p[:])
	h.Write(eventHash)
	return h.Sum(nil)
}

func canonicalJSON(raw []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return json.Marshal(normaliseNumbers(v))
}

// normaliseNumbers rewrites every number as a function of its value alone,
// because jsonb keeps the value but not the spelling (1e2 comes back 100).
func normaliseNumbers(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = normaliseNumbers(e)
		}
		return x
	case []any:
		for i, e := range x {
			x[i] = normaliseNumbers(e)
		}
		return x
	case json.Number:
		f, err := strconv.ParseFloat(string(x), 64)
		if err != nil {
			return x
		}
		if f == math.Trunc(f) && math.Abs(f) < 1<<53 {
			return json.Number(strconv.FormatInt(int64(f), 10))
		}
		return json.Number(strconv.FormatFloat(f, 'g', -1, 64))
	default:
		return v
	}
}
