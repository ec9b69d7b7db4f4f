package api

import "github.com/citizenhouse/bayt/domain/casefile"

// eventNames are the names API clients see for stored event types: the
// design's past-tense names, stable like the wire names they stand for.
var eventNames = map[string]string{
	casefile.TypeCaseReported:             "CaseReported",
	casefile.TypeCaseTriaged:              "CaseTriaged",
	casefile.TypeCaseRejected:             "CaseRejected",
	casefile.TypeCaseMerged:               "CaseMerged",
	casefile.TypeCaseForwarded:            "CaseForwarded",
	casefile.TypeCaseAcknowledged:         "CaseAcknowledged",
	casefile.TypeCaseAnswered:             "CaseAnswered",
	casefile.TypeCaseResolved:             "CaseResolved",
	casefile.TypeResolutionConfirmed:      "ResolutionConfirmed",
	casefile.TypeCaseReopened:             "CaseReopened",
	casefile.TypeCommentAdded:             "CommentAdded",
	casefile.TypeCaseSupported:            "CaseSupported",
	casefile.TypeCaseLinkedToCampaign:     "CaseLinkedToCampaign",
	casefile.TypeCaseUnlinkedFromCampaign: "CaseUnlinkedFromCampaign",
	casefile.TypeSLABreached:              "SLABreached",
}

// EventName returns the API name of a stored event type.
func EventName(eventType string) string {
	if n, ok := eventNames[eventType]; ok {
		return n
	}
	return eventType
}
