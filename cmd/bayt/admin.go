package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/domain/directory"
	"github.com/citizenhouse/bayt/eventstore"
)

func tokenCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		fmt.Fprintln(stderr, "usage: bayt token create --role admin|advocate|officer --name NAME [--department CODE]")
		return errUsage
	}
	var role, name, dept *string
	pool, _, err := databaseCommand(ctx, "token create", args[1:], stderr, false, func(fs *flag.FlagSet) {
		role = fs.String("role", "", "admin, advocate or officer")
		name = fs.String("name", "", "who the token is for")
		dept = fs.String("department", "", "the officer's department code")
	})
	if err != nil {
		return err
	}
	if *dept != "" {
		if _, ok := directory.Default().Department(*dept); !ok {
			pool.Close()
			return fmt.Errorf("%w: unknown department %q", errUsage, *dept)
		}
	}
	defer pool.Close()
	secret, tok, err := eventstore.NewTokens(pool).Create(ctx, *name, domain.Role(*role), *dept)
	var inv *domain.InvalidError
	if errors.As(err, &inv) {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "created %s token %s for %s\n", tok.Role, tok.ID, tok.Name)
	fmt.Fprintln(stdout, secret)
	return nil
}

func personCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "erase" {
		fmt.Fprintln(stderr, "usage: bayt person erase --case ID | --subject ID")
		return errUsage
	}
	var caseID, subject *string
	pool, _, err := databaseCommand(ctx, "person erase", args[1:], stderr, false, func(fs *flag.FlagSet) {
		caseID = fs.String("case", "", "erase the reporter of this case")
		subject = fs.String("subject", "", "erase this data subject")
	})
	if err != nil {
		return err
	}
	if (*caseID == "") == (*subject == "") {
		pool.Close()
		return fmt.Errorf("%w: give exactly one of --case and --subject", errUsage)
	}
	defer pool.Close()
	if *caseID != "" {
		store := eventstore.New(pool, eventstore.Config{})
		defer store.Close()
		c, _, err := eventstore.NewRepository(store, caseCodec()).Load(ctx, *caseID)
		if err != nil {
			return fmt.Errorf("load case %s: %w", *caseID, err)
		}
		if c.ReporterSubject == "" {
			fmt.Fprintf(stdout, "case %s was reported anonymously: nothing to erase\n", *caseID)
			return nil
		}
		*subject = c.ReporterSubject
	}
	if err := eventstore.NewVault(pool).Erase(ctx, *subject); err != nil {
		return fmt.Errorf("erase %s: %w", *subject, err)
	}
	fmt.Fprintf(stdout, "erased %s: its key is gone and its data unreadable everywhere\n", *subject)
	return nil
}
