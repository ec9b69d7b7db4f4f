package transport

import (
	"strings"

	"github.com/citizenhouse/bayt/domain/campaign"
	"github.com/citizenhouse/bayt/domain/casefile"
	"github.com/citizenhouse/bayt/domain/organisation"
)

// EventName returns the name every surface shows for a stored event type:
// the API's histories and the pages' timelines (whose messages are keyed by
// it) must agree.
func EventName(eventType string) string {
	switch {
	case strings.HasPrefix(eventType, "campaign."):
		return campaign.EventName(eventType)
	case strings.HasPrefix(eventType, "organisation."):
		return organisation.EventName(eventType)
	default:
		return casefile.EventName(eventType)
	}
}
