package spec

// Finding and reading the files of a tenants directory safely: which names are
// tenant files, what is refused (links, devices, subdirectories, huge files)
// and why. Nothing here parses YAML.

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// MaxFileSize bounds a tenant or settings file; real ones are a few hundred bytes,
// and the bound keeps a stray huge file from eating the PR check's memory.
const MaxFileSize = 256 << 10

func isYAMLName(name string) bool {
	return strings.HasSuffix(name, ".yaml") || strings.HasSuffix(name, ".yml")
}

// hasYAMLExt reports whether name ends in .yaml or .yml in any case (.YAML, .Yml).
func hasYAMLExt(name string) bool {
	ext := strings.ToLower(filepath.Ext(name))
	return ext == ".yaml" || ext == ".yml"
}

// wrongExtCase is the message for a file whose YAML extension is not lowercase:
// it would look like a tenant file to a reviewer but never be read.
func wrongExtCase(name string) string {
	ext := filepath.Ext(name)
	return fmt.Sprintf("the extension %s is not lowercase, so this file is not read as a tenant file; rename it to %s (or remove it)",
		ext, strings.TrimSuffix(name, ext)+strings.ToLower(ext))
}

// checkSubdir reports every YAML file below a subdirectory of the tenants
// directory: tenantctl reads only the files directly inside it, and a tenant
// file someone put in a subdirectory would otherwise be silently left out of
// the fleet (never validated, never deployed). Symbolic links are not followed.
func checkSubdir(dir, sub string, e *errs) {
	_ = filepath.WalkDir(sub, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			e.at(&Source{File: path}, "", "cannot read: %v", err)
			return nil
		}
		if !hasYAMLExt(d.Name()) {
			return nil
		}
		e.at(&Source{File: path}, "", "a YAML file in a subdirectory of the tenants directory %s is not read; tenant files live directly in it: move it to %s, or out of the tenants directory", dir, filepath.Join(dir, d.Name()))
		if d.IsDir() {
			return filepath.SkipDir
		}
		return nil
	})
}

// checkSize refuses files over MaxFileSize before they are parsed.
func checkSize(src *Source, n int64, e *errs) bool {
	if n > MaxFileSize {
		e.at(src, "", "file is %d bytes, more than the %d allowed; a tenant file holds one tenant of a few hundred bytes, check that the right file is here", n, MaxFileSize)
		return false
	}
	return true
}

// readFile reads a settings or tenant file: only a regular file directly in the
// tenants directory, never through a symbolic link, and at most MaxFileSize
// bytes. A committed `x.yaml -> /dev/zero` would otherwise exhaust memory, a
// FIFO would block the check forever, and a link out of the directory would
// load a file the pull request does not show. Symbolic links inside the
// directory are refused too: a link to another tenant file can never be valid
// (the id must match the link's own name), and refusing every link keeps the
// rule simple — what a review shows is what is loaded.
func readFile(path string, e *errs) ([]byte, bool) {
	src := &Source{File: path}
	fi, err := os.Lstat(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) && filepath.Base(path) == SettingsFile {
			e.at(src, "", "missing: the fleet-wide settings (tiers, shared network, OUs) live in %s; copy the sample from the README", SettingsFile)
		} else {
			e.at(src, "", "cannot read: %v", err)
		}
		return nil, false
	}
	if !fi.Mode().IsRegular() {
		e.at(src, "", "%s", notRegular(path, fi.Mode()))
		return nil, false
	}
	if !checkSize(src, fi.Size(), e) {
		return nil, false
	}
	// Opened without following links and without blocking, then checked
	// again: the file may have been replaced since Lstat.
	f, err := openNoFollow(path)
	if err != nil {
		e.at(src, "", "cannot read: %v", err)
		return nil, false
	}
	defer f.Close()
	if fi, err = f.Stat(); err != nil || !fi.Mode().IsRegular() {
		if err == nil {
			e.at(src, "", "%s", notRegular(path, fi.Mode()))
		} else {
			e.at(src, "", "cannot read: %v", err)
		}
		return nil, false
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		e.at(src, "", "cannot read: %v", err)
		return nil, false
	}
	if !checkSize(src, int64(len(data)), e) { // it grew since Stat
		return nil, false
	}
	return data, true
}

// notRegular says what a file that is not a regular file is, and the fix.
func notRegular(path string, mode fs.FileMode) string {
	const fix = "settings and tenant files must be regular files directly in the tenants directory; replace it with the file itself, or remove it"
	switch {
	case mode&fs.ModeSymlink != 0:
		where := "inside"
		if !linkStaysIn(path) {
			where = "outside"
		}
		target, _ := os.Readlink(path)
		return fmt.Sprintf("a symbolic link to %s, which resolves %s the tenants directory; links are not followed: %s", target, where, fix)
	case mode.IsDir():
		return "a directory, not a file; " + fix
	case mode&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO), not a file; " + fix
	case mode&fs.ModeSocket != 0:
		return "a socket, not a file; " + fix
	case mode&fs.ModeDevice != 0:
		return "a device, not a file; " + fix
	}
	return "not a regular file; " + fix
}

// linkStaysIn reports whether the symbolic link at path resolves to a path
// inside its own directory (resolved too). It only resolves names; it never
// opens the target.
func linkStaysIn(path string) bool {
	dir, err := filepath.EvalSymlinks(filepath.Dir(path))
	if err != nil {
		return false
	}
	target, err := filepath.EvalSymlinks(path)
	if err != nil {
		return false
	}
	rel, err := filepath.Rel(dir, target)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}
