// Package moto runs a real AWS API emulator (moto_server) for the tests of every
// package that speaks to AWS through aws-sdk-go-v2. One server serves a test
// binary; tests reset it between each other.
//
// A missing moto_server fails the run with a message saying how to install it:
// these tests never skip silently.
package moto

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"

	"github.com/tenantctl/tenantctl/internal/emulator"
)

// Server is a running moto_server.
type Server struct {
	URL  string
	moto *emulator.Moto
}

// Start launches moto_server on a free 127.0.0.1 port and waits until it
// answers. It does not load AWS managed policies: the tests that speak to
// AWS through the SDK vend many accounts, loading them costs a tenth of a
// second per account (ten times the tests' run time), and those tests
// declare the gap instead (gaps.AWSManagedPolicies). env (KEY=value)
// overrides that and emulator.MotoEnv: a test of dev up against an emulator
// it did not start passes MOTO_IAM_LOAD_MANAGED_POLICIES=true, as a user must.
func Start(env ...string) (*Server, error) {
	m, err := emulator.StartMoto(context.Background(), nil, append([]string{"MOTO_IAM_LOAD_MANAGED_POLICIES=false"}, env...)...)
	if err != nil {
		return nil, err
	}
	return &Server{URL: m.URL, moto: m}, nil
}

// Stop ends the server.
func (s *Server) Stop() { s.moto.Stop() }

// Reset forgets every resource the emulator holds.
func (s *Server) Reset(t testing.TB) {
	t.Helper()
	s.Post(t, "/moto-api/reset", nil)
}

// Seed makes the emulator's random ids (account ids, resource ids) repeatable.
func (s *Server) Seed(t testing.TB, seed int) {
	t.Helper()
	s.Post(t, "/moto-api/seed?a="+strconv.Itoa(seed), nil)
}

// Post sends a request to one of moto's own endpoints (e.g. the static Cost
// Explorer results) and fails the test on anything but 2xx.
func (s *Server) Post(t testing.TB, path string, body []byte) {
	t.Helper()
	if err := emulator.Post(context.Background(), s.URL, path, body); err != nil {
		t.Fatal(err)
	}
}

// Env points the AWS SDK at the server with dummy credentials, for tests and for
// child processes (the CLI end to end).
func (s *Server) Env() map[string]string { return emulator.SDKEnv(s.URL) }

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
