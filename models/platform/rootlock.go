package platform

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/organizations"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/tenantctl/tenantctl/internal/iampolicy"
)

// RootLockdownSCP denies the root user of every account under the OU every
// action: tenant accounts are run through roles (the deploy, preview and
// access roles, the tenants' own), and a root user's password or keys would
// bypass them all. An SCP cannot stop what only root can do outside IAM
// (account recovery, some billing settings), which needs the organization's
// management account anyway.
func RootLockdownSCP(partition string) iampolicy.Document {
	return iampolicy.Document{Version: iampolicy.Version, Statement: []iampolicy.Statement{{
		Sid: "DenyRootUser", Effect: "Deny", Action: []string{"*"}, Resource: []string{"*"},
		Condition: map[string]map[string]any{"ArnLike": {"aws:PrincipalARN": "arn:" + partition + ":iam::*:root"}},
	}}}
}

// recordOU keeps the organization's OUs, by key, for the baseline's policies.
func (b *builder) recordOU(key string, unit *organizations.OrganizationalUnit) {
	if b.base.ous == nil {
		b.base.ous = map[string]*organizations.OrganizationalUnit{}
	}
	b.base.ous[key] = unit
}

// rootLockdown: RootLockdownSCP, attached to the Workload OU beside the
// guard rails.
func (b *builder) rootLockdown() error {
	content, err := RootLockdownSCP(iampolicy.Partition(b.s.PlatformRegion)).JSON()
	if err != nil {
		return err
	}
	if len(content) > MaxSCPSize {
		return fmt.Errorf("the root lockdown policy is %d characters, more than the %d Organizations allows", len(content), MaxSCPSize)
	}
	scp, err := organizations.NewPolicy(b.ctx, b.name("scp", "root-lockdown"), &organizations.PolicyArgs{
		Name:        pulumi.String(b.physical("root-lockdown", 128)),
		Description: pulumi.String("tenantctl: no action by the root user of tenant accounts"),
		Type:        pulumi.String("SERVICE_CONTROL_POLICY"),
		Content:     pulumi.String(content),
	}, b.opts...)
	if err != nil {
		return err
	}
	_, err = organizations.NewPolicyAttachment(b.ctx, b.name("scp", "root-lockdown"), &organizations.PolicyAttachmentArgs{
		PolicyId: scp.ID(), TargetId: b.base.ous["workload"].ID(),
	}, b.opts...)
	return err
}
