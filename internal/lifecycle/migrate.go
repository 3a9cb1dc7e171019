package lifecycle

import (
	"context"
	"fmt"
	"strconv"

	"github.com/tenantctl/tenantctl/internal/lifecycle/items"
	"github.com/tenantctl/tenantctl/internal/lifecycle/tenantfile"
	"github.com/tenantctl/tenantctl/internal/spec"
	"github.com/tenantctl/tenantctl/internal/workflow"
	"github.com/tenantctl/tenantctl/models/registry"
)

// Migrate moves a tenant to another isolation model: its file already says
// the new model, with the marker migration: {from: <old>, to: <new>}.
//
//	validate  the fleet is valid, the tenant's model is the one asked for and
//	          its marker names the change; compared with the previous fleet
//	          (validate --against), the change is one a migration may make;
//	          where its items are now (its registry item's dataMode)
//	count     the items where they are now
//	export    a copy of them in the archive bucket, before anything moves
//	switch    the tenant's stack updated to the new model: its new resources
//	          built, its registry item and DNS name switched, the old model's
//	          other resources deleted — but not its data: while the marker is
//	          there the stack keeps a table of the tenant's own
//	copy      the items copied to where the new model keeps them (pooled
//	          table ↔ own table), never overwriting a newer item
//	verify    the registry item names the new model; every item is at the
//	          destination, counted before and after
//	retire    the old copy deleted: the pool's items (moved to an own table),
//	          or the own table (moved to the pool: the marker removed from the
//	          file, the stack updated)
//
// One tenant has one stack, so the new model's resources, the registry and
// DNS switch and the old model's deletion are one engine update (the models'
// aliases keep what both models share); the data, the one thing that cannot
// be rebuilt, is moved around it.
func Migrate(e *Env, tenant string) workflow.Definition {
	return workflow.Definition{Kind: KindMigrate, Steps: []workflow.Step{
		{Name: "validate", Do: func(ctx context.Context, v workflow.Values) error {
			f, t, err := e.tenant(tenant)
			if err != nil {
				return err
			}
			to := spec.IsolationModel(v[ValTo])
			switch {
			case t.Model != to:
				return fmt.Errorf("%s says model: %s, not %s; set model: %s and migration: {from: <old model>, to: %s} first", t.Source.File, t.Model, to, to, to)
			case t.Migration == nil || t.Migration.To != to:
				return fmt.Errorf("%s has no migration marker to %s; add migration: {from: <old model>, to: %s}", t.Source.File, to, to)
			}
			if e.Previous != nil {
				prev, err := e.Previous(ctx)
				if err != nil {
					return err
				}
				if old := prevTenant(prev, tenant); old != nil && old.Model != t.Migration.From {
					return fmt.Errorf("%s: migration.from is %s, but the previous fleet has tenant %s on the %s model", t.Source.File, t.Migration.From, tenant, old.Model)
				}
				if err := spec.ValidateChange(prev, f); err != nil {
					return err
				}
			}
			p, err := e.Platform(ctx)
			if err != nil {
				return err
			}
			it, err := registryItem(ctx, e.Tables, p, tenant)
			if err != nil {
				return err
			}
			v[ValFrom], v[ValDestination] = string(t.Migration.From), string(t.Data.Mode)
			switch {
			case it == nil:
				return fmt.Errorf("tenant %s has no registry item in %s: deploy it on the %s model first", tenant, p.RegistryTable, t.Migration.From)
			case it[registry.AttrModel] == string(to):
				// Resumed after the switch: the item names the new model; the
				// source was recorded before.
				if v[ValSource] == "" {
					return fmt.Errorf("tenant %s is on the %s model already and this run did not record where its items were", tenant, to)
				}
			case it[registry.AttrModel] != string(t.Migration.From):
				return fmt.Errorf("tenant %s's registry item says model %s, its marker says it leaves %s", tenant, it[registry.AttrModel], t.Migration.From)
			default:
				v[ValSource] = it[registry.AttrDataMode]
			}
			return nil
		}},
		{Name: "count", Do: func(ctx context.Context, v workflow.Values) error {
			src, _, err := e.stores(ctx, tenant, v)
			if err != nil {
				return err
			}
			n, err := items.Count(ctx, e.Tables, src)
			if err != nil {
				return err
			}
			v[ValBefore] = strconv.Itoa(n)
			return nil
		}},
		{Name: "export", Do: func(ctx context.Context, v workflow.Values) error {
			src, _, err := e.stores(ctx, tenant, v)
			if err != nil {
				return err
			}
			p, err := e.Platform(ctx)
			if err != nil {
				return err
			}
			key := exportKey(tenant, KindMigrate, v)
			n, err := items.Export(ctx, e.Tables, e.Objects, src, p.ArchiveBucket, key)
			if err != nil {
				return err
			}
			v[ValExport], v[ValExported] = "s3://"+p.ArchiveBucket+"/"+key, strconv.Itoa(n)
			return nil
		}},
		{Name: "switch", Do: func(ctx context.Context, v workflow.Values) error {
			return e.Stacks.Up(ctx, tenant)
		}},
		{Name: "copy", Do: func(ctx context.Context, v workflow.Values) error {
			src, dst, err := e.stores(ctx, tenant, v)
			if err != nil || src == dst {
				return err
			}
			c, err := items.Copy(ctx, e.Tables, src, dst.Table, tenant)
			if err != nil {
				return err
			}
			e.say("tenant %s: %d items copied from %s to %s (%d there already)", tenant, c.Written, src, dst, c.Kept)
			return nil
		}},
		{Name: "verify", Do: func(ctx context.Context, v workflow.Values) error {
			p, err := e.Platform(ctx)
			if err != nil {
				return err
			}
			if err := checkRegistry(ctx, e.Tables, p, tenant, map[string]string{registry.AttrModel: v[ValTo], registry.AttrDataMode: v[ValDestination]}); err != nil {
				return err
			}
			src, dst, err := e.stores(ctx, tenant, v)
			if err != nil {
				return err
			}
			missing, err := items.Missing(ctx, e.Tables, src, dst.Table)
			if err != nil {
				return err
			}
			after, err := items.Count(ctx, e.Tables, dst)
			if err != nil {
				return err
			}
			v[ValAfter] = strconv.Itoa(after)
			if missing > 0 {
				return fmt.Errorf("%d of tenant %s's items in %s are not in %s; run the migration again (it copies what is missing)", missing, tenant, src, dst)
			}
			if before, _ := strconv.Atoi(v[ValBefore]); after != before {
				return fmt.Errorf("tenant %s had %d items before the migration and has %d after, in %s; find out what wrote or deleted items meanwhile before resuming", tenant, before, after, dst)
			}
			e.say("tenant %s: %s items before the migration, %d after, in %s", tenant, v[ValBefore], after, dst)
			return nil
		}},
		{Name: "retire", Do: func(ctx context.Context, v workflow.Values) error {
			_, t, err := e.tenant(tenant)
			if err != nil {
				return err
			}
			src, dst, err := e.stores(ctx, tenant, v)
			if err != nil {
				return err
			}
			if src != dst && src.Tenant != "" {
				// The items left the pool: its copy goes; the own table (the
				// new home) stays, marker or not.
				if _, err := items.Purge(ctx, e.Tables, src); err != nil {
					return err
				}
			}
			changed, err := tenantfile.RemoveMigration(t.Source.File)
			if err != nil {
				return err
			}
			if changed {
				e.say("%s: migration marker removed (commit the change)", t.Source.File)
			}
			// Without the marker a pooled tenant's stack drops the own table.
			return e.Stacks.Up(ctx, tenant)
		}},
	}}
}

// stores are where a migrating tenant's items were (source) and go
// (destination), from the modes validate recorded.
func (e *Env) stores(ctx context.Context, tenant string, v workflow.Values) (src, dst items.Store, err error) {
	f, err := e.Load()
	if err != nil {
		return src, dst, err
	}
	p, err := e.Platform(ctx)
	if err != nil {
		return src, dst, err
	}
	return store(&f.Settings, p, tenant, spec.DataMode(v[ValSource])), store(&f.Settings, p, tenant, spec.DataMode(v[ValDestination])), nil
}

func prevTenant(f *spec.Fleet, id string) *spec.Tenant {
	if f == nil {
		return nil
	}
	return f.Tenant(id)
}
