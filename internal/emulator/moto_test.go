package emulator

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tenantctl/tenantctl/internal/testutil/sourcetree"
)

func TestMotoCommand(t *testing.T) {
	dir := t.TempDir()
	fake := filepath.Join(dir, "moto_server")
	if err := os.WriteFile(fake, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir)
	cmd, url, err := MotoCommand()
	if err != nil {
		t.Fatal(err)
	}
	if cmd.Path != fake || len(cmd.Args) != 5 || cmd.Args[1] != "-H" || cmd.Args[2] != "127.0.0.1" || cmd.Args[3] != "-p" {
		t.Fatalf("command %s %q", cmd.Path, cmd.Args)
	}
	if url != "http://127.0.0.1:"+cmd.Args[4] {
		t.Errorf("URL %q does not match the port %s", url, cmd.Args[4])
	}
	if cmd.Process != nil {
		t.Error("MotoCommand started the process; its caller owns the start")
	}
	// Certificates are issued at once, and AWS managed policies are known.
	for _, kv := range []string{"MOTO_ACM_VALIDATION_WAIT=0", "MOTO_IAM_LOAD_MANAGED_POLICIES=true"} {
		if !slices.Contains(cmd.Env, kv) {
			t.Errorf("environment lacks %s", kv)
		}
	}
	if !slices.Contains(cmd.Env, "PATH="+dir) {
		t.Error("environment does not start from this process's")
	}

	t.Setenv("PATH", t.TempDir())
	if _, _, err := MotoCommand(); err == nil || !strings.Contains(err.Error(), "moto_server not found on PATH: "+MotoInstallHint) {
		t.Errorf("without moto_server: %v", err)
	}
}

// TestOneLauncher fails when Go code outside this package runs moto_server
// itself: the dev loop and the test harnesses once had a launcher each.
func TestOneLauncher(t *testing.T) {
	for _, file := range sourcetree.Containing(t, `"moto_server"`, "internal/emulator") {
		t.Errorf("%s runs moto_server itself; use emulator.MotoCommand or emulator.StartMoto", file)
	}
}
