package accounts

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/tenantctl/tenantctl/internal/spec"
	"golang.org/x/sync/errgroup"
)

// Status is an account's place in the lifecycle, the value of its STATUS tag.
type Status string

// The lifecycle, in order. An account only ever moves forward.
const (
	StatusBaselining Status = "BASELINING"
	StatusBaselined  Status = "BASELINED"
	StatusActive     Status = "ACTIVE"
	StatusSuspending Status = "SUSPENDING"
	StatusSuspended  Status = "SUSPENDED"
)

// Statuses lists every status in lifecycle order.
var Statuses = []Status{StatusBaselining, StatusBaselined, StatusActive, StatusSuspending, StatusSuspended}

// Valid reports whether s is one of Statuses.
func (s Status) Valid() bool {
	for _, v := range Statuses {
		if s == v {
			return true
		}
	}
	return false
}

// Tags tenantctl puts on accounts besides spec.TagAccountStatus and
// spec.TagAccountTenantID.
const (
	// TagTier names the pool (a tier of fleet.yaml) a vended account belongs to.
	TagTier = "TIER"
	// TagQuotaRequests records the Service Quotas increases baselining asked for.
	TagQuotaRequests = "QUOTA_REQUESTS"
	// claimPrefix starts the tag key of an assign's claim: CLAIM_<tenant>.
	claimPrefix = "CLAIM_"
)

// OU names shown for accounts outside the lifecycle's two OUs.
const ouRoot = "root"

// Account is one account of the lifecycle as read from Organizations.
type Account struct {
	ID       string    `json:"id"`
	Name     string    `json:"name"`
	Email    string    `json:"email"`
	Status   Status    `json:"status"`
	TenantID string    `json:"tenantId,omitempty"`
	Tier     string    `json:"tier,omitempty"`
	OU       string    `json:"ou"`
	Joined   time.Time `json:"joined"`
	// State is Organizations' own state of the account (ACTIVE, SUSPENDED when
	// closed, PENDING_CLOSURE).
	State string `json:"state"`
	// Claims are assigns in flight (or interrupted) on this account: tenant → since.
	Claims        map[string]string `json:"claims,omitempty"`
	QuotaRequests string            `json:"quotaRequests,omitempty"`
	// SuspendedAt is when the account became SUSPENDED (its SUSPENDED_AT
	// tag); zero when it is not, or was suspended before the time was kept.
	SuspendedAt time.Time `json:"suspendedAt,omitzero"`
	// Problems are what is wrong with the account; assign refuses to run while
	// any account has one.
	Problems []string `json:"problems,omitempty"`

	parentID string
}

// Inventory is every account of the lifecycle with the organization's count.
type Inventory struct {
	// Accounts are the lifecycle's accounts (in its OUs or carrying its tags),
	// oldest first.
	Accounts []*Account `json:"accounts"`
	// OrgAccounts counts every account of the organization, which is what its
	// account quota limits.
	OrgAccounts int `json:"orgAccounts"`
	// Quota is the organization's account quota from fleet.yaml.
	Quota int `json:"quota"`

	names []string // every account name in the organization, for {seq}
}

// QuotaWarnPercent is the share of the account quota from which list warns.
const QuotaWarnPercent = 80

// QuotaUse is the organization's use of its account quota, in percent.
func (inv *Inventory) QuotaUse() int {
	if inv.Quota <= 0 {
		return 0
	}
	return inv.OrgAccounts * 100 / inv.Quota
}

// QuotaWarning says how close the organization is to its account quota, from
// QuotaWarnPercent on; empty below.
func (inv *Inventory) QuotaWarning() string {
	if inv.QuotaUse() < QuotaWarnPercent {
		return ""
	}
	return fmt.Sprintf("the organization has %d of its %d accounts (%d%%): request a higher quota (Service Quotas, AWS Organizations, \"Default maximum number of accounts\") before the pool runs dry, then raise organization.accountQuota in fleet.yaml", inv.OrgAccounts, inv.Quota, inv.QuotaUse())
}

// Problems lists every account's problems, one line each.
func (inv *Inventory) Problems() []string {
	var out []string
	for _, a := range inv.Accounts {
		for _, p := range a.Problems {
			out = append(out, fmt.Sprintf("account %s (%s): %s", a.ID, a.Name, p))
		}
	}
	return out
}

// Account returns the account with the id, or nil.
func (inv *Inventory) Account(id string) *Account {
	for _, a := range inv.Accounts {
		if a.ID == id {
			return a
		}
	}
	return nil
}

// Of returns the tenant's accounts in the status (any status when empty).
func (inv *Inventory) Of(tenantID string, status Status) []*Account {
	var out []*Account
	for _, a := range inv.Accounts {
		if a.TenantID == tenantID && (status == "" || a.Status == status) {
			out = append(out, a)
		}
	}
	return out
}

// orgLayout is where the lifecycle's OUs are.
type orgLayout struct {
	partition   string
	rootID      string
	workloadID  string
	suspendedID string
}

// layout finds the root and the two OUs by name, once per Manager.
func (m *Manager) orgLayout(ctx context.Context) (*orgLayout, error) {
	m.layoutMu.Lock()
	defer m.layoutMu.Unlock()
	if m.layout != nil {
		return m.layout, nil
	}
	roots, err := m.org.ListRoots(ctx, &organizations.ListRootsInput{})
	if err != nil {
		return nil, orgError("listing the organization's roots", err)
	}
	if len(roots.Roots) == 0 {
		return nil, errors.New("the organization has no root")
	}
	root := roots.Roots[0]
	l := &orgLayout{partition: partitionOf(aws.ToString(root.Arn)), rootID: aws.ToString(root.Id)}
	o := m.settings.Organization
	found, err := m.findOUs(ctx, l.rootID, o.WorkloadOU, o.SuspendedOU)
	if err != nil {
		return nil, err
	}
	var missing []string
	for _, want := range []struct {
		name, field string
		id          *string
	}{{o.WorkloadOU, "workloadOu", &l.workloadID}, {o.SuspendedOU, "suspendedOu", &l.suspendedID}} {
		ids := found[want.name]
		switch len(ids) {
		case 0:
			missing = append(missing, fmt.Sprintf("%q (organization.%s)", want.name, want.field))
		case 1:
			*want.id = ids[0]
		default:
			return nil, fmt.Errorf("the organization has %d OUs named %q (%s): the lifecycle needs one; rename or remove the others", len(ids), want.name, strings.Join(ids, ", "))
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("organizational unit %s not found in the organization (root %s): the platform stack creates the Workload and Suspended OUs — run `pulumi up` on the platform stack, or create them with `aws organizations create-organizational-unit --parent-id %s --name <name>`", strings.Join(missing, " and "), l.rootID, l.rootID)
	}
	m.layout = l
	return l, nil
}

// findOUs walks the OU tree breadth first until every name is found and
// returns the ids per name (the whole level of the last find, so that a
// duplicate name on that level is noticed).
func (m *Manager) findOUs(ctx context.Context, rootID string, names ...string) (map[string][]string, error) {
	found := map[string][]string{}
	level := []string{rootID}
	for len(level) > 0 {
		var next []string
		for _, parent := range level {
			p := organizations.NewListOrganizationalUnitsForParentPaginator(m.org, &organizations.ListOrganizationalUnitsForParentInput{ParentId: aws.String(parent)})
			for p.HasMorePages() {
				page, err := p.NextPage(ctx)
				if err != nil {
					return nil, orgError("listing organizational units", err)
				}
				for _, ou := range page.OrganizationalUnits {
					name := aws.ToString(ou.Name)
					found[name] = append(found[name], aws.ToString(ou.Id))
					next = append(next, aws.ToString(ou.Id))
				}
			}
		}
		all := true
		for _, n := range names {
			if len(found[n]) == 0 {
				all = false
			}
		}
		if all {
			break
		}
		level = next
	}
	return found, nil
}

// Inventory reads every account of the organization, its tags and OU, and
// diagnoses the lifecycle's bad states. It changes nothing.
func (m *Manager) Inventory(ctx context.Context) (*Inventory, error) {
	l, err := m.orgLayout(ctx)
	if err != nil {
		return nil, err
	}
	var all []types.Account
	p := organizations.NewListAccountsPaginator(m.org, &organizations.ListAccountsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, orgError("listing the organization's accounts", err)
		}
		all = append(all, page.Accounts...)
	}
	parents := map[string]string{}
	for _, ou := range []string{l.workloadID, l.suspendedID} {
		p := organizations.NewListAccountsForParentPaginator(m.org, &organizations.ListAccountsForParentInput{ParentId: aws.String(ou)})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return nil, orgError("listing the accounts of OU "+ou, err)
			}
			for _, a := range page.Accounts {
				parents[aws.ToString(a.Id)] = ou
			}
		}
	}
	tags, err := m.readTags(ctx, all)
	if err != nil {
		return nil, err
	}
	inv := &Inventory{OrgAccounts: len(all), Quota: m.settings.Organization.AccountQuota}
	for _, a := range all {
		id := aws.ToString(a.Id)
		inv.names = append(inv.names, aws.ToString(a.Name))
		t := tags[id]
		parent, inOU := parents[id]
		if !inOU && !carriesLifecycleTags(t) {
			continue // the management account, log archive, ...: not the lifecycle's
		}
		acc := &Account{
			ID: id, Name: aws.ToString(a.Name), Email: aws.ToString(a.Email),
			State: string(a.State), parentID: parent,
			Status: Status(t[spec.TagAccountStatus]), TenantID: t[spec.TagAccountTenantID],
			Tier: t[TagTier], QuotaRequests: t[TagQuotaRequests],
		}
		if acc.State == "" {
			acc.State = string(a.Status)
		}
		if at, err := time.Parse(time.RFC3339, t[TagSuspendedAt]); err == nil {
			acc.SuspendedAt = at
		}
		if a.JoinedTimestamp != nil {
			acc.Joined = *a.JoinedTimestamp
		}
		for k, v := range t {
			if tenant, ok := strings.CutPrefix(k, claimPrefix); ok {
				if acc.Claims == nil {
					acc.Claims = map[string]string{}
				}
				acc.Claims[tenant] = v
			}
		}
		if !inOU {
			if acc.parentID, err = m.parentOf(ctx, id); err != nil {
				return nil, err
			}
		}
		acc.OU = l.ouName(acc.parentID, m.settings)
		inv.Accounts = append(inv.Accounts, acc)
	}
	// Oldest first; accounts created in the same second (one vend) by name.
	sort.Slice(inv.Accounts, func(i, j int) bool {
		a, b := inv.Accounts[i], inv.Accounts[j]
		ta, tb := a.Joined.Truncate(time.Second), b.Joined.Truncate(time.Second)
		if !ta.Equal(tb) {
			return ta.Before(tb)
		}
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		return a.ID < b.ID
	})
	diagnose(inv, m.settings, l)
	return inv, nil
}

func carriesLifecycleTags(t map[string]string) bool {
	for k := range t {
		if k == spec.TagAccountStatus || k == spec.TagAccountTenantID || k == TagTier || k == TagSuspendedAt || strings.HasPrefix(k, claimPrefix) {
			return true
		}
	}
	return false
}

// readTags reads every account's tags, a few at a time: Organizations has no
// call that lists tags of many resources, so this is one call per account.
func (m *Manager) readTags(ctx context.Context, all []types.Account) (map[string]map[string]string, error) {
	out := make(map[string]map[string]string, len(all))
	var mu sync.Mutex
	var g errgroup.Group
	g.SetLimit(8)
	for _, a := range all {
		id := aws.ToString(a.Id)
		g.Go(func() error {
			t, err := m.tagsOf(ctx, id)
			mu.Lock()
			defer mu.Unlock()
			out[id] = t
			return err
		})
	}
	return out, g.Wait()
}

// tagsOf reads one account's tags.
func (m *Manager) tagsOf(ctx context.Context, accountID string) (map[string]string, error) {
	t := map[string]string{}
	p := organizations.NewListTagsForResourcePaginator(m.org, &organizations.ListTagsForResourceInput{ResourceId: aws.String(accountID)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, orgError("reading the tags of account "+accountID, err)
		}
		for _, tag := range page.Tags {
			t[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
		}
	}
	return t, nil
}

func (m *Manager) parentOf(ctx context.Context, accountID string) (string, error) {
	out, err := m.org.ListParents(ctx, &organizations.ListParentsInput{ChildId: aws.String(accountID)})
	if err != nil {
		return "", orgError("finding the OU of account "+accountID, err)
	}
	if len(out.Parents) == 0 {
		return "", fmt.Errorf("account %s has no parent in the organization", accountID)
	}
	return aws.ToString(out.Parents[0].Id), nil
}

// ouName is the name shown for a parent: the OU's name from fleet.yaml,
// "root", or the id of an OU the lifecycle does not know.
func (l *orgLayout) ouName(parentID string, s *spec.Settings) string {
	switch parentID {
	case l.workloadID:
		return s.Organization.WorkloadOU
	case l.suspendedID:
		return s.Organization.SuspendedOU
	case l.rootID:
		return ouRoot
	}
	return parentID
}

// expectedParents are where an account in the status belongs, first the one
// it should end up in.
func (l *orgLayout) expectedParents(s Status) []string {
	switch s {
	case StatusBaselining:
		// A vend creates the account in the root, tagged BASELINING, then moves
		// it: an interrupted vend leaves it in the root, and pool --top-up
		// resumes it there.
		return []string{l.workloadID, l.rootID}
	case StatusBaselined, StatusActive:
		return []string{l.workloadID}
	case StatusSuspending, StatusSuspended:
		return []string{l.suspendedID}
	}
	return nil
}

// diagnose records each account's bad state. Nothing is changed on a guess:
// these are for a person to look at.
func diagnose(inv *Inventory, s *spec.Settings, l *orgLayout) {
	show := func(parentID string) string {
		switch parentID {
		case l.rootID:
			return "the root"
		case l.workloadID, l.suspendedID:
			return "OU " + l.ouName(parentID, s)
		}
		return "OU " + parentID
	}
	// owned are the accounts given to each tenant (ACTIVE and after).
	owned := map[string][]*Account{}
	for _, a := range inv.Accounts {
		switch {
		case a.Status == "":
			a.Problems = append(a.Problems, fmt.Sprintf("no %s tag in %s: tenantctl cannot tell whether it is a pool account or a tenant's; find out who uses it, then tag it (e.g. STATUS=BASELINED with TIER=<tier>, or STATUS=ACTIVE with TENANT_ID=<tenant>)", spec.TagAccountStatus, show(a.parentID)))
		case !a.Status.Valid():
			a.Problems = append(a.Problems, fmt.Sprintf("%s=%q is not a lifecycle status (%s)", spec.TagAccountStatus, a.Status, joinStatuses()))
		default:
			want := l.expectedParents(a.Status)
			if !contains(want, a.parentID) {
				hint := ""
				if a.Status == StatusSuspending && a.parentID == l.workloadID {
					hint = fmt.Sprintf(" (an interrupted suspend: rerun `tenantctl accounts suspend %s`)", a.TenantID)
				}
				a.Problems = append(a.Problems, fmt.Sprintf("%s=%s contradicts its OU: it is in %s, %s accounts belong in %s%s", spec.TagAccountStatus, a.Status, show(a.parentID), a.Status, show(want[0]), hint))
			}
		}
		switch a.Status {
		case StatusActive:
			if a.TenantID == "" {
				a.Problems = append(a.Problems, fmt.Sprintf("ACTIVE without a %s tag: whose is it? tag it with the tenant's id", spec.TagAccountTenantID))
			} else {
				owned[a.TenantID] = append(owned[a.TenantID], a)
			}
		case StatusSuspending, StatusSuspended:
			if a.TenantID != "" {
				owned[a.TenantID] = append(owned[a.TenantID], a)
			}
		case StatusBaselining, StatusBaselined:
			if a.TenantID != "" {
				a.Problems = append(a.Problems, fmt.Sprintf("%s but carries %s=%s: an account once given to a tenant never goes back to the pool; set STATUS to the tenant's state, or remove the tag if it was never used", a.Status, spec.TagAccountTenantID, a.TenantID))
			}
			if a.Tier == "" {
				a.Problems = append(a.Problems, fmt.Sprintf("%s without a %s tag: it belongs to no pool; tag it with its tier", a.Status, TagTier))
			} else if s.Tiers[a.Tier] == nil {
				a.Problems = append(a.Problems, fmt.Sprintf("%s=%s is not a tier of fleet.yaml", TagTier, a.Tier))
			}
		}
	}
	// A tenant has one account for life: suspension is one-way, and a second
	// account (an ACTIVE one beside a suspended one, say) splits its data
	// and its bill.
	for tenant, accs := range owned {
		if len(accs) < 2 {
			continue
		}
		ids := make([]string, len(accs))
		allActive := true
		for i, a := range accs {
			ids[i] = a.ID + " " + string(a.Status)
			allActive = allActive && a.Status == StatusActive
		}
		msg := fmt.Sprintf("tenant %s has %d accounts (%s): a tenant has one account for life; decide which holds its data, move that data if needed, and suspend the other", tenant, len(accs), strings.Join(ids, ", "))
		if allActive {
			for i, a := range accs {
				ids[i] = a.ID
			}
			msg = fmt.Sprintf("tenant %s has %d ACTIVE accounts (%s): a tenant has one; decide which is live and suspend the other", tenant, len(accs), strings.Join(ids, ", "))
		}
		for _, a := range accs {
			a.Problems = append(a.Problems, msg)
		}
	}
}

func joinStatuses() string {
	s := make([]string, len(Statuses))
	for i, v := range Statuses {
		s[i] = string(v)
	}
	return strings.Join(s, ", ")
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// partitionOf returns the partition of an ARN ("aws" when unknown).
func partitionOf(arn string) string {
	parts := strings.SplitN(arn, ":", 3)
	if len(parts) >= 2 && parts[0] == "arn" && parts[1] != "" {
		return parts[1]
	}
	return "aws"
}

// orgError explains the errors that mean "these credentials cannot run the
// lifecycle" and wraps the rest.
func orgError(doing string, err error) error {
	var notInUse *types.AWSOrganizationsNotInUseException
	if errors.As(err, &notInUse) {
		return fmt.Errorf("%s: the credentials' account is not in an organization; run tenantctl accounts with credentials of the organization's management account (or a delegated administrator)", doing)
	}
	var denied *types.AccessDeniedException
	if errors.As(err, &denied) {
		return fmt.Errorf("%s: access denied: run tenantctl accounts with credentials of the organization's management account (or a delegated administrator): %w", doing, err)
	}
	return fmt.Errorf("%s: %w", doing, err)
}
