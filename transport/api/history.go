package api

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"time"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/domain/casefile"
)

type historyActor struct {
	Role domain.Role `json:"role"`
	Name string      `json:"name,omitempty"`
}

type historyEvent struct {
	Position   int64           `json:"position"`
	Version    int64           `json:"version"`
	ID         string          `json:"id"`
	Type       string          `json:"type"`
	RecordedAt time.Time       `json:"recorded_at"`
	Actor      historyActor    `json:"actor"`
	Data       json.RawMessage `json:"data"`
	Hash       string          `json:"hash"`
	PrevHash   string          `json:"prev_hash"`
}

type historyView struct {
	Stream   string         `json:"stream"`
	Verified bool           `json:"verified"`
	Events   []historyEvent `json:"events"`
}

// redactedFields never leave the server in a history: the vault reference
// and the tracking token's hash are keys to a person and to a case.
var redactedFields = []string{"reporter_subject", "tracking_token_hash", "signer_subject", "signer_key", "member_subject"}

// newHistoryView renders h for viewer: internal events and actors' names
// only for staff (advocates and admins), as API.md has it.
func newHistoryView(h domain.History, viewer domain.Actor, public func(eventType string, data []byte) bool) (historyView, error) {
	insider := viewer.Role.Staff()
	v := historyView{Stream: h.Stream, Verified: h.Verified, Events: []historyEvent{}}
	for _, e := range h.Events {
		if !insider && !public(e.Type, e.Data) {
			continue
		}
		data, err := redact(e.Data)
		if err != nil {
			return v, err
		}
		he := historyEvent{
			Position: e.Position, Version: e.Version, ID: e.ID, Type: EventName(e.Type), RecordedAt: e.RecordedAt,
			Actor: historyActor{Role: e.Metadata.Actor.Role}, Data: data,
			Hash: hex.EncodeToString(e.Hash), PrevHash: hex.EncodeToString(e.PrevHash),
		}
		if insider && e.Metadata.Actor.Role != domain.RolePublic && e.Metadata.Actor.Role != domain.RoleReporter {
			he.Actor.Name = e.Metadata.Actor.Name
		}
		v.Events = append(v.Events, he)
	}
	return v, nil
}

func redact(data json.RawMessage) (json.RawMessage, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, err
	}
	changed := false
	for _, f := range redactedFields {
		if _, ok := m[f]; ok {
			delete(m, f)
			changed = true
		}
	}
	if !changed {
		return data, nil
	}
	return json.Marshal(m)
}

func casePublic(eventType string, data []byte) bool {
	ev, err := casefile.Decode(eventType, data)
	return err == nil && casefile.Public(ev)
}

// history serves GET …/{id}/history for one kind of stream.
func (s *Server) history(validID func(string) bool, load func(context.Context, string) (domain.History, error),
	public func(eventType string, data []byte) bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		r, actor, id, ok := s.streamRead(w, r, validID)
		if !ok {
			return
		}
		h, err := load(r.Context(), id)
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		v, err := newHistoryView(h, actor, public)
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, v)
	}
}
