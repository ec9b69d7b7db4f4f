// Package projections folds the event log into read models: PostgreSQL
// tables shaped for the queries the API and the live board make.
//
// Each projection consumes the log in position order from its own
// checkpoint and writes its tables and its checkpoint in one transaction,
// so a crash replays nothing twice and skips nothing. Exactly one runner per
// projection is active across nodes: it holds a session advisory lock named
// after the projection, and a runner on another node takes over when that
// connection dies.
//
// The package does not import the event store: it reads the log through
// the Log interface it declares, and cmd/bayt adapts the store to it.
// Each read model lives in a subpackage (caselist, …) with its tables, its
// rows, its query methods, and a Memory twin that answers alike; the
// binary lists every one once in a Registry of ReadModel entries.
package projections
