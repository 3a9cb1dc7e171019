package accounts

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/smithy-go/middleware"
	"github.com/tenantctl/tenantctl/internal/spec"
)

// slowCreate plays what AWS does and moto does not: CreateAccount answers
// IN_PROGRESS, and DescribeCreateAccountStatus says IN_PROGRESS `pending`
// times before the final answer. With fail set, the request fails with the
// reason and moto is never asked to create anything; otherwise the final
// answer is moto's own (SUCCEEDED, with the account it created).
type slowCreate struct {
	pending int
	fail    types.CreateAccountFailureReason

	mu        sync.Mutex
	describes map[string]int
	real      map[string]*types.CreateAccountStatus
}

// It answers in the deserialize step, after the request went through the
// call counter, so faked calls are counted like real ones.
func (s *slowCreate) option(o *organizations.Options) {
	o.APIOptions = append(o.APIOptions, func(st *middleware.Stack) error {
		if err := st.Initialize.Add(middleware.InitializeMiddlewareFunc("slowCreateParams",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				return next.HandleInitialize(middleware.WithStackValue(ctx, paramsKey{}, in.Parameters), in)
			}), middleware.Before); err != nil {
			return err
		}
		return st.Deserialize.Add(middleware.DeserializeMiddlewareFunc("slowCreate", s.handle), middleware.Before)
	})
}

type paramsKey struct{}

func (s *slowCreate) handle(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (middleware.DeserializeOutput, middleware.Metadata, error) {
	params := middleware.GetStackValue(ctx, paramsKey{})
	s.mu.Lock()
	if s.describes == nil {
		s.describes, s.real = map[string]int{}, map[string]*types.CreateAccountStatus{}
	}
	s.mu.Unlock()
	switch awsmiddleware.GetOperationName(ctx) {
	case "CreateAccount":
		in0 := params.(*organizations.CreateAccountInput)
		id := "car-fake-" + aws.ToString(in0.AccountName)
		if s.fail == "" {
			out, md, err := next.HandleDeserialize(ctx, in)
			if err != nil {
				return out, md, err
			}
			s.mu.Lock()
			s.real[id] = out.Result.(*organizations.CreateAccountOutput).CreateAccountStatus
			s.mu.Unlock()
		}
		return middleware.DeserializeOutput{Result: &organizations.CreateAccountOutput{CreateAccountStatus: &types.CreateAccountStatus{
			Id: aws.String(id), AccountName: in0.AccountName, State: types.CreateAccountStateInProgress,
		}}}, middleware.Metadata{}, nil
	case "DescribeCreateAccountStatus":
		id := aws.ToString(params.(*organizations.DescribeCreateAccountStatusInput).CreateAccountRequestId)
		s.mu.Lock()
		defer s.mu.Unlock()
		s.describes[id]++
		st := &types.CreateAccountStatus{Id: aws.String(id), State: types.CreateAccountStateInProgress}
		switch {
		case s.describes[id] <= s.pending:
		case s.fail != "":
			st.State, st.FailureReason = types.CreateAccountStateFailed, s.fail
		default:
			st = s.real[id]
		}
		return middleware.DeserializeOutput{Result: &organizations.DescribeCreateAccountStatusOutput{CreateAccountStatus: st}}, middleware.Metadata{}, nil
	}
	return next.HandleDeserialize(ctx, in)
}

func TestVendPollsUntilTheAccountExists(t *testing.T) {
	o := newOrg(t)
	slow := &slowCreate{pending: 3}
	m := o.manager(testSettings(), func(opt *Options) { opt.OrgOptions = append(opt.OrgOptions, slow.option) })
	res, err := m.Vend(context.Background(), "premium", 2)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range res.Accounts {
		if v.Status != StatusBaselined || o.tags(v.AccountID)["STATUS"] != "BASELINED" {
			t.Errorf("%s = %+v", v.Name, v)
		}
		if n := slow.describes["car-fake-"+v.Name]; n != 4 {
			t.Errorf("%s: DescribeCreateAccountStatus called %d times, want 4 (3 IN_PROGRESS, then SUCCEEDED)", v.Name, n)
		}
		// CreateAccount, 4 × DescribeCreateAccountStatus, MoveAccount, TagResource.
		if v.OrgCalls != 7 {
			t.Errorf("%s: %d Organizations calls, want 7", v.Name, v.OrgCalls)
		}
	}
	if got := res.Calls.ByOperation["DescribeCreateAccountStatus"]; got != 8 {
		t.Errorf("DescribeCreateAccountStatus counted %d, want 8", got)
	}
}

func TestVendReportsAFailedCreation(t *testing.T) {
	o := newOrg(t)
	slow := &slowCreate{pending: 1, fail: types.CreateAccountFailureReasonEmailAlreadyExists}
	m := o.manager(testSettings(), func(opt *Options) { opt.OrgOptions = append(opt.OrgOptions, slow.option) })
	before := o.snapshot()
	res, err := m.Vend(context.Background(), "premium", 1)
	if err == nil {
		t.Fatal("no error for a failed creation")
	}
	for _, want := range []string{"1 of 1 accounts did not reach BASELINED", "creating account tenant-premium-1 failed: EMAIL_ALREADY_EXISTS", "aws+tenant-premium-1@example.com exists"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if len(res.Failed()) != 1 || res.Accounts[0].AccountID != "" {
		t.Errorf("result = %+v", res.Accounts)
	}
	if after := o.snapshot(); after != before {
		t.Errorf("a failed creation changed the organization")
	}
}

func TestVendGivesUpAfterThePollTimeout(t *testing.T) {
	o := newOrg(t)
	slow := &slowCreate{pending: 1 << 30}
	m := o.manager(testSettings(), func(opt *Options) {
		opt.OrgOptions = append(opt.OrgOptions, slow.option)
		opt.Poll.Timeout = 50 * 1e6 // 50ms
	})
	_, err := m.Vend(context.Background(), "premium", 1)
	if err == nil || !strings.Contains(err.Error(), "waiting for account tenant-premium-1 (request car-fake-tenant-premium-1): still not done after 50ms") {
		t.Fatalf("error = %v", err)
	}
}

// TopUp resumes an account an interrupted vend left BASELINING in the root
// and vends the rest of the target.
func TestTopUpResumesAnInterruptedVend(t *testing.T) {
	o := newOrg(t)
	ctx := context.Background()
	stuck := o.rawAccount("tenant-enterprise-1", "STATUS", "BASELINING", "TIER", "enterprise")
	m := o.manager(testSettings())
	pools, _, err := m.Pools(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []PoolDepth{{Tier: "enterprise", Target: 2, Baselining: 1, Missing: 1}, {Tier: "premium", Target: 1, Missing: 1}}
	if !equalJSON(pools, want) {
		t.Errorf("pools = %+v, want %+v", pools, want)
	}
	res, err := m.TopUp(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, v := range res.Accounts {
		names = append(names, v.Name)
		if v.Status != StatusBaselined {
			t.Errorf("%s = %+v", v.Name, v)
		}
	}
	if strings.Join(names, ",") != "tenant-enterprise-1,tenant-enterprise-2,tenant-premium-1" {
		t.Errorf("topped up %v", names)
	}
	if !res.Accounts[0].Resumed || res.Accounts[0].AccountID != stuck || o.parent(stuck) != o.workloadID || o.tags(stuck)["STATUS"] != "BASELINED" {
		t.Errorf("stuck account not resumed: %+v", res.Accounts[0])
	}
	pools, _, err = m.Pools(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want = []PoolDepth{{Tier: "enterprise", Target: 2, Ready: 2}, {Tier: "premium", Target: 1, Ready: 1}}
	if !equalJSON(pools, want) {
		t.Errorf("pools after top-up = %+v, want %+v", pools, want)
	}
	again, err := m.TopUp(ctx)
	if err != nil || len(again.Accounts) != 0 {
		t.Errorf("second top-up = %+v, %v; want nothing to do", again, err)
	}
}

func TestBaselineRecordsAPendingQuotaRequest(t *testing.T) {
	o := newOrg(t)
	o.quotas.pending = true
	res, err := o.manager(testSettings()).Vend(context.Background(), "enterprise", 1)
	if err != nil {
		t.Fatal(err)
	}
	q := res.Accounts[0].Baseline.Quotas
	if q[0].Action != QuotaAlreadyRequested || o.tags(res.Accounts[0].AccountID)[TagQuotaRequests] != "vpc/L-F678F1CE=10" {
		t.Errorf("quotas = %+v", q)
	}
}

func TestBaselineFailsOnAnUnknownQuota(t *testing.T) {
	o := newOrg(t)
	s := testSettings()
	s.Tiers["premium"].AccountPool.ServiceQuotas = append(s.Tiers["premium"].AccountPool.ServiceQuotas, spawnQuota())
	res, err := o.manager(s).Vend(context.Background(), "premium", 1)
	if err == nil || !strings.Contains(err.Error(), "reading quota vpc/L-NOPE") {
		t.Fatalf("error = %v", err)
	}
	id := res.Accounts[0].AccountID
	if o.tags(id)["STATUS"] != "BASELINING" || o.parent(id) != o.workloadID {
		t.Errorf("a failed baseline should leave the account BASELINING in Workload: %v", o.tags(id))
	}
}

func spawnQuota() spec.QuotaTarget {
	return spec.QuotaTarget{ServiceCode: "vpc", QuotaCode: "L-NOPE", Value: 1}
}
