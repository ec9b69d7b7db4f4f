package projections

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/citizenhouse/bayt/domain"
	"github.com/jackc/pgx/v5/pgconn"
)

// Translate turns the driver's errors from a read model's queries into the
// domain's: a database that does not answer becomes domain.ErrUnavailable
// (wrapping the cause, for the log), which every surface answers with 503
// and Retry-After; text the database cannot store becomes invalid input.
// Every read model's PostgreSQL queries return through it.
func Translate(err error) error {
	var pgErr *pgconn.PgError
	switch {
	case err == nil, errors.Is(err, domain.ErrUnavailable):
		return err
	case errors.As(err, &pgErr) && (pgErr.Code == "22021" || pgErr.Code == "22P05"):
		return &domain.InvalidError{Reason: "text the database cannot store"}
	case unreachable(err):
		return fmt.Errorf("%w: %w", domain.ErrUnavailable, err)
	}
	return err
}

// unreachable reports whether err says the database could not be reached
// or the connection was lost, rather than what the database answered: a
// refused or timed-out connect, a pool that found no connection before the
// deadline, a connection closed under a query, or the server shutting down
// or starting up.
func unreachable(err error) bool {
	var (
		pgErr   *pgconn.PgError
		connErr *pgconn.ConnectError
		netErr  net.Error
	)
	switch {
	case errors.As(err, &pgErr):
		// Class 08 is connection exception; 57P01-57P03 are the server
		// shutting down, crashed, or not yet accepting connections; 53300
		// is too many connections.
		return strings.HasPrefix(pgErr.Code, "08") || pgErr.Code == "57P01" || pgErr.Code == "57P02" ||
			pgErr.Code == "57P03" || pgErr.Code == "53300"
	case errors.As(err, &connErr), errors.As(err, &netErr):
		return true
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, net.ErrClosed), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.ECONNREFUSED),
		errors.Is(err, syscall.EPIPE):
		return true
	}
	// Nothing reached the server (a connection found closed): the same.
	return pgconn.SafeToRetry(err)
}
