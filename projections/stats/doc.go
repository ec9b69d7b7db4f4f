// Package stats is the read model of Bayt's figures: the needs the city
// reports (cases by district, theme and month), how each municipal
// department responds (per department and month), and what the campaigns
// obtain and who they bring together (commitments per department,
// attendance per theme). It keeps one row of facts per case, per campaign,
// per commitment and per activity held, folded from the log, and
// aggregates them when asked: several figures depend on the moment they
// are asked at (what is overdue now). Postgres keeps each answer for the
// read model's state (its checkpoint) and, for responsiveness, for the
// span of time between the due dates of open cases on either side of the
// moment asked, as the case list's board does.
//
// # Definitions
//
// Months are calendar months in the city's time zone (Config.Zone),
// written "YYYY-MM"; a period runs from its first month to its last, both
// included. A change of zone needs a rebuild.
//
// Needs count the reports of each month (the month of the report), under
// the district the report gave and the theme of its category (the
// directory's theme for that category when the category was given or
// changed at triage). Cases hidden by moderation and duplicates merged into
// another case do not count; rejected cases do (a need reported is a need,
// even when another body handles it). The trend compares each district
// and theme over the period with the period of as many months just before.
//
// Responsiveness counts the cases a department received (first forwarded
// to it) in each month, under the department the case was last forwarded
// to; hidden cases do not count. Hours run from the first forward to the
// first acknowledgement, the first answer and the first resolution: a
// reopened case keeps them. Within SLA is casefile.JudgedBySLA: the share
// of the judged cases (resolved, or open past their due date now) resolved
// by their due date and not overdue now. The reopen rate is the share of
// the resolved cases reopened at least once. Open and overdue are the
// received cases awaiting the department now and those past their due date.
//
// Medians and 90th percentiles are PostgreSQL's percentile_cont: over the
// n values sorted, the value at rank p·(n−1) counted from 0, interpolated
// linearly between the two values around it (the median of 2, 4 and 9 is
// 4; of 2 and 4 it is 3; the 90th percentile of 1..10 is 9.1). Memory
// computes them alike. A figure over no case is null.
//
// Campaign figures count, per target department and month, the
// commitments the municipality made (recorded), kept (fulfilled) and broke
// in that month; and per theme and month, the activities held and the
// people, women and youth who attended them, with the women's and the
// youth's share of the people (youth overlap women and men, and the total
// may exceed women and men together, as the attendance record counts
// them).
package stats
