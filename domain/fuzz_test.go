package domain_test

import (
	"bytes"
	"encoding/json"
	"slices"
	"testing"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/domain/campaign"
	"github.com/citizenhouse/bayt/domain/casefile"
	"github.com/citizenhouse/bayt/domain/directory"
	"github.com/citizenhouse/bayt/domain/organisation"
)

// FuzzDecodeEvents decodes stored payloads of any shape as every event type
// of every aggregate, and folds what decodes into a state: a payload the
// store hands back must be refused or read, never panic, and what is read
// must encode to a payload that reads back the same.
func FuzzDecodeEvents(f *testing.F) {
	type aggregate struct {
		decode func(string, []byte) (domain.Event, error)
		apply  func(domain.Event)
		types  []string
	}
	var aggregates []aggregate
	for _, a := range []struct {
		events func() map[string]func() domain.Event
		decode func(string, []byte) (domain.Event, error)
		apply  func(domain.Event)
	}{
		{casefile.Events, casefile.Decode, func(e domain.Event) { (&casefile.Case{}).Apply(e) }},
		{campaign.Events, campaign.Decode, func(e domain.Event) { (&campaign.Campaign{}).Apply(e) }},
		{organisation.Events, organisation.Decode, func(e domain.Event) { (&organisation.Organisation{}).Apply(e) }},
		{directory.Events, directory.Decode, func(e domain.Event) { (&directory.State{}).Apply(e) }},
	} {
		var types []string
		for name := range a.events() {
			types = append(types, name)
		}
		slices.Sort(types)
		aggregates = append(aggregates, aggregate{a.decode, a.apply, types})
	}
	f.Add(uint8(0), uint8(0), []byte(`{"title":"حفرة","category":"roads","at":"2026-11-30T09:00:00Z"}`))
	f.Add(uint8(1), uint8(3), []byte(`{"attendance":{"women":3,"men":2,"youth":1,"total":5}}`))
	f.Add(uint8(2), uint8(1), []byte(`{"name":"x","themes":["legal","legal"]}`))
	f.Add(uint8(0), uint8(5), []byte(`{"at":"0001-01-01T00:00:00Z","due_at":null}`))
	f.Fuzz(func(t *testing.T, which, typeIndex uint8, data []byte) {
		a := aggregates[int(which)%len(aggregates)]
		eventType := a.types[int(typeIndex)%len(a.types)]
		e, err := a.decode(eventType, data)
		if err != nil {
			return
		}
		a.apply(e)
		encoded, err := json.Marshal(e)
		if err != nil {
			t.Fatalf("%s decoded from %q does not encode: %v", eventType, data, err)
		}
		again, err := a.decode(eventType, encoded)
		if err != nil {
			t.Fatalf("%s encoded as %s does not decode: %v", eventType, encoded, err)
		}
		reencoded, err := json.Marshal(again)
		if err != nil || !bytes.Equal(reencoded, encoded) {
			t.Fatalf("%s does not read back the same:\n%s\n%s", eventType, encoded, reencoded)
		}
	})
}
