package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/tenantctl/tenantctl/internal/awscfg"
	"github.com/tenantctl/tenantctl/internal/fingerprint"
	"github.com/tenantctl/tenantctl/internal/objstore"
	"github.com/tenantctl/tenantctl/internal/rollout"
	"github.com/tenantctl/tenantctl/internal/rollout/auto"
	"github.com/tenantctl/tenantctl/internal/rollout/plan"
	"github.com/tenantctl/tenantctl/internal/rollout/unchanged"
	"github.com/tenantctl/tenantctl/internal/spec"
	"github.com/tenantctl/tenantctl/internal/stackconfig"
)

// stacksUpdated is auto.Updated, replaceable in tests.
var stacksUpdated = auto.Updated

// backendObjects is the object store tenantctl keeps in an S3 state backend
// (under .tenantctl/ beside Pulumi's own .pulumi/); ok is false for other
// backends. The SDK takes credentials from the environment, and the
// endpoint from --endpoint-url when one is set.
func (e *engineOptions) backendObjects(ctx context.Context) (objstore.Store, bool, error) {
	loc, ok, err := objstore.ParseS3URL(e.backend)
	if !ok || err != nil {
		return nil, ok, err
	}
	cfg, err := awscfg.Load(ctx, awscfg.Options{Region: loc.Region})
	if e.endpoint.url != "" {
		cfg, _, err = e.endpoint.sdkConfig(ctx, loc.Region)
	}
	if err != nil {
		return nil, true, fmt.Errorf("the S3 state backend %s: %w", e.backend, err)
	}
	return loc.Under(objstore.NewS3Client(cfg), ".tenantctl"), true, nil
}

// fingerprintStore is where the backend's fingerprint records live: in the
// backend itself when it is S3 or a directory, so every runner and state
// directory decides alike; under the state directory otherwise.
func (r *runOptions) fingerprintStore(ctx context.Context) (fingerprint.Store, error) {
	if objs, ok, err := r.engine.backendObjects(ctx); ok || err != nil {
		return fingerprint.Objects{Store: objs}, err
	}
	key, err := plan.BackendKey(r.engine.backend)
	if err != nil {
		return nil, err
	}
	if dir, ok := strings.CutPrefix(key, "file://"); ok {
		return fingerprint.Dir{Path: filepath.Join(dir, ".tenantctl", "fingerprints")}, nil
	}
	return fingerprint.DirFor(r.stateDir, key), nil
}

// leaveUnchanged fingerprints the stacks of a rollout's selection and, when
// skip is set (no --force), takes those whose desired state is the one they
// were last deployed with out of it, before its waves are planned. It
// returns the fingerprints of the stacks that stay, which the plan journals
// and the run records. The backend is asked once (`pulumi stack ls`) when
// each stack was last updated, so a stack changed behind the rollout's back runs.
func (r *runOptions) leaveUnchanged(ctx context.Context, f *spec.Fleet, sel *plan.Selection, skip bool) (map[string]string, error) {
	stacks := make([]string, len(sel.Targets))
	for i, t := range sel.Targets {
		stacks[i] = t.Stack
	}
	progs, err := programsFor(&r.engine, f)
	if err != nil {
		return nil, withCode(ExitInvalid, err)
	}
	var config stackconfig.Source
	if progs != nil {
		config = progs.Config
	}
	// A stack that cannot be fingerprinted runs: its engine reports why.
	fps, _ := fingerprint.Stacks(f, stacks, config)
	if !skip {
		return fps, nil
	}
	store, err := r.fingerprintStore(ctx)
	if err != nil {
		return nil, withCode(ExitInvalid, err)
	}
	records, err := store.Load(ctx, stacks)
	if err != nil {
		return nil, withCode(ExitInvalid, fmt.Errorf("reading the fingerprint records: %w", err))
	}
	var updated map[string]time.Time
	if len(records) > 0 {
		if updated, err = stacksUpdated(ctx, r.engine.autoOptions(rollout.WorkRoot(r.stateDir))); err != nil {
			return nil, withCode(ExitInvalid, err)
		}
	}
	d := unchanged.Decide(stacks, fps, records, updated)
	run := map[string]bool{}
	for _, s := range d.Run {
		run[s] = true
	}
	keep := sel.Targets[:0]
	for _, t := range sel.Targets {
		if run[t.Stack] {
			keep = append(keep, t)
		}
	}
	sel.Targets = keep
	sel.Skipped = append(sel.Skipped, d.Unchanged...)
	out := map[string]string{}
	for s := range run {
		if fps[s] != "" {
			out[s] = fps[s]
		}
	}
	return out, nil
}
