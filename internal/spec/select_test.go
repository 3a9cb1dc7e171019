package spec

import (
	"slices"
	"testing"
)

func TestSelector(t *testing.T) {
	f, err := LoadDir(sampleDir)
	if err != nil {
		t.Fatal(err)
	}
	ids := func(s Selector) []string {
		var out []string
		for _, tn := range s.Select(f.Tenants) {
			out = append(out, tn.ID)
		}
		return out
	}
	cases := []struct {
		name string
		sel  Selector
		want []string
	}{
		{"tier", Selector{Tiers: []string{"free"}}, []string{"dunder-mifflin", "pied-piper", "wonka"}},
		{"two models", Selector{Models: []IsolationModel{ModelVPC, ModelAccount}}, []string{"acme-corp", "globex", "initech", "umbrella"}},
		{"status", Selector{Statuses: []Status{StatusSuspended, StatusOnboarding}}, []string{"cyberdyne", "oscorp"}},
		{"labels all match", Selector{Labels: map[string]string{"region-group": "us", "wave": "early"}}, []string{"acme-corp", "stark-industries", "tyrell"}},
		{"kinds combine", Selector{Tiers: []string{"premium"}, Models: []IsolationModel{ModelSubnet}, Labels: map[string]string{"region-group": "us"}}, []string{"hooli", "stark-industries"}},
		{"nothing", Selector{Labels: map[string]string{"wave": "late"}}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := ids(c.sel); !slices.Equal(got, c.want) {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
	if n := len(ids(Selector{})); n != 14 {
		t.Errorf("empty selector selects %d tenants, want 14", n)
	}
	for sel, want := range map[*Selector]string{
		{Tiers: []string{"gold"}}:          `unknown tier "gold"; fleet.yaml defines enterprise, free, premium, standard`,
		{Models: []IsolationModel{"silo"}}: `unknown model "silo"; use one of account, vpc, subnet, container, application`,
		{Statuses: []Status{"paused"}}:     `unknown status "paused"; use onboarding, active or suspended`,
	} {
		if err := sel.Check(&f.Settings); err == nil || err.Error() != want {
			t.Errorf("Check(%+v) = %v, want %s", *sel, err, want)
		}
	}
	if _, err := ParseLabels([]string{"novalue"}); err == nil || err.Error() != `label selector "novalue" must be key=value, e.g. --label region-group=us` {
		t.Errorf("ParseLabels: %v", err)
	}
}

func TestParseLabel(t *testing.T) {
	for pair, want := range map[string]string{
		"k=v": "k|v|true", "k=": "k||true", "k=a=b": "k|a=b|true",
		"novalue": "novalue||false", "=v": "|v|false", "": "||false",
	} {
		k, v, ok := ParseLabel(pair)
		if got := k + "|" + v + "|" + map[bool]string{true: "true", false: "false"}[ok]; got != want {
			t.Errorf("ParseLabel(%q) = %s, want %s", pair, got, want)
		}
	}
}
