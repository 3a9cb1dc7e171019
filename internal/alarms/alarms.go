// Package alarms reads which of a fleet's CloudWatch alarms are firing, owner
// by owner (a tenant, or the platform). Alarm names follow naming.AlarmName,
// <prefix>-<owner>-<signal>, so one owner's alarms are one DescribeAlarms
// name prefix. The rollout's alarms gate and `tenantctl status` both read
// through a Reader.
package alarms

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/tenantctl/tenantctl/internal/naming"
	"github.com/tenantctl/tenantctl/pkg/metering"
)

// DescribeAlarmsAPI is the part of the CloudWatch client a Reader uses
// (cloudwatch:DescribeAlarms).
type DescribeAlarmsAPI interface {
	DescribeAlarms(ctx context.Context, in *cloudwatch.DescribeAlarmsInput, optFns ...func(*cloudwatch.Options)) (*cloudwatch.DescribeAlarmsOutput, error)
}

// NewClient is the CloudWatch client a Reader reads with: the Query protocol
// client metering uses, which AWS and the emulators both serve.
func NewClient(cfg aws.Config) DescribeAlarmsAPI { return metering.NewCloudWatchClient(cfg) }

// Alarm is one alarm in ALARM.
type Alarm struct {
	Name   string    `json:"name"`
	Owner  string    `json:"owner"`
	Reason string    `json:"reason,omitempty"`
	Since  time.Time `json:"since,omitzero"`
}

// Reader reads the alarms of the owners of one fleet.
type Reader struct {
	API DescribeAlarmsAPI
	// Prefix is the fleet's naming prefix (fleet.yaml namePrefix).
	Prefix string
	// Owners are every stack name of the fleet (tenant ids and the
	// platform): an alarm belongs to the owner with the longest matching
	// prefix, so "acme" is not blamed for "acme-corp"'s alarms.
	Owners []string
}

// ErrNoReader is a gate or status asked to read alarms with nothing to read
// them with.
var ErrNoReader = errors.New("no CloudWatch client to read alarms with")

// Firing lists the alarms of owner that are in ALARM, metric and composite
// alike, by name. Any error reading them is returned: an alarm that cannot be
// read is never taken for one that is not firing.
func (r *Reader) Firing(ctx context.Context, owner string) ([]Alarm, error) {
	if r == nil || r.API == nil {
		return nil, ErrNoReader
	}
	prefix := naming.AlarmPrefix(r.Prefix, owner)
	in := &cloudwatch.DescribeAlarmsInput{
		AlarmNamePrefix: aws.String(prefix),
		StateValue:      types.StateValueAlarm,
		AlarmTypes:      []types.AlarmType{types.AlarmTypeMetricAlarm, types.AlarmTypeCompositeAlarm},
		MaxRecords:      aws.Int32(100),
	}
	var out []Alarm
	add := func(name *string, state types.StateValue, reason *string, since *time.Time) {
		n := aws.ToString(name)
		if state != types.StateValueAlarm || naming.AlarmOwner(r.Prefix, r.owners(owner), n) != owner {
			return
		}
		out = append(out, Alarm{Name: n, Owner: owner, Reason: aws.ToString(reason), Since: aws.ToTime(since)})
	}
	pages := cloudwatch.NewDescribeAlarmsPaginator(r.API, in)
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("reading the CloudWatch alarms %s*: %w", prefix, err)
		}
		for _, a := range page.MetricAlarms {
			add(a.AlarmName, a.StateValue, a.StateReason, a.StateUpdatedTimestamp)
		}
		for _, a := range page.CompositeAlarms {
			add(a.AlarmName, a.StateValue, a.StateReason, a.StateUpdatedTimestamp)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// owners are the Reader's owners with owner among them.
func (r *Reader) owners(owner string) []string {
	for _, o := range r.Owners {
		if o == owner {
			return r.Owners
		}
	}
	return append([]string{owner}, r.Owners...)
}
