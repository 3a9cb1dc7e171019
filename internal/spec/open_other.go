//go:build !unix

package spec

import "os"

// openNoFollow opens a file for reading; readFile checks the opened file is
// regular before reading it.
func openNoFollow(path string) (*os.File, error) { return os.Open(path) }
