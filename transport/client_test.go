package transport_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"
	"time"

	"github.com/citizenhouse/bayt/transport"
)

// clientOf runs a request from peer with the given X-Forwarded-For
// headers through the middleware and returns the address it chose.
func clientOf(t *testing.T, trusted []netip.Prefix, peer string, xff ...string) string {
	t.Helper()
	var got string
	h := transport.Middleware(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		got = transport.ClientAddress(r)
	}), transport.MiddlewareConfig{Logger: slog.New(slog.DiscardHandler), TrustedProxies: trusted})
	r := httptest.NewRequestWithContext(t.Context(), http.MethodPost, "/report", nil)
	r.RemoteAddr = peer
	for _, v := range xff {
		r.Header.Add("X-Forwarded-For", v)
	}
	h.ServeHTTP(httptest.NewRecorder(), r)
	return got
}

func TestClientAddress(t *testing.T) {
	t.Parallel()
	proxies, err := transport.ParseProxies(" 10.0.0.0/8, 192.168.1.7 ,fd00::/8")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		trusted []netip.Prefix
		peer    string
		xff     []string
		want    string
	}{
		{"NoProxies", nil, "203.0.113.9:5100", nil, "203.0.113.9"},
		{"SpoofNoProxies", nil, "203.0.113.9:5100", []string{"198.51.100.1"}, "203.0.113.9"},
		{"SpoofFromUntrustedPeer", proxies, "203.0.113.9:5100", []string{"198.51.100.1"}, "203.0.113.9"},
		{"BehindProxy", proxies, "10.1.2.3:40000", []string{"198.51.100.1"}, "198.51.100.1"},
		{"ProxyWithoutHeader", proxies, "10.1.2.3:40000", nil, "10.1.2.3"},
		// The client wrote the left part; the proxy appended what it saw.
		{"SpoofBehindProxy", proxies, "10.1.2.3:40000", []string{"1.1.1.1, 198.51.100.1"}, "198.51.100.1"},
		{"ChainOfProxies", proxies, "10.1.2.3:40000", []string{"198.51.100.1, 192.168.1.7, 10.9.9.9"}, "198.51.100.1"},
		{"ChainOverSeveralHeaders", proxies, "10.1.2.3:40000", []string{"6.6.6.6, 198.51.100.1", "192.168.1.7"}, "198.51.100.1"},
		{"OnlyProxies", proxies, "10.1.2.3:40000", []string{"10.4.4.4, 192.168.1.7"}, "10.4.4.4"},
		{"GarbageBeforeTrustedHop", proxies, "10.1.2.3:40000", []string{"not-an-address, 192.168.1.7"}, "192.168.1.7"},
		{"HopWithPort", proxies, "10.1.2.3:40000", []string{"198.51.100.1:3456"}, "198.51.100.1"},
		{"IPv6Hop", proxies, "10.1.2.3:40000", []string{"[2001:db8:1:2::7]:3456"}, "2001:db8:1:2::/64"},
		{"IPv6ProxyPeer", proxies, "[fd00::1]:40000", []string{"198.51.100.1"}, "198.51.100.1"},
		{"MappedIPv4Peer", nil, "[::ffff:203.0.113.9]:5100", nil, "203.0.113.9"},
		{"IPv6GroupedBy64", nil, "[2001:db8:1:2:aaaa:bbbb:cccc:dddd]:5100", nil, "2001:db8:1:2::/64"},
		{"IPv6OtherAddressSame64", nil, "[2001:db8:1:2::1]:5100", nil, "2001:db8:1:2::/64"},
		{"IPv6Other64", nil, "[2001:db8:1:3::1]:5100", nil, "2001:db8:1:3::/64"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := clientOf(t, tc.trusted, tc.peer, tc.xff...); got != tc.want {
				t.Errorf("client %q, want %q", got, tc.want)
			}
		})
	}
}

func TestParseProxies(t *testing.T) {
	t.Parallel()
	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		got, err := transport.ParseProxies("10.0.0.1/8,2001:db8::1, 127.0.0.1,")
		if err != nil {
			t.Fatal(err)
		}
		want := []netip.Prefix{
			netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("2001:db8::1/128"), netip.MustParsePrefix("127.0.0.1/32"),
		}
		if len(got) != len(want) {
			t.Fatalf("prefixes %v, want %v", got, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("prefix %d: %v, want %v", i, got[i], want[i])
			}
		}
	})
	t.Run("None", func(t *testing.T) {
		t.Parallel()
		if got, err := transport.ParseProxies(""); err != nil || len(got) != 0 {
			t.Fatalf("ParseProxies(\"\") = %v, %v", got, err)
		}
	})
	t.Run("ErrNotCIDR", func(t *testing.T) {
		t.Parallel()
		if _, err := transport.ParseProxies("10.0.0.0/8, proxy.example"); err == nil {
			t.Fatal("a host name was accepted")
		}
	})
}

// TestLimiterPerClient checks the write budget follows the client the
// middleware chose: per address behind a trusted proxy, per /64 in IPv6.
func TestLimiterPerClient(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	l := transport.NewLimiter(1)
	proxies, err := transport.ParseProxies("10.0.0.0/8")
	if err != nil {
		t.Fatal(err)
	}
	h := transport.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !l.Allow(r, at) {
			w.WriteHeader(http.StatusTooManyRequests)
		}
	}), transport.MiddlewareConfig{Logger: slog.New(slog.DiscardHandler), TrustedProxies: proxies})
	for i, tc := range []struct {
		peer, xff string
		want      int
	}{
		{"10.0.0.2:1", "198.51.100.1", http.StatusOK},
		{"10.0.0.2:2", "198.51.100.2", http.StatusOK}, // a neighbour behind the same proxy
		{"10.0.0.2:3", "198.51.100.1", http.StatusTooManyRequests},
		{"[2001:db8::1]:1", "", http.StatusOK},
		{"[2001:db8::ffff:2]:1", "", http.StatusTooManyRequests}, // the same /64
		{"[2001:db8:0:1::1]:1", "", http.StatusOK},
	} {
		r := httptest.NewRequestWithContext(t.Context(), http.MethodPost, "/report", nil)
		r.RemoteAddr = tc.peer
		if tc.xff != "" {
			r.Header.Set("X-Forwarded-For", tc.xff)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != tc.want {
			t.Errorf("write %d from %s for %q: %d, want %d", i, tc.peer, tc.xff, w.Code, tc.want)
		}
	}
}
