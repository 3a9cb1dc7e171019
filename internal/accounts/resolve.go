package accounts

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/tenantctl/tenantctl/internal/spec"
)

// ResolveTenantAccount returns the account of an account-model tenant whose
// file gives no account id: the account tagged TENANT_ID=<tenant> that is
// ACTIVE, or else SUSPENDING (a suspended tenant's stack is destroyed in its
// account after `suspend`). cfg must reach the organization's management
// account (as for `tenantctl accounts`).
//
// It reads the whole organization (one ListTagsForResource per account); a
// caller resolving many tenants reads it once with New and Manager.Inventory
// and asks the Inventory's TenantAccount for each.
func ResolveTenantAccount(ctx context.Context, cfg aws.Config, settings *spec.Settings, tenantID string) (string, error) {
	m, err := New(cfg, settings, Options{})
	if err != nil {
		return "", err
	}
	return m.TenantAccount(ctx, tenantID)
}

// TenantAccount is ResolveTenantAccount on this Manager's organization.
func (m *Manager) TenantAccount(ctx context.Context, tenantID string) (string, error) {
	inv, err := m.Inventory(ctx)
	if err != nil {
		return "", err
	}
	return inv.TenantAccount(tenantID)
}

// TenantAccount resolves the tenant's account in the inventory (see
// ResolveTenantAccount); a tenant with a bad state is an error.
func (inv *Inventory) TenantAccount(tenantID string) (string, error) {
	if err := tenantProblems(inv, tenantID, "resolving the account of"); err != nil {
		return "", err
	}
	for _, s := range []Status{StatusActive, StatusSuspending} {
		if accs := inv.Of(tenantID, s); len(accs) > 0 {
			return accs[0].ID, nil
		}
	}
	return "", fmt.Errorf("tenant %s: %w ACTIVE or SUSPENDING is tagged TENANT_ID=%s; run `tenantctl accounts assign %s`", tenantID, ErrNoAccount, tenantID, tenantID)
}
