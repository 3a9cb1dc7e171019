package runner

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"sync"
)

// FileLogs opens per-stack engine logs under dir (<dir>/<stack>.log). Every
// complete line goes to the file as soon as it is written, so the log of a
// stack that was running when the rollout died (kill -9, a lost CI runner)
// holds everything the engine said up to its last line.
func FileLogs(dir string) func(stack string) (io.WriteCloser, error) {
	return func(stack string) (io.WriteCloser, error) {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
		f, err := os.OpenFile(filepath.Join(dir, stack+".log"), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
		if err != nil {
			return nil, err
		}
		l := &lineFile{f: f}
		l.lineStream.file = l
		return l, nil
	}
}

// maxPartialLine bounds the text held back waiting for a newline: a longer
// line is written through in pieces rather than kept in memory.
const maxPartialLine = 32 << 10

// lineFile writes whole lines through to its file, so a crash loses at most the
// unfinished last line. The engine's stdout and stderr copiers write at once and
// in pieces of any size: each gets a lineStream of its own (Stream), holding its
// unfinished tail until its newline arrives, and the mutex keeps each line's
// write whole, so one copier's text never lands inside the other's line.
type lineFile struct {
	mu      sync.Mutex
	f       *os.File
	streams []*lineStream
	lineStream
}

// lineStream is one writer's unfinished line.
type lineStream struct {
	file    *lineFile
	partial []byte
}

// Stream returns another writer into the same file with its own line buffer:
// for a second stream (the engine's stderr) beside the file's own Write.
func (l *lineFile) Stream() io.Writer {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := &lineStream{file: l}
	l.streams = append(l.streams, s)
	return s
}

func (s *lineStream) Write(p []byte) (int, error) {
	l := s.file
	l.mu.Lock()
	defer l.mu.Unlock()
	s.partial = append(s.partial, p...)
	end := bytes.LastIndexByte(s.partial, '\n') + 1
	if len(s.partial) > maxPartialLine {
		end = len(s.partial)
	}
	if end == 0 {
		return len(p), nil
	}
	_, err := l.f.Write(s.partial[:end])
	s.partial = append(s.partial[:0], s.partial[end:]...)
	if err != nil {
		return 0, err
	}
	return len(p), nil
}

// Close writes every stream's unfinished last line and closes the file: the
// other streams' each ended by a newline, so they cannot run together, and the
// file's own last, as it is.
func (l *lineFile) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	var err error
	for _, s := range l.streams {
		if len(s.partial) > 0 && err == nil {
			_, err = l.f.Write(append(s.partial, '\n'))
		}
		s.partial = nil
	}
	if len(l.partial) > 0 && err == nil {
		_, err = l.f.Write(l.partial)
	}
	l.partial = nil
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	return err
}

// SecondStream is a writer for a second stream into log: its own line buffer
// when log is a stack log of FileLogs, log itself otherwise.
func SecondStream(log io.Writer) io.Writer {
	if l, ok := log.(interface{ Stream() io.Writer }); ok {
		return l.Stream()
	}
	return log
}
