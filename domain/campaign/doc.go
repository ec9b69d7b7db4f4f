// Package campaign is the campaign aggregate: an advocacy campaign (حملة
// مناصرة) that organisations of the network run towards a municipal
// department, grouping cases, holding activities, gathering signatures and
// recording the municipality's commitments, every step an event kept
// forever. A campaign is the stream "campaign-<ULID>"; the caller generates
// the id, and the ids of activities and commitments, and passes the time
// with every command, so each decision is a pure function of the campaign's
// history, the command and the directory.
//
// # State machine
//
//	launch
//	  │
//	  ▼
//	active ──close(outcome)──▶ closed (terminal)
//
// Beside the machine, without changing the status:
//
//   - join and leave partners, link cases, plan activities, sign the
//     petition, record signatures gathered on paper, record commitments:
//     only while active;
//   - unlink a case, hold a planned activity, fulfil or break a commitment,
//     publish an update: while active or closed. These record or correct
//     facts that may outlive the campaign: a commitment kept a year after
//     the close, the minutes of the last meeting typed the week after, a
//     case linked by mistake, news of what the campaign won.
//
// Every command but launch is refused on a campaign not launched yet, with
// a *domain.TransitionError whose Status is "" (an officer is forbidden
// instead: such a campaign targets no department yet). Linking a case to a closed
// campaign is a *domain.TransitionError{Command: "link_case", Status:
// "closed"}, which the API maps to 409.
//
// Activities and commitments have small life cycles of their own: an
// activity is planned, then held once; a commitment is open, then fulfilled
// or broken once. Holding an activity already held, or settling a
// commitment already settled, is a *domain.TransitionError whose Status is
// the activity's or commitment's state ("held", "fulfilled", "broken"):
// the request conflicts with the state, like any refused transition. An
// unknown activity or commitment id is bad input (*domain.InvalidError).
//
// Partners are organisations (stream ids "org-…"). The lead organisation is
// the first partner, from the launch: joining it again records nothing, and
// it cannot leave. Joining a partner twice, or linking a case twice,
// records nothing, so a retried request is harmless.
//
// # Who may act
//
//   - sign the petition: anyone, including the anonymous public;
//   - record, fulfil and break commitments: advocates, admins, and officers
//     of the campaign's target department (the municipality speaks for
//     itself);
//   - everything else: advocates and admins.
//
// # Personal data
//
// Signatures gathered on paper are recorded in batches, as a count
// (PaperSignaturesRecorded): the sheets stay with the Citizen's House and
// no signer's name enters the log. The campaign's Signatures count both
// kinds; PaperSignatures says how many of them came on paper.
//
// A signer is a person. PetitionSigned holds only the signer's subject, a
// reference to the personal-data vault (empty for an anonymous signature),
// and the signer key, an opaque keyed hash of the signer's identity that
// the caller computes so that one person signs a campaign once. Both are
// secret: the event is public, but Redact, which every public surface
// calls, clears both. The state keeps signer keys unexported for the same
// reason; ask Signed.
//
// # Deciding a command
//
// As in package casefile, a command method checks, in this order, and stops
// at the first failure: the actor's role (*domain.ForbiddenError: someone
// who may not act learns nothing, not even the status), the status
// (*domain.TransitionError), then the input (every *domain.InvalidError
// found, joined with errors.Join). It returns the events to record without
// applying them; the caller appends them at the expected version, then
// folds them with Apply, which never fails.
//
// Events are pointers: only *CampaignLaunched and its siblings implement
// domain.Event, so commands, Decode and Apply agree by construction.
package campaign
