package devloop

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/tenantctl/tenantctl/internal/atomicfile"
	"github.com/tenantctl/tenantctl/internal/externalid"
)

// Secret is the fleet secret the dev loop derives external ids from: env (the
// value of TENANTCTL_EXTERNAL_ID_SECRET) when set, else the one kept in
// Paths.Secret, generated there on first use. fromEnv tells which.
func (p Paths) ExternalIDSecret(env string) (secret []byte, fromEnv bool, err error) {
	if env != "" {
		s, err := externalid.ParseSecret(env)
		return s, true, err
	}
	path := p.Secret()
	data, err := os.ReadFile(path)
	switch {
	case err == nil:
		s, perr := externalid.ParseSecret(strings.TrimSuffix(string(data), "\n"))
		if perr != nil {
			return nil, false, fmt.Errorf("%s: %w (delete the file to generate a new dev secret)", path, perr)
		}
		return s, false, nil
	case !errors.Is(err, fs.ErrNotExist):
		return nil, false, err
	}
	buf := make([]byte, 32)
	if _, err := rand.Read(buf); err != nil {
		return nil, false, err
	}
	value := hex.EncodeToString(buf)
	if err := atomicfile.WriteFile(path, []byte(value+"\n"), 0o600); err != nil {
		return nil, false, fmt.Errorf("keeping the dev external-id secret: %w", err)
	}
	return []byte(value), false, nil
}
