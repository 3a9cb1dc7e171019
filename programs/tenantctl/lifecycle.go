package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	tagging "github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/spf13/cobra"

	"github.com/tenantctl/tenantctl/internal/awscfg"
	"github.com/tenantctl/tenantctl/internal/backoff"
	"github.com/tenantctl/tenantctl/internal/externalid"
	"github.com/tenantctl/tenantctl/internal/iampolicy"
	"github.com/tenantctl/tenantctl/internal/lifecycle"
	"github.com/tenantctl/tenantctl/internal/lifecycle/items"
	"github.com/tenantctl/tenantctl/internal/lifecycle/leftovers"
	"github.com/tenantctl/tenantctl/internal/lifecycle/notify"
	"github.com/tenantctl/tenantctl/internal/rollout/outcome"
	"github.com/tenantctl/tenantctl/internal/rollout/plan"
	"github.com/tenantctl/tenantctl/internal/spec"
	"github.com/tenantctl/tenantctl/internal/textsafe"
	"github.com/tenantctl/tenantctl/internal/workflow"
	"github.com/tenantctl/tenantctl/models/platform"
)

// lifecycleOptions are the flags of onboard, offboard and migrate.
type lifecycleOptions struct {
	fanoutOptions
	kind     string
	resume   string
	topicArn string
	noNotify bool
	region   string
	// migrate
	to, against string
	// offboard
	yes bool
}

func newLifecycleOptions(g *globalOptions, kind string) *lifecycleOptions {
	return &lifecycleOptions{fanoutOptions: *newFanoutOptions(g, plan.OpUp), kind: kind}
}

func (o *lifecycleOptions) addFlags(cmd *cobra.Command) {
	fs := cmd.Flags()
	e := &o.engine
	fs.StringVar(&o.resume, "resume", "", "resume the journaled workflow with this id: done steps are skipped, the rest run")
	fs.StringVar(&o.stateDir, "state-dir", "", "where workflow journals (workflows/<id>.jsonl), rollout journals, logs and workspaces go (default <project>/.tenantctl)")
	fs.StringVarP(&o.output, "output", "o", "text", "report format on stdout: text or json (the workflow's journaled state)")
	fs.StringVar(&o.topicArn, "topic-arn", "", "SNS topic to notify of the workflow's start, retries, success and failure (default: the platform's <namePrefix>-platform-lifecycle)")
	fs.BoolVar(&o.noNotify, "no-notify", false, "notify no one")
	fs.StringVar(&o.region, "region", "", "region of the platform's resources (default fleet.yaml platformRegion)")
	fs.IntVar(&o.attempts, "attempts", 3, "most attempts of a step that fails transiently, and of each stack's engine operation")
	fs.StringVar(&e.backend, "backend", "", "state backend URL (default: $PULUMI_BACKEND_URL, else file://<project>/.tenantctl/state)")
	fs.StringVar(&e.secretsProvider, "secrets-provider", "", "secrets provider of new stacks: passphrase (PULUMI_CONFIG_PASSPHRASE) or a KMS URL")
	fs.IntVar(&e.parallel, "parallel", 0, "the engine's --parallel (0: the engine's default)")
	fs.DurationVar(&o.stackTimeout, "stack-timeout", 0, "fail one stack operation that runs longer than this (0: no limit)")
	e.endpoint.addFlags(cmd)
}

func newOnboardCmd(g *globalOptions) *cobra.Command {
	o := newLifecycleOptions(g, lifecycle.KindOnboard)
	cmd := &cobra.Command{
		Use:   "onboard <tenant>",
		Short: "Bring a new tenant into service: account, stack, checks, status active",
		Long: `onboard runs the onboarding workflow of a tenant whose file says status: onboarding:
validate → assign-account (account model, from its pool) → deploy (its stack) →
verify (its registry item and, pooled, its user pool group exist) → activate
(status: active written into its file in place, comments kept; the stack updated).
Each step is journaled in <state-dir>/workflows/<id>.jsonl before and after it runs;
--resume <id> continues a run that failed or was killed.`,
		Example: "  tenantctl onboard probe\n  tenantctl onboard probe --resume onboard-probe-20261202T101500Z",
		Args:    cobra.ExactArgs(1),
		RunE:    func(cmd *cobra.Command, args []string) error { return o.run(cmd, args[0]) },
	}
	o.addFlags(cmd)
	return cmd
}

func newOffboardCmd(g *globalOptions) *cobra.Command {
	o := newLifecycleOptions(g, lifecycle.KindOffboard)
	cmd := &cobra.Command{
		Use:   "offboard <tenant>",
		Short: "Take a tenant out of service for good: suspend, archive its data, destroy, purge, verify",
		Long: `offboard runs the offboarding workflow: suspend (status: suspended in its file,
the stack updated: no tasks, API key disabled) → export (its items to the archive
bucket) → suspend-account (account model) → purge-users (its user pool users and
groups) → destroy (its stack) → purge-data (its pooled items) → verify (nothing
tagged TenantId=<id> or named after it is left) → finish-account (account model:
SUSPENDED). It asks first on a terminal and needs --yes elsewhere.`,
		Example: "  tenantctl offboard vandelay\n  tenantctl offboard vandelay --yes -o json",
		Args:    cobra.ExactArgs(1),
		RunE:    func(cmd *cobra.Command, args []string) error { return o.run(cmd, args[0]) },
	}
	o.addFlags(cmd)
	cmd.Flags().BoolVar(&o.yes, "yes", false, "offboard without asking (required where stdin is not a terminal)")
	return cmd
}

func newMigrateCmd(g *globalOptions) *cobra.Command {
	o := newLifecycleOptions(g, lifecycle.KindMigrate)
	cmd := &cobra.Command{
		Use:   "migrate <tenant> --to <model>",
		Short: "Move a tenant to another isolation model, its data with it",
		Long: `migrate runs the migration workflow of a tenant whose file already says the new
model and carries migration: {from: <old>, to: <new>}: validate (with --against,
compared with the previous fleet as validate --against does) → count → export →
switch (its stack on the new model; registry item and DNS switched; its data kept)
→ copy (pooled table ↔ its own table) → verify (every item at the destination,
counts equal) → retire (the old copy deleted, the marker removed from the file).`,
		Example: "  tenantctl migrate vandelay --to container --against origin/main",
		Args:    cobra.ExactArgs(1),
		RunE:    func(cmd *cobra.Command, args []string) error { return o.run(cmd, args[0]) },
	}
	o.addFlags(cmd)
	cmd.Flags().StringVar(&o.to, "to", "", "the model the tenant moves to (its file's model)")
	cmd.Flags().StringVar(&o.against, "against", "", "git revision or tenants directory of the fleet before the change, to validate it against")
	return cmd
}

// run starts or resumes the workflow of tenant.
func (o *lifecycleOptions) run(cmd *cobra.Command, tenant string) error {
	ctx := cmd.Context()
	if err := o.complete(); err != nil {
		return err
	}
	if err := o.check(); err != nil {
		return err
	}
	if spec.IsReservedTenantID(tenant) {
		return usageError(fmt.Errorf("%q is a name tenantctl reserves for itself, never a tenant", tenant))
	}
	if o.kind == lifecycle.KindMigrate && o.resume == "" && o.to == "" {
		return usageError(errors.New("migrate needs --to <model>"))
	}
	var prior *workflow.State
	if o.resume != "" {
		st, err := workflow.Read(o.stateDir, o.resume)
		if err != nil {
			return withCode(ExitInvalid, err)
		}
		if st.Kind != o.kind || st.Tenant != tenant {
			return usageError(fmt.Errorf("%s is the %s workflow of tenant %s, not %s of %s", o.resume, st.Kind, st.Tenant, o.kind, tenant))
		}
		prior = st
	}
	if o.kind == lifecycle.KindOffboard && !o.yes && prior == nil {
		if err := confirmOffboard(cmd.InOrStdin(), o.g.stderr, tenant); err != nil {
			return err
		}
	}
	env, wo, err := o.env(ctx)
	if err != nil {
		return err
	}
	def := map[string]func(*lifecycle.Env, string) workflow.Definition{
		lifecycle.KindOnboard: lifecycle.Onboard, lifecycle.KindOffboard: lifecycle.Offboard, lifecycle.KindMigrate: lifecycle.Migrate,
	}[o.kind](env, tenant)
	var st *workflow.State
	if prior != nil {
		st, err = workflow.Resume(ctx, def, o.resume, wo)
	} else {
		input := workflow.Values{lifecycle.ValStarted: time.Now().UTC().Format("20060102T150405Z")}
		if o.to != "" {
			input[lifecycle.ValTo] = o.to
		}
		st, err = workflow.Start(ctx, def, tenant, input, wo)
	}
	if st == nil {
		if err != nil && strings.Contains(err.Error(), "another workflow of tenant") {
			return withCode(ExitLocked, err)
		}
		return withCode(ExitInvalid, err)
	}
	if werr := o.report(st); werr != nil {
		return werr
	}
	switch st.Status {
	case workflow.StatusSucceeded:
		return nil
	case workflow.StatusInterrupted:
		return withCode(ExitCancelled, fmt.Errorf("%v; `tenantctl %s %s --resume %s` continues", err, o.kind, tenant, st.ID))
	}
	return withCode(ExitInvalid, fmt.Errorf("%v; fix the cause, then `tenantctl %s %s --resume %s` runs what is not done", err, o.kind, tenant, st.ID))
}

// check refuses flags no workflow can run with.
func (o *lifecycleOptions) check() error {
	if o.output != "text" && o.output != "json" {
		return usageError(fmt.Errorf("--output %q: want text or json", o.output))
	}
	if o.attempts < 1 {
		return usageError(fmt.Errorf("--attempts %d: want at least 1", o.attempts))
	}
	if o.to != "" && !spec.IsolationModel(o.to).Valid() {
		return usageError(fmt.Errorf("--to %s: not an isolation model (one of account, vpc, subnet, container, application)", o.to))
	}
	if o.resume != "" && (o.to != "" || o.against != "") {
		return usageError(errors.New("--resume runs the journaled workflow as it was; --to and --against cannot change it"))
	}
	if o.stackTimeout < 0 {
		return usageError(fmt.Errorf("--stack-timeout %s: want 0 or more", o.stackTimeout))
	}
	return o.engine.endpoint.validate()
}

// confirmOffboard asks on a terminal; elsewhere it refuses without --yes.
func confirmOffboard(in io.Reader, out io.Writer, tenant string) error {
	what := fmt.Sprintf("offboard deletes every resource, user and pooled item of tenant %s (its items are archived first)", textsafe.Escape(tenant))
	if !isTerminal(out) || !isTerminalReader(in) {
		return usageError(fmt.Errorf("%s; pass --yes to confirm (nobody can be asked here: stdin is not a terminal)", what))
	}
	fmt.Fprintf(out, "%s.\nType the tenant's id to go on: ", what)
	answer, _ := bufio.NewReader(in).ReadString('\n')
	if strings.TrimSpace(answer) != tenant {
		return usageError(errors.New("offboard not confirmed; nothing was changed"))
	}
	return nil
}

// lifecycleConfig is the AWS configuration of a workflow's steps, in the
// platform's region: the emulator's with --endpoint-url.
func lifecycleConfig(ctx context.Context, o *lifecycleOptions, region string) (aws.Config, error) {
	if o.engine.endpoint.url != "" {
		cfg, _, err := o.engine.endpoint.sdkConfig(ctx, region)
		return cfg, err
	}
	return awscfg.Load(ctx, awscfg.Options{Region: region})
}

// env wires the workflow's steps to the fleet, the rollout driver and AWS.
func (o *lifecycleOptions) env(ctx context.Context) (*lifecycle.Env, workflow.Options, error) {
	f, err := o.loadFleet()
	if err != nil {
		return nil, workflow.Options{}, err
	}
	region := o.region
	if region == "" {
		region = f.Settings.PlatformRegion
	}
	cfg, err := lifecycleConfig(ctx, o, region)
	if err != nil {
		return nil, workflow.Options{}, withCode(ExitInvalid, err)
	}
	s3opts := func(so *s3.Options) { so.UsePathStyle = o.engine.endpoint.url != "" }
	tables, users := dynamodb.NewFromConfig(cfg), cip.NewFromConfig(cfg)
	g := o.g
	env := &lifecycle.Env{
		Load:    func() (*spec.Fleet, error) { return o.loadFleet() },
		Stacks:  &rolloutStacks{o: o},
		Tables:  tables,
		Objects: s3.NewFromConfig(cfg, s3opts),
		Users:   users,
		Leftovers: leftovers.Finder{
			Tagging: tagging.NewFromConfig(cfg), IAM: iam.NewFromConfig(cfg), APIGateway: apigateway.NewFromConfig(cfg),
			Cognito: users, NamePrefix: f.Settings.NamePrefix,
		},
		Say: func(format string, args ...any) {
			fmt.Fprintln(g.stderr, textsafe.Escape(fmt.Sprintf(format, args...)))
		},
	}
	var plat *lifecycle.Platform
	env.Platform = func(ctx context.Context) (lifecycle.Platform, error) {
		if plat != nil {
			return *plat, nil
		}
		p, err := findPlatform(ctx, cfg, &f.Settings, users)
		if err != nil {
			return p, err
		}
		plat, env.Leftovers.UserPoolID = &p, p.UserPoolID
		return p, nil
	}
	env.Accounts = func(ctx context.Context) (lifecycle.Accounts, error) {
		ao := &accountsOptions{g: g, endpointURL: o.engine.endpoint.url, region: region}
		m, _, err := ao.load(ctx, false)
		return m, err
	}
	env.AccountTables = func(ctx context.Context, accountID string) (items.DB, error) {
		return accountTables(ctx, cfg, &f.Settings, accountID)
	}
	if o.against != "" {
		env.Previous = func(ctx context.Context) (*spec.Fleet, error) { return previousFleet(ctx, g.dir, o.against) }
	}
	wo := workflow.Options{
		Dir: o.stateDir, Attempts: o.attempts,
		Backoff: backoff.Exp{Base: 5 * time.Second, Max: time.Minute, Jitter: true},
		Progress: func(step string, s workflow.StepStatus, err error) {
			line := fmt.Sprintf("%s: %s", step, s)
			if err != nil {
				line += ": " + err.Error()
			}
			fmt.Fprintln(g.stderr, textsafe.Escape(line))
		},
		NotifyErrors: func(err error) { fmt.Fprintln(g.stderr, "warning: "+textsafe.Escape(err.Error())) },
	}
	if !o.noNotify {
		topic := o.topicArn
		if topic == "" {
			if topic, err = platformTopic(ctx, cfg, &f.Settings, region); err != nil {
				return nil, wo, withCode(ExitInvalid, err)
			}
		}
		wo.Notifier = &notify.SNS{Client: sns.NewFromConfig(cfg), TopicArn: topic}
	}
	return env, wo, nil
}

// findPlatform finds the platform's resources: by name in the account the
// credentials are of, the user pool through ListUserPools.
func findPlatform(ctx context.Context, cfg aws.Config, s *spec.Settings, users *cip.Client) (lifecycle.Platform, error) {
	id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return lifecycle.Platform{}, fmt.Errorf("finding the platform's account: %w", err)
	}
	want, poolID := platform.UserPoolName(s.NamePrefix), ""
	p := cip.NewListUserPoolsPaginator(users, &cip.ListUserPoolsInput{MaxResults: aws.Int32(60)})
	for p.HasMorePages() && poolID == "" {
		page, err := p.NextPage(ctx)
		if err != nil {
			return lifecycle.Platform{}, fmt.Errorf("finding the user pool %s: %w", want, err)
		}
		for _, up := range page.UserPools {
			if aws.ToString(up.Name) == want {
				poolID = aws.ToString(up.Id)
			}
		}
	}
	if poolID == "" {
		return lifecycle.Platform{}, fmt.Errorf("no user pool %s in account %s: deploy the platform stack first", want, aws.ToString(id.Account))
	}
	return lifecycle.PlatformOf(s, aws.ToString(id.Account), poolID), nil
}

// platformTopic is the ARN of the platform's lifecycle topic.
func platformTopic(ctx context.Context, cfg aws.Config, s *spec.Settings, region string) (string, error) {
	id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return "", fmt.Errorf("finding the platform's account for its lifecycle topic (or pass --topic-arn, or --no-notify): %w", err)
	}
	return fmt.Sprintf("arn:%s:sns:%s:%s:%s", iampolicy.Partition(region), region, aws.ToString(id.Account), platform.LifecycleTopicName(s.NamePrefix)), nil
}

// accountTables reaches an account-model tenant's own account through its
// deploy role, with the external id derived from the fleet secret, as its
// stack's provider does.
func accountTables(ctx context.Context, cfg aws.Config, s *spec.Settings, accountID string) (items.DB, error) {
	secret, err := externalid.ParseSecret(os.Getenv(externalid.EnvSecret))
	if err != nil {
		return nil, err
	}
	role := iampolicy.RoleArn(iampolicy.Partition(s.PlatformRegion), accountID, s.Organization.DeployRoleName)
	c := cfg.Copy()
	c.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(sts.NewFromConfig(cfg), role, func(o *stscreds.AssumeRoleOptions) {
		o.ExternalID = aws.String(externalid.Derive(secret, accountID))
		o.RoleSessionName = "tenantctl-lifecycle"
	}))
	return dynamodb.NewFromConfig(c), nil
}

// rolloutStacks runs one tenant's stack through the rollout driver, as
// `tenantctl rollout --tenant <id>` and `destroy --tenant <id>` do: the same
// plan, lock, journal, engine and progress lines; the rollout's table goes to
// stderr, stdout keeps the workflow's report.
type rolloutStacks struct{ o *lifecycleOptions }

func (s *rolloutStacks) Up(ctx context.Context, tenant string) error {
	return s.one(ctx, plan.OpUp, tenant)
}

func (s *rolloutStacks) Destroy(ctx context.Context, tenant string) error {
	return s.one(ctx, plan.OpDestroy, tenant)
}

func (s *rolloutStacks) one(ctx context.Context, op plan.Op, tenant string) error {
	o := s.o
	f, err := o.loadFleet()
	if err != nil {
		return err
	}
	w := plan.WaveOptions{Mode: plan.ModeSoft}
	w.Waves, _ = plan.ParseWaves("100%")
	w.MaxConcurrency, _ = plan.ParseQuantity("1")
	w.Tolerance, _ = plan.ParseQuantity("0")
	// Offboarding: a suspended tenant's stack is updated (offboard's
	// suspend step) and destroyed like any other.
	// An up records the stack's fingerprint, as a rollout's does, so the
	// next release knows what the workflow deployed.
	var record func(*plan.Selection) (map[string]string, error)
	if op == plan.OpUp {
		record = func(sel *plan.Selection) (map[string]string, error) { return o.leaveUnchanged(ctx, f, sel, false) }
	}
	p, err := newPlan(f, plan.Selector{Tenants: []string{tenant}, Offboarding: true}, w, plan.Plan{
		Op: op, Fleet: o.fleetDir, Backend: o.engine.backend, Selection: "--tenant=" + tenant + " (" + o.kind + ")"}, record)
	if err != nil {
		return err
	}
	run := o.runOptions
	run.engine.op = op
	rep, err := run.run(ctx, f, p, nil)
	if rep != nil {
		rep.WriteTable(o.g.stderr)
	}
	if err != nil {
		return executeError(err)
	}
	if rep.Status != outcome.StatusSucceeded {
		return fmt.Errorf("%s of stack %s: %s (engine log under %s)", op, tenant, textsafe.Escape(rep.Reason), rep.Logs)
	}
	return nil
}

// report prints the workflow's state: JSON, or a table of its steps and
// what they handed on.
func (o *lifecycleOptions) report(st *workflow.State) error {
	if o.output == "json" {
		enc := json.NewEncoder(o.g.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(st)
	}
	w := o.g.stdout
	esc := textsafe.Escape
	fmt.Fprintf(w, "%s %s: %s (workflow %s, run %d; journal %s)\n", st.Kind, esc(st.Tenant), st.Status, esc(st.ID), st.Runs, esc(st.Journal))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "STEP\tSTATUS\tATTEMPTS\tDURATION\tERROR")
	for _, s := range st.Steps {
		d := "-"
		if s.Duration > 0 {
			d = s.Duration.Round(time.Millisecond).String()
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\n", s.Name, s.Status, s.Attempts, d, esc(s.Error))
	}
	tw.Flush()
	keys := make([]string, 0, len(st.Values))
	for k := range st.Values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(w, "  %s: %s\n", k, esc(st.Values[k]))
	}
	return nil
}

// newWorkflowsCmd lists the journaled lifecycle workflows.
func newWorkflowsCmd(g *globalOptions) *cobra.Command {
	o := newFanoutOptions(g, "")
	cmd := &cobra.Command{
		Use:   "workflows",
		Short: "List the lifecycle workflows (onboard, offboard, migrate) journaled in the state directory",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.complete(); err != nil {
				return err
			}
			if o.output != "text" && o.output != "json" {
				return usageError(errors.New("--output: want text or json"))
			}
			paths, _ := filepath.Glob(filepath.Join(o.stateDir, "workflows", "*.jsonl"))
			list := []*workflow.State{}
			for _, p := range paths {
				st, err := workflow.Read(o.stateDir, strings.TrimSuffix(filepath.Base(p), ".jsonl"))
				if err != nil {
					fmt.Fprintln(g.stderr, "warning: "+textsafe.Escape(err.Error()))
					continue
				}
				list = append(list, st)
			}
			sort.Slice(list, func(i, j int) bool { return list[i].ID > list[j].ID })
			if o.output == "json" {
				enc := json.NewEncoder(g.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(list)
			}
			tw := tabwriter.NewWriter(g.stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tKIND\tTENANT\tSTATUS\tSTEPS DONE\tRUNS")
			for _, st := range list {
				done := 0
				for _, s := range st.Steps {
					if s.Status == workflow.StepDone {
						done++
					}
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d/%d\t%d\n", textsafe.Escape(st.ID), st.Kind, textsafe.Escape(st.Tenant), st.Status, done, len(st.Steps), st.Runs)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringVar(&o.stateDir, "state-dir", "", "where journals are (default <project>/.tenantctl)")
	cmd.Flags().StringVarP(&o.output, "output", "o", "text", "text or json")
	return cmd
}
