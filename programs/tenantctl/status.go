package main

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/spf13/cobra"

	"github.com/tenantctl/tenantctl/internal/alarms"
	"github.com/tenantctl/tenantctl/internal/rollout/ledger"
	"github.com/tenantctl/tenantctl/internal/rollout/outcome"
	"github.com/tenantctl/tenantctl/internal/spec"
	"github.com/tenantctl/tenantctl/internal/textsafe"
)

// tenantStatus is one tenant as `tenantctl status` shows it: what its file
// says, what the journals say it runs, and what its alarms say now.
type tenantStatus struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	URL    string `json:"url"`
	// Release is the release the tenant's stack runs (its last deploy that
	// succeeded), with the rollout that deployed it; LastDeploy its last
	// deploy whatever the result.
	Release    *ledger.Entry `json:"release,omitempty"`
	LastDeploy *ledger.Entry `json:"lastDeploy,omitempty"`
	// Drift is what the last refresh --drift found: in-sync, drifted,
	// failed, or unknown when none ran.
	Drift      string        `json:"drift"`
	DriftCheck *ledger.Entry `json:"driftCheck,omitempty"`
	// Alarms are the tenant's alarms in ALARM when AlarmsChecked; AlarmsError
	// says why they could not be read.
	AlarmsChecked bool           `json:"alarmsChecked"`
	Alarms        []alarms.Alarm `json:"alarms,omitempty"`
	AlarmsError   string         `json:"alarmsError,omitempty"`
}

// Drift states of a tenant.
const (
	driftInSync  = "in-sync"
	driftDrifted = "drifted"
	driftFailed  = "failed"
	driftUnknown = "unknown"
)

func newStatusCmd(g *globalOptions) *cobra.Command {
	o := newFanoutOptions(g, "")
	var checkAlarms bool
	cmd := &cobra.Command{
		Use:   "status TENANT...",
		Short: "Show tenants: status, URL, the release each runs, drift and alarms in ALARM",
		Long: `status shows, per tenant: its status and URL from its file; the release its
stack runs and its last deploy's result, from the release ledger (the rollout
journals in the state directory); what the last refresh --drift found; and,
with --alarms (or an --endpoint-url), its CloudWatch alarms in ALARM
(<prefix>-<tenant>-*). Without them alarms are not checked, and it says so.`,
		Example: `  tenantctl status acme-corp initech
  tenantctl status acme-corp --alarms --output json`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.complete(); err != nil {
				return err
			}
			if o.output != "text" && o.output != "json" {
				return usageError(fmt.Errorf("--output %q: want text or json", o.output))
			}
			if err := o.engine.endpoint.validate(); err != nil {
				return err
			}
			f, err := o.loadFleet()
			if err != nil {
				return err
			}
			ids := make([]string, 0, len(f.Tenants))
			for _, t := range f.Tenants {
				ids = append(ids, t.ID)
			}
			sort.Strings(ids)
			for _, id := range args {
				if f.Tenant(id) == nil {
					return usageError(fmt.Errorf("no tenant %q in %s%s", id, g.dir, spec.DidYouMean(id, ids)))
				}
			}
			l, err := ledger.Read(o.stateDir)
			if err != nil {
				return withCode(ExitInvalid, err)
			}
			var reader *alarms.Reader
			var readerErr error
			if checkAlarms || o.engine.endpoint.url != "" {
				reader, readerErr = alarmReader(cmd.Context(), &o.engine, f)
			}
			var out []tenantStatus
			unreadable := 0
			for _, id := range args {
				t := f.Tenant(id)
				s := statusOf(l, f, t)
				if checkAlarms || o.engine.endpoint.url != "" {
					s.AlarmsChecked = true
					var firing []alarms.Alarm
					err := readerErr
					if err == nil {
						firing, err = reader.Firing(cmd.Context(), id)
					}
					if err != nil {
						s.AlarmsError, unreadable = err.Error(), unreadable+1
					}
					s.Alarms = firing
				}
				out = append(out, s)
			}
			if err := writeStatus(g.stdout, out, o.output); err != nil {
				return withCode(ExitInvalid, err)
			}
			if unreadable > 0 {
				return withCode(ExitInvalid, fmt.Errorf("the alarms of %d tenants could not be read", unreadable))
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&o.stateDir, "state-dir", "", "where journals are (default <project>/.tenantctl)")
	cmd.Flags().StringVarP(&o.output, "output", "o", "text", "text or json")
	cmd.Flags().BoolVar(&checkAlarms, "alarms", false, "read each tenant's CloudWatch alarms in ALARM (AWS credentials, or --endpoint-url)")
	o.engine.endpoint.addFlags(cmd)
	return cmd
}

// statusOf is what the fleet and the ledger say of tenant t.
func statusOf(l *ledger.Ledger, f *spec.Fleet, t *spec.Tenant) tenantStatus {
	s := tenantStatus{ID: t.ID, Status: string(t.Status), URL: f.Settings.URL(t), Drift: driftUnknown}
	if e, ok := l.Running(t.ID); ok {
		s.Release = &e
	}
	if e, ok := l.LastDeploy(t.ID); ok {
		s.LastDeploy = &e
	}
	if e, ok := l.LastDriftCheck(t.ID); ok {
		s.DriftCheck = &e
		switch {
		case e.Result != outcome.ResultSucceeded:
			s.Drift = driftFailed
		case e.Changes.Any():
			s.Drift = driftDrifted
		default:
			s.Drift = driftInSync
		}
	}
	return s
}

// writeStatus prints the tenants' status: a block per tenant, or JSON.
// Values from files, journals and AWS are escaped like every text report.
func writeStatus(w io.Writer, list []tenantStatus, output string) error {
	if output == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(list)
	}
	esc := textsafe.Escape
	when := func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04Z") }
	for i, s := range list {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "%s\n  status:   %s\n  url:      %s\n", esc(s.ID), esc(s.Status), esc(s.URL))
		switch {
		case s.Release != nil:
			fmt.Fprintf(w, "  release:  %s (%s %s, %s)\n", esc(s.Release.Release), s.Release.Op, esc(s.Release.Rollout), when(s.Release.Time))
		default:
			fmt.Fprintln(w, "  release:  none recorded (no rollout in the journals deployed it)")
		}
		if d := s.LastDeploy; d != nil && (s.Release == nil || d.Rollout != s.Release.Rollout) {
			fmt.Fprintf(w, "  last:     %s of release %s %s (%s)\n", esc(string(d.Op)), esc(d.Release), d.Result, esc(d.Rollout))
		} else if d != nil {
			fmt.Fprintf(w, "  last:     %s\n", d.Result)
		}
		switch {
		case s.DriftCheck == nil:
			fmt.Fprintln(w, "  drift:    unknown — run refresh --drift")
		case s.Drift == driftDrifted:
			fmt.Fprintf(w, "  drift:    DRIFTED %s (refresh %s, %s)\n", s.DriftCheck.Changes.Counts(), esc(s.DriftCheck.Rollout), when(s.DriftCheck.Time))
		default:
			fmt.Fprintf(w, "  drift:    %s (refresh %s, %s)\n", s.Drift, esc(s.DriftCheck.Rollout), when(s.DriftCheck.Time))
		}
		switch {
		case !s.AlarmsChecked:
			fmt.Fprintln(w, "  alarms:   not checked (pass --alarms)")
		case s.AlarmsError != "":
			fmt.Fprintf(w, "  alarms:   could not be read: %s\n", esc(s.AlarmsError))
		case len(s.Alarms) == 0:
			fmt.Fprintln(w, "  alarms:   none in ALARM")
		default:
			fmt.Fprintf(w, "  alarms:   %d in ALARM\n", len(s.Alarms))
			for _, a := range s.Alarms {
				fmt.Fprintf(w, "    %s: %s\n", esc(a.Name), esc(a.Reason))
			}
		}
	}
	return nil
}
