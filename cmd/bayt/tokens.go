package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/eventstore"
)

const tokenUsage = `usage: bayt token create --role admin|advocate|officer --name NAME [--department CODE] [--expires DURATION|RFC3339]
       bayt token list
       bayt token revoke ID`

func tokenCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		switch args[0] {
		case "create":
			return tokenCreate(ctx, args[1:], stdout, stderr)
		case "list":
			return tokenList(ctx, args[1:], stdout, stderr)
		case "revoke":
			return tokenRevoke(ctx, args[1:], stdout, stderr)
		}
	}
	_, _ = fmt.Fprintln(stderr, tokenUsage)
	return errUsage
}

func tokenCreate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var role, name, dept, expires *string
	pool, _, err := databaseCommand(ctx, "token create", args, stderr, false, func(fs *flag.FlagSet) {
		role = fs.String("role", "", "admin, advocate or officer")
		name = fs.String("name", "", "who the token is for")
		dept = fs.String("department", "", "the officer's department code")
		expires = fs.String("expires", "", "when the token stops working: a duration from now (90d, 12h) or an RFC 3339 time; never when empty")
	})
	if err != nil {
		return err
	}
	defer pool.Close()
	if *dept != "" {
		// The directory as the admins left it: a department added in
		// the console takes officers at once.
		store := eventstore.New(pool, eventstore.Config{})
		dir, err := liveDirectory(ctx, store)
		store.Close()
		if err != nil {
			return err
		}
		if _, ok := dir.Department(*dept); !ok {
			return fmt.Errorf("%w: unknown department %q", errUsage, *dept)
		}
	}
	until, err := parseExpires(*expires, time.Now())
	if err != nil {
		return err
	}
	secret, tok, err := eventstore.NewTokens(pool).Create(ctx, *name, domain.Role(*role), *dept, until)
	var inv *domain.InvalidError
	if errors.As(err, &inv) {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	if err != nil {
		return err
	}
	suffix := ""
	if !tok.ExpiresAt.IsZero() {
		suffix = ", expires " + tok.ExpiresAt.Format(time.RFC3339)
	}
	// The secret alone on the last line: scripts take it from there.
	_, err = fmt.Fprintf(stdout, "created %s token %s for %s%s\n%s\n", tok.Role, tok.ID, tok.Name, suffix, secret)
	return err
}

// parseExpires reads --expires: "" for never, an RFC 3339 time, or a
// duration from now in Go's syntax (12h, 90m) or whole days (90d), which
// Go's syntax lacks and a token's lifetime is usually counted in.
func parseExpires(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if days, ok := strings.CutSuffix(s, "d"); ok {
		if n, err := strconv.Atoi(days); err == nil && n > 0 {
			return now.AddDate(0, 0, n), nil
		}
	}
	if d, err := time.ParseDuration(s); err == nil && d > 0 {
		return now.Add(d), nil
	}
	return time.Time{}, fmt.Errorf("%w: --expires %q is neither a positive duration (90d, 12h) nor an RFC 3339 time", errUsage, s)
}

func tokenList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	pool, _, err := databaseCommand(ctx, "token list", args, stderr, false, nil)
	if err != nil {
		return err
	}
	defer pool.Close()
	toks, err := eventstore.NewTokens(pool).List(ctx)
	if err != nil {
		return err
	}
	now := time.Now()
	// Writes go to the tabwriter's buffer; Flush reports a failed output.
	w := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	_, _ = fmt.Fprintln(w, "ID\tROLE\tNAME\tDEPARTMENT\tCREATED\tEXPIRES\tREVOKED\tSTATUS")
	for _, t := range toks {
		status := "active"
		switch {
		case !t.RevokedAt.IsZero():
			status = "revoked"
		case !t.ExpiresAt.IsZero() && !t.ExpiresAt.After(now):
			status = "expired"
		}
		_, _ = fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.Role, printable(t.Name), orElse(t.Department, "-"),
			t.CreatedAt.Format(time.RFC3339), timeOrElse(t.ExpiresAt, "never"), timeOrElse(t.RevokedAt, "-"), status)
	}
	return w.Flush()
}

// printable keeps a name from breaking the table's columns and lines.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
}

func orElse(s, none string) string {
	if s == "" {
		return none
	}
	return s
}

func timeOrElse(t time.Time, none string) string {
	if t.IsZero() {
		return none
	}
	return t.Format(time.RFC3339)
}

func tokenRevoke(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	// The id may come before the flags as well as after them.
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		args = slices.Concat(args[1:], args[:1])
	}
	pool, ids, err := databaseCommand(ctx, "token revoke", args, stderr, true, nil)
	if err != nil {
		return err
	}
	defer pool.Close()
	if len(ids) != 1 {
		return fmt.Errorf("%w: bayt token revoke ID (one token id, as bayt token list shows it)", errUsage)
	}
	if err := eventstore.NewTokens(pool).Revoke(ctx, ids[0]); err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "revoked token %s: it authenticates nobody from the next request on\n", ids[0])
	return err
}
