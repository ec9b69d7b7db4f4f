// Package webhook tells partner organisations' servers of public case
// events: an admin registers an address, and every public event of a case
// the public may see (of the hook's district or category, when it names
// one) is posted there as JSON.
//
// The deliverer is a consumer of the bus (a watermill handler on the events
// topic, behind Retry and PoisonQueue, as the mailer is). A message on the
// bus names an event and carries nothing else: the deliverer loads the
// case, and posts what the public may read of it, never the reporter.
//
// Each body is signed with the hook's secret: X-Bayt-Signature is
// "sha256=" and the hex HMAC-SHA256 of the body, which the partner
// recomputes to know the post came from Bayt. Delivery is at least once:
// X-Bayt-Event-Id names the event, the same on every retry, for the
// partner to drop a repeat; Bayt's own delivery log, one row per hook and
// event, keeps a redelivered event from being posted again once a
// partner took it. The log is what an admin reads of each hook: every
// attempt's outcome, and the events given up on.
package webhook
