package cost

import (
	"errors"
	"fmt"

	"github.com/aws/smithy-go"
)

// PermissionError is an AWS call the credentials may not make, with the IAM
// action to grant.
type PermissionError struct {
	Action string
	Err    error
}

func (e *PermissionError) Error() string {
	return fmt.Sprintf("missing permission %s: the credentials may not call it (grant %s to the role or user running tenantctl cost): %v", e.Action, e.Action, e.Err)
}

func (e *PermissionError) Unwrap() error { return e.Err }

// iamPrefix maps SDK service ids to IAM action prefixes.
var iamPrefix = map[string]string{
	"Cost Explorer": "ce",
	"Organizations": "organizations",
	"CloudWatch":    "cloudwatch",
}

var deniedCodes = map[string]bool{
	"AccessDenied":          true,
	"AccessDeniedException": true,
	"UnauthorizedOperation": true,
	"NotAuthorized":         true,
}

// classify turns an access-denied answer into a PermissionError naming the IAM
// action, and Cost Explorer's data errors into plain words; other errors pass
// unchanged.
func classify(err error) error {
	if err == nil {
		return nil
	}
	var api smithy.APIError
	if !errors.As(err, &api) {
		return err
	}
	var op *smithy.OperationError
	action := ""
	if errors.As(err, &op) {
		prefix := iamPrefix[op.ServiceID]
		if prefix == "" {
			prefix = op.ServiceID
		}
		action = prefix + ":" + op.OperationName
	}
	switch {
	case deniedCodes[api.ErrorCode()]:
		return &PermissionError{Action: action, Err: err}
	case api.ErrorCode() == "BillExpirationException":
		return fmt.Errorf("Cost Explorer no longer holds that month (its history is 13 months, 38 with multi-year data enabled): %w", err)
	case api.ErrorCode() == "DataUnavailableException":
		return fmt.Errorf("Cost Explorer has no data for the account yet (it takes up to 24 hours after Cost Explorer is enabled): %w", err)
	}
	return err
}
