package plan

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// RealPath is dir made absolute with every symlink resolved: the one name of a
// directory whatever path reached it.
func RealPath(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	return filepath.EvalSymlinks(abs)
}

// BackendKey is the one name of a state backend URL: for file:// the backend
// directory's real path (of its nearest existing ancestor when it is not
// created yet, so its name does not change once the engine creates it), for any
// other scheme the URL with its scheme and host in lower case, without query
// (region and SDK options do not change which store it is) and without a
// trailing slash.
func BackendKey(backend string) (string, error) {
	if dir, ok := fileBackendDir(backend); ok {
		real, err := resolve(dir)
		if err != nil {
			return "", fmt.Errorf("backend %s: %w", backend, err)
		}
		return "file://" + real, nil
	}
	u, err := url.Parse(backend)
	if err != nil || u.Scheme == "" {
		return "", fmt.Errorf("backend %q: not a URL (want file://<dir>, s3://<bucket>, https://api.pulumi.com, …)", backend)
	}
	return strings.ToLower(u.Scheme) + "://" + strings.ToLower(u.Host) + strings.TrimRight(u.Path, "/"), nil
}

// resolve is RealPath of a path that may not exist yet: the real path of its
// nearest existing ancestor, joined with the rest.
func resolve(p string) (string, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	rest := ""
	for {
		real, err := filepath.EvalSymlinks(abs)
		if err == nil {
			return filepath.Join(real, rest), nil
		}
		if !errors.Is(err, os.ErrNotExist) {
			return "", err
		}
		parent := filepath.Dir(abs)
		if parent == abs {
			return "", err
		}
		rest = filepath.Join(filepath.Base(abs), rest)
		abs = parent
	}
}

// fileBackendDir is the directory of a file:// backend, with "~" the home
// directory as the engine reads it.
func fileBackendDir(backend string) (string, bool) {
	p, ok := strings.CutPrefix(backend, "file://")
	if !ok {
		return "", false
	}
	if p == "~" || strings.HasPrefix(p, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			p = filepath.Join(home, p[1:])
		}
	}
	return p, true
}
