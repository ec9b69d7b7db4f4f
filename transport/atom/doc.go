// Package atom writes Atom feeds (RFC 4287): the document a feed reader
// follows a place, a case or a campaign by. It knows nothing of Bayt's
// stores: the API builds a Feed from the public feed read models and
// writes it here, so what a feed says is what the public board says.
package atom
