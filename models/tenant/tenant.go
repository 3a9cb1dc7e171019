// Package tenant holds what every isolation model receives and returns: the
// tenant, the fleet it belongs to, the platform as its stack sees it, and the
// stack's provider; and the naming and tagging that follow from them.
package tenant

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/tenantctl/tenantctl/internal/naming"
	"github.com/tenantctl/tenantctl/internal/spec"
	"github.com/tenantctl/tenantctl/models/emulation"
	"github.com/tenantctl/tenantctl/models/network"
	"github.com/tenantctl/tenantctl/models/platform"
	"github.com/tenantctl/tenantctl/models/provider"
)

// Input is what every model's component receives (embedded in its XTenantArgs).
type Input struct {
	// Fleet is validated (models.Program accepts no other): the models build
	// on the rules validation enforces without checking them again.
	Fleet    *spec.Fleet
	Tenant   *spec.Tenant
	Platform platform.Ref
	// Provider is the stack's one provider. The registry passes it to the
	// model's component (pulumi.Providers), which carries it to every child;
	// invokes (availability zones) name it themselves.
	Provider *aws.Provider
	// PlatformProvider reaches the platform's account in its region: the
	// stack's Provider for every model but the account model, whose stack
	// has a second provider (the deployment's own credentials, no role
	// assumed) for what it writes there: the delegation of its DNS name in
	// the platform's zone, and its registry item.
	PlatformProvider *aws.Provider
	// AccountID is the account the tenant's resources live in: the tenant's own
	// for the account model, the platform's otherwise.
	AccountID pulumi.StringInput
	// PermissionsBoundary is the ARN of the policy every IAM role the model
	// creates must carry (the account model's: the deploy role may create no
	// role without it); empty where none is required.
	PermissionsBoundary string
	// Emulation is the stack's emulator mode, nil against AWS: models ask it
	// (Emulation.Gap) before building what the emulator cannot serve.
	Emulation *emulation.Mode
	// KeyArn is the customer-managed key the tenant's table and log groups
	// are encrypted with (Key, or its tier's for a pooled tenant); set by
	// the model before it builds them.
	KeyArn pulumi.StringInput
}

// Settings are the fleet's settings.
func (in Input) Settings() *spec.Settings { return &in.Fleet.Settings }

// Name is the logical name of a child resource of the tenant.
func (in Input) Name(parts ...string) string { return naming.Logical(in.Tenant.ID, parts...) }

// Physical is an AWS name of a tenant resource, at most max characters.
func (in Input) Physical(what string, max int) string {
	return naming.Name(in.Fleet.Settings.NamePrefix, in.Tenant.ID, what, max)
}

// LogGroup is the name of a tenant log group.
func (in Input) LogGroup(what string) string {
	return naming.LogGroup(in.Fleet.Settings.NamePrefix, in.Tenant.ID, what)
}

// CostTags are the tenant's cost-allocation tags (also the provider's default
// tags), for resources that pass tags on to what they launch.
func (in Input) CostTags() pulumi.StringMap {
	return provider.StringMap(spec.CostTags(&in.Fleet.Settings, in.Tenant))
}

// NameTag is a Name tag for EC2 resources, which show it in the console.
func (in Input) NameTag(what string) pulumi.StringMap {
	return pulumi.StringMap{"Name": pulumi.String(naming.Join(in.Fleet.Settings.NamePrefix, in.Tenant.ID, what))}
}

// OnPlatform are opts for a resource in the platform's account
// (PlatformProvider).
func (in Input) OnPlatform(opts []pulumi.ResourceOption) []pulumi.ResourceOption {
	return With(opts, pulumi.Provider(in.PlatformProvider))
}

// Host is the DNS name the tenant answers at (spec.Settings.Hostname).
func (in Input) Host() string { return in.Settings().Hostname(in.Tenant) }

// URL is the tenant's HTTPS address (spec.Settings.URL).
func (in Input) URL() string { return in.Settings().URL(in.Tenant) }

// With appends options to a copy of opts.
func With(opts []pulumi.ResourceOption, extra ...pulumi.ResourceOption) []pulumi.ResourceOption {
	return append(append([]pulumi.ResourceOption{}, opts...), extra...)
}

// VPC builds the tenant's own VPC (account and vpc models) from its network
// block, which validation requires of both and sizes for azCount zones: public
// and private subnets split from network.cidr over azCount zones.
func (in Input) VPC(ctx *pulumi.Context, opts []pulumi.ResourceOption) (*network.VPC, error) {
	t := in.Tenant
	args, err := network.SplitArgs(network.Args{
		Owner: t.ID, What: "vpc", CIDR: t.Network.CIDR,
		Zones:      network.AvailabilityZones(ctx, in.Provider),
		NamePrefix: in.Fleet.Settings.NamePrefix,
		Region:     t.Region,
	}, t.Network.AZCount)
	if err != nil {
		return nil, fmt.Errorf("network.cidr: %w", err)
	}
	return network.New(ctx, args, opts...)
}
