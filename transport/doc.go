// Package transport is the edge of Bayt. Its subpackages are siblings that
// never import one another: api serves the JSON API and health endpoints,
// web the pages, live the WebSocket feed. A new public surface (Open311,
// say) is another sibling. Each decodes, calls a domain service or a read
// model through interfaces it declares, and encodes; none holds business
// rules.
//
// This package holds what they must agree on: the one table from a domain
// error's kind to an HTTP status and a WebSocket close code, the
// middleware every request passes (ids, correlation, log, the client's
// address behind trusted proxies, security headers, write deadline,
// compression), the refusal of cross-site writes, the anonymous write
// limit shared by every surface, the names events are shown under, and
// the warning that nothing is kept. Subpackage photo is no surface: it
// holds what the API and the pages share about photos (reading an upload,
// re-encoding it without metadata), and they both import it.
package transport
