// Package transport is the edge of Bayt. Its subpackages are siblings that
// never import one another: api serves the JSON API and health endpoints,
// web the pages, live the WebSocket feed. Each decodes, calls a domain
// service or a read model through interfaces it declares, and encodes;
// none holds business rules.
//
// This package holds what they must agree on: the one table from a domain
// error's kind to an HTTP status and a WebSocket close code.
package transport
