package api

import "github.com/citizenhouse/bayt/domain/casefile"

// EventName returns the API name of a stored event type.
func EventName(eventType string) string { return casefile.EventName(eventType) }
