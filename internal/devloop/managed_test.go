package devloop

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/tenantctl/tenantctl/internal/emulator"
	"github.com/tenantctl/tenantctl/internal/testutil/moto"
)

// The test harness's moto runs without AWS managed policies: the check
// names the setting. A moto started the way dev up starts one passes.
func TestCheckManagedPolicies(t *testing.T) {
	ctx := context.Background()
	s := moto.Shared(t)
	err := CheckManagedPolicies(ctx, emulatorConfig(t, s), s.URL)
	if !errors.Is(err, ErrNoManagedPolicies) || !strings.Contains(err.Error(), "MOTO_IAM_LOAD_MANAGED_POLICIES=true") {
		t.Fatalf("harness moto: %v", err)
	}
	m, err := emulator.StartMoto(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Stop()
	cfg, _, err := EmulatorConfig(ctx, m.URL, "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckManagedPolicies(ctx, cfg, m.URL); err != nil {
		t.Errorf("moto started with emulator.MotoEnv: %v", err)
	}
}
