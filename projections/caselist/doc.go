// Package caselist is the case list read model: one row per case, folded
// with the case aggregate's own Apply so the list can never disagree with
// the case page, and queried with the filters of GET /api/v1/cases.
//
// Postgres keeps it in the case_list table; Memory keeps it in process for
// Bayt running without a database. Both keep the same Row per case and
// fold through it, and both answer every query the same way, in the same
// order (projectionstest checks it).
package caselist
