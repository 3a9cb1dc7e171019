package spec

import (
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

// generatedFiles is a valid fleet of n tenants as file contents: the sample
// settings with quotas raised to hold it, and tenants of every model spread
// the way a real fleet is (most pooled, few siloed).
func generatedFiles(tb testing.TB, n int) map[string][]byte {
	tb.Helper()
	settings, err := os.ReadFile(sampleDir + "/" + SettingsFile)
	if err != nil {
		tb.Fatal(err)
	}
	s := strings.NewReplacer("accountQuota: 10", "accountQuota: 100000", "vpcsPerRegion: 5", "vpcsPerRegion: 100000",
		"subnetsPerVpc: 200", "subnetsPerVpc: 100000",
		"naclRules: 20", "naclRules: 20\n  iamRoles: 100000\n  usagePlans: 100000\n  apiKeys: 100000\n  cognitoGroups: 100000",
	).Replace(string(settings))
	if !strings.Contains(s, "cognitoGroups: 100000") {
		tb.Fatalf("%s no longer has the awsLimits the generated fleet raises", SettingsFile)
	}
	files := map[string][]byte{SettingsFile: []byte(s)}
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("tenant-%06d", i)
		head := fmt.Sprintf("id: %s\nname: Tenant %d\ncostCenter: CC-%d\nowner: ops-%d@example.com\nlabels: {wave: w%d}\ntags: {Customer: c%d}\n", id, i, i%100, i, i%10, i)
		var body string
		switch i % 20 {
		case 0: // account
			body = fmt.Sprintf("tier: enterprise\nmodel: account\naccount: {id: \"%012d\"}\nnetwork: {cidr: 10.20.0.0/16}\n", 100000000000+i)
		case 1, 2: // vpc, in the SaaS account: distinct /24s of 172.16.0.0/12
			body = fmt.Sprintf("tier: enterprise\nmodel: vpc\nnetwork: {cidr: 172.%d.%d.0/24, azCount: 2}\n", 16+i/256%16, i%256)
		case 3, 4, 5, 6: // subnet: one /28 each in the shared VPC, above the platform's /22s
			o := 16*16 + i/20*4 + i%20 - 3 // the nth /28, past the first 16 /24s
			body = fmt.Sprintf("tier: premium\nmodel: subnet\nsubnets: [10.0.%d.%d/28]\nservice: {listenerPriority: %d}\n", o/16%256, o%16*16, 1+i%MaxPriority)
		case 7, 8, 9, 10, 11: // container
			body = fmt.Sprintf("tier: standard\nmodel: container\nservice: {listenerPriority: %d}\n", 1+i%MaxPriority)
		default: // application
			body = "tier: free\n"
		}
		files[id+".yaml"] = []byte(head + body)
	}
	return files
}

func benchFleet(b *testing.B, n int) *Fleet {
	f, err := ParseFleet("tenants", generatedFiles(b, n))
	if err != nil {
		b.Fatal(err)
	}
	if err := Validate(f); err != nil {
		b.Fatalf("generated fleet is invalid:\n%.2000s", err)
	}
	return f
}

func benchmarkValidate(b *testing.B, n int) {
	f := benchFleet(b, n)
	b.ReportAllocs()
	cpu := startCPU()
	for b.Loop() {
		if err := Validate(f); err != nil {
			b.Fatal(err)
		}
	}
	cpu.report(b)
}

// cpuClock reports the process's CPU time per operation next to ns/op: on a
// machine shared with other work, wall time per op says more about the
// neighbours than about the code.
type cpuClock struct{ start time.Duration }

func startCPU() cpuClock { return cpuClock{processCPU()} }

func (c cpuClock) report(b *testing.B) {
	b.ReportMetric(float64(processCPU()-c.start)/float64(b.N), "cpu-ns/op")
}

func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkValidate1k and 10k time the checks alone, per file and fleet-wide.
func BenchmarkValidate1k(b *testing.B)  { benchmarkValidate(b, 1_000) }
func BenchmarkValidate10k(b *testing.B) { benchmarkValidate(b, 10_000) }

func benchmarkLoad(b *testing.B, n int) {
	files := generatedFiles(b, n)
	b.ReportAllocs()
	cpu := startCPU()
	for b.Loop() {
		f, err := ParseFleet("tenants", files)
		if err == nil {
			err = Validate(f)
		}
		if err != nil {
			b.Fatal(err)
		}
	}
	cpu.report(b)
}

// BenchmarkLoad1k and 10k time what `tenantctl validate` does after reading the
// files: strict decoding, defaults and every check.
func BenchmarkLoad1k(b *testing.B)  { benchmarkLoad(b, 1_000) }
func BenchmarkLoad10k(b *testing.B) { benchmarkLoad(b, 10_000) }
