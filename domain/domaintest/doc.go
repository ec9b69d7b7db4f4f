// Package domaintest holds the test harness that the aggregate packages
// (casefile, campaign, organisation) share: given/when/then scenarios run
// against any aggregate state type, checks on the domain's error kinds, the
// JSON round trip every event registry must survive, and the check that an
// aggregate's Redact clears every personal field of every event.
//
// It is imported only by _test.go files, and it imports only the standard
// library and package domain, so that it can serve every aggregate without
// knowing any of them. Fixtures (IDs, times, actors, events) stay in each
// aggregate's own tests: they are that package's vocabulary, and sharing
// them would couple one aggregate's tests to another's data.
package domaintest
