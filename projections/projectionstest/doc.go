// Package projectionstest holds what tests of read models share: Log, a
// city's log of cases, campaigns and organisations taken through their
// lives by the domain's own commands, and Run, the suite every read model
// passes. Run feeds that log to a read model's PostgreSQL and in-memory
// implementations and compares every query's answers: Bayt without a
// database must answer as Bayt with one, down to the order of ties. It is
// imported only by _test.go files.
package projectionstest
