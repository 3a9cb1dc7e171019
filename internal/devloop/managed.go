package devloop

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// ProbePolicyArn is the AWS managed policy the models attach to every
// service's execution role; an emulator that lacks it fails each such stack
// halfway, at the attachment.
const ProbePolicyArn = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"

// ErrNoManagedPolicies says the emulator serves no AWS managed policies.
var ErrNoManagedPolicies = errors.New("the emulator has no AWS managed policies")

// CheckManagedPolicies asks the emulator at cfg for an AWS managed policy
// before any stack runs. moto loads them only when started with
// MOTO_IAM_LOAD_MANAGED_POLICIES=true; dev up starts its own moto so, but an
// emulator someone else started may lack them, and then the error says what
// to set instead of leaving stacks failed halfway.
func CheckManagedPolicies(ctx context.Context, cfg aws.Config, url string) error {
	_, err := iam.NewFromConfig(cfg).GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(ProbePolicyArn)})
	var missing *iamtypes.NoSuchEntityException
	switch {
	case errors.As(err, &missing):
		return fmt.Errorf("%w at %s (%s is unknown to it): restart moto_server with MOTO_IAM_LOAD_MANAGED_POLICIES=true in its environment (and MOTO_ACM_VALIDATION_WAIT=0, or certificates wait a minute to validate), or run `tenantctl dev up` without --endpoint-url to let it start one so",
			ErrNoManagedPolicies, url, ProbePolicyArn)
	case err != nil:
		return fmt.Errorf("asking the emulator at %s for the AWS managed policy %s: %w", url, ProbePolicyArn, err)
	}
	return nil
}
