package spec

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
)

// SettingsFile is the name of the fleet-wide settings file inside the tenants directory.
const SettingsFile = "fleet.yaml"

// LoadDir reads tenants/fleet.yaml and every other tenants/*.yaml strictly, applies
// defaults and validates each file and the fleet (Finish). On any problem it
// returns the fleet as far as it could be read, not Validated, together with an
// ErrorList of every problem.
func LoadDir(dir string) (*Fleet, error) {
	f, err := ReadDir(dir)
	if err != nil {
		var list ErrorList
		if !errors.As(err, &list) {
			return nil, err
		}
	}
	if f.Settings.Source.tree == nil {
		// Without readable settings every tenant check would fail on the tiers;
		// report what kept the settings from loading and stop there.
		return f, err
	}
	verr := Finish(f)
	if err != nil {
		// A file that did not decode is missing from the fleet: it is not the
		// fleet the directory holds, however valid the rest.
		f.validated = false
	}
	return f, JoinLists(err, verr)
}

// Finish applies defaults to a fleet and validates it, as LoadDir does with the
// fleet it reads, and marks it Validated when nothing is wrong. Tests and tools
// that build a fleet in memory finish it with this before handing it to the
// models, which refuse a fleet that is not Validated.
func Finish(f *Fleet) error {
	SetDefaults(f)
	err := Validate(f)
	f.validated = err == nil
	return err
}

// ReadDir decodes the settings and tenant files of a directory without defaults or
// validation. Errors are an ErrorList of every decoding problem, or an I/O error.
func ReadDir(dir string) (*Fleet, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("reading tenants directory: %w", err)
	}
	f := &Fleet{Dir: dir}
	var e errs
	settingsPath := filepath.Join(dir, SettingsFile)
	if data, ok := readFile(settingsPath, &e); ok {
		f.addSettings(settingsPath, data, &e)
	}
	var paths []string
	for _, ent := range entries {
		name := ent.Name()
		path := filepath.Join(dir, name)
		switch {
		case name == SettingsFile:
		case ent.IsDir():
			// A directory named *.yaml is refused like any file that is not
			// regular; tenant files below a subdirectory are never read, so
			// they are reported rather than silently left out of the fleet.
			if isYAMLName(name) {
				paths = append(paths, path)
			} else {
				checkSubdir(dir, path, &e)
			}
		case isYAMLName(name):
			paths = append(paths, path)
		case hasYAMLExt(name):
			e.at(&Source{File: path}, "", "%s", wrongExtCase(name))
		}
	}
	f.addTenants(len(paths), func(i int, e *errs) (string, []byte, bool) {
		data, ok := readFile(paths[i], e)
		return paths[i], data, ok
	}, &e)
	f.sortTenants()
	return f, e.err()
}

// ParseFleet decodes a fleet from file contents already in memory (e.g. read from
// git at another revision), keyed by file name inside dir, and applies defaults.
// It does not validate: a previous state is compared against, not judged.
func ParseFleet(dir string, files map[string][]byte) (*Fleet, error) {
	f := &Fleet{Dir: dir}
	var e errs
	if data, ok := files[SettingsFile]; ok {
		path := filepath.Join(dir, SettingsFile)
		if checkSize(&Source{File: path}, int64(len(data)), &e) {
			f.addSettings(path, data, &e)
		}
	}
	var names []string
	for _, name := range sortedKeys(files) {
		if name != SettingsFile && isYAMLName(name) {
			names = append(names, name)
		}
	}
	f.addTenants(len(names), func(i int, e *errs) (string, []byte, bool) {
		path, data := filepath.Join(dir, names[i]), files[names[i]]
		return path, data, checkSize(&Source{File: path}, int64(len(data)), e)
	}, &e)
	f.sortTenants()
	SetDefaults(f)
	return f, e.err()
}

func (f *Fleet) addSettings(path string, data []byte, e *errs) {
	f.Settings.Source = Source{File: path}
	decodeFile(data, &f.Settings, &f.Settings.Source, e)
}

// addTenants reads and decodes n tenant files on every CPU: decoding is the bulk
// of loading a large fleet and the files are independent. Tenants and errors keep
// the order of the files, so the result does not depend on scheduling.
func (f *Fleet) addTenants(n int, read func(i int, e *errs) (path string, data []byte, ok bool), e *errs) {
	tenants := make([]*Tenant, n)
	lists := make([]ErrorList, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < min(runtime.GOMAXPROCS(0), n); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				var fe errs
				if path, data, ok := read(i, &fe); ok {
					t := &Tenant{Source: Source{File: path}}
					if decodeFile(data, t, &t.Source, &fe) {
						tenants[i] = t
					}
				}
				lists[i] = fe.list
			}
		}()
	}
	wg.Wait()
	for i, t := range tenants {
		if t != nil {
			f.Tenants = append(f.Tenants, t)
		}
		e.list = append(e.list, lists[i]...)
	}
}

func (f *Fleet) sortTenants() {
	sort.SliceStable(f.Tenants, func(i, j int) bool { return f.Tenants[i].ID < f.Tenants[j].ID })
}

// ParseTenant decodes one tenant file's bytes (used by the fuzz target and by
// tools that read a tenant from git). name is the file name shown in errors.
func ParseTenant(name string, data []byte) (*Tenant, error) {
	var e errs
	t := &Tenant{Source: Source{File: name}}
	if !checkSize(&t.Source, int64(len(data)), &e) {
		return nil, e.err()
	}
	if !decodeFile(data, t, &t.Source, &e) {
		return nil, e.err()
	}
	return t, e.err()
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
