// Package directory holds the directory of a Citizen's House: the municipal
// departments that cases are forwarded to, and the categories a resident
// picks when reporting, each with its default department, its service-level
// target in days and the research theme it counts under.
//
// A Citizen's House starts from the default directory embedded in this
// package (default.json: a realistic municipal organisation, named in
// Arabic, French and English). Admins may replace it with their own file,
// which Parse checks as strictly as the default, so a typo never reaches the
// case aggregate, the Open311 service list or the needs map.
//
// A *Directory is immutable once parsed and safe for concurrent use; its
// accessors return copies.
package directory
