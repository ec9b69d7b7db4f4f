package transport

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// ParseProxies reads a comma-separated list of CIDRs (a bare address
// stands for itself alone), the proxies whose X-Forwarded-For is believed.
func ParseProxies(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			a, aerr := netip.ParseAddr(f)
			if aerr != nil {
				return nil, fmt.Errorf("trusted proxy %q: not a CIDR or an address", f)
			}
			a = a.Unmap().WithZone("")
			p = netip.PrefixFrom(a, a.BitLen())
		}
		if p.Addr().Is4In6() {
			p = netip.PrefixFrom(p.Addr().Unmap(), max(p.Bits()-96, 0))
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// origin is where a request came from: the peer that opened the
// connection, whether it is a trusted proxy, and the client chosen from
// the two.
type origin struct {
	peer        netip.Addr
	peerTrusted bool
	client      netip.Addr
}

// originOf chooses r's client. A request straight from a client (any peer
// not in trusted) is that peer, whatever X-Forwarded-For it claims: the
// header is the caller's own text. Behind trusted proxies the client is
// the right-most address of X-Forwarded-For that is not itself a trusted
// proxy, since each proxy appends the peer it saw and only the entries
// our own proxies appended can be believed; everything to the left of
// that address was written by the client.
func originOf(r *http.Request, trusted []netip.Prefix) origin {
	peer := parseHop(r.RemoteAddr)
	o := origin{peer: peer, client: peer}
	if !peer.IsValid() || !isTrusted(peer, trusted) {
		return o
	}
	o.peerTrusted = true
	var hops []string
	for _, v := range r.Header.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(v, ",")...)
	}
	for i := len(hops) - 1; i >= 0; i-- {
		a := parseHop(hops[i])
		if !a.IsValid() {
			// A trusted proxy never writes garbage: it came from the
			// client, so the last proxy stands in for it.
			return o
		}
		o.client = a
		if !isTrusted(a, trusted) {
			return o
		}
	}
	return o
}

// parseHop reads an address as it appears in RemoteAddr or a forwarding
// header: bare, with a port, bracketed.
func parseHop(s string) netip.Addr {
	s = strings.TrimSpace(s)
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap().WithZone("")
	}
	if host, _, err := net.SplitHostPort(s); err == nil {
		s = host
	}
	a, err := netip.ParseAddr(strings.Trim(s, "[]"))
	if err != nil {
		return netip.Addr{}
	}
	return a.Unmap().WithZone("")
}

func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// addressKey is what a client is told apart by: its IPv4 address, or the
// /64 its IPv6 address lies in. A subscriber is usually given a whole /64
// and may pick any address within it, so counting single IPv6 addresses
// would give one client billions of budgets.
func addressKey(a netip.Addr) string {
	if a.Is6() {
		if p, err := a.Prefix(64); err == nil {
			return p.String()
		}
	}
	return a.String()
}

type clientKey struct{}

// ClientAddress is what anonymous callers are told apart by (the write
// limit, the scope of an idempotency key): the client's IPv4 address or
// IPv6 /64, as Middleware chose it from the peer and, behind trusted
// proxies, X-Forwarded-For. It is personal data: keep it out of anything
// stored for long.
func ClientAddress(r *http.Request) string {
	if c, ok := r.Context().Value(clientKey{}).(string); ok {
		return c
	}
	if a := parseHop(r.RemoteAddr); a.IsValid() {
		return addressKey(a)
	}
	return r.RemoteAddr
}

func withClient(ctx context.Context, a netip.Addr) context.Context {
	if !a.IsValid() {
		return ctx
	}
	return context.WithValue(ctx, clientKey{}, addressKey(a))
}
