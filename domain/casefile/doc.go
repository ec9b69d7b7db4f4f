// Package casefile is the case aggregate: a resident's problem or need,
// followed from its report to its resolution, every step an event kept
// forever. A case is the stream "case-<ULID>"; the caller generates the id
// and passes the time with every command, so each decision is a pure
// function of the case's history, the command and the directory.
//
// # State machine
//
//	                 report
//	                   │
//	                   ▼
//	  ┌─────────── reported ────────────┐
//	  │ reject         │ triage         │ merge
//	  │                ▼                │
//	  ├─────────── triaged ─────────────┤
//	  ▼                │ forward        ▼
//	rejected           │             duplicate
//	(terminal)         ▼             (terminal)
//	     ┌───────▶ forwarded ──────────────┐
//	     │             │ acknowledge       │ answer
//	     │             ▼                   ▼
//	     │       acknowledged ─answer─▶ in_progress ◀─┐
//	     │             │                   │ answer ──┘
//	     │             │ resolve           │ resolve
//	     │             ▼                   ▼
//	     └─reopen── resolved ◀─────────────┘   (forwarded ─resolve─▶ resolved too)
//	                   │ confirm
//	                   ▼
//	                closed (terminal)
//
// Beside the machine, without changing the status:
//
//   - comment: in every status (an officer only once the case is forwarded to
//     their department);
//   - support: until the case is closed, rejected or a duplicate, once per
//     person (see SupporterKeys); a repeat records nothing;
//   - link a campaign: unless rejected or a duplicate; unlink: always;
//   - moderate: in every status, to hide the case from the public or replace
//     the title and description the public reads (staff still read the
//     reporter's);
//   - add a photo: in every status, by staff at any time and by the
//     reporter only within an hour of the report, at most three, and not
//     once the case is hidden; moderate a photo: in every status, to hide
//     it from the public (staff still see it);
//   - record an SLA breach: by the system, once per due date, while the
//     department owes a resolution (forwarded, acknowledged, in_progress)
//     and the due date has passed.
//
// Forwarding sets the due date to the category's SLA from the directory;
// reopening sends the case back to the same department with a fresh one.
//
// A report's district is any text, but one the directory knows (its code,
// a name in any language or a known spelling, as directory.SpellingKey
// compares them) is recorded as the district's code, so that every way of
// writing a district counts as that district.
//
// # Who may act
//
//   - report, support: anyone, including the anonymous public;
//   - triage, reject, merge, forward, link and unlink campaigns, moderate,
//     moderate a photo: advocates and admins;
//   - acknowledge, answer, resolve: only an officer of the department the
//     case is forwarded to (not an admin: the answer must come from the
//     municipality);
//   - confirm, reopen, add a photo: advocates, admins, and the reporter (an
//     anonymous caller who presented the case's tracking token);
//   - comment: advocates, admins, and the officer of the case's department;
//   - record an SLA breach: the system only.
//
// # Deciding a command
//
// A command method checks, in this order, and stops at the first failure:
// the actor's role (*domain.ForbiddenError: someone who may not act learns
// nothing, not even the status), the status (*domain.TransitionError), then
// the input (every *domain.InvalidError found, joined with errors.Join). It
// returns the events to record without applying them; the caller appends
// them at the expected version, then folds them with Apply, which never
// fails.
//
// Events are pointers: only *CaseReported and its siblings implement
// domain.Event, so commands, Decode and Apply agree by construction.
package casefile
