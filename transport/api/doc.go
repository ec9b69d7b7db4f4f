// Package api serves Bayt's JSON API under /api/v1 (see the API contract, whose
// paths, fields and codes are binding), and health and readiness. The
// pages are package web's; the two never import each other.
//
// Errors are application/problem+json (RFC 9457), their status from
// transport.HTTPStatus, the one table; internal errors are logged once
// here and users see only "internal error".
package api
