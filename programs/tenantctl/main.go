// Command tenantctl manages a SaaS fleet's tenants as code: it validates the
// tenant files, renders what they turn into, rolls releases out over every
// tenant stack, runs the account lifecycle and reports cost per tenant.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is tenantctl with its command line and output streams: it executes the
// command, prints its error once (unless the command reported it already) and
// returns the exit code. main and the tests share it, so the tests see exactly
// what a user sees.
func run(args []string, stdout, stderr io.Writer) int {
	// The first Ctrl-C cancels the context: commands stop scheduling work and let
	// what runs finish cleanly. A second one kills the process the default way.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		stop()
	}()
	root := newRootCmd(stdout, stderr)
	if args == nil {
		args = []string{} // cobra would read os.Args for nil
	}
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err != nil && !isSilent(err) {
		fmt.Fprintln(stderr, "error:", err)
	}
	return exitCode(err)
}
