package api

import (
	"strings"

	"github.com/citizenhouse/bayt/domain/campaign"
	"github.com/citizenhouse/bayt/domain/casefile"
	"github.com/citizenhouse/bayt/domain/organisation"
)

// EventName returns the API name of a stored event type.
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
