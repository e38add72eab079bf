package expiry

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// memoryCounts are the two tree sizes TestMemoryIsFlat compares; the
// benchmark script sets VIRT_PKI_EXPIRY_MEMORY=10000,100000.
func memoryCounts(t *testing.T) (small, large int) {
	small, large = 2000, 20000
	if v := os.Getenv("VIRT_PKI_EXPIRY_MEMORY"); v != "" {
		a, b, ok := strings.Cut(v, ",")
		var err1, err2 error
		small, err1 = strconv.Atoi(a)
		large, err2 = strconv.Atoi(b)
		if !ok || err1 != nil || err2 != nil || small <= 0 || large <= small {
			t.Fatalf("VIRT_PKI_EXPIRY_MEMORY=%q: want SMALL,LARGE", v)
		}
	}
	return small, large
}

// writeTree writes n certificate files, 1000 per directory.
func writeTree(t *testing.T, dir string, n int, pem []byte) {
	t.Helper()
	for i := range n {
		sub := filepath.Join(dir, fmt.Sprintf("d%03d", i/1000))
		if i%1000 == 0 {
			if err := os.MkdirAll(sub, 0o755); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.WriteFile(filepath.Join(sub, fmt.Sprintf("host%06d.pem", i)), pem, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// heapPeak runs f while sampling the live-object heap and returns the
// largest value seen.
func heapPeak(f func()) uint64 {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() uint64 { metrics.Read(sample); return sample[0].Value.Uint64() }
	runtime.GC()
	var peak atomic.Uint64
	peak.Store(read())
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				if v := read(); v > peak.Load() {
					peak.Store(v)
				}
			}
		}
	}()
	f()
	close(done)
	<-stopped
	if v := read(); v > peak.Load() {
		peak.Store(v)
	}
	return peak.Load()
}

func liveHeap() uint64 {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(sample)
	return sample[0].Value.Uint64()
}

// TestMemoryIsFlat scans a tree of small and of large size. Streaming
// (what --sort=false does) must not grow with the number of files at all;
// a sorted scan keeps one Record per certificate, and its live heap may
// grow by at most maxRecordBytes per certificate — no certificate or file
// content is retained.
func TestMemoryIsFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("writes tens of thousands of files")
	}
	const maxRecordBytes = 768
	const streamingSlack = 4 << 20
	small, large := memoryCounts(t)
	f := newFixtures(t)
	pem := f.soon.CertPEM()
	smallDir, largeDir := t.TempDir(), t.TempDir()
	writeTree(t, smallDir, small, pem)
	writeTree(t, largeDir, large, pem)
	opts := Options{Policy: policy()}

	stream := func(dir string, want int) uint64 {
		n := 0
		peak := heapPeak(func() {
			if err := Scan(context.Background(), []Target{{Dir, dir}}, opts, func(r Record) {
				if r.Status == Fail {
					n++
				}
			}); err != nil {
				t.Fatal(err)
			}
		})
		if n != want {
			t.Fatalf("streamed %d failing records, want %d", n, want)
		}
		return peak
	}
	collect := func(dir string, want int) uint64 {
		before := liveHeap()
		recs, sum, err := Collect(context.Background(), []Target{{Dir, dir}}, opts)
		if err != nil || sum.Fail != want {
			t.Fatalf("collected %+v, %v", sum, err)
		}
		after := liveHeap()
		runtime.KeepAlive(recs)
		return after - min(before, after)
	}

	ps, pl := stream(smallDir, small), stream(largeDir, large)
	t.Logf("streaming peak heap: %d files %.1f MiB, %d files %.1f MiB", small, mib(ps), large, mib(pl))
	if pl > ps+streamingSlack {
		t.Errorf("streaming heap grew with the file count: %.1f MiB → %.1f MiB", mib(ps), mib(pl))
	}
	cs, cl := collect(smallDir, small), collect(largeDir, large)
	per := float64(cl-min(cs, cl)) / float64(large-small)
	t.Logf("sorted: records retain %.1f MiB for %d files, %.1f MiB for %d files: %.0f bytes per certificate", mib(cs), small, mib(cl), large, per)
	if per > maxRecordBytes {
		t.Errorf("sorted scan keeps %.0f bytes per certificate, budget %d", per, maxRecordBytes)
	}
}

func mib(b uint64) float64 { return float64(b) / (1 << 20) }
