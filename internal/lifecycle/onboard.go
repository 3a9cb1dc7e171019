package lifecycle

import (
	"context"
	"fmt"
	"slices"

	"github.com/tenantctl/tenantctl/internal/lifecycle/identity"
	"github.com/tenantctl/tenantctl/internal/lifecycle/tenantfile"
	"github.com/tenantctl/tenantctl/internal/spec"
	"github.com/tenantctl/tenantctl/internal/workflow"
	"github.com/tenantctl/tenantctl/models/registry"
)

// Onboard brings a tenant whose file says status: onboarding into service:
//
//	validate        the fleet is valid and holds the tenant, not suspended
//	assign-account  account model drawing from a pool: an account (accounts assign)
//	deploy          the tenant's stack, as its file says (status onboarding)
//	verify          its registry item and, pooled, its user pool group exist
//	activate        status: active in its file (edited in place), its stack
//	                updated, the registry item saying active
func Onboard(e *Env, tenant string) workflow.Definition {
	return workflow.Definition{Kind: KindOnboard, Steps: []workflow.Step{
		{Name: "validate", Do: func(ctx context.Context, v workflow.Values) error {
			_, t, err := e.tenant(tenant)
			if err != nil {
				return err
			}
			if t.Status == spec.StatusSuspended {
				return fmt.Errorf("%s says status: suspended; a suspended tenant is not onboarded (set status: onboarding for a new tenant)", t.Source.File)
			}
			v[ValModel] = string(t.Model)
			return nil
		}},
		{Name: "assign-account", Do: func(ctx context.Context, v workflow.Values) error {
			_, t, err := e.tenant(tenant)
			if err != nil {
				return err
			}
			switch {
			case t.Model != spec.ModelAccount:
				return nil
			case t.Account != nil && t.Account.ID != "":
				v[ValAccount] = t.Account.ID
				return nil
			}
			m, err := e.Accounts(ctx)
			if err != nil {
				return err
			}
			a, err := m.Assign(ctx, t)
			if err != nil {
				return err
			}
			v[ValAccount] = a.AccountID
			e.say("tenant %s: account %s (%s) from pool %s", tenant, a.AccountID, a.Name, a.Pool)
			return nil
		}},
		{Name: "deploy", Do: func(ctx context.Context, v workflow.Values) error {
			// The rollout driver retries the stack's transient failures itself.
			return e.Stacks.Up(ctx, tenant)
		}},
		{Name: "verify", Do: func(ctx context.Context, v workflow.Values) error {
			return e.verifyOnboarded(ctx, tenant, nil)
		}},
		{Name: "activate", Do: func(ctx context.Context, v workflow.Values) error {
			_, t, err := e.tenant(tenant)
			if err != nil {
				return err
			}
			changed, err := tenantfile.SetStatus(t.Source.File, string(spec.StatusActive))
			if err != nil {
				return err
			}
			if changed {
				e.say("%s: status set to active (commit the change)", t.Source.File)
			}
			if err := e.Stacks.Up(ctx, tenant); err != nil {
				return err
			}
			return e.verifyOnboarded(ctx, tenant, map[string]string{registry.AttrStatus: string(spec.StatusActive)})
		}},
	}}
}

// verifyOnboarded checks what the tenant's stack made that the workflow
// relies on: its registry item (with want's attributes), and for a pooled
// (application) tenant its group in the user pool.
func (e *Env) verifyOnboarded(ctx context.Context, tenant string, want map[string]string) error {
	_, t, err := e.tenant(tenant)
	if err != nil {
		return err
	}
	p, err := e.Platform(ctx)
	if err != nil {
		return err
	}
	if err := checkRegistry(ctx, e.Tables, p, tenant, want); err != nil {
		return err
	}
	if t.Model != spec.ModelApplication {
		return nil
	}
	groups, err := identity.Existing(ctx, e.Users, p.UserPoolID, tenant)
	if err != nil {
		return err
	}
	if !slices.Contains(groups, tenant) {
		return fmt.Errorf("tenant %s has no group %s in user pool %s; its stack creates it", tenant, tenant, p.UserPoolID)
	}
	return nil
}
