package eventstore

import (
	"bytes"
	"encoding/json"
	"testing"
)

// FuzzCanonicalJSON checks the encoding the hash chains are computed over:
// it must be a fixed point (encoding it again changes nothing), and it must
// not depend on what jsonb changes in a payload it hands back (key order,
// white space, the spelling of numbers), or verify would cry tampering.
func FuzzCanonicalJSON(f *testing.F) {
	for _, seed := range []string{
		`{"title":"حفرة","n":1}`, `{"n":1e2,"a":[1.5,-0,2E-3]}`, `{"z":{"b":null,"a":true}}`,
		`[]`, `"x"`, `{"big":12345678901234567890}`, `{"a":"\u0000"}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		canon, err := canonicalJSON(raw)
		if err != nil {
			return // not JSON: never stored, since jsonb refuses it first
		}
		again, err := canonicalJSON(canon)
		if err != nil || !bytes.Equal(again, canon) {
			t.Fatalf("canonical form is not a fixed point:\n%s\n%s (%v)", canon, again, err)
		}
		// What a jsonb round trip may do: reorder keys, drop white space,
		// respell numbers.
		var v any
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if err := dec.Decode(&v); err != nil {
			t.Fatalf("canonicalJSON accepted what the decoder refuses: %v", err)
		}
		indented, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		respelled, err := canonicalJSON(indented)
		if err != nil || !bytes.Equal(respelled, canon) {
			t.Fatalf("canonical form changed with the spelling:\n%s\n%s (%v)", canon, respelled, err)
		}
	})
}

// FuzzUpcast runs stored payloads of any shape through the upcasters on
// the read path: an upcaster may refuse a payload, never panic or loop.
func FuzzUpcast(f *testing.F) {
	f.Add("test.renamed", 1, []byte(`{"old":"x"}`))
	f.Add("test.renamed", 1, []byte(`[1]`))
	f.Add("casefile.case_reported", 1, []byte(`{}`))
	ups := Upcasters{
		{Type: "test.renamed", SchemaVersion: 1}: func(data json.RawMessage) (json.RawMessage, error) {
			var v struct {
				Old string `json:"old"`
			}
			if err := json.Unmarshal(data, &v); err != nil {
				return nil, err
			}
			return json.Marshal(map[string]string{"new": v.Old})
		},
	}
	f.Fuzz(func(t *testing.T, eventType string, version int, data []byte) {
		e := Event{Type: eventType, SchemaVersion: version, Data: data}
		if err := ups.apply(&e); err != nil {
			return
		}
		if e.Type == "test.renamed" && version == 1 && e.SchemaVersion != 2 {
			t.Fatalf("a version-1 payload was left at version %d", e.SchemaVersion)
		}
	})
}
