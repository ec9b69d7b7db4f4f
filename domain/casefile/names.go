package casefile

// names are the names API clients see for the stored event types: the
// design's past-tense names, as stable as the wire names they stand for.
var names = map[string]string{
	TypeCaseReported:             "CaseReported",
	TypeCaseTriaged:              "CaseTriaged",
	TypeCaseRejected:             "CaseRejected",
	TypeCaseMerged:               "CaseMerged",
	TypeCaseForwarded:            "CaseForwarded",
	TypeCaseAcknowledged:         "CaseAcknowledged",
	TypeCaseAnswered:             "CaseAnswered",
	TypeCaseResolved:             "CaseResolved",
	TypeResolutionConfirmed:      "ResolutionConfirmed",
	TypeCaseReopened:             "CaseReopened",
	TypeCommentAdded:             "CommentAdded",
	TypeCaseSupported:            "CaseSupported",
	TypeCaseLinkedToCampaign:     "CaseLinkedToCampaign",
	TypeCaseUnlinkedFromCampaign: "CaseUnlinkedFromCampaign",
	TypeSLABreached:              "SLABreached",
	TypeCaseModerated:            "CaseModerated",
	TypePhotoAdded:               "PhotoAdded",
	TypePhotoModerated:           "PhotoModerated",
}

// EventName returns the API name of a stored case event type, and the
// type itself for anything else.
func EventName(eventType string) string {
	if n, ok := names[eventType]; ok {
		return n
	}
	return eventType
}
