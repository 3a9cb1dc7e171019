// Command tenant is the Pulumi program of the tenantctl project (Pulumi.yaml):
// the stack named "platform" builds the shared infrastructure, every other
// stack the tenant of that id, from the fleet in tenants/.
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/tenantctl/tenantctl/internal/spec"
	"github.com/tenantctl/tenantctl/models"
)

// fleetDirEnv overrides where the fleet is read from (default: tenants/ beside
// Pulumi.yaml, which is the program's working directory under pulumi up).
const fleetDirEnv = "TENANTCTL_FLEET_DIR"

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		dir := os.Getenv(fleetDirEnv)
		if dir == "" {
			dir = filepath.Join(ctx.RootDirectory(), "tenants")
		}
		f, err := spec.LoadDir(dir)
		if err != nil {
			return fmt.Errorf("loading the fleet from %s:\n%w", dir, err)
		}
		program, err := models.Program(f, ctx.Stack())
		if err != nil {
			return err
		}
		return program(ctx)
	})
}
