// Package directory holds the directory of a Citizen's House: the municipal
// departments that cases are forwarded to, the categories a resident picks
// when reporting, each with its default department, its service-level
// target in days and the research theme it counts under, and the city's
// districts with the ways residents spell them.
//
// A Citizen's House starts from the default directory embedded in this
// package (default.json: a realistic municipal organisation and the
// districts of Tunis, named in Arabic, French and English), which Parse
// checks as strictly as any edit.
//
// # Editing
//
// Admins edit the directory as an aggregate whose one stream is StreamID:
// each DepartmentSaved, CategorySaved or DistrictSaved records an entry,
// new or changed, and folding them over the default gives the directory in
// force (State). An empty stream is the default directory. Every edit is
// checked with the rules Parse applies (snake_case codes, three names, a
// category's department in the directory, SLA days within 1..MaxSLADays, a
// known theme, no spelling shared by two districts), and only admins may
// make one: anyone else gets a *domain.ForbiddenError before their input
// is looked at. Entries are never removed: cases refer to them for good.
//
// Edits apply to what is decided afterwards: a case reported with a new
// category, a case forwarded after an SLA changed. A case keeps what its
// own events recorded (its category, its due date), so no edit rewrites
// it.
//
// # Where the directory is read
//
// A *Directory is immutable and safe for concurrent use; its accessors
// return copies. A Live holds the current one and stands wherever a
// *Directory is read (the case, campaign and organisation services, the
// API, the pages), picking up edits from its own node at once and from
// other nodes within seconds (see Live).
package directory
