// Command bayt is the Citizen's House case and campaign tracker: one
// binary whose subcommands serve the API and pages, migrate the database,
// verify the audit trail and manage tokens and personal data.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	err := dispatch(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil && exitCode(err) != 0 {
		fmt.Fprintln(os.Stderr, "bayt:", err)
		os.Exit(exitCode(err))
	}
}
