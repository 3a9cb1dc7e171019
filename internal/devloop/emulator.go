package devloop

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/tenantctl/tenantctl/internal/atomicfile"
	"github.com/tenantctl/tenantctl/internal/emulator"
)

// Emulator is a moto_server the dev loop started, as its state file records it.
type Emulator struct {
	PID     int       `json:"pid"`
	URL     string    `json:"url"`
	Log     string    `json:"log"`
	Started time.Time `json:"started"`
}

// readyTimeout bounds moto_server's start; it imports every service's backend.
const readyTimeout = 60 * time.Second

// pingTimeout bounds the check that a recorded emulator still answers.
const pingTimeout = 3 * time.Second

// RunningEmulator reads the state file and reports whether that emulator is
// alive: its process exists and its URL answers as moto. A state file
// without a live emulator (a reboot, a killed process, a pid now used by
// another program) is stale: rec is returned with alive false.
func (p Paths) RunningEmulator(ctx context.Context) (rec *Emulator, alive bool, err error) {
	data, err := os.ReadFile(p.EmulatorState())
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	rec = &Emulator{}
	if err := json.Unmarshal(data, rec); err != nil || rec.PID <= 0 || rec.URL == "" {
		return nil, false, fmt.Errorf("%s is not an emulator state file (%v); delete it", p.EmulatorState(), err)
	}
	return rec, processExists(rec.PID) && emulator.WaitReady(ctx, rec.URL, pingTimeout) == nil, nil
}

// StartEmulator returns the running emulator of the state file, or starts
// moto_server on a free loopback port in a process group of its own, so that
// it outlives this process and a Ctrl-C in the terminal does not reach it;
// its output goes to Paths.EmulatorLog. reused tells which.
func (p Paths) StartEmulator(ctx context.Context) (rec *Emulator, reused bool, err error) {
	rec, alive, err := p.RunningEmulator(ctx)
	if err != nil {
		return nil, false, err
	}
	if alive {
		return rec, true, nil
	}
	cmd, url, err := emulator.MotoCommand()
	if err != nil {
		return nil, false, fmt.Errorf("%w (then run `tenantctl dev up` again, or pass --endpoint-url)", err)
	}
	if err := os.MkdirAll(p.Dir, 0o755); err != nil {
		return nil, false, err
	}
	log, err := os.OpenFile(p.EmulatorLog(), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, false, err
	}
	defer log.Close()
	cmd.Stdout, cmd.Stderr = log, log
	cmd.Env = emulatorEnv(cmd.Env)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, false, fmt.Errorf("starting %s: %w", cmd.Path, err)
	}
	// Reap it should it end while this process runs; after this process
	// exits, init adopts it.
	go func() { _ = cmd.Wait() }()
	rec = &Emulator{PID: cmd.Process.Pid, URL: url, Log: p.EmulatorLog(), Started: time.Now().UTC()}
	if err := emulator.WaitReady(ctx, rec.URL, readyTimeout); err != nil {
		_ = syscall.Kill(-rec.PID, syscall.SIGKILL)
		return nil, false, fmt.Errorf("%w; see %s", err, rec.Log)
	}
	data, _ := json.MarshalIndent(rec, "", "  ")
	if err := atomicfile.WriteFile(p.EmulatorState(), append(data, '\n'), 0o644); err != nil {
		_ = syscall.Kill(-rec.PID, syscall.SIGKILL)
		return nil, false, fmt.Errorf("recording the emulator: %w", err)
	}
	return rec, false, nil
}

// emulatorEnv is the environment the emulator runs with: MotoCommand's
// without AWS_* settings. The user's profile, credentials and endpoint are not the
// emulator's business (botocore inside moto even fails every request on a
// profile it cannot find).
func emulatorEnv(env []string) []string {
	out := make([]string, 0, len(env))
	for _, kv := range env {
		if !strings.HasPrefix(kv, "AWS_") {
			out = append(out, kv)
		}
	}
	return out
}

// StopEmulator ends the emulator of the state file and removes the file. A
// stale record is only removed: a pid that no longer answers as the emulator
// may belong to another program by now. rec is nil when there was none.
func (p Paths) StopEmulator(ctx context.Context) (rec *Emulator, stopped bool, err error) {
	rec, alive, err := p.RunningEmulator(ctx)
	if err != nil || rec == nil {
		return rec, false, err
	}
	if alive {
		if err := stopGroup(ctx, rec.PID); err != nil {
			return rec, false, err
		}
	}
	if err := os.Remove(p.EmulatorState()); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return rec, alive, err
	}
	return rec, alive, nil
}

// stopGroup sends SIGTERM to the process group, then SIGKILL if it is still
// there after a grace period.
func stopGroup(ctx context.Context, pid int) error {
	if err := syscall.Kill(-pid, syscall.SIGTERM); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("stopping the emulator (pid %d): %w", pid, err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for processExists(pid) {
		if time.Now().After(deadline) {
			_ = syscall.Kill(-pid, syscall.SIGKILL)
			break
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	return nil
}

// processExists reports whether a process with the pid exists (and is not a
// zombie waiting to be reaped).
func processExists(pid int) bool {
	if err := syscall.Kill(pid, 0); err != nil && !errors.Is(err, syscall.EPERM) {
		return false
	}
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true // no /proc (macOS): kill(0) is all there is
	}
	// The state follows the command name in parentheses: "pid (comm) S ...".
	for i := len(stat) - 1; i > 0; i-- {
		if stat[i] == ')' {
			return i+2 >= len(stat) || stat[i+2] != 'Z'
		}
	}
	return true
}
