package alarms

import (
	"context"
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/tenantctl/tenantctl/internal/awscfg"
	"github.com/tenantctl/tenantctl/internal/naming"
	"github.com/tenantctl/tenantctl/internal/testutil/moto"
)

func TestMain(m *testing.M) { os.Exit(moto.Main(m)) }

func client(t *testing.T) *cloudwatch.Client {
	t.Helper()
	moto.Shared(t)
	cfg, err := awscfg.Load(context.Background(), awscfg.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return NewClient(cfg).(*cloudwatch.Client)
}

func putAlarm(t *testing.T, cw *cloudwatch.Client, name string) {
	t.Helper()
	_, err := cw.PutMetricAlarm(context.Background(), &cloudwatch.PutMetricAlarmInput{
		AlarmName: aws.String(name), Namespace: aws.String("Tenantctl/Test"), MetricName: aws.String("Errors"),
		Statistic: types.StatisticSum, Period: aws.Int32(60), EvaluationPeriods: aws.Int32(1),
		Threshold: aws.Float64(1), ComparisonOperator: types.ComparisonOperatorGreaterThanOrEqualToThreshold,
	})
	if err != nil {
		t.Fatal(err)
	}
}

func setState(t *testing.T, cw *cloudwatch.Client, name string, state types.StateValue) {
	t.Helper()
	if _, err := cw.SetAlarmState(context.Background(), &cloudwatch.SetAlarmStateInput{
		AlarmName: aws.String(name), StateValue: state, StateReason: aws.String("test: " + string(state)),
	}); err != nil {
		t.Fatal(err)
	}
}

func TestFiringReadsOneOwnersAlarmsInAlarmAcrossPages(t *testing.T) {
	cw := client(t)
	// More alarms than one page holds (100), most of them OK.
	for i := range 105 {
		putAlarm(t, cw, naming.AlarmName("saas", "acme", "sig"+strconv.Itoa(i)))
	}
	firing := naming.AlarmName("saas", "acme", "5xx")
	putAlarm(t, cw, firing)
	setState(t, cw, firing, types.StateValueAlarm)
	// The last alarm past the first page fires too.
	late := naming.AlarmName("saas", "acme", "zz-latency")
	putAlarm(t, cw, late)
	setState(t, cw, late, types.StateValueAlarm)
	// Another tenant whose id starts with acme's, and another fleet's prefix.
	other := naming.AlarmName("saas", "acme-corp", "5xx")
	putAlarm(t, cw, other)
	setState(t, cw, other, types.StateValueAlarm)
	foreign := naming.AlarmName("qa", "acme", "5xx")
	putAlarm(t, cw, foreign)
	setState(t, cw, foreign, types.StateValueAlarm)

	r := &Reader{API: cw, Prefix: "saas", Owners: []string{"acme", "acme-corp", naming.PlatformStack}}
	got, err := r.Firing(context.Background(), "acme")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Name != firing || got[1].Name != late || got[0].Owner != "acme" || !strings.Contains(got[0].Reason, "ALARM") {
		t.Fatalf("firing alarms of acme: %+v", got)
	}
	if got, err := r.Firing(context.Background(), "acme-corp"); err != nil || len(got) != 1 || got[0].Name != other {
		t.Fatalf("firing alarms of acme-corp: %+v, %v", got, err)
	}
	// Back to OK: nothing fires.
	setState(t, cw, firing, types.StateValueOk)
	setState(t, cw, late, types.StateValueOk)
	if got, err := r.Firing(context.Background(), "acme"); err != nil || len(got) != 0 {
		t.Fatalf("after OK: %+v, %v", got, err)
	}
}

type failing struct{}

func (failing) DescribeAlarms(context.Context, *cloudwatch.DescribeAlarmsInput, ...func(*cloudwatch.Options)) (*cloudwatch.DescribeAlarmsOutput, error) {
	return nil, errors.New("AccessDenied")
}

func TestFiringReportsWhatItCannotRead(t *testing.T) {
	if _, err := (&Reader{API: failing{}, Prefix: "saas"}).Firing(context.Background(), "acme"); err == nil || !strings.Contains(err.Error(), "AccessDenied") || !strings.Contains(err.Error(), "saas-acme-*") {
		t.Fatalf("want the read error, got %v", err)
	}
	var none *Reader
	if _, err := none.Firing(context.Background(), "acme"); !errors.Is(err, ErrNoReader) {
		t.Fatalf("want ErrNoReader, got %v", err)
	}
}

// paged serves two pages of alarms of acme, one firing on each.
type paged struct{ tokens []string }

func (p *paged) DescribeAlarms(_ context.Context, in *cloudwatch.DescribeAlarmsInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.DescribeAlarmsOutput, error) {
	p.tokens = append(p.tokens, aws.ToString(in.NextToken))
	if aws.ToString(in.AlarmNamePrefix) != "saas-acme-" || in.StateValue != types.StateValueAlarm {
		return nil, errors.New("unexpected request")
	}
	if in.NextToken == nil {
		return &cloudwatch.DescribeAlarmsOutput{NextToken: aws.String("page-2"),
			MetricAlarms: []types.MetricAlarm{{AlarmName: aws.String("saas-acme-5xx"), StateValue: types.StateValueAlarm}}}, nil
	}
	return &cloudwatch.DescribeAlarmsOutput{
		CompositeAlarms: []types.CompositeAlarm{{AlarmName: aws.String("saas-acme-health"), StateValue: types.StateValueAlarm}},
		MetricAlarms:    []types.MetricAlarm{{AlarmName: aws.String("saas-acme-corp-5xx"), StateValue: types.StateValueAlarm}}}, nil
}

func TestFiringFollowsEveryPage(t *testing.T) {
	api := &paged{}
	got, err := (&Reader{API: api, Prefix: "saas", Owners: []string{"acme", "acme-corp"}}).Firing(context.Background(), "acme")
	if err != nil {
		t.Fatal(err)
	}
	if len(api.tokens) != 2 || api.tokens[1] != "page-2" || len(got) != 2 || got[0].Name != "saas-acme-5xx" || got[1].Name != "saas-acme-health" {
		t.Fatalf("pages %q, alarms %+v", api.tokens, got)
	}
}
