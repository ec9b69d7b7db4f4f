// Package transport is the edge of Bayt: api serves the JSON API, pages and
// health endpoints over HTTP; live serves the WebSocket feed. Both decode,
// call the domain or a read model through interfaces they declare, and
// encode; neither holds business rules.
package transport
