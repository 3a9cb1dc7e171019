// Package moto runs a real AWS API emulator (moto_server) for the tests of every
// package that speaks to AWS through aws-sdk-go-v2. One server serves a test
// binary; tests reset it between each other.
//
// A missing moto_server fails the run with a message saying how to install it:
// these tests never skip silently.
package moto

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"
)

// Server is a running moto_server.
type Server struct {
	URL string
	cmd *exec.Cmd
	log bytes.Buffer
}

// Start launches moto_server on a free 127.0.0.1 port and waits until it answers.
func Start() (*Server, error) {
	bin, err := exec.LookPath("moto_server")
	if err != nil {
		return nil, fmt.Errorf("moto_server not found on PATH: the AWS tests need the moto emulator (pip install 'moto[server]==5.2.1')")
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	s := &Server{URL: "http://127.0.0.1:" + strconv.Itoa(port)}
	s.cmd = exec.Command(bin, "-H", "127.0.0.1", "-p", strconv.Itoa(port))
	s.cmd.Stdout = &s.log
	s.cmd.Stderr = &s.log
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting moto_server: %w", err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(s.URL + "/moto-api/")
		if err == nil {
			resp.Body.Close()
			return s, nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	s.Stop()
	return nil, fmt.Errorf("moto_server did not answer on %s within 60s; its output:\n%s", s.URL, s.log.String())
}

// Stop ends the server.
func (s *Server) Stop() {
	if s.cmd != nil && s.cmd.Process != nil {
		_ = s.cmd.Process.Kill()
		_ = s.cmd.Wait()
	}
}

// Reset forgets every resource the emulator holds.
func (s *Server) Reset(t testing.TB) {
	t.Helper()
	s.post(t, "/moto-api/reset", nil)
}

// Seed makes the emulator's random ids (account ids, resource ids) repeatable.
func (s *Server) Seed(t testing.TB, seed int) {
	t.Helper()
	s.post(t, "/moto-api/seed?a="+strconv.Itoa(seed), nil)
}

// Post sends a request to one of moto's own endpoints (e.g. the static Cost
// Explorer results) and fails the test on anything but 200.
func (s *Server) Post(t testing.TB, path string, body []byte) {
	t.Helper()
	s.post(t, path, body)
}

func (s *Server) post(t testing.TB, path string, body []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("moto %s: %v", path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("moto %s: HTTP %d", path, resp.StatusCode)
	}
}

// Env points the AWS SDK at the server with dummy credentials, for tests and for
// child processes (the CLI end to end).
func (s *Server) Env() map[string]string {
	return map[string]string{
		"AWS_ENDPOINT_URL":            s.URL,
		"AWS_ACCESS_KEY_ID":           "testing",
		"AWS_SECRET_ACCESS_KEY":       "testing",
		"AWS_SESSION_TOKEN":           "",
		"AWS_REGION":                  "us-east-1",
		"AWS_DEFAULT_REGION":          "us-east-1",
		"AWS_CONFIG_FILE":             os.DevNull,
		"AWS_SHARED_CREDENTIALS_FILE": os.DevNull,
		"AWS_EC2_METADATA_DISABLED":   "true",
	}
}

// Main is a TestMain body: it starts the server, points the SDK at it through
// the environment, runs the tests and stops the server. Tests reach the server
// through Shared.
func Main(m *testing.M) int {
	s, err := Start()
	if err != nil {
		fmt.Fprintln(os.Stderr, "FAIL:", err)
		return 1
	}
	defer s.Stop()
	for k, v := range s.Env() {
		os.Setenv(k, v)
	}
	shared = s
	return m.Run()
}

var shared *Server

// Shared returns the server Main started, reset for the calling test.
func Shared(t testing.TB) *Server {
	t.Helper()
	if shared == nil {
		t.Fatal("moto.Shared: the package's TestMain must call moto.Main")
	}
	shared.Reset(t)
	return shared
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("finding a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
