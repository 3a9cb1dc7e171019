// Package identity handles a tenant's users in the platform's Cognito user
// pool for the lifecycle: whether its groups exist (onboarding checks what
// its stack made), and deleting its users and groups (offboarding).
//
// A tenant's groups are <id> (what the application model creates today) and
// <id>-user and <id>-admin (pkg/tenantcontext's, which the platform wiring
// adds). The pool's users are found through those groups: Cognito's ListUsers
// filters on standard attributes only, never on custom:tenantId, so the
// users must be deleted while the groups still list them, before the stack
// that owns a group is destroyed.
package identity

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/tenantctl/tenantctl/pkg/tenantcontext"
)

// Pool is the part of the Cognito user pool API the package uses.
type Pool interface {
	GetGroup(ctx context.Context, in *cip.GetGroupInput, opts ...func(*cip.Options)) (*cip.GetGroupOutput, error)
	DeleteGroup(ctx context.Context, in *cip.DeleteGroupInput, opts ...func(*cip.Options)) (*cip.DeleteGroupOutput, error)
	ListUsersInGroup(ctx context.Context, in *cip.ListUsersInGroupInput, opts ...func(*cip.Options)) (*cip.ListUsersInGroupOutput, error)
	AdminDeleteUser(ctx context.Context, in *cip.AdminDeleteUserInput, opts ...func(*cip.Options)) (*cip.AdminDeleteUserOutput, error)
}

// Groups are the names a tenant's groups may have.
func Groups(tenant string) []string {
	return []string{tenant, tenantcontext.UserGroup(tenant), tenantcontext.AdminGroup(tenant)}
}

// Existing returns the tenant's groups the pool holds.
func Existing(ctx context.Context, p Pool, poolID, tenant string) ([]string, error) {
	var out []string
	for _, g := range Groups(tenant) {
		_, err := p.GetGroup(ctx, &cip.GetGroupInput{UserPoolId: aws.String(poolID), GroupName: aws.String(g)})
		var missing *types.ResourceNotFoundException
		switch {
		case errors.As(err, &missing):
		case err != nil:
			return nil, fmt.Errorf("reading group %s of user pool %s: %w", g, poolID, err)
		default:
			out = append(out, g)
		}
	}
	return out, nil
}

// Purged is what Purge deleted.
type Purged struct {
	Users  int      `json:"users"`
	Groups []string `json:"groups"`
}

// Purge deletes every user of the tenant's groups, then the groups (a group
// its stack owns is deleted with the stack too; deleting it here first does
// no harm, the engine finds it gone). A user or group already gone is no
// error, so a purge run again after a crash finishes the job.
func Purge(ctx context.Context, p Pool, poolID, tenant string) (Purged, error) {
	res := Purged{Groups: []string{}}
	groups, err := Existing(ctx, p, poolID, tenant)
	if err != nil {
		return res, err
	}
	var missing *types.ResourceNotFoundException
	var gone *types.UserNotFoundException
	for _, g := range groups {
		users := cip.NewListUsersInGroupPaginator(p, &cip.ListUsersInGroupInput{UserPoolId: aws.String(poolID), GroupName: aws.String(g)})
		var names []string
		for users.HasMorePages() {
			page, err := users.NextPage(ctx)
			if errors.As(err, &missing) {
				break
			}
			if err != nil {
				return res, fmt.Errorf("listing the users of group %s: %w", g, err)
			}
			for _, u := range page.Users {
				names = append(names, aws.ToString(u.Username))
			}
		}
		// Deleted after the listing: deleting while paging would shift the pages.
		for _, name := range names {
			_, err := p.AdminDeleteUser(ctx, &cip.AdminDeleteUserInput{UserPoolId: aws.String(poolID), Username: aws.String(name)})
			if err != nil && !errors.As(err, &gone) {
				return res, fmt.Errorf("deleting user %s of group %s: %w", name, g, err)
			}
			if err == nil {
				res.Users++
			}
		}
		_, err := p.DeleteGroup(ctx, &cip.DeleteGroupInput{UserPoolId: aws.String(poolID), GroupName: aws.String(g)})
		if err != nil && !errors.As(err, &missing) {
			return res, fmt.Errorf("deleting group %s: %w", g, err)
		}
		res.Groups = append(res.Groups, g)
	}
	return res, nil
}
