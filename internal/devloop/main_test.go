package devloop

import (
	"os"
	"testing"

	"github.com/tenantctl/tenantctl/internal/testutil/moto"
)

func TestMain(m *testing.M) { os.Exit(moto.Main(m)) }
