// Package eventstore keeps Bayt's events: every case, campaign and
// organisation is a stream of immutable events, and all streams together
// form one log in a single total order.
//
// # One total order, known at commit
//
// Appends are serialised by a transaction-scoped advisory lock and batched
// by an in-process group commit: one writer goroutine takes every append
// request waiting at that moment, checks each one's expected version under
// the lock (refusing only the stale ones), inserts all their events with
// one INSERT … SELECT FROM unnest(…) and commits once, in two round trips. Positions are handed out densely in commit
// order, so the position an append returns is the event's position on every
// feed, and a reader following the log can never skip an event that
// committed late: no later position is visible before an earlier one.
// Throughput grows with the batch instead of being capped at one fsync per
// event.
//
// # Many updates of one stream
//
// A Repository decides the updates of one stream in rounds: the updates
// queued in this process are decided one after another, each on the state
// the ones before it leave, and appended as one chain, in which a request
// whose predecessor did not land is refused rather than appended on a
// state that never was. Commands that do not depend on the version their
// caller saw (supports of a popular case) then all land, a round to a
// group commit, instead of refusing one another as stale.
//
// # Tamper evidence
//
// Each event's hash is sha256(prev_hash || canonical encoding of the event
// and its metadata), chained per stream; a second chain runs over the whole
// log in position order (log_prev_hash, log_hash), free to compute under the
// append lock. The streams table keeps each stream's version and last hash,
// so removing the newest event of a stream is noticed too. Verify walks both
// chains. Personal data never enters a payload (the vault holds it), so
// erasing a person never breaks a chain.
//
// # Followers
//
// Follow reads the log from a position and then waits for more, woken by
// this process's own commits, by LISTEN/NOTIFY from other nodes (sent after
// commit, never inside the append transaction, where NOTIFY would take a
// global lock), and by a bounded poll as the fallback.
//
// # Upcasting
//
// Events carry a schema version. Upcasters registered per (type, version)
// upgrade old payloads on read, in one place; stored rows are never
// rewritten, and hashes are always over what is stored.
//
// # Keys at rest
//
// The vault's data keys, the secret of the keyed hashes and the answers
// remembered for idempotency keys are sealed under a MasterKey that lives
// outside the database, each row marked with the master key's id. Rewrap
// seals them anew under another master key, in batches, resumable; a row
// under an unknown master key is refused with ErrWrongMasterKey, never
// opened into garbage.
//
// Memory implements the same contract without a database, for fast tests
// of the domain and projections and for running Bayt with nothing kept.
// eventstoretest.Run is the contract suite both pass.
package eventstore
