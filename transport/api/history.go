package api

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"time"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/transport"
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

// historyForFunc returns a history as viewer may see it: domain.History.For
// with the stream's aggregate's Decode and Redact, or the aggregate's own
// function when what the public sees depends on the stream's state.
type historyForFunc func(h domain.History, viewer domain.Actor) (domain.History, error)

// redacted is the historyForFunc of an aggregate whose events are redacted
// one by one.
func redacted(decode domain.DecodeFunc, redact domain.RedactFunc) historyForFunc {
	return func(h domain.History, viewer domain.Actor) (domain.History, error) {
		return h.For(viewer, decode, redact)
	}
}

// newHistoryView renders h as viewer may see it, in the API contract's shape.
func newHistoryView(h domain.History, viewer domain.Actor, historyFor historyForFunc) (historyView, error) {
	public, err := historyFor(h, viewer)
	if err != nil {
		return historyView{}, err
	}
	v := historyView{Stream: public.Stream, Verified: public.Verified, Events: make([]historyEvent, 0, len(public.Events))}
	for _, e := range public.Events {
		v.Events = append(v.Events, historyEvent{
			Position: e.Position, Version: e.Version, ID: e.ID, Type: transport.EventName(e.Type), RecordedAt: e.RecordedAt,
			Actor: historyActor{Role: e.Metadata.Actor.Role, Name: e.Metadata.Actor.Name}, Data: e.Data,
			Hash: hex.EncodeToString(e.Hash), PrevHash: hex.EncodeToString(e.PrevHash),
		})
	}
	return v, nil
}

// history serves GET …/{id}/history for one kind of stream.
func (s *Server) history(validID func(string) bool, load func(context.Context, string) (domain.History, error),
	historyFor historyForFunc) http.HandlerFunc {
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
		v, err := newHistoryView(h, actor, historyFor)
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, v)
	}
}
