// Package web serves Bayt's server-rendered pages: the public board, a
// case and its verified timeline, the report form, the campaigns and their
// tracker figures (the "Pages" of the API contract). Every new page goes here, and so
// will the staff console.
//
// Pages are html/template files embedded in the binary (templates/,
// static/), in Arabic, French and English (messages/*.json; every language
// has every key). They need no JavaScript: the report form posts a plain
// HTML form, which goes through casefile.Service.Report as the JSON API
// does, and the live script only refreshes what the page already shows.
// The maps (map.go: the board's pins, a case's pin, the report form's
// point) are drawn by static/map.js with the vendored Leaflet, on the
// pages that have one only; without JavaScript they do not show, and the
// lists, the address and the latitude and longitude fields say the same.
//
// The package reads through the small interfaces it declares and changes
// state only through the domain's services. It never imports
// transport/api: what both surfaces must agree on is in package transport,
// and a view of a domain object is built here from the domain's own types
// (a history's public form from domain.History.For and the aggregates'
// Redact).
package web
