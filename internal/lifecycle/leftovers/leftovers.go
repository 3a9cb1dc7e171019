// Package leftovers finds what is left of an offboarded tenant: every
// resource still tagged TenantId=<id> (the Resource Groups Tagging API; every
// resource of a tenant's stack carries the tag through the provider's
// default tags), and, looked up by name service by service, the resources
// that API does not list everywhere (moto's gap tagging-api-coverage): the
// tenant's IAM roles and API key, and its user pool groups.
package leftovers

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	tagging "github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi"
	tagtypes "github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi/types"
	"github.com/aws/smithy-go"

	"github.com/tenantctl/tenantctl/internal/lifecycle/identity"
	"github.com/tenantctl/tenantctl/internal/naming"
	"github.com/tenantctl/tenantctl/internal/spec"
)

// Tagged is the part of the Resource Groups Tagging API used.
type Tagged interface {
	GetResources(ctx context.Context, in *tagging.GetResourcesInput, opts ...func(*tagging.Options)) (*tagging.GetResourcesOutput, error)
}

// Roles is the part of the IAM API used.
type Roles interface {
	GetRole(ctx context.Context, in *iam.GetRoleInput, opts ...func(*iam.Options)) (*iam.GetRoleOutput, error)
}

// Keys is the part of the API Gateway API used.
type Keys interface {
	GetApiKeys(ctx context.Context, in *apigateway.GetApiKeysInput, opts ...func(*apigateway.Options)) (*apigateway.GetApiKeysOutput, error)
}

// Finder looks in one account and region. Any client left nil is not asked.
type Finder struct {
	Tagging    Tagged
	IAM        Roles
	APIGateway Keys
	Cognito    identity.Pool
	// UserPoolID is the platform's user pool, where the tenant's groups are.
	UserPoolID string
	// NamePrefix is fleet.yaml's namePrefix, which starts the tenant's names.
	NamePrefix string
}

// Find returns what is left of the tenant: ARNs of tagged resources, then
// "iam role <name>", "api key <name>" and "user pool group <name>" for what
// is found by name. Empty when nothing is left.
//
// AWS's tagging index lags behind deletions by a little: a resource deleted
// a moment ago may still be listed. The lifecycle's check retries for that.
func (f Finder) Find(ctx context.Context, tenant string) ([]string, error) {
	var left []string
	if f.Tagging != nil {
		p := tagging.NewGetResourcesPaginator(f.Tagging, &tagging.GetResourcesInput{
			TagFilters: []tagtypes.TagFilter{{Key: aws.String(spec.TagTenantID), Values: []string{tenant}}},
		})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return nil, fmt.Errorf("listing resources tagged %s=%s: %w", spec.TagTenantID, tenant, err)
			}
			for _, r := range page.ResourceTagMappingList {
				left = append(left, aws.ToString(r.ResourceARN))
			}
		}
		slices.Sort(left)
	}
	if f.IAM != nil {
		for _, suffix := range []string{naming.RoleExec, naming.RoleTask, naming.RoleData} {
			name := naming.Name(f.NamePrefix, tenant, suffix, naming.MaxIAMRole)
			if _, err := f.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)}); err == nil {
				left = append(left, "iam role "+name)
			} else if !notFound(err) {
				return nil, fmt.Errorf("reading IAM role %s: %w", name, err)
			}
		}
	}
	if f.APIGateway != nil {
		name := naming.Name(f.NamePrefix, tenant, "api", naming.MaxAPIKey)
		p := apigateway.NewGetApiKeysPaginator(f.APIGateway, &apigateway.GetApiKeysInput{NameQuery: aws.String(name)})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return nil, fmt.Errorf("listing API keys named %s: %w", name, err)
			}
			for _, k := range page.Items {
				if aws.ToString(k.Name) == name { // NameQuery matches prefixes
					left = append(left, "api key "+name)
				}
			}
		}
	}
	if f.Cognito != nil && f.UserPoolID != "" {
		groups, err := identity.Existing(ctx, f.Cognito, f.UserPoolID, tenant)
		if err != nil {
			return nil, err
		}
		for _, g := range groups {
			left = append(left, "user pool group "+g)
		}
	}
	return left, nil
}

// notFound reports an AWS "no such resource" answer.
func notFound(err error) bool {
	var api smithy.APIError
	return errors.As(err, &api) && (api.ErrorCode() == "NoSuchEntity" || api.ErrorCode() == "NotFoundException" || api.ErrorCode() == "ResourceNotFoundException")
}
