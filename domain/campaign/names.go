package campaign

// names are the names API clients see for the stored event types: the
// design's past-tense names, as stable as the wire names they stand for.
var names = map[string]string{
	TypeCampaignLaunched:    "CampaignLaunched",
	TypePartnerJoined:       "PartnerJoined",
	TypePartnerLeft:         "PartnerLeft",
	TypeCaseLinked:          "CaseLinked",
	TypeCaseUnlinked:        "CaseUnlinked",
	TypeActivityPlanned:     "ActivityPlanned",
	TypeActivityHeld:        "ActivityHeld",
	TypePetitionSigned:      "PetitionSigned",
	TypeCommitmentRecorded:  "CommitmentRecorded",
	TypeCommitmentFulfilled: "CommitmentFulfilled",
	TypeCommitmentBroken:    "CommitmentBroken",
	TypeUpdatePublished:     "UpdatePublished",
	TypeCampaignClosed:      "CampaignClosed",

	TypePaperSignaturesRecorded: "PaperSignaturesRecorded",
}

// EventName returns the API name of a stored campaign event type, and the
// type itself for anything else.
func EventName(eventType string) string {
	if n, ok := names[eventType]; ok {
		return n
	}
	return eventType
}
