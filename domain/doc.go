// Package domain holds what every aggregate of Bayt shares: the event and
// actor types, the error kinds, and request-scoped metadata carried in a
// context. It imports only the standard library, so the rules of the case
// and campaign aggregates can be read, tested and reused without a database,
// a bus or HTTP.
//
// Each aggregate lives in a subpackage (casefile, campaign, organisation)
// and follows one shape: command methods validate against the current state
// and the acting user, then return past-tense events; Apply folds an event
// into state and never fails. Time is passed in with each command, never read
// from the clock, so a decision is a pure function of its inputs.
package domain
