// Package open311 serves Open311 GeoReport v2 under /open311/v2/, so that
// the civic apps and city dashboards that speak the standard report to a
// Citizen's House and follow its cases without learning Bayt's API.
//
// Every endpoint answers in JSON or XML, as the path's extension asks,
// with the specification's field and element names. A request posted here
// becomes a case through casefile.Service like every other report, its
// channel recorded as Open311 and the reporter's contact details kept in
// the vault alone. What is read is what the public reads: hidden cases do
// not exist, moderated texts replace the reporter's, and no answer holds
// personal data. Errors are the specification's list of code and
// description, in the requested format.
package open311
