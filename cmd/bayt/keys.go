package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/citizenhouse/bayt/eventstore"
	"github.com/jackc/pgx/v5/pgxpool"
)

const keysUsage = `usage: bayt keys init [-file FILE]      write a new master key (to BAYT_MASTER_KEY_FILE by default)
       bayt keys rotate --new FILE        re-seal every data key under the master key in FILE
       bayt keys rotate --new FILE --lost give up everything sealed under a lost master key`

// masterKeyVar names the variable every message about the master key
// points the operator to.
const masterKeyVar = "BAYT_MASTER_KEY_FILE"

func keysCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		_, _ = fmt.Fprintln(stderr, keysUsage)
		return errUsage
	}
	switch args[0] {
	case "init":
		return keysInitCommand(args[1:], stdout, stderr)
	case "rotate":
		return keysRotateCommand(ctx, args[1:], stdout, stderr)
	default:
		_, _ = fmt.Fprintln(stderr, keysUsage)
		return errUsage
	}
}

// keysInitCommand writes a new master key. It never overwrites a file: a
// master key replaced by mistake is every person's data lost.
func keysInitCommand(args []string, stdout, stderr io.Writer) error {
	cfg := configFromEnv()
	fset := newFlagSet("keys init", stderr)
	fset.StringVar(&cfg.MasterKeyFile, "file", cfg.MasterKeyFile, "where to write the key ("+masterKeyVar+")")
	if err := parseFlags(fset, args); err != nil {
		return err
	}
	if cfg.MasterKeyFile == "" {
		return fmt.Errorf("%w: name the file with -file or %s", errUsage, masterKeyVar)
	}
	mk, text := eventstore.NewMasterKey()
	f, err := os.OpenFile(cfg.MasterKeyFile, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%s already exists: a master key is never overwritten (rotate to a new file with bayt keys rotate)", cfg.MasterKeyFile)
	}
	if err != nil {
		return fmt.Errorf("write master key: %w", err)
	}
	if _, err := f.Write(text); err != nil {
		_ = f.Close() // the write's error is the one to tell
		return fmt.Errorf("write master key: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write master key: %w", err)
	}
	_, err = fmt.Fprintf(stdout, "wrote master key %s to %s\nback it up away from the database: without it nobody's personal data can be read\n",
		mk.ID(), cfg.MasterKeyFile)
	return err
}

// keysRotateCommand seals every data key, secret and remembered answer
// under a new master key. The old key is the one configured; with none
// configured, only keys stored in clear can be sealed.
func keysRotateCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var (
		newFile *string
		lost    *bool
	)
	cfg := configFromEnv()
	pool, _, err := databaseCommand(ctx, "keys rotate", args, stderr, false, func(fs *flag.FlagSet) {
		newFile = fs.String("new", "", "the file of the new master key (make it with bayt keys init -file)")
		lost = fs.Bool("lost", false, "the old master key is lost: erase everyone whose data key was sealed under it")
		cfg.masterKeyFlag(fs)
	})
	if err != nil {
		return err
	}
	defer pool.Close()
	if *newFile == "" {
		return fmt.Errorf("%w: %s", errUsage, keysUsage)
	}
	to, err := readMasterKey(*newFile, "--new")
	if err != nil {
		return err
	}
	var from *eventstore.MasterKey
	if *lost {
		n, err := eventstore.ShredLost(ctx, pool, to)
		if err != nil {
			return err
		}
		if _, err := fmt.Fprintf(stdout, "erased %d people whose data key was sealed under a lost master key\n", n); err != nil {
			return err
		}
	} else if cfg.MasterKeyFile != "" {
		if from, err = readMasterKey(cfg.MasterKeyFile, masterKeyVar); err != nil {
			return err
		}
	}
	rep, err := eventstore.Rewrap(ctx, pool, from, to)
	if err != nil {
		return fmt.Errorf("%w (the old key is read from %s)", err, masterKeyVar)
	}
	_, err = fmt.Fprintf(stdout, "re-wrapped %d keys and %d remembered answers under master key %s\nnow set %s=%s on every node\n",
		rep.Keys, rep.Answers, to.ID(), masterKeyVar, *newFile)
	return err
}

// readMasterKey reads a key file, named in messages by what pointed to it.
// A file others may read is refused, as ssh refuses a private key: whoever
// reads it reads everyone's personal data in any copy of the database.
func readMasterKey(path, what string) (*eventstore.MasterKey, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	if info.Mode().Perm()&0o007 != 0 {
		return nil, fmt.Errorf("%s: %s is open to other users (mode %04o): chmod 600 it", what, path, info.Mode().Perm())
	}
	text, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	mk, err := eventstore.ParseMasterKey(text)
	if err != nil {
		return nil, fmt.Errorf("%s: %s: %w", what, path, err)
	}
	return mk, nil
}

// masterKeyFlag adds -master-key-file, which mirrors BAYT_MASTER_KEY_FILE.
func (c *config) masterKeyFlag(fs *flag.FlagSet) {
	fs.StringVar(&c.MasterKeyFile, "master-key-file", c.MasterKeyFile, "the master key's file ("+masterKeyVar+")")
}

// configuredMasterKey reads the master key a command on the database
// needs, refusing to go on without one.
func configuredMasterKey(c config) (*eventstore.MasterKey, error) {
	if c.MasterKeyFile == "" {
		return nil, fmt.Errorf("%w: %s is not set: with a database, bayt needs the master key that seals personal data (make one with bayt keys init)",
			errUsage, masterKeyVar)
	}
	return readMasterKey(c.MasterKeyFile, masterKeyVar)
}

// openKeys seals what is still stored in clear under mk (keys and answers
// from before sealing), refusing a master key the database was not sealed
// under, and returns the database's keyed-hash function.
func openKeys(ctx context.Context, pool *pgxpool.Pool, mk *eventstore.MasterKey) (sealed eventstore.RewrapReport, hash func(purpose, text string) string, err error) {
	sealed, err = eventstore.Rewrap(ctx, pool, nil, mk)
	if err != nil {
		return sealed, nil, fmt.Errorf("%s: %w", masterKeyVar, err)
	}
	h, err := eventstore.NewVault(pool, mk).Hasher(ctx)
	if err != nil {
		return sealed, nil, fmt.Errorf("%s: %w", masterKeyVar, err)
	}
	return sealed, h.Sum, nil
}
