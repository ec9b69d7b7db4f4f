package api

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/domain/campaign"
	"github.com/citizenhouse/bayt/domain/casefile"
	"github.com/citizenhouse/bayt/domain/organisation"
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

// publicForm decodes a stored event of one kind of stream and returns it
// redacted by its aggregate, with whether the public may see it.
type publicForm func(eventType string, data []byte) (domain.Event, bool, error)

// newHistoryView renders h for viewer: internal events and actors' names
// only for staff (advocates and admins), as API.md has it. Every event's
// data is its aggregate's redaction re-encoded, for staff too: vault
// references and tracking-token hashes never leave the server. An event
// this binary cannot decode cannot be redacted, so nobody sees it.
func newHistoryView(h domain.History, viewer domain.Actor, public publicForm) (historyView, error) {
	insider := viewer.Role.Staff()
	v := historyView{Stream: h.Stream, Verified: h.Verified, Events: []historyEvent{}}
	for _, e := range h.Events {
		ev, ok, err := public(e.Type, e.Data)
		if errors.Is(err, domain.ErrUnknownEventType) || (err == nil && ev == nil) {
			continue
		}
		if err != nil {
			return v, err
		}
		if !insider && !ok {
			continue
		}
		data, err := json.Marshal(ev)
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

// redactStored is a publicForm over an aggregate's Decode and Redact.
func redactStored(decode func(string, []byte) (domain.Event, error), redact func(domain.Event) (domain.Event, bool),
	eventType string, data []byte) (domain.Event, bool, error) {
	e, err := decode(eventType, data)
	if err != nil {
		return nil, false, err
	}
	r, ok := redact(e)
	return r, ok, nil
}

func casePublic(eventType string, data []byte) (domain.Event, bool, error) {
	return redactStored(casefile.Decode, casefile.Redact, eventType, data)
}

func campaignPublic(eventType string, data []byte) (domain.Event, bool, error) {
	return redactStored(campaign.Decode, campaign.Redact, eventType, data)
}

func organisationPublic(eventType string, data []byte) (domain.Event, bool, error) {
	return redactStored(organisation.Decode, organisation.Redact, eventType, data)
}

// history serves GET …/{id}/history for one kind of stream.
func (s *Server) history(validID func(string) bool, load func(context.Context, string) (domain.History, error),
	public publicForm) http.HandlerFunc {
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
