package web

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/citizenhouse/bayt/domain/casefile"
)

// The maps: the board's pins, a located case's pin, and the report form's
// point picker. Leaflet and its marker clustering are vendored under
// static/leaflet (see static/leaflet/README.txt) and loaded only by the
// pages that show a map, so that the others stay as light as they were.
// static/map.js draws each map from the data- attributes of its element:
// no inline script, which the page's CSP forbids. Without JavaScript no map
// shows and nothing is lost: the lists, the case's address and the report
// form's latitude and longitude fields say everything a map says.

// boardMapLimit is how many located cases the board's map shows, the
// newest: enough for a city's open problems, bounded so that the board
// stays light on a phone.
const boardMapLimit = 1000

// mapZoom is the zoom of a map that opens on a point: a few streets.
const mapZoom = 16

// DefaultMapCenter is where a map with nothing to show opens: the centre of
// Tunis, the city Bayt's defaults are set for (BAYT_TIMEZONE).
var DefaultMapCenter = casefile.Location{Lat: 36.8065, Lon: 10.1815}

// TileSource checks a tile URL template (Leaflet's, with {z}, {x} and {y},
// and {s} for a subdomain) and returns the source the pages' CSP must
// allow images from: its scheme and host, a placeholder as the host's
// first label becoming * ("https://{s}.tile.example.org/{z}/{x}/{y}.png"
// gives "https://*.tile.example.org"). A template on Bayt's own origin
// ("/tiles/{z}/{x}/{y}.png") needs no source: "". The source goes into a
// response header, so anything but a plain host is refused rather than
// escaped.
func TileSource(template string) (string, error) {
	for _, p := range []string{"{z}", "{x}", "{y}"} {
		if !strings.Contains(template, p) {
			return "", fmt.Errorf("tile URL %q lacks %s", template, p)
		}
	}
	if strings.ContainsFunc(template, func(r rune) bool { return r <= ' ' || r == 0x7f || r == ';' || r == ',' || r == '\'' || r == '"' }) {
		return "", fmt.Errorf("tile URL %q holds a space, a quote, a comma or a semicolon", template)
	}
	if strings.HasPrefix(template, "/") && !strings.HasPrefix(template, "//") {
		return "", nil
	}
	scheme, rest, ok := strings.Cut(template, "://")
	if !ok || (scheme != "https" && scheme != "http") {
		return "", fmt.Errorf("tile URL %q must start with https://, http:// or /", template)
	}
	host := rest
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		host = rest[:i]
	}
	name, port, hasPort := strings.Cut(host, ":")
	if hasPort && (port == "" || strings.ContainsFunc(port, func(r rune) bool { return r < '0' || r > '9' })) {
		return "", fmt.Errorf("tile URL %q has a bad port", template)
	}
	labels := strings.Split(name, ".")
	for i, l := range labels {
		placeholder := len(l) > 2 && l[0] == '{' && l[len(l)-1] == '}' && !strings.ContainsAny(l[1:len(l)-1], "{}")
		switch {
		case placeholder && i == 0 && len(labels) > 1:
			labels[i] = "*"
		case l == "" || strings.ContainsFunc(l, func(r rune) bool {
			return (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') && (r < '0' || r > '9') && r != '-'
		}):
			return "", fmt.Errorf("tile URL %q: the host may hold a placeholder only as its first label", template)
		}
	}
	src := scheme + "://" + strings.Join(labels, ".")
	if hasPort {
		src += ":" + port
	}
	return src, nil
}

// pageCSPFor is the pages' CSP: nothing but this origin, and map tiles
// from tileSource (TileSource's answer) when it is not this origin. No
// inline script or style, no framing, forms that post only here, and
// fetches (the map's cases, the live feed) only here.
func pageCSPFor(tileSource string) string {
	img := "img-src 'self' data:"
	if tileSource != "" {
		img += " " + tileSource
	}
	return "default-src 'self'; " + img + "; connect-src 'self'; object-src 'none'; base-uri 'none'; " +
		"form-action 'self'; frame-ancestors 'none'"
}

// mapAssets are the versioned addresses of what a page with a map loads.
type mapAssets struct {
	LeafletCSS, ClusterCSS, ClusterThemeCSS string
	LeafletJS, ClusterJS, MapJS             string
}

func newMapAssets() mapAssets {
	return mapAssets{
		LeafletCSS: versioned("leaflet/leaflet.css"), ClusterCSS: versioned("leaflet/markercluster/MarkerCluster.css"),
		ClusterThemeCSS: versioned("leaflet/markercluster/MarkerCluster.Default.css"),
		LeafletJS:       versioned("leaflet/leaflet.js"), ClusterJS: versioned("leaflet/markercluster/leaflet.markercluster.js"),
		MapJS: versioned("map.js"),
	}
}

// mapView is one map of a page, as the data- attributes of its element
// give it to map.js.
type mapView struct {
	Assets mapAssets
	// Kind is "board" (pins from GeoJSON), "case" (one pin at Point) or
	// "picker" (the report form's point).
	Kind            string
	Label           string // the map's accessible name
	Tiles           string
	Attribution     string // HTML, as the tile provider words it
	Center          string // "lat,lon", where a map without pins opens
	GeoJSON         string
	Limit           int    // the most pins GeoJSON gives
	Point           string // "lat,lon"
	PointTitle      string
	Statuses        string // JSON: status -> its name in the page's language
	LinkSuffix      string // what a link to a case carries: the chosen language
	ZoomIn, ZoomOut string
}

// newMapView returns the page's map of kind, or nil when the pages have
// no tiles to draw maps on.
func (d *pageData) newMapView(kind, label string) *mapView {
	cfg := d.s.cfg
	if cfg.TileURL == "" {
		return nil
	}
	center := cfg.MapCenter
	if center == nil {
		center = &DefaultMapCenter
	}
	statuses := make(map[string]string, len(pageStatuses))
	for _, st := range pageStatuses {
		statuses[string(st)] = d.statusName(st)
	}
	names, _ := json.Marshal(statuses) // a map of strings always encodes
	return &mapView{
		Assets: d.s.mapAssets, Kind: kind, Label: label, Tiles: cfg.TileURL, Attribution: cfg.TileAttribution,
		Center: point(*center, 6), Statuses: string(names), LinkSuffix: d.query,
		ZoomIn: d.T("map.zoom_in"), ZoomOut: d.T("map.zoom_out"),
	}
}

// boardMap is the board's map of the newest located cases.
func (d *pageData) boardMap() *mapView {
	m := d.newMapView("board", d.T("map.board_label"))
	if m != nil {
		m.GeoJSON, m.Limit = "/api/v1/exports/cases.geojson?limit="+strconv.Itoa(boardMapLimit), boardMapLimit
	}
	return m
}

// caseMap is a located case's map, its point rounded as the public export
// rounds it; nil for a case without a location.
func (d *pageData) caseMap(c *casefile.Case) *mapView {
	if c.Location == nil {
		return nil
	}
	m := d.newMapView("case", d.T("map.case_label"))
	if m != nil {
		m.Point, m.PointTitle = point(*c.Location, 3), c.Title
	}
	return m
}

// point writes l as "lat,lon" with digits decimals.
func point(l casefile.Location, digits int) string {
	return strconv.FormatFloat(l.Lat, 'f', digits, 64) + "," + strconv.FormatFloat(l.Lon, 'f', digits, 64)
}

// parseLocation reads the report form's latitude and longitude: both
// empty is no location. Residents type decimal commas and Arabic-Indic
// digits as often as points and Western digits, so both read as numbers.
// What still is no number, a missing half among them, reads as NaN, which
// the domain refuses as it refuses a point off the globe: the form then
// shows that error beside every other one at once, and the domain stays
// the one judge of a location.
func parseLocation(lat, lon string) *casefile.Location {
	if strings.TrimSpace(lat) == "" && strings.TrimSpace(lon) == "" {
		return nil
	}
	return &casefile.Location{Lat: coordinate(lat), Lon: coordinate(lon)}
}

// explainLocation words the domain's refusal of the form's point for the
// resident: the half they left empty, or the range a typed value must
// fall in.
func (d *pageData) explainLocation(errs map[string]string, in reportInput) {
	for name, value := range map[string]string{"lat": in.Lat, "lon": in.Lon} {
		switch {
		case errs[name] == "":
		case strings.TrimSpace(value) == "":
			errs[name] = d.T("map.err_half")
		default:
			errs[name] = d.T("map.err_" + name)
		}
	}
}

// coordinate reads one decimal degree, or NaN.
func coordinate(s string) float64 {
	s = strings.Map(func(r rune) rune {
		switch {
		case r >= '٠' && r <= '٩': // Arabic-Indic digits
			return '0' + (r - '٠')
		case r >= '۰' && r <= '۹': // Eastern Arabic-Indic digits
			return '0' + (r - '۰')
		case r == ',' || r == '٫':
			return '.'
		case r == '−': // a typographic minus
			return '-'
		}
		return r
	}, strings.TrimSpace(s))
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) || strings.ContainsAny(s, "xXpP_") {
		return math.NaN()
	}
	return f
}
