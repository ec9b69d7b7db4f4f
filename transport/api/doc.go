// Package api serves Bayt over HTTP: the JSON API under /api/v1 (see
// API.md, whose paths, fields and codes are binding), health and readiness,
// and the server-rendered pages.
//
// Errors are application/problem+json (RFC 9457). One table, statusOf,
// maps each domain error kind to an HTTP status; internal errors are logged
// once here and users see only "internal error".
package api
