package runner_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tenantctl/tenantctl/internal/rollout/journal"
	"github.com/tenantctl/tenantctl/internal/rollout/outcome"
	"github.com/tenantctl/tenantctl/internal/rollout/plan"
	"github.com/tenantctl/tenantctl/internal/rollout/rollouttest"
	"github.com/tenantctl/tenantctl/internal/rollout/runner"
)

// BenchmarkRollout runs N = 1,000 simulated stacks of 20ms and of 100ms each,
// K = 32 at a time, journaled to a real fsync'd file or to memory. It reports the makespan against the
// ideal ceil(N/K) × stack time (nominal, and as measured inside the simulated
// engine), the scheduler's overhead per stack, the peak
// goroutine count (O(K)) and the heap allocated per stack.
func BenchmarkRollout(b *testing.B) {
	for _, stackTime := range []time.Duration{20 * time.Millisecond, 100 * time.Millisecond} {
		b.Run(fmt.Sprintf("stack=%s/journal=fsync", stackTime), func(b *testing.B) {
			benchRollout(b, stackTime, func() (*journal.Journal, error) { return journal.Create(filepath.Join(b.TempDir(), "r.jsonl")) })
		})
		b.Run(fmt.Sprintf("stack=%s/journal=memory", stackTime), func(b *testing.B) {
			benchRollout(b, stackTime, func() (*journal.Journal, error) { return journal.New(io.Discard), nil })
		})
	}
}

func benchRollout(b *testing.B, stackTime time.Duration, journal func() (*journal.Journal, error)) {
	const n, k = 1000, 32
	ideal := time.Duration((n+k-1)/k) * stackTime
	p := newPlan(b, targets(n), plan.WaveOptions{Mode: plan.ModeSoft, MaxConcurrency: plan.Quantity{N: k}})
	var total, measured time.Duration
	var peakG atomic.Int64
	base := int64(runtime.NumGoroutine())
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		j, err := journal()
		if err != nil {
			b.Fatal(err)
		}
		sim := &rollouttest.Sim{Latency: stackTime}
		r := &runner.Runner{Deployer: sim, Journal: j, Retry: runner.Retry{Attempts: 1},
			Logs: func(string) (io.WriteCloser, error) { return nopWC{}, nil },
			Observe: func(runner.Progress) {
				if g := int64(runtime.NumGoroutine()) - base; g > peakG.Load() {
					peakG.Store(g)
				}
			}}
		b.StartTimer()
		start := time.Now()
		out, err := r.Run(context.Background(), p, nil)
		took := time.Since(start)
		b.StopTimer()
		j.Close()
		if err != nil || out.Status != outcome.StatusSucceeded || sim.Peak() > k {
			b.Fatalf("status %v err %v peak %d", out.Status, err, sim.Peak())
		}
		total += took
		measured += sim.MeanStackTime()
		b.StartTimer()
	}
	mean := total / time.Duration(b.N)
	b.ReportMetric(float64(mean)/float64(ideal), "makespan/ideal")
	// Against the stack time the simulated stacks really took (a timer
	// overshoots its duration by up to a millisecond on a busy machine), the
	// ratio isolates what the scheduler and journal add.
	stack := measured / time.Duration(b.N)
	b.ReportMetric(float64(mean)/float64(time.Duration((n+k-1)/k)*stack), "makespan/measured-ideal")
	b.ReportMetric(float64(stack)/1e6, "measured-stack-ms")
	b.ReportMetric(float64(mean-ideal)/n/1e3, "overhead-µs/stack")
	b.ReportMetric(float64(peakG.Load()), "peak-goroutines")
}

// BenchmarkSchedulerOverhead is the scheduler alone: zero-latency stacks, an
// in-memory journal; ns/op is per stack.
func BenchmarkSchedulerOverhead(b *testing.B) {
	const k = 32
	p := newPlan(b, targets(b.N), plan.WaveOptions{Mode: plan.ModeSoft, MaxConcurrency: plan.Quantity{N: k}})
	var buf bytes.Buffer
	r := &runner.Runner{Deployer: &rollouttest.Sim{}, Journal: journal.New(&buf), Retry: runner.Retry{Attempts: 1}}
	b.ReportAllocs()
	b.ResetTimer()
	if _, err := r.Run(context.Background(), p, nil); err != nil {
		b.Fatal(err)
	}
}

type nopWC struct{}

func (nopWC) Write(p []byte) (int, error) { return len(p), nil }
func (nopWC) Close() error                { return nil }
