package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"time"

	pauto "github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/tenantctl/tenantctl/internal/rollout/journal"
	"github.com/tenantctl/tenantctl/internal/rollout/ledger"
	"github.com/tenantctl/tenantctl/internal/rollout/plan"
	"github.com/tenantctl/tenantctl/internal/rollout/release"
	"github.com/tenantctl/tenantctl/internal/rollout/report"
	"github.com/tenantctl/tenantctl/internal/rollout/rollback"
	"github.com/tenantctl/tenantctl/internal/rollout/runner"
	"github.com/tenantctl/tenantctl/internal/spec"
)

// rollbackOf plans the rollback of rollout id from the ledger, brings back
// the fleet files of every release it redeploys, and runs it (or, dryRun,
// prints its plan and runs nothing). What cannot be rolled back — an unknown
// rollout, one that finished no stack, an earlier release that is unknown or
// not in git — is a usage error, and nothing is started.
func (r *runOptions) rollbackOf(ctx context.Context, id string, dryRun bool) (*report.Report, error) {
	st, err := readJournaled(r.stateDir, id)
	if err != nil {
		return nil, err
	}
	if err := st.Plan.BelongsTo(r.g.dir, r.engine.backend); err != nil {
		return nil, usageError(err)
	}
	l, err := ledger.Read(r.stateDir)
	if err != nil {
		return nil, withCode(ExitInvalid, err)
	}
	now := time.Now()
	p, err := rollback.Plan(l, st, plan.NewID(now), now)
	if err != nil {
		if rollback.IsRefused(err) {
			return nil, usageError(err)
		}
		return nil, withCode(ExitInvalid, err)
	}
	programs, cleanup, err := r.releasePrograms(ctx, p)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	if dryRun {
		return nil, writePlan(r.g.stdout, p, r.output)
	}
	f, _ := loadFleet(r.g.dir) // the tenants' URLs, when the fleet loads
	return r.runPlan(ctx, f, p, nil, programs)
}

// readJournaled reads the journal of rollout id; one that is not there is a
// usage error (an unknown id).
func readJournaled(stateDir, id string) (*journal.State, error) {
	path, err := journal.Path(stateDir, id)
	if err != nil {
		return nil, usageError(err)
	}
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil, usageError(fmt.Errorf("no rollout %s is journaled in %s (see `tenantctl rollout list`)", id, filepath.Dir(path)))
	}
	return readState(stateDir, id)
}

// releasePrograms brings back, for every release a rollback plan redeploys,
// the fleet's files as they were at that release's commit, loads them, and
// gives each stack the program of its release's fleet. cleanup removes the
// files. A release git does not hold, or a stack its fleet lacks, is a usage
// error; a fleet that does not load is ExitInvalid.
func (r *runOptions) releasePrograms(ctx context.Context, p *plan.Plan) (func() (runner.Programs, error), func(), error) {
	stacks := map[string][]string{}
	for _, s := range p.StackNames() {
		rel := p.ReleaseOf(s)
		stacks[rel] = append(stacks[rel], s)
	}
	releases := make([]string, 0, len(stacks))
	for rel := range stacks {
		releases = append(releases, rel)
	}
	sort.Strings(releases)
	tmp, err := os.MkdirTemp("", "tenantctl-releases-")
	if err != nil {
		return nil, nil, err
	}
	cleanup := func() { os.RemoveAll(tmp) }
	fleets := map[string]*spec.Fleet{}
	for i, rel := range releases {
		commit, err := release.Resolve(ctx, r.g.dir, rel)
		if err != nil {
			cleanup()
			return nil, nil, usageError(fmt.Errorf("%s cannot be rolled back to release %s (stacks %v): %w", p.RollbackOf, rel, stacks[rel], err))
		}
		dir, err := release.Materialise(ctx, r.g.dir, commit, filepath.Join(tmp, strconv.Itoa(i)))
		if err != nil {
			cleanup()
			return nil, nil, withCode(ExitInvalid, err)
		}
		f, err := loadFleet(dir)
		if err != nil {
			cleanup()
			return nil, nil, withCode(ExitInvalid, fmt.Errorf("the fleet at release %s does not load:\n%w", rel, err))
		}
		for _, s := range stacks[rel] {
			if s != plan.PlatformStack && f.Tenant(s) == nil {
				cleanup()
				return nil, nil, usageError(fmt.Errorf("tenant %s is not in the fleet at release %s", s, rel))
			}
		}
		fleets[rel] = f
	}
	programs := func() (runner.Programs, error) {
		by := releaseProgramSet{releaseOf: p.ReleaseOf, progs: map[string]runner.Programs{}}
		for rel, f := range fleets {
			progs, err := programsFor(&r.engine, f)
			if err != nil {
				return nil, withCode(ExitInvalid, fmt.Errorf("release %s: %w", rel, err))
			}
			by.progs[rel] = progs
		}
		return by, r.engine.checkSecrets()
	}
	return programs, cleanup, nil
}

// releaseProgramSet gives each stack the program and configuration of the
// fleet of the release it deploys.
type releaseProgramSet struct {
	releaseOf func(stack string) string
	progs     map[string]runner.Programs
}

func (s releaseProgramSet) of(stack string) (runner.Programs, error) {
	p, ok := s.progs[s.releaseOf(stack)]
	if !ok || p == nil {
		return nil, fmt.Errorf("no program of release %s for stack %s", s.releaseOf(stack), stack)
	}
	return p, nil
}

func (s releaseProgramSet) Program(stack string) (pulumi.RunFunc, error) {
	p, err := s.of(stack)
	if err != nil {
		return nil, err
	}
	return p.Program(stack)
}

func (s releaseProgramSet) Config(stack string) (map[string]pauto.ConfigValue, error) {
	p, err := s.of(stack)
	if err != nil {
		return nil, err
	}
	return p.Config(stack)
}

// resumeRollback resumes a rollback: its releases' fleet files are brought
// back again, as for its first run.
func (r *runOptions) resumeRollback(ctx context.Context, st *journal.State) error {
	programs, cleanup, err := r.releasePrograms(ctx, st.Plan)
	if err != nil {
		return err
	}
	defer cleanup()
	f, _ := loadFleet(r.g.dir)
	rep, err := r.runPlan(ctx, f, st.Plan, st, programs)
	return r.finish(rep, err)
}
