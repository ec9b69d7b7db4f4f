// Package export writes the open data: every case the public may see, one
// row each, as CSV or GeoJSON. The API's download and the command line's
// `bayt export` write through this one package, so a file made by either
// holds the same columns, the same rounding and the same omissions.
//
// A row carries the public columns only: no reporter, no text moderation
// withdrew, and coordinates rounded to three decimals (about a hundred
// metres), which places a problem in its street without pointing at one
// door. Hidden cases are never read: the rows come from the case list as
// the public reads it.
//
// Rows are read page by page of the case list and written as they come:
// whatever the number of cases, an export holds one page in memory.
package export
