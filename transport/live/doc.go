// Package live serves the WebSocket feed GET /api/v1/live: a snapshot of
// the public board with its position, then every public event in strictly
// increasing position order, with heartbeats.
//
// One Hub per node reads the public feed read model once per change and
// fans each item out to every client. The bus only rings the doorbell: a
// notice that the feed moved, from this node or another. The hub then reads
// what follows its last position from the read model, which is written in
// log order by a single runner, so the hub can never skip an item whatever
// order or duplication the bus delivers notices in; a bounded poll covers a
// lost notice.
//
// A client that connects with since=N is registered with the hub first and
// learns the hub's position L at that moment; it is sent the items in
// (N, L] from the read model and then the hub's items, all of which are
// above L: no gap and no duplicate at the seam. Each client has a bounded
// queue: a client too slow to drain it is closed with a close frame
// (1013, try again later) rather than allowed to stall the others.
package live
