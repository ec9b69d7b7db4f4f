// Package caselist is the case list read model: one row per case, folded
// with the case aggregate's own Apply so the list can never disagree with
// the case page, and queried with the filters of GET /api/v1/cases.
//
// Postgres keeps it in the case_list table; Memory keeps it in process for
// Bayt running without a database. Both keep the same Row per case and
// fold through it, and both answer every query the same way, in the same
// order (projectionstest checks it).
//
// The list also numbers the cases: each report, as it is folded, takes the
// next number of its year in the city's zone (casefile.FormatNumber), in
// the order of the log, so a rebuild gives every case the number it had.
// And it finds a case by its tracking token, through the token's hash that
// the report's event keeps.
package caselist
