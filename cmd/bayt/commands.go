package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/citizenhouse/bayt/eventstore"
)

const usage = `usage: bayt <command> [flags]

commands:
  serve           serve the API, the live feed and the pages
  migrate         apply database migrations (safe to run again)
  audit verify    walk the event log and prove it was not altered (the outcome is recorded)
  doctor          check the database, migrations, master key, bus, read models, last verify and clock
  demo load       load a year of a demo city: --cases N [--seed S] [--now RFC3339] [--if-empty]
  export          write the open data of the public cases: --format csv|geojson --out FILE
  projections rebuild [NAME]  rebuild read models from zero and swap them in
  projections status          show each projection's position and lag
  token create    make a bearer token: --role admin|advocate|officer --name NAME [--department CODE] [--expires 90d|RFC3339]
  token list      list the tokens: id, role, name, department, created, expires, revoked
  token revoke ID revoke a token from the next request on
  person erase    erase a person's data: --case ID | --subject ID
  keys init       write a new master key (BAYT_MASTER_KEY_FILE)
  keys rotate     re-seal every data key under a new master key: --new FILE
  version         print the version

Configuration comes from the environment (DATABASE_URL, BAYT_MASTER_KEY_FILE, ...);
each command's -h lists its flags.`

// errUsage marks a mistake in how bayt was called.
var errUsage = errors.New("usage")

// errHelped ends a command whose help was asked for (-h): the help is
// printed, nothing runs, and bayt exits 0.
var errHelped = errors.New("help shown")

// exitCode is 2 for usage mistakes, 3 for a log that failed verification
// and 1 for everything else.
func exitCode(err error) int {
	switch {
	case errors.Is(err, errHelped):
		return 0
	case errors.Is(err, errUsage):
		return 2
	case errors.Is(err, eventstore.ErrTampered):
		return 3
	default:
		return 1
	}
}

func dispatch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		_, _ = fmt.Fprintln(stderr, usage)
		return errUsage
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return serveCommand(ctx, rest, stdout, stderr)
	case "migrate":
		return migrateCommand(ctx, rest, stdout, stderr)
	case "audit":
		if len(rest) == 0 || rest[0] != "verify" {
			_, _ = fmt.Fprintln(stderr, "usage: bayt audit verify")
			return errUsage
		}
		return auditVerifyCommand(ctx, rest[1:], stdout, stderr)
	case "demo":
		return demoCommand(ctx, rest, stdout, stderr)
	case "doctor":
		return doctorCommand(ctx, rest, stdout, stderr)
	case "export":
		return exportCommand(ctx, rest, stdout, stderr)
	case "projections":
		return projectionsCommand(ctx, rest, stdout, stderr)
	case "token":
		return tokenCommand(ctx, rest, stdout, stderr)
	case "person":
		return personCommand(ctx, rest, stdout, stderr)
	case "keys":
		return keysCommand(ctx, rest, stdout, stderr)
	case "version":
		_, err := fmt.Fprintln(stdout, "bayt", version)
		return err
	case "help", "-h", "--help":
		_, err := fmt.Fprintln(stdout, usage)
		return err
	default:
		_, _ = fmt.Fprintf(stderr, "unknown command %q\n\n%s\n", cmd, usage)
		return errUsage
	}
}

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("bayt "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return errHelped
		}
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected arguments %s", errUsage, strings.Join(fs.Args(), " "))
	}
	return nil
}

// databaseCommand parses the flags of a command that works on the
// database (-database-url, and those addFlags adds) and opens it. With
// positional set, arguments after the flags are returned instead of
// refused.
func databaseCommand(ctx context.Context, name string, args []string, stderr io.Writer, positional bool, addFlags func(*flag.FlagSet)) (*pgxpool.Pool, []string, error) {
	cfg := configFromEnv()
	fs := newFlagSet(name, stderr)
	cfg.databaseFlag(fs)
	if addFlags != nil {
		addFlags(fs)
	}
	var err error
	if positional {
		switch err = fs.Parse(args); {
		case errors.Is(err, flag.ErrHelp):
			err = errHelped
		case err != nil:
			err = fmt.Errorf("%w: %w", errUsage, err)
		}
	} else {
		err = parseFlags(fs, args)
	}
	if err != nil {
		return nil, nil, err
	}
	if cfg.DatabaseURL == "" {
		return nil, nil, fmt.Errorf("%w: DATABASE_URL is not set", errUsage)
	}
	pool, err := openPool(ctx, cfg)
	return pool, fs.Args(), err
}

func migrateCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	pool, _, err := databaseCommand(ctx, "migrate", args, stderr, false, nil)
	if err != nil {
		return err
	}
	defer pool.Close()
	results, err := migrate(ctx, pool)
	if err != nil {
		return err
	}
	if len(results) == 0 {
		_, err := fmt.Fprintln(stdout, "database is up to date")
		return err
	}
	for _, r := range results {
		if _, err := fmt.Fprintf(stdout, "applied %s (%s)\n", r.Source.Path, r.Duration.Round(time.Millisecond)); err != nil {
			return err
		}
	}
	return nil
}

func auditVerifyCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	pool, _, err := databaseCommand(ctx, "audit verify", args, stderr, false, nil)
	if err != nil {
		return err
	}
	defer pool.Close()
	store := eventstore.New(pool, eventstore.Config{})
	defer store.Close()
	rep, err := store.Verify(ctx)
	if rerr := store.RecordVerification(ctx, rep, err); rerr != nil && err == nil {
		return rerr
	}
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "ok: %d events in %d streams verified in %s\nhead: position %d hash %x\n",
		rep.Events, rep.Streams, rep.Took.Round(time.Millisecond), rep.Head, rep.HeadHash)
	return err
}
