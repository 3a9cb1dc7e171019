package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/tenantctl/tenantctl/internal/accounts"
	"github.com/tenantctl/tenantctl/internal/externalid"
)

// Command-line mistakes are caught before any AWS call (the lifecycle itself
// runs end to end in test/accounts).
func TestAccountsUsageErrors(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"accounts", "vend"}, "--count must be a positive number of accounts"},
		{[]string{"accounts", "vend", "--count", "2", "--concurrency", "0"}, "--concurrency must be positive"},
		{[]string{"accounts", "vend", "--count", "2", "-o", "yaml"}, `--output must be text or json, not "yaml"`},
		{[]string{"accounts", "list", "--status", "RETIRED"}, `--status must be one of BASELINING, BASELINED, ACTIVE, SUSPENDING, SUSPENDED, not "RETIRED"`},
		{[]string{"accounts", "assign"}, "accepts 1 arg(s), received 0"},
		{[]string{"accounts", "suspend", "a", "b"}, "accepts 1 arg(s), received 2"},
		{[]string{"accounts", "pool", "--bogus"}, "unknown flag: --bogus"},
		{[]string{"accounts", "retire"}, `unknown command "retire" for "tenantctl accounts"`},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			var out, errb bytes.Buffer
			root := newRootCmd(&out, &errb)
			root.SetArgs(c.args)
			err := root.Execute()
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error = %v, want %q", err, c.want)
			}
			if code := exitCode(err); code != ExitUsage {
				t.Errorf("exit code = %d, want %d", code, ExitUsage)
			}
		})
	}
}

func TestAccountsFleetErrorsExitOne(t *testing.T) {
	var out, errb bytes.Buffer
	root := newRootCmd(&out, &errb)
	root.SetArgs([]string{"--dir", t.TempDir(), "accounts", "list"})
	err := root.Execute()
	if err == nil || exitCode(err) != ExitInvalid {
		t.Fatalf("error = %v (exit %d), want exit 1 for a directory without fleet.yaml", err, exitCode(err))
	}
}

func TestAge(t *testing.T) {
	for d, want := range map[time.Duration]string{
		-time.Second: "0s", 45 * time.Second: "45s", 12 * time.Minute: "12m",
		5 * time.Hour: "5h", 47 * time.Hour: "47h", 72 * time.Hour: "3d",
	} {
		if got := accountAge(d); got != want {
			t.Errorf("age(%s) = %s, want %s", d, got, want)
		}
	}
}

func TestQuotaSummary(t *testing.T) {
	b := &accounts.BaselineReport{Quotas: []accounts.QuotaResult{
		{ServiceCode: "vpc", QuotaCode: "L-F678F1CE", Current: 5, Target: 10, Action: accounts.QuotaRequested, RequestID: "req-1"},
		{ServiceCode: "vpc", QuotaCode: "L-0EA8095F", Current: 60, Target: 50, Action: accounts.QuotaSufficient},
		{ServiceCode: "fargate", QuotaCode: "L-3032A538", Current: 6, Target: 100, Action: accounts.QuotaAlreadyRequested},
	}}
	want := "vpc/L-F678F1CE 5→10 requested (req-1), vpc/L-0EA8095F 60 ok, fargate/L-3032A538 6→100 already requested"
	if got := baselineQuotaSummary(b); got != want {
		t.Errorf("quotaSummary =\n%s\nwant\n%s", got, want)
	}
	if got := baselineQuotaSummary(nil); got != "-" {
		t.Errorf("quotaSummary(nil) = %q", got)
	}
}

// The preview key is printed on request only, one-way from the fleet secret;
// without the secret the command says which variable to set.
func TestAccountsExternalIDPreviewKey(t *testing.T) {
	const secret = "fleet-secret-0123456789abcdef-0123456789"
	t.Setenv(externalid.EnvSecret, secret)
	var out, errb bytes.Buffer
	root := newRootCmd(&out, &errb)
	root.SetArgs([]string{"accounts", "external-id", "--preview-key"})
	if err := root.Execute(); err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(out.String()); got != externalid.PreviewKey([]byte(secret)) || strings.Contains(got, secret) {
		t.Errorf("printed %q, want the preview key", got)
	}
	if errb.Len() != 0 {
		t.Errorf("stderr %q", errb.String())
	}
	root = newRootCmd(&out, &errb)
	root.SetArgs([]string{"accounts", "external-id", "--preview-key", "acme-corp"})
	if err := root.Execute(); err == nil || exitCode(err) != ExitUsage {
		t.Errorf("--preview-key with a tenant: %v", err)
	}
	t.Setenv(externalid.EnvSecret, "")
	root = newRootCmd(&out, &errb)
	root.SetArgs([]string{"accounts", "external-id", "--preview-key"})
	if err := root.Execute(); err == nil || !strings.Contains(err.Error(), externalid.EnvSecret+" is not set") {
		t.Errorf("without the secret: %v", err)
	}
}

// Account names and tags are anyone's with Organizations access: list shows
// their control characters escaped, so a tab cannot shift a column nor an
// escape sequence reach the terminal.
func TestAccountsListEscapesControlCharacters(t *testing.T) {
	var out, errb bytes.Buffer
	o := &accountsListOptions{accountsOptions: &accountsOptions{g: &globalOptions{stdout: &out, stderr: &errb}}, output: "text", now: time.Now}
	inv := &accounts.Inventory{Quota: 10, OrgAccounts: 1, Accounts: []*accounts.Account{{
		ID: "111111111111", Name: "evil\x1b]0;pwned\x07", Status: accounts.StatusBaselined, Tier: "gold\tX",
		OU: "Workload", Claims: map[string]string{"t\x1b[2J": "now"}, Problems: []string{"bad\rname"},
	}}}
	_ = o.print(inv)
	got := out.String()
	if strings.ContainsAny(got, "\x1b\x07\r") || strings.Contains(got, "gold\tX") {
		t.Fatalf("raw control characters in the output:\n%q", got)
	}
	for _, want := range []string{`evil\x1b]0;pwned\a`, `gold\tX`, `bad\rname`} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
}
