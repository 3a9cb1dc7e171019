package devloop

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tenantctl/tenantctl/internal/emulator"
)

// The detached emulator: started in a process group of its own with its
// state file, reused while alive, stopped by its record; a dead or foreign
// pid in the record is never taken for it.
func TestDetachedEmulatorStartReuseStop(t *testing.T) {
	ctx := context.Background()
	p := Paths{Dir: filepath.Join(t.TempDir(), "dev")}
	rec, reused, err := p.StartEmulator(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = syscall.Kill(-rec.PID, syscall.SIGKILL) })
	if reused || rec.PID <= 0 || !strings.HasPrefix(rec.URL, "http://127.0.0.1:") || rec.Log != p.EmulatorLog() {
		t.Fatalf("first start = %+v, reused %v", rec, reused)
	}
	if pgid, err := syscall.Getpgid(rec.PID); err != nil || pgid != rec.PID {
		t.Errorf("emulator pgid = %d (%v), want its own group %d", pgid, err, rec.PID)
	}
	var onDisk Emulator
	data, err := os.ReadFile(p.EmulatorState())
	if err != nil || json.Unmarshal(data, &onDisk) != nil || onDisk.PID != rec.PID || onDisk.URL != rec.URL {
		t.Fatalf("state file %s = %s (%v), want pid %d url %s", p.EmulatorState(), data, err, rec.PID, rec.URL)
	}
	if err := emulator.WaitReady(ctx, rec.URL, time.Second); err != nil {
		t.Fatal(err)
	}

	again, reused, err := p.StartEmulator(ctx)
	if err != nil || !reused || again.PID != rec.PID || again.URL != rec.URL {
		t.Fatalf("second start = %+v, reused %v, %v; want the running one", again, reused, err)
	}

	stopped, was, err := p.StopEmulator(ctx)
	if err != nil || !was || stopped.PID != rec.PID {
		t.Fatalf("stop = %+v, %v, %v", stopped, was, err)
	}
	if processExists(rec.PID) {
		t.Errorf("pid %d still runs after stop", rec.PID)
	}
	if _, err := os.Stat(p.EmulatorState()); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("state file left after stop: %v", err)
	}
	if r, was, err := p.StopEmulator(ctx); r != nil || was || err != nil {
		t.Errorf("stop without a record = %+v, %v, %v; want nothing", r, was, err)
	}
}

func TestStaleEmulatorRecord(t *testing.T) {
	ctx := context.Background()
	p := Paths{Dir: t.TempDir()}
	// A pid that has ended.
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	dead := cmd.Process.Pid
	write := func(e Emulator) {
		data, _ := json.Marshal(e)
		if err := os.WriteFile(p.EmulatorState(), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	port, _ := emulator.FreePort()
	url := "http://127.0.0.1:" + strconv.Itoa(port) // nothing listens there
	write(Emulator{PID: dead, URL: url})
	rec, alive, err := p.RunningEmulator(ctx)
	if err != nil || rec == nil || alive {
		t.Fatalf("dead pid: %+v alive=%v %v; want a stale record", rec, alive, err)
	}

	// A live process that is not the emulator (this test): never signalled.
	write(Emulator{PID: os.Getpid(), URL: url})
	if _, alive, _ := p.RunningEmulator(ctx); alive {
		t.Fatal("a process that does not answer as moto was taken for the emulator")
	}
	rec, was, err := p.StopEmulator(ctx)
	if err != nil || was || rec.PID != os.Getpid() {
		t.Fatalf("stop of a stale record = %+v, %v, %v; want it only removed", rec, was, err)
	}
	if _, err := os.Stat(p.EmulatorState()); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("stale record kept: %v", err)
	}

	if err := os.WriteFile(p.EmulatorState(), []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := p.RunningEmulator(ctx); err == nil || !strings.Contains(err.Error(), "is not an emulator state file") {
		t.Errorf("garbage state file: %v", err)
	}
}

func TestDevSecretIsKept(t *testing.T) {
	p := Paths{Dir: filepath.Join(t.TempDir(), "dev")}
	s1, fromEnv, err := p.ExternalIDSecret("")
	if err != nil || fromEnv || len(s1) != 64 {
		t.Fatalf("first secret %q, %v, %v", s1, fromEnv, err)
	}
	st, err := os.Stat(p.Secret())
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("secret file %v, %v; want mode 0600", st, err)
	}
	s2, _, err := p.ExternalIDSecret("")
	if err != nil || string(s2) != string(s1) {
		t.Errorf("second secret %q, want the kept %q", s2, s1)
	}
	env := "0123456789abcdef0123456789abcdef-env"
	if s, fromEnv, err := p.ExternalIDSecret(env); err != nil || !fromEnv || string(s) != env {
		t.Errorf("environment secret: %q, %v, %v", s, fromEnv, err)
	}
	if _, _, err := p.ExternalIDSecret("short"); err == nil || !strings.Contains(err.Error(), "TENANTCTL_EXTERNAL_ID_SECRET is 5 characters long") {
		t.Errorf("short environment secret: %v", err)
	}
	if err := os.WriteFile(p.Secret(), []byte("short\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := p.ExternalIDSecret(""); err == nil || !strings.Contains(err.Error(), "delete the file to generate a new dev secret") {
		t.Errorf("bad kept secret: %v", err)
	}
}

func TestMissingMotoSaysHowToGetIt(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	p := Paths{Dir: t.TempDir()}
	_, _, err := p.StartEmulator(context.Background())
	if err == nil || !strings.Contains(err.Error(), "moto_server not found on PATH: install moto 5.2.1 (pip install 'moto[server]==5.2.1') or point --endpoint-url at a running emulator") {
		t.Fatalf("StartEmulator without moto_server: %v", err)
	}
	if _, err := os.Stat(p.EmulatorState()); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a state file was written without an emulator: %v", err)
	}
}
