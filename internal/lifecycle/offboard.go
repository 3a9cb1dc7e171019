package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/tenantctl/tenantctl/internal/lifecycle/identity"
	"github.com/tenantctl/tenantctl/internal/lifecycle/items"
	"github.com/tenantctl/tenantctl/internal/lifecycle/tenantfile"
	"github.com/tenantctl/tenantctl/internal/spec"
	"github.com/tenantctl/tenantctl/internal/workflow"
)

// Offboard takes a tenant out of service for good:
//
//	validate         the fleet holds the tenant; its account (account model)
//	suspend          status: suspended in its file, its stack updated: the
//	                 service scaled to 0 tasks, the API key disabled
//	export           its items, the final copy, to the archive bucket
//	suspend-account  account model: SUSPENDING, moved to the Suspended OU
//	purge-users      its users and groups in the user pool (before the
//	                 destroy, while the groups still list the users)
//	destroy          every resource of its stack
//	purge-data       its items in the pooled table
//	verify           nothing tagged TenantId=<id> or named after it is left,
//	                 and no registry item
//	finish-account   account model: SUSPENDED (closed after organization.closeAfterDays)
//
// The tenant's file stays, saying suspended; removing it is a pull request.
func Offboard(e *Env, tenant string) workflow.Definition {
	return workflow.Definition{Kind: KindOffboard, Steps: []workflow.Step{
		{Name: "validate", Do: func(ctx context.Context, v workflow.Values) error {
			_, t, err := e.tenant(tenant)
			if err != nil {
				return err
			}
			v[ValModel] = string(t.Model)
			if t.Model != spec.ModelAccount {
				return nil
			}
			if t.Account != nil && t.Account.ID != "" {
				v[ValAccount] = t.Account.ID
				return nil
			}
			m, err := e.Accounts(ctx)
			if err != nil {
				return err
			}
			acct, err := m.TenantAccount(ctx, tenant)
			if err != nil {
				return err
			}
			v[ValAccount] = acct
			return nil
		}},
		{Name: "suspend", Do: func(ctx context.Context, v workflow.Values) error {
			_, t, err := e.tenant(tenant)
			if err != nil {
				return err
			}
			changed, err := tenantfile.SetStatus(t.Source.File, string(spec.StatusSuspended))
			if err != nil {
				return err
			}
			if changed {
				e.say("%s: status set to suspended (commit the change)", t.Source.File)
			}
			return e.Stacks.Up(ctx, tenant)
		}},
		{Name: "export", Do: func(ctx context.Context, v workflow.Values) error {
			f, t, err := e.tenant(tenant)
			if err != nil {
				return err
			}
			p, err := e.Platform(ctx)
			if err != nil {
				return err
			}
			db, err := e.dataOf(ctx, t, v)
			if err != nil {
				return err
			}
			key := exportKey(tenant, KindOffboard, v)
			n, err := items.Export(ctx, db, e.Objects, store(&f.Settings, p, tenant, t.Data.Mode), p.ArchiveBucket, key)
			if err != nil {
				return err
			}
			v[ValExport], v[ValExported] = "s3://"+p.ArchiveBucket+"/"+key, fmt.Sprint(n)
			e.say("tenant %s: %d items exported to %s", tenant, n, v[ValExport])
			return nil
		}},
		{Name: "suspend-account", Do: e.onAccount(func(ctx context.Context, m Accounts) error {
			_, err := m.Suspend(ctx, tenant)
			return err
		})},
		{Name: "purge-users", Do: func(ctx context.Context, v workflow.Values) error {
			p, err := e.Platform(ctx)
			if err != nil {
				return err
			}
			res, err := identity.Purge(ctx, e.Users, p.UserPoolID, tenant)
			if err != nil {
				return err
			}
			v[ValUsers] = fmt.Sprint(res.Users)
			if len(res.Groups) > 0 {
				e.say("tenant %s: %d users deleted, groups %s", tenant, res.Users, strings.Join(res.Groups, ", "))
			}
			return nil
		}},
		{Name: "destroy", Do: func(ctx context.Context, v workflow.Values) error {
			return e.Stacks.Destroy(ctx, tenant)
		}},
		{Name: "purge-data", Do: func(ctx context.Context, v workflow.Values) error {
			p, err := e.Platform(ctx)
			if err != nil {
				return err
			}
			pooled := items.Pooled(p.PoolTable, tenant)
			n, err := items.Purge(ctx, e.Tables, pooled)
			if err != nil {
				return err
			}
			left, err := items.Count(ctx, e.Tables, pooled)
			if err != nil {
				return err
			}
			if left != 0 {
				return workflow.Transient(fmt.Errorf("%d of tenant %s's items are still in %s after the purge", left, tenant, p.PoolTable))
			}
			v[ValPurged] = fmt.Sprint(n)
			return nil
		}},
		{Name: "verify", Do: func(ctx context.Context, v workflow.Values) error {
			p, err := e.Platform(ctx)
			if err != nil {
				return err
			}
			left, err := e.Leftovers.Find(ctx, tenant)
			if err != nil {
				return err
			}
			if err := checkRegistry(ctx, e.Tables, p, tenant, nil); err == nil {
				left = append(left, "registry item "+tenant+" in "+p.RegistryTable)
			} else if !errors.Is(err, errRegistryMissing) {
				return err
			}
			if len(left) > 0 {
				// Transient: AWS's tagging index lists a resource for a
				// little while after it is deleted.
				return workflow.Transient(fmt.Errorf("left of tenant %s: %s", tenant, strings.Join(left, ", ")))
			}
			return nil
		}},
		{Name: "finish-account", Do: e.onAccount(func(ctx context.Context, m Accounts) error {
			_, err := m.FinishSuspend(ctx, tenant)
			return err
		})},
	}}
}

// onAccount is a step of account-model tenants only: it does nothing for
// the others.
func (e *Env) onAccount(do func(ctx context.Context, m Accounts) error) func(context.Context, workflow.Values) error {
	return func(ctx context.Context, v workflow.Values) error {
		if v[ValModel] != string(spec.ModelAccount) {
			return nil
		}
		m, err := e.Accounts(ctx)
		if err != nil {
			return err
		}
		return do(ctx, m)
	}
}
