package organisation

// names are the names API clients see for the stored event types: the
// design's past-tense names, as stable as the wire names they stand for.
var names = map[string]string{
	TypeOrganisationRegistered: "OrganisationRegistered",
	TypeOrganisationUpdated:    "OrganisationUpdated",
	TypeMemberAdded:            "MemberAdded",
	TypeMemberRemoved:          "MemberRemoved",
}

// EventName returns the API name of a stored organisation event type, and
// the type itself for anything else.
func EventName(eventType string) string {
	if n, ok := names[eventType]; ok {
		return n
	}
	return eventType
}
