package backoff

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestDelayDoublesToTheCap(t *testing.T) {
	b := Exp{Base: time.Second, Max: 5 * time.Second}
	var got []time.Duration
	for n := 1; n <= 5; n++ {
		got = append(got, b.Delay(n))
	}
	want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 5 * time.Second, 5 * time.Second}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("delays %v, want %v", got, want)
	}
	if d := (Exp{Base: time.Second}).Delay(4); d != time.Second {
		t.Errorf("no Max: %s, want the base unchanged", d)
	}
}

func TestJitterIsEqualJitter(t *testing.T) {
	b := Exp{Base: time.Second, Max: 5 * time.Second, Jitter: true, Rand: func() float64 { return 0 }}
	if d := b.Delay(1); d != 500*time.Millisecond {
		t.Errorf("lowest jitter %s, want half the base", d)
	}
	b.Rand = func() float64 { return 0.999999 }
	if d := b.Delay(3); d < 3900*time.Millisecond || d >= 4*time.Second {
		t.Errorf("highest jitter of 4s: %s", d)
	}
}

func TestUntil(t *testing.T) {
	b := Exp{Base: time.Millisecond, Max: 2 * time.Millisecond}
	calls := 0
	err := Until(context.Background(), b, time.Second, "waiting", func() (bool, error) {
		calls++
		return calls == 3, nil
	})
	if err != nil || calls != 3 {
		t.Errorf("done on the third try: %v after %d calls", err, calls)
	}
	boom := errors.New("boom")
	if err := Until(context.Background(), b, time.Second, "waiting", func() (bool, error) { return false, boom }); err != boom {
		t.Errorf("a failing try: %v, want its error unchanged", err)
	}
	err = Until(context.Background(), Exp{Base: time.Hour}, time.Second, "waiting for x", func() (bool, error) { return false, nil })
	if err == nil || !strings.Contains(err.Error(), "waiting for x: still not done after 1s") {
		t.Errorf("timeout: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err = Until(ctx, b, time.Hour, "waiting for y", func() (bool, error) { return false, nil })
	if !errors.Is(err, context.Canceled) || !strings.HasPrefix(err.Error(), "waiting for y: ") {
		t.Errorf("cancelled: %v", err)
	}
}
