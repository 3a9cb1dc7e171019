//go:build unix

package spec

import (
	"os"
	"syscall"
)

// openNoFollow opens a file for reading without following a symbolic link in
// its last element (O_NOFOLLOW) and without blocking on a FIFO (O_NONBLOCK),
// so a file swapped for a link or a pipe after it was checked is not read.
func openNoFollow(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
}
