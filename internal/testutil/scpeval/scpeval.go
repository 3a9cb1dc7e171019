// Package scpeval is a minimal evaluator of tenantctl's service control
// policies, for tests: which Deny statement, if any, stops a call. It knows
// only what tenantctl's SCPs use (Action or NotAction, Resource, ArnLike and
// ArnNotLike on aws:PrincipalARN) and fails the test on anything else, so it
// never waves through a statement it does not understand.
package scpeval

import (
	"regexp"
	"strings"
	"testing"

	"github.com/tenantctl/tenantctl/internal/iampolicy"
)

// Request is one API call as an SCP sees it.
type Request struct {
	Principal, Action, Resource string
}

// glob matches IAM's wildcards: * any run of characters, ? one character.
// Actions compare case-insensitively, ARNs exactly.
func glob(pattern, s string, foldCase bool) bool {
	var re strings.Builder
	if foldCase {
		re.WriteString("(?i)")
	}
	re.WriteString("^")
	for _, c := range pattern {
		switch c {
		case '*':
			re.WriteString(".*")
		case '?':
			re.WriteString(".")
		default:
			re.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	re.WriteString("$")
	return regexp.MustCompile(re.String()).MatchString(s)
}

func anyGlob(patterns []string, s string, foldCase bool) bool {
	for _, p := range patterns {
		if glob(p, s, foldCase) {
			return true
		}
	}
	return false
}

// values reads a condition's values: one string or a list.
func values(t testing.TB, v any) []string {
	t.Helper()
	switch v := v.(type) {
	case string:
		return []string{v}
	case []string:
		return v
	case []any:
		out := make([]string, len(v))
		for i, e := range v {
			s, ok := e.(string)
			if !ok {
				t.Fatalf("condition value %#v", v)
			}
			out[i] = s
		}
		return out
	}
	t.Fatalf("condition value %#v", v)
	return nil
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
		if len(st.Action) > 0 && !anyGlob(st.Action, r.Action, true) ||
			len(st.NotAction) > 0 && anyGlob(st.NotAction, r.Action, true) {
			continue
		}
		if !anyGlob(st.Resource, r.Resource, false) {
			continue
		}
		applies := true
		for op, keys := range st.Condition {
			for key, v := range keys {
				if key != "aws:PrincipalARN" {
					t.Fatalf("statement %s: condition key %s unknown to the evaluator", st.Sid, key)
				}
				match := anyGlob(values(t, v), r.Principal, false)
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
