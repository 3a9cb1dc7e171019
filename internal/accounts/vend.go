package accounts

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/tenantctl/tenantctl/internal/spec"
	"golang.org/x/sync/errgroup"
)

// Vended is one account a vend created (or resumed) and how far it got.
type Vended struct {
	AccountID string          `json:"accountId,omitempty"`
	Name      string          `json:"name"`
	Email     string          `json:"email"`
	Tier      string          `json:"tier"`
	Status    Status          `json:"status,omitempty"`
	Resumed   bool            `json:"resumed,omitempty"`
	Baseline  *BaselineReport `json:"baseline,omitempty"`
	// OrgCalls counts the Organizations requests made for this account alone.
	OrgCalls int    `json:"orgCalls"`
	Error    string `json:"error,omitempty"`
}

// VendResult is the outcome of a vend: every account, in name order, and the
// Organizations requests of the whole run (the account jobs' and the shared
// reads').
type VendResult struct {
	Accounts []Vended     `json:"accounts"`
	Calls    Calls        `json:"orgCalls"`
	Elapsed  JSONDuration `json:"elapsed"`
}

// JSONDuration is a duration shown as text ("1m2.5s") in JSON.
type JSONDuration time.Duration

// MarshalText renders the duration.
func (d JSONDuration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// String renders the duration rounded to milliseconds.
func (d JSONDuration) String() string { return time.Duration(d).Round(time.Millisecond).String() }

// Failed returns the accounts that did not reach BASELINED.
func (r *VendResult) Failed() []Vended {
	var out []Vended
	for _, v := range r.Accounts {
		if v.Error != "" {
			out = append(out, v)
		}
	}
	return out
}

// vendJob is one account to bring to BASELINED: a new one to create, or one
// an interrupted vend left BASELINING (AccountID set).
type vendJob struct {
	tier, name, email string
	accountID         string
	parentID          string
}

// Vend creates count new accounts for the tier's pool and baselines them,
// Options.Concurrency at a time. Per account: CreateAccount (tagged
// STATUS=BASELINING and TIER at creation, so an account is never untagged,
// even when the run dies right after), wait for it, move it from the root into
// the Workload OU, baseline it, tag STATUS=BASELINED. Failed accounts stay
// BASELINING, are reported in the result and the error, and are resumed by
// `pool --top-up`.
func (m *Manager) Vend(ctx context.Context, tier string, count int) (*VendResult, error) {
	if count <= 0 {
		return nil, fmt.Errorf("count must be positive, not %d", count)
	}
	if err := m.checkTier(tier); err != nil {
		return nil, err
	}
	if len(m.opts.ExternalIDSecret) == 0 {
		return nil, errNoSecret
	}
	inv, err := m.Inventory(ctx)
	if err != nil {
		return nil, err
	}
	if err := checkQuota(inv, count); err != nil {
		return nil, err
	}
	return m.run(ctx, newJobs(m.settings, inv, tier, count))
}

func (m *Manager) checkTier(tier string) error {
	if m.settings.Tiers[tier] == nil {
		return fmt.Errorf("unknown tier %q: fleet.yaml defines %v", tier, tierNames(m.settings))
	}
	return nil
}

func tierNames(s *spec.Settings) []string {
	names := make([]string, 0, len(s.Tiers))
	for n := range s.Tiers {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// checkQuota refuses to create accounts beyond the organization's quota:
// CreateAccount would fail them one by one after the quota is reached.
func checkQuota(inv *Inventory, count int) error {
	if inv.OrgAccounts+count > inv.Quota {
		return fmt.Errorf("the organization has %d of its %d accounts; %d more would exceed the quota: request a higher quota (Service Quotas, AWS Organizations, \"Default maximum number of accounts\") and raise organization.accountQuota in fleet.yaml, or vend fewer", inv.OrgAccounts, inv.Quota, count)
	}
	return nil
}

// newJobs names count new accounts of the tier, numbering on from the highest
// {seq} the organization's accounts of that tier already use.
func newJobs(s *spec.Settings, inv *Inventory, tier string, count int) []vendJob {
	o := s.Organization
	next := 1
	for _, n := range inv.names {
		if seq, ok := nameSeq(o.AccountName, tier, n); ok && seq >= next {
			next = seq + 1
		}
	}
	jobs := make([]vendJob, count)
	for i := range jobs {
		name := accountName(o.AccountName, tier, next+i)
		jobs[i] = vendJob{tier: tier, name: name, email: accountEmail(o.AccountEmail, name)}
	}
	return jobs
}

// run brings the jobs to BASELINED, Concurrency at a time, and joins their
// errors. A cancelled context stops new jobs; running ones end at their next
// call.
func (m *Manager) run(ctx context.Context, jobs []vendJob) (*VendResult, error) {
	start := time.Now()
	l, err := m.orgLayout(ctx)
	if err != nil {
		return nil, err
	}
	res := &VendResult{Accounts: make([]Vended, len(jobs))}
	// A plain Group, not WithContext: a failed account must not cancel the
	// others; each one's error is kept in its row.
	var g errgroup.Group
	g.SetLimit(m.opts.Concurrency)
	for i, j := range jobs {
		if ctx.Err() != nil {
			res.Accounts[i] = Vended{Name: j.name, Email: j.email, Tier: j.tier, AccountID: j.accountID, Error: "not started: " + ctx.Err().Error()}
			continue
		}
		g.Go(func() error {
			res.Accounts[i] = m.vendOne(ctx, l, j)
			return nil
		})
	}
	g.Wait()
	res.Calls = m.calls.Snapshot()
	res.Elapsed = JSONDuration(time.Since(start))
	var errs []error
	for _, v := range res.Accounts {
		if v.Error != "" {
			errs = append(errs, fmt.Errorf("%s: %s", v.Name, v.Error))
		}
	}
	if len(errs) > 0 {
		return res, fmt.Errorf("%d of %d accounts did not reach BASELINED (they stay BASELINING; `tenantctl accounts pool --top-up` resumes them):\n%w", len(errs), len(jobs), errors.Join(errs...))
	}
	return res, nil
}

// vendOne takes one account through create → move → baseline → BASELINED.
func (m *Manager) vendOne(ctx context.Context, l *orgLayout, j vendJob) Vended {
	ctx, t := withTally(ctx)
	v := Vended{Name: j.name, Email: j.email, Tier: j.tier, AccountID: j.accountID, Resumed: j.accountID != ""}
	err := func() error {
		if v.AccountID == "" {
			id, err := m.createAccount(ctx, j)
			if err != nil {
				return err
			}
			v.AccountID, j.parentID = id, l.rootID
		}
		v.Status = StatusBaselining
		if j.parentID != l.workloadID {
			if err := m.move(ctx, v.AccountID, j.parentID, l.workloadID); err != nil {
				return err
			}
		}
		report, err := m.baseline(ctx, l, v.AccountID, j.tier)
		if err != nil {
			return err
		}
		v.Baseline = report
		tags := map[string]string{spec.TagAccountStatus: string(StatusBaselined)}
		if q := quotaTag(report.Quotas); q != "" {
			tags[TagQuotaRequests] = q
		}
		if err := m.tag(ctx, v.AccountID, tags); err != nil {
			return err
		}
		v.Status = StatusBaselined
		return nil
	}()
	if err != nil {
		v.Error = err.Error()
	}
	v.OrgCalls = int(t.n.Load())
	return v
}

// createAccount asks Organizations for the account and waits until it exists.
func (m *Manager) createAccount(ctx context.Context, j vendJob) (string, error) {
	out, err := m.org.CreateAccount(ctx, &organizations.CreateAccountInput{
		AccountName: aws.String(j.name),
		Email:       aws.String(j.email),
		RoleName:    aws.String(m.settings.Organization.AccessRoleName),
		Tags: []types.Tag{
			{Key: aws.String(spec.TagAccountStatus), Value: aws.String(string(StatusBaselining))},
			{Key: aws.String(TagTier), Value: aws.String(j.tier)},
		},
	})
	if err != nil {
		return "", orgError("creating account "+j.name, err)
	}
	return m.waitCreated(ctx, j, out.CreateAccountStatus)
}

// waitCreated polls DescribeCreateAccountStatus with backoff until the
// request succeeds or fails (the status CreateAccount returned is checked
// first: it may be final already).
func (m *Manager) waitCreated(ctx context.Context, j vendJob, st *types.CreateAccountStatus) (string, error) {
	if st == nil || st.Id == nil {
		return "", fmt.Errorf("creating account %s: Organizations returned no request id", j.name)
	}
	requestID := aws.ToString(st.Id)
	var accountID string
	err := retryUntil(ctx, m.opts.Poll, "waiting for account "+j.name+" (request "+requestID+")", func() (bool, error) {
		if st == nil {
			out, err := m.org.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: aws.String(requestID)})
			if err != nil {
				return false, orgError("reading the status of request "+requestID, err)
			}
			st = out.CreateAccountStatus
		}
		switch st.State {
		case types.CreateAccountStateSucceeded:
			accountID = aws.ToString(st.AccountId)
			return true, nil
		case types.CreateAccountStateFailed:
			return false, createFailed(j, st.FailureReason)
		}
		st = nil
		return false, nil
	})
	return accountID, err
}

// createFailed explains a failed CreateAccount request.
func createFailed(j vendJob, reason types.CreateAccountFailureReason) error {
	hint := ""
	switch reason {
	case types.CreateAccountFailureReasonEmailAlreadyExists:
		hint = fmt.Sprintf(": an account with the e-mail %s exists (another vend of tier %s running at the same time, or a closed account); run vend again for the next number", j.email, j.tier)
	case types.CreateAccountFailureReasonAccountLimitExceeded:
		hint = ": the organization reached its account quota; request a higher quota and raise organization.accountQuota in fleet.yaml"
	case types.CreateAccountFailureReasonConcurrentAccountModification:
		hint = ": too many accounts are being created at once; run again with a lower --concurrency"
	}
	return fmt.Errorf("creating account %s failed: %s%s", j.name, reason, hint)
}

// move puts the account under the destination; an account already there is
// left alone.
func (m *Manager) move(ctx context.Context, accountID, from, to string) error {
	_, err := m.org.MoveAccount(ctx, &organizations.MoveAccountInput{
		AccountId: aws.String(accountID), SourceParentId: aws.String(from), DestinationParentId: aws.String(to),
	})
	var dup *types.DuplicateAccountException
	if err != nil && !errors.As(err, &dup) {
		return orgError(fmt.Sprintf("moving account %s from %s to %s", accountID, from, to), err)
	}
	return nil
}

// tag sets the tags on the account in one call (other tags are kept).
func (m *Manager) tag(ctx context.Context, accountID string, tags map[string]string) error {
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	in := &organizations.TagResourceInput{ResourceId: aws.String(accountID)}
	for _, k := range keys {
		in.Tags = append(in.Tags, types.Tag{Key: aws.String(k), Value: aws.String(tags[k])})
	}
	if _, err := m.org.TagResource(ctx, in); err != nil {
		return orgError(fmt.Sprintf("tagging account %s with %v", accountID, tags), err)
	}
	return nil
}

// untag removes the tag keys from the account.
func (m *Manager) untag(ctx context.Context, accountID string, keys ...string) error {
	if _, err := m.org.UntagResource(ctx, &organizations.UntagResourceInput{ResourceId: aws.String(accountID), TagKeys: keys}); err != nil {
		return orgError(fmt.Sprintf("removing tags %v from account %s", keys, accountID), err)
	}
	return nil
}
