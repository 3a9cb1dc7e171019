package alerting

import (
	"encoding/json"
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Widget sizes on CloudWatch's 24-column dashboard grid.
const (
	gridWidth    = 24
	widgetWidth  = 12
	widgetHeight = 6
)

// DashboardBody is a dashboard of rules: the state of their alarms (by ARN)
// across the top, then a graph per rule of what its alarm reads, with the
// alarm's threshold drawn in.
func DashboardBody(title, region string, rules []Rule, alarmArns []pulumi.StringInput) pulumi.StringOutput {
	var inputs []any
	for _, r := range rules {
		for _, m := range r.metrics {
			for _, d := range m.dims {
				inputs = append(inputs, d.value)
			}
		}
	}
	for _, a := range alarmArns {
		inputs = append(inputs, a)
	}
	return pulumi.All(inputs...).ApplyT(func(v []any) (string, error) {
		// The values come in the order they were gathered: every rule's
		// dimensions, then the alarms' ARNs.
		next := func() string {
			s, _ := v[0].(string)
			v = v[1:]
			return s
		}
		widgets := []map[string]any{}
		graphs := make([]map[string]any, 0, len(rules))
		for i, r := range rules {
			var lines []any
			for _, m := range r.metrics {
				line := []any{m.namespace, m.name}
				for _, d := range m.dims {
					line = append(line, d.name, next())
				}
				line = append(line, map[string]any{"id": m.id, "stat": m.stat, "visible": r.Expression == ""})
				lines = append(lines, line)
			}
			if r.Expression != "" {
				lines = append(lines, []any{map[string]any{"expression": r.Expression, "label": r.Signal, "id": "e1"}})
			}
			graphs = append(graphs, map[string]any{
				"type": "metric", "x": (i % 2) * widgetWidth, "y": widgetHeight * (1 + i/2), "width": widgetWidth, "height": widgetHeight,
				"properties": map[string]any{
					"title": r.Signal, "region": region, "period": r.Period, "view": "timeSeries",
					"metrics":     lines,
					"annotations": map[string]any{"horizontal": []any{map[string]any{"label": "alarm", "value": r.Threshold}}},
				},
			})
		}
		arns := make([]string, 0, len(alarmArns))
		for range alarmArns {
			arns = append(arns, next())
		}
		if len(arns) > 0 {
			widgets = append(widgets, map[string]any{
				"type": "alarm", "x": 0, "y": 0, "width": gridWidth, "height": widgetHeight,
				"properties": map[string]any{"title": title, "alarms": arns},
			})
		}
		widgets = append(widgets, graphs...)
		b, err := json.Marshal(map[string]any{"widgets": widgets})
		if err != nil {
			return "", fmt.Errorf("dashboard %s: %w", title, err)
		}
		return string(b), nil
	}).(pulumi.StringOutput)
}
