// Package emulator runs and talks to a local AWS API emulator (moto_server): the
// dev loop (`tenantctl dev up`) starts one for a laptop fleet, and the tests of
// every package that speaks to AWS start one per test binary.
package emulator

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"time"
)

// MotoInstallHint says how to get moto_server when it is missing.
const MotoInstallHint = "install moto 5.2.1 (pip install 'moto[server]==5.2.1') or point --endpoint-url at a running emulator"

// Moto is a moto_server process this program started.
type Moto struct {
	URL string
	cmd *exec.Cmd
	mu  sync.Mutex
	log bytes.Buffer
}

// MotoEnv are the settings moto_server runs with, on top of the caller's
// environment:
//   - MOTO_ACM_VALIDATION_WAIT=0: moto issues a DNS-validated certificate only
//     after this many seconds (60 by default), and every stack with HTTPS
//     waits for its certificate's validation;
//   - MOTO_IAM_LOAD_MANAGED_POLICIES=true: moto knows AWS managed policies
//     (the ECS task execution policy the models attach) only when asked to
//     load them.
var MotoEnv = []string{"MOTO_ACM_VALIDATION_WAIT=0", "MOTO_IAM_LOAD_MANAGED_POLICIES=true"}

// MotoCommand is the one way tenantctl runs moto_server: the command serving on a
// free 127.0.0.1 port, not yet started, and the URL it will answer on; its
// environment is this process's with MotoEnv. Callers set its output, process
// attributes and, starting from cmd.Env, its environment, then Start it. It
// is not CommandContext: the emulator outlives the start-up context (dev up
// leaves it running), and its owner ends it.
func MotoCommand() (cmd *exec.Cmd, url string, err error) {
	bin, err := exec.LookPath("moto_server")
	if err != nil {
		return nil, "", fmt.Errorf("moto_server not found on PATH: %s", MotoInstallHint)
	}
	port, err := FreePort()
	if err != nil {
		return nil, "", err
	}
	cmd = exec.Command(bin, "-H", "127.0.0.1", "-p", strconv.Itoa(port))
	cmd.Env = append(os.Environ(), MotoEnv...)
	return cmd, "http://127.0.0.1:" + strconv.Itoa(port), nil
}

// StartMoto launches moto_server (MotoCommand), writing its output to logw as
// well as keeping it for error messages, and waits until it answers. env
// settings (KEY=value) override MotoEnv's.
func StartMoto(ctx context.Context, logw io.Writer, env ...string) (*Moto, error) {
	cmd, url, err := MotoCommand()
	if err != nil {
		return nil, err
	}
	// Of duplicate keys, exec uses the last.
	cmd.Env = append(cmd.Env, env...)
	m := &Moto{URL: url, cmd: cmd}
	out := io.Writer(&lockedWriter{mu: &m.mu, w: &m.log})
	if logw != nil {
		out = io.MultiWriter(out, logw)
	}
	m.cmd.Stdout = out
	m.cmd.Stderr = out
	if err := m.cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting moto_server: %w", err)
	}
	if err := WaitReady(ctx, m.URL, 60*time.Second); err != nil {
		m.Stop()
		m.mu.Lock()
		defer m.mu.Unlock()
		return nil, fmt.Errorf("%w; its output:\n%s", err, m.log.String())
	}
	return m, nil
}

// Pid is the emulator's process id.
func (m *Moto) Pid() int { return m.cmd.Process.Pid }

// Stop ends the emulator.
func (m *Moto) Stop() {
	if m.cmd != nil && m.cmd.Process != nil {
		_ = m.cmd.Process.Kill()
		_ = m.cmd.Wait()
	}
}

// WaitReady polls moto's own API until it answers or the timeout passes.
func WaitReady(ctx context.Context, url string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url+"/moto-api/", nil)
		if err != nil {
			return err
		}
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("the emulator did not answer on %s within %s", url, timeout)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// Post sends a request to one of moto's own endpoints (/moto-api/reset,
// /moto-api/seed, static Cost Explorer results, ...).
func Post(ctx context.Context, url, path string, body []byte) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("emulator %s: %w", path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return fmt.Errorf("emulator %s: HTTP %d %s", path, resp.StatusCode, bytes.TrimSpace(msg))
	}
	return nil
}

// SDKEnv is the environment that points the AWS SDK (and the Pulumi AWS
// provider's credential chain) at an emulator with dummy credentials.
func SDKEnv(url string) map[string]string {
	return map[string]string{
		"AWS_ENDPOINT_URL":            url,
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

// FreePort asks the kernel for a free loopback port.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("finding a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
