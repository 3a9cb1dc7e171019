package models_test

import (
	"os/exec"
	"strings"
	"testing"
)

// The models run inside every Pulumi program; they consult the emulator's gap
// list (data) but must not link internal/emulator, which starts and stops
// moto_server processes.
func TestModelsLinkNoEmulatorProcessCode(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "./...").Output()
	if err != nil {
		t.Fatalf("go list -deps ./...: %v", err)
	}
	deps := strings.Fields(string(out))
	var sawGaps bool
	for _, d := range deps {
		switch d {
		case "github.com/tenantctl/tenantctl/internal/emulator":
			t.Errorf("models link %s (the moto_server launcher); import internal/emulator/gaps for the gap list", d)
		case "github.com/tenantctl/tenantctl/internal/emulator/gaps":
			sawGaps = true
		}
	}
	if !sawGaps {
		t.Errorf("models do not link internal/emulator/gaps; deps: %v", deps)
	}
}
