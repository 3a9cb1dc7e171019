// Package devloop runs the local dev loop's pieces that are not the rollout
// itself: a moto_server kept running between commands (detached, with its pid
// and URL in a state file), the emulated organization and the accounts of
// account-model tenants, and the dev external-id secret. `tenantctl dev up`
// puts them together with the rollout driver; each is usable and tested on
// its own.
//
// Everything lives under one directory, <project>/.tenantctl/dev by default:
//
//	emulator.json        the emulator dev up started: pid, URL, log, start time
//	emulator.log         its output
//	external-id-secret   the fleet secret of the dev fleet (when the environment has none)
//	state/               the Pulumi file backend of the dev stacks
//	workspaces/, rollouts/  the rollout driver's workspaces, journals and logs
//
// Nothing here prints or exits.
package devloop

import "path/filepath"

// Paths are the dev loop's files under one directory.
type Paths struct{ Dir string }

// EmulatorState is the emulator's state file.
func (p Paths) EmulatorState() string { return filepath.Join(p.Dir, "emulator.json") }

// EmulatorLog is the emulator's log file.
func (p Paths) EmulatorLog() string { return filepath.Join(p.Dir, "emulator.log") }

// Secret is the dev external-id secret's file.
func (p Paths) Secret() string { return filepath.Join(p.Dir, "external-id-secret") }

// Backend is the file backend URL of the dev stacks.
func (p Paths) Backend() string { return "file://" + filepath.Join(p.Dir, "state") }

// Passphrase encrypts the dev stacks' secrets (the external ids); the dev
// backend holds nothing worth more, and a fixed value lets every command of
// the loop open it without set-up.
const Passphrase = "tenantctl-dev"
