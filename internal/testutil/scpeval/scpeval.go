// Package scpeval is a minimal evaluator of tenantctl's service control
// policies, for tests: which Deny statement, if any, stops a call. It knows
// only what tenantctl's SCPs use (Action or NotAction, Resource, ArnLike and
// ArnNotLike on aws:PrincipalARN) and fails the test on anything else, so it
// never waves through a statement it does not understand.
package scpeval

import (
	"testing"

	"github.com/tenantctl/tenantctl/internal/iampolicy"
	"github.com/tenantctl/tenantctl/internal/testutil/iameval"
)

// Request is one API call as an SCP sees it.
type Request struct {
	Principal, Action, Resource string
}

// DeniedBy is the Sid of the first statement of d that denies r, "" when none
// does (the call is then left to the account's IAM policies).
func DeniedBy(t testing.TB, d iampolicy.Document, r Request) string {
	t.Helper()
	for _, st := range d.Statement {
		if st.Effect != "Deny" {
			t.Fatalf("statement %s: effect %s; tenantctl's SCPs only deny", st.Sid, st.Effect)
		}
		if len(st.Action) > 0 == (len(st.NotAction) > 0) {
			t.Fatalf("statement %s: needs exactly one of Action and NotAction", st.Sid)
		}
		if len(st.Action) > 0 && !iameval.AnyGlob(st.Action, r.Action, true) ||
			len(st.NotAction) > 0 && iameval.AnyGlob(st.NotAction, r.Action, true) {
			continue
		}
		if !iameval.AnyGlob(st.Resource, r.Resource, false) {
			continue
		}
		applies := true
		for op, keys := range st.Condition {
			for key, v := range keys {
				if key != "aws:PrincipalARN" {
					t.Fatalf("statement %s: condition key %s unknown to the evaluator", st.Sid, key)
				}
				match := iameval.AnyGlob(iameval.Values(t, v), r.Principal, false)
				switch op {
				case "ArnLike":
					applies = applies && match
				case "ArnNotLike":
					applies = applies && !match
				default:
					t.Fatalf("statement %s: condition operator %s unknown to the evaluator", st.Sid, op)
				}
			}
		}
		if applies {
			return st.Sid
		}
	}
	return ""
}
