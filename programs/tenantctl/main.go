// Command tenantctl manages a SaaS fleet's tenants as code: it validates the
// tenant files, renders what they turn into, rolls releases out over every
// tenant stack, runs the account lifecycle and reports cost per tenant.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	// The first Ctrl-C cancels the context: commands stop scheduling work and let
	// what runs finish cleanly. A second one kills the process the default way.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop()
	}()
	root := newRootCmd(os.Stdout, os.Stderr)
	err := root.ExecuteContext(ctx)
	code := exitCode(err)
	if err != nil && !isSilent(err) {
		fmt.Fprintln(os.Stderr, "error:", err)
	}
	stop()
	os.Exit(code)
}
