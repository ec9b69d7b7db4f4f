package domain

import "context"

// Role is what an actor may do. Public is the anonymous caller; Reporter is
// an anonymous caller who proved, with the tracking token, that they reported
// the case at hand.
type Role string

// Roles.
const (
	RolePublic   Role = "public"
	RoleReporter Role = "reporter"
	RoleAdvocate Role = "advocate"
	RoleOfficer  Role = "officer"
	RoleAdmin    Role = "admin"
	RoleSystem   Role = "system"
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	switch r {
	case RolePublic, RoleReporter, RoleAdvocate, RoleOfficer, RoleAdmin, RoleSystem:
		return true
	}
	return false
}

// Staff reports whether r works for the Citizen's House (an advocate or an
// admin): they alone see internal notes, actors' names and reporters'
// contact details. Municipal officers are not staff in this sense; they
// see what the public sees, and act on their own department's cases.
func (r Role) Staff() bool { return r == RoleAdvocate || r == RoleAdmin }

// Actor is who runs a command. Department binds an officer to one municipal
// department; ID is a stable reference to the credential (never a secret).
type Actor struct {
	ID         string `json:"id,omitempty"`
	Name       string `json:"name,omitempty"`
	Role       Role   `json:"role"`
	Department string `json:"department,omitempty"`
}

// Anonymous is the actor of a request without credentials.
var Anonymous = Actor{Role: RolePublic}

// System is the actor of what Bayt records by itself, such as a missed SLA.
var System = Actor{Role: RoleSystem, Name: "bayt"}

// Metadata travels with every event: who acted, and which request and chain
// of causes led to it.
type Metadata struct {
	Actor          Actor  `json:"actor"`
	CorrelationID  string `json:"correlation_id,omitempty"`
	CausationID    string `json:"causation_id,omitempty"`
	RequestID      string `json:"request_id,omitempty"`
	IdempotencyKey string `json:"idempotency_key,omitempty"`
}

type metadataKey struct{}

// WithMetadata returns ctx carrying m.
func WithMetadata(ctx context.Context, m Metadata) context.Context {
	return context.WithValue(ctx, metadataKey{}, m)
}

// MetadataFrom returns the metadata in ctx, or an anonymous actor's.
func MetadataFrom(ctx context.Context) Metadata {
	if m, ok := ctx.Value(metadataKey{}).(Metadata); ok {
		return m
	}
	return Metadata{Actor: Anonymous}
}

// ActorFrom returns the actor in ctx.
func ActorFrom(ctx context.Context) Actor { return MetadataFrom(ctx).Actor }
