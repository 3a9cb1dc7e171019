// Package iameval is a minimal evaluator of tenantctl's identity policies, for
// tests: which Allow statement, if any, lets a call through. It knows only
// what those policies use (Action, Resource, ${aws:PrincipalTag/...} in
// resources and condition values, ForAllValues:StringLike and StringEquals,
// StringEquals, StringEqualsIfExists and Null) and fails
// the test on anything else, so it never waves through a statement it does not
// understand. Emulators do not enforce IAM conditions; this is where tests
// check them.
package iameval

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/tenantctl/tenantctl/internal/iampolicy"
)

// Request is one API call as an identity policy sees it: the session's
// principal tags and the request's multivalued condition keys (such as
// dynamodb:LeadingKeys).
type Request struct {
	Action, Resource string
	PrincipalTags    map[string]string
	Keys             map[string][]string
}

// Glob matches IAM's wildcards: * any run of characters, ? one character.
// Actions compare case-insensitively, ARNs exactly.
func Glob(pattern, s string, foldCase bool) bool {
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

// AnyGlob reports whether any of patterns matches s.
func AnyGlob(patterns []string, s string, foldCase bool) bool {
	for _, p := range patterns {
		if Glob(p, s, foldCase) {
			return true
		}
	}
	return false
}

// Values reads a condition's values: one string or a list.
func Values(t testing.TB, v any) []string {
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

var principalTagRe = regexp.MustCompile(`\$\{aws:PrincipalTag/([^}]+)\}`)

// substitute resolves ${aws:PrincipalTag/K} in patterns. A pattern naming a
// tag the session lacks is dropped: IAM then matches nothing with it.
func substitute(t testing.TB, patterns []string, tags map[string]string) []string {
	t.Helper()
	var out []string
	for _, p := range patterns {
		ok := true
		s := principalTagRe.ReplaceAllStringFunc(p, func(m string) string {
			v, found := tags[principalTagRe.FindStringSubmatch(m)[1]]
			ok = ok && found
			return v
		})
		if strings.Contains(s, "${") {
			t.Fatalf("policy variable in %q unknown to the evaluator", p)
		}
		if ok {
			out = append(out, s)
		}
	}
	return out
}

// AllowedBy is the Sid of the first statement of d that allows r, "" when none
// does (the call is then implicitly denied).
func AllowedBy(t testing.TB, d iampolicy.Document, r Request) string {
	t.Helper()
	for _, st := range d.Statement {
		if st.Effect != "Allow" || len(st.NotAction) > 0 || len(st.Action) == 0 {
			t.Fatalf("statement %s: the evaluator knows only Allow statements with Action", st.Sid)
		}
		if !AnyGlob(st.Action, r.Action, true) || !AnyGlob(substitute(t, st.Resource, r.PrincipalTags), r.Resource, false) {
			continue
		}
		if conditionsHold(t, st, r) {
			return st.Sid
		}
	}
	return ""
}

func conditionsHold(t testing.TB, st iampolicy.Statement, r Request) bool {
	t.Helper()
	for op, keys := range st.Condition {
		for key, v := range keys {
			got, present := r.Keys[key]
			switch op {
			case "Null":
				if want := Values(t, v); len(want) != 1 || (want[0] == "true") != !present {
					return false
				}
			case "ForAllValues:StringLike":
				patterns := substitute(t, Values(t, v), r.PrincipalTags)
				for _, g := range got {
					if !AnyGlob(patterns, g, false) {
						return false
					}
				}
			case "ForAllValues:StringEquals":
				for _, g := range got {
					if !slices.Contains(substitute(t, Values(t, v), r.PrincipalTags), g) {
						return false
					}
				}
			case "StringEquals", "StringEqualsIfExists":
				if !present {
					if op == "StringEquals" {
						return false
					}
					continue
				}
				want := substitute(t, Values(t, v), r.PrincipalTags)
				if len(got) != 1 || !slices.Contains(want, got[0]) {
					return false
				}
			default:
				t.Fatalf("statement %s: condition operator %s unknown to the evaluator", st.Sid, op)
			}
		}
	}
	return true
}
