package domain

import (
	"encoding/json"
	"errors"
)

// DecodeFunc decodes the payload of an event stored as eventType: an
// aggregate's Decode.
type DecodeFunc func(eventType string, data []byte) (Event, error)

// RedactFunc returns an event as the public may see it, and whether the
// public may see it at all: an aggregate's Redact.
type RedactFunc func(Event) (Event, bool)

// For returns h as viewer may see it, whatever surface shows it (the API's
// histories, the pages' timelines): internal events and the names of
// acting staff only for staff (advocates and admins). Every event's data is
// its aggregate's redaction re-encoded, for staff too, so vault references
// and tracking-token hashes never leave the server. Metadata keeps only the
// actor's role and, where shown, name: request and correlation ids and
// idempotency keys are the server's. An event this binary cannot decode
// cannot be redacted, so nobody sees it.
func (h History) For(viewer Actor, decode DecodeFunc, redact RedactFunc) (History, error) {
	insider := viewer.Role.Staff()
	out := History{Stream: h.Stream, Verified: h.Verified, Events: []Recorded{}}
	for _, e := range h.Events {
		ev, err := decode(e.Type, e.Data)
		if errors.Is(err, ErrUnknownEventType) {
			continue
		}
		if err != nil {
			return out, err
		}
		public, ok := redact(ev)
		if public == nil || (!insider && !ok) {
			continue
		}
		data, err := json.Marshal(public)
		if err != nil {
			return out, err
		}
		actor := Actor{Role: e.Metadata.Actor.Role}
		if insider && actor.Role != RolePublic && actor.Role != RoleReporter {
			actor.Name = e.Metadata.Actor.Name
		}
		e.Data, e.Metadata = data, Metadata{Actor: actor}
		out.Events = append(out.Events, e)
	}
	return out, nil
}
