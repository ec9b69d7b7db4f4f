// Package organisation is the organisation aggregate: an association, an
// institution, a private-sector partner or a municipal department of the
// Citizen's House network, with the people who represent it. An
// organisation is the stream "org-<ULID>"; the caller generates the id and
// passes the time with every command, so each decision is a pure function
// of the organisation's history, the command and the directory.
//
// Organisations lead and join advocacy campaigns (package campaign), which
// refer to them by stream id; the seed's networking function (التشبيك) is
// this package's reason to exist.
//
// # Life
//
// An organisation has no status beyond existing: it is registered once,
// then updated and given members at will. Register on an organisation
// already registered, or any other command on one not registered yet, is a
// *domain.TransitionError whose Status is "registered" or "" respectively.
//
// # Who may act
//
// Advocates and admins run every command: the Citizen's House keeps the
// register of its network.
//
// # Personal data
//
// A member is a person. Events and state hold only the member's subject, a
// reference to the personal-data vault, and a role such as "president":
// never a name, a phone or an email. Erasing the person in the vault leaves
// the history intact and the member unreadable everywhere. MemberAdded is a
// public event, but Redact, which every public surface calls, clears its
// member_subject.
//
// # Deciding a command
//
// As in package casefile, a command method checks, in this order, and stops
// at the first failure: the actor's role (*domain.ForbiddenError), whether
// the organisation exists (*domain.TransitionError), then the input (every
// *domain.InvalidError found, joined with errors.Join). It returns the
// events to record without applying them; the caller appends them at the
// expected version, then folds them with Apply, which never fails.
//
// Events are pointers: only *OrganisationRegistered and its siblings
// implement domain.Event, so commands, Decode and Apply agree by
// construction.
package organisation
