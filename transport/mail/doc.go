// Package mail tells people by email what happened to a case: a reporter
// who left an address hears when their case is forwarded, answered,
// resolved or reopened, in the language they reported in; a department
// with an address in the directory hears of each case forwarded to it.
//
// The mailer is a consumer of the bus (a watermill handler on the events
// topic, behind Retry and PoisonQueue). A message on the bus names an
// event and carries nothing else, so the mailer loads the case from the
// store, and reads the reporter's address from the personal-data vault
// only in the moment it sends: an address is never copied into a message,
// a table or a log, and an erased reporter (whose vault key is gone) gets
// nothing more.
//
// Each mail is sent at most once per event and recipient: the mail log's
// claim on (event id, recipient) is held while the mail goes out and kept
// only when the SMTP server accepted it, so a redelivered event, or the
// same event heard by several nodes, sends nothing twice, and a mail that
// failed is tried again by the next delivery.
//
// Every mail ends with an unsubscribe link. Its token names the case (for
// the reporter) or the department, signed with the server's keyed hash:
// it carries no address and no name, and nobody can forge one for a case
// they have not been mailed about. Following it and confirming records an
// opt-out the mailer honours from then on.
package mail
