package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tenantctl/tenantctl/internal/rollout/release"
	"github.com/tenantctl/tenantctl/internal/spec"
	"github.com/tenantctl/tenantctl/internal/textsafe"
)

type validateOptions struct {
	*globalOptions
	format  string
	against string
}

func newValidateCmd(g *globalOptions) *cobra.Command {
	o := &validateOptions{globalOptions: g}
	cmd := &cobra.Command{
		Use:   "validate",
		Short: "Check every tenant file and the fleet settings; report every problem with its position",
		Long: `validate loads tenants/fleet.yaml and every tenants/<id>.yaml strictly, applies the
tiers' defaults and checks each file and the fleet as a whole (unique ids, account ids
and listener priorities, overlapping CIDRs, AWS quotas). Every problem is reported at
once, sorted by file, line and column.

With --against REF it also compares with the tenant files at git revision REF (e.g. the
pull request's base), or with the tenant files of directory REF, and refuses changes no
edit may make, such as a suspended tenant changing model, or an active one changing
model without a migration marker.

Exit codes: 0 valid, 1 invalid, 2 usage error.`,
		Example: `  tenantctl validate
  tenantctl validate --format github --against origin/main`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.validate(); err != nil {
				return err
			}
			return o.run(cmd.Context())
		},
	}
	cmd.Flags().StringVar(&o.format, "format", "text", "output format: text, json or github (workflow annotations)")
	cmd.Flags().StringVar(&o.against, "against", "", "git revision (e.g. origin/main) or tenants directory to compare with: refuses changes no edit may make")
	return cmd
}

func (o *validateOptions) validate() error {
	switch o.format {
	case "text", "json", "github":
	default:
		return usageError(fmt.Errorf("--format %q: use text, json or github", o.format))
	}
	return checkDir(o.dir)
}

// previousFleet reads the fleet to compare with: the tenants directory
// against names (a copy of the fleet as it was), or else the tenant files of
// dir at git revision against. Nil when the revision holds no tenant files.
// The previous state is compared with, not judged: its own problems were
// reported when it was current, so only defaults are applied.
func previousFleet(ctx context.Context, dir, against string) (*spec.Fleet, error) {
	if fi, err := os.Stat(against); err == nil && fi.IsDir() {
		prev, err := spec.ReadDir(against)
		if prev == nil {
			return nil, err
		}
		spec.SetDefaults(prev)
		return prev, nil
	}
	files, err := release.FilesAt(ctx, dir, against)
	if err != nil || len(files) == 0 {
		return nil, err
	}
	prev, _ := spec.ParseFleet(dir, files)
	return prev, nil
}

// checkDir makes a --dir that does not exist a usage error, not an invalid fleet.
func checkDir(dir string) error {
	fi, err := os.Stat(dir)
	if err != nil || !fi.IsDir() {
		return usageError(fmt.Errorf("--dir %s is not a directory; point it at the tenants directory (the one holding fleet.yaml)", dir))
	}
	return nil
}

func (o *validateOptions) run(ctx context.Context) error {
	f, err := spec.LoadDir(o.dir)
	if o.against != "" {
		prev, perr := previousFleet(ctx, o.dir, o.against)
		if perr != nil {
			return usageError(fmt.Errorf("--against %s: %w", o.against, perr))
		}
		if prev != nil && f != nil {
			err = spec.JoinLists(err, spec.ValidateChange(prev, f))
		}
	}
	var list spec.ErrorList
	if err != nil && !errors.As(err, &list) {
		return withCode(ExitInvalid, err)
	}
	tenants := 0
	if f != nil {
		tenants = len(f.Tenants)
	}
	if werr := writeReport(o.stdout, o.format, list, tenants); werr != nil {
		return withCode(ExitInvalid, werr)
	}
	if len(list) > 0 {
		return reported(ExitInvalid, list)
	}
	return nil
}

// validationReport is the JSON form of a validation run.
type validationReport struct {
	Valid   bool               `json:"valid"`
	Tenants int                `json:"tenants"`
	Files   int                `json:"filesWithErrors"`
	Errors  []*spec.FieldError `json:"errors"`
}

func writeReport(w io.Writer, format string, list spec.ErrorList, tenants int) error {
	files := map[string]bool{}
	for _, e := range list {
		files[e.File] = true
	}
	bw := bufio.NewWriter(w)
	switch format {
	case "json":
		r := validationReport{Valid: len(list) == 0, Tenants: tenants, Files: len(files), Errors: list}
		if r.Errors == nil {
			r.Errors = []*spec.FieldError{}
		}
		enc := json.NewEncoder(bw)
		enc.SetIndent("", "  ")
		if err := enc.Encode(r); err != nil {
			return err
		}
	case "github":
		// Control characters are escaped before GitHub's own escaping, so a
		// file name, key or value holding a line break or an escape sequence
		// shows as such and can neither end the annotation early nor forge one.
		for _, e := range list {
			title := "tenantctl validate"
			if e.Path != "" {
				title += ": " + textsafe.Escape(e.Path)
			}
			fmt.Fprintf(bw, "::error file=%s,line=%d,col=%d,title=%s::%s\n",
				ghProperty(textsafe.Escape(e.File)), max(e.Line, 1), max(e.Col, 1), ghProperty(title), ghData(textsafe.Escape(e.Msg)))
		}
		writeSummary(bw, list, len(files), tenants)
	default:
		for _, e := range list {
			fmt.Fprintln(bw, e.Error())
		}
		writeSummary(bw, list, len(files), tenants)
	}
	return bw.Flush()
}

func writeSummary(w io.Writer, list spec.ErrorList, files, tenants int) {
	if len(list) == 0 {
		fmt.Fprintf(w, "ok: %s and the fleet settings are valid\n", plural(tenants, "tenant"))
		return
	}
	fmt.Fprintf(w, "%s in %s (%s loaded)\n", plural(len(list), "problem"), plural(files, "file"), plural(tenants, "tenant"))
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// ghDataEscaper and ghPropertyEscaper are GitHub's workflow-command escaping
// (actions/toolkit's escapeData and escapeProperty).
var (
	ghDataEscaper     = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")
	ghPropertyEscaper = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")
)

// ghData escapes a GitHub workflow command's message.
func ghData(s string) string { return ghDataEscaper.Replace(s) }

// ghProperty escapes a GitHub workflow command's property value.
func ghProperty(s string) string { return ghPropertyEscaper.Replace(s) }
