package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/domain/campaign"
	"github.com/citizenhouse/bayt/eventstore"
)

const personUsage = "usage: bayt person erase --case ID | --member ORG_ID/MEMBER_ID | --signature CAMPAIGN_ID --name NAME | --subject ID"

func personCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "erase" {
		_, _ = fmt.Fprintln(stderr, personUsage)
		return errUsage
	}
	var caseID, member, signature, name, subject *string
	cfg := configFromEnv()
	pool, _, err := databaseCommand(ctx, "person erase", args[1:], stderr, false, func(fs *flag.FlagSet) {
		cfg.masterKeyFlag(fs)
		caseID = fs.String("case", "", "erase the reporter of this case")
		member = fs.String("member", "", "erase this member of an organisation: ORG_ID/MEMBER_ID")
		signature = fs.String("signature", "", "erase the signer, named by --name, of this campaign's petition")
		name = fs.String("name", "", "the signer's name, with --signature")
		subject = fs.String("subject", "", "erase this data subject")
	})
	if err != nil {
		return err
	}
	defer pool.Close()
	given := 0
	for _, f := range []*string{caseID, member, signature, subject} {
		if *f != "" {
			given++
		}
	}
	if given != 1 || (*signature != "") != (*name != "") {
		return fmt.Errorf("%w: %s", errUsage, personUsage)
	}
	if *subject == "" {
		var keyedHash func(purpose, text string) string
		if *signature != "" {
			// Signatures are found by the keyed hash of the name, whose
			// secret only the master key opens.
			mk, err := configuredMasterKey(cfg)
			if err != nil {
				return err
			}
			if _, keyedHash, err = openKeys(ctx, pool, mk); err != nil {
				return err
			}
		}
		store := eventstore.New(pool, eventstore.Config{})
		defer store.Close()
		found, err := findSubject(ctx, newRepositories(store), store, *caseID, *member, *signature, *name, keyedHash)
		if err != nil {
			return err
		}
		if found == "" {
			_, err = fmt.Fprintln(stdout, "no personal data was kept for this person: nothing to erase")
			return err
		}
		*subject = found
	}
	// Erasing deletes a key without opening it: no master key needed.
	if err := eventstore.NewVault(pool, nil).Erase(ctx, *subject); err != nil {
		return fmt.Errorf("erase %s: %w", *subject, err)
	}
	_, err = fmt.Fprintf(stdout, "erased %s: its key is gone and its data unreadable everywhere\n", *subject)
	return err
}

// findSubject finds the vault reference of a reporter, a member or a
// signer; "" when the person left no personal data. A signer is found by
// the keyed hash of the name, or by the bare hash signatures were recorded
// with before.
func findSubject(ctx context.Context, repos repositories, store *eventstore.Store, caseID, member, signature, name string,
	keyedHash func(purpose, text string) string) (string, error) {
	switch {
	case caseID != "":
		c, _, err := repos.cases.Load(ctx, caseID)
		if err != nil {
			return "", fmt.Errorf("load case %s: %w", caseID, err)
		}
		return c.ReporterSubject, nil
	case member != "":
		orgID, memberID, ok := strings.Cut(member, "/")
		if !ok {
			return "", fmt.Errorf("%w: --member takes ORG_ID/MEMBER_ID", errUsage)
		}
		o, _, err := repos.organisations.Load(ctx, orgID)
		if err != nil {
			return "", fmt.Errorf("load organisation %s: %w", orgID, err)
		}
		m, ok := o.Member(memberID)
		if !ok {
			return "", fmt.Errorf("organisation %s has no member %s: %w", orgID, memberID, domain.ErrNotFound)
		}
		return m.Subject, nil
	default:
		key, legacy := campaign.SignerKey(keyedHash, signature, name), campaign.LegacySignerKey(signature, name)
		events, err := store.ReadStream(ctx, signature, 0)
		if err != nil {
			return "", err
		}
		if len(events) == 0 {
			return "", fmt.Errorf("campaign %s: %w", signature, domain.ErrNotFound)
		}
		for _, e := range events {
			if e.Type != campaign.TypePetitionSigned {
				continue
			}
			ev, err := campaign.Decode(e.Type, e.Data)
			if err != nil {
				return "", err
			}
			if s := ev.(*campaign.PetitionSigned); s.SignerKey != "" && (s.SignerKey == key || s.SignerKey == legacy) {
				return s.SignerSubject, nil
			}
		}
		return "", fmt.Errorf("no signature by that name on %s: %w", signature, domain.ErrNotFound)
	}
}
