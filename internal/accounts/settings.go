package accounts

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/tenantctl/tenantctl/internal/spec"

	"github.com/tenantctl/tenantctl/internal/naming"
)

// checkSettings refuses an Organization block the lifecycle cannot run on,
// naming fleet.yaml's field and the fix. spec validates shapes for every room;
// these are the rules only the account lifecycle needs.
func checkSettings(s *spec.Settings) error {
	o := &s.Organization
	var list spec.ErrorList
	bad := func(path, format string, args ...any) {
		line, col := s.Source.Pos(path)
		list = append(list, &spec.FieldError{File: s.Source.File, Line: line, Col: col, Path: path, Msg: fmt.Sprintf(format, args...)})
	}
	required := []struct{ path, value string }{
		{"organization.workloadOu", o.WorkloadOU},
		{"organization.suspendedOu", o.SuspendedOU},
		{"organization.accountEmail", o.AccountEmail},
		{"organization.accountName", o.AccountName},
		{"organization.accessRoleName", o.AccessRoleName},
		{"organization.deployRoleName", o.DeployRoleName},
		{"organization.previewRoleName", o.PreviewRoleName},
		{"organization.deploymentAccountId", o.DeploymentAccountID},
	}
	for _, r := range required {
		if r.value == "" {
			bad(r.path, "required by the account lifecycle (tenantctl accounts); set it in fleet.yaml")
		}
	}
	if o.WorkloadOU != "" && o.WorkloadOU == o.SuspendedOU {
		bad("organization.suspendedOu", "must differ from workloadOu %q: the OU tells active accounts from suspended ones", o.WorkloadOU)
	}
	if o.AccountEmail != "" && !strings.Contains(o.AccountEmail, "{name}") {
		bad("organization.accountEmail", "%q has no {name}: every account needs its own root e-mail address, e.g. aws+{name}@example.com", o.AccountEmail)
	}
	if o.AccountName != "" && !strings.Contains(o.AccountName, "{seq}") {
		bad("organization.accountName", "%q has no {seq}: account names must differ (they make the e-mail addresses), e.g. tenant-{tier}-{seq}", o.AccountName)
	}
	if o.DeploymentAccountID != "" && !naming.IsAccountID(o.DeploymentAccountID) {
		bad("organization.deploymentAccountId", "%q is not a 12-digit AWS account id (quote it in YAML to keep leading zeros)", o.DeploymentAccountID)
	}
	if o.AccountQuota <= 0 {
		bad("organization.accountQuota", "must be positive (the organization's account quota, 10 unless AWS raised it)")
	}
	if len(list) == 0 {
		return nil
	}
	list.Sort()
	return list
}

// accountName is the name of the seq-th account of a tier.
func accountName(pattern, tier string, seq int) string {
	return strings.NewReplacer("{tier}", tier, "{seq}", strconv.Itoa(seq)).Replace(pattern)
}

// accountEmail is the root e-mail address of an account with the name.
func accountEmail(pattern, name string) string {
	return strings.ReplaceAll(pattern, "{name}", name)
}

// nameSeq reads the sequence number back from a name made by the pattern for
// the tier; ok is false for names the pattern did not make.
func nameSeq(pattern, tier, name string) (int, bool) {
	i := strings.Index(pattern, "{seq}")
	if i < 0 {
		return 0, false
	}
	prefix := strings.ReplaceAll(pattern[:i], "{tier}", tier)
	suffix := strings.ReplaceAll(pattern[i+len("{seq}"):], "{tier}", tier)
	if !strings.HasPrefix(name, prefix) || !strings.HasSuffix(name, suffix) || len(name) <= len(prefix)+len(suffix) {
		return 0, false
	}
	digits := name[len(prefix) : len(name)-len(suffix)]
	n, err := strconv.Atoi(digits)
	if err != nil || n < 0 || strconv.Itoa(n) != digits {
		return 0, false
	}
	return n, true
}
