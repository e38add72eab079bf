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

// unitFiles is the tree size of the always-on memory tests: big enough
// that keeping a record per certificate shows above the noise of a forced
// collection, small enough to write in a few milliseconds.
const unitFiles = 1000

// writeTree writes n certificate files, 1000 per directory.
func writeTree(t testing.TB, dir string, n int, pem []byte) {
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

// liveHeap is the heap held by reachable objects right after a full
// collection: deterministic up to what other goroutines allocate.
func liveHeap() uint64 {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(sample)
	return sample[0].Value.Uint64()
}

// TestStreamingKeepsNoRecords: while Scan streams, what it holds after a
// quarter of the records and after the last one is the same up to a slack
// far below what keeping the records would cost. The heap is measured
// after a forced collection inside the callback, not sampled by a timer.
func TestStreamingKeepsNoRecords(t *testing.T) {
	const slack = 96 << 10 // keeping 750 records costs ~330 KiB
	f := newFixtures(t)
	dir := t.TempDir()
	writeTree(t, dir, unitFiles, f.soon.CertPEM())
	var n int
	var early, late uint64
	err := Scan(context.Background(), []Target{{Dir, dir}}, Options{Policy: policy(), Workers: 2}, func(r Record) {
		if r.Status != Fail {
			t.Errorf("%s: %s %s", r.Label(), r.Status, r.Reason)
		}
		n++
		switch n {
		case unitFiles / 4:
			early = liveHeap()
		case unitFiles:
			late = liveHeap()
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != unitFiles {
		t.Fatalf("streamed %d records, want %d", n, unitFiles)
	}
	grew := int64(late) - int64(early)
	t.Logf("live heap after %d records %d B, after %d records %d B (%+d B)", unitFiles/4, early, unitFiles, late, grew)
	if grew > slack {
		t.Errorf("streaming held %d more bytes after %d more records: records are being kept", grew, unitFiles-unitFiles/4)
	}
}

// TestCollectRetainsSmallRecords: a sorted scan keeps one Record per
// certificate and nothing of the certificate itself. The bound is loose
// (the measured size is about 450 bytes; scripts/bench-expiry checks the
// 768-byte budget at 10,000 and 100,000 files).
func TestCollectRetainsSmallRecords(t *testing.T) {
	const bound = 2048
	f := newFixtures(t)
	dir := t.TempDir()
	writeTree(t, dir, unitFiles, f.soon.CertPEM())
	before := liveHeap()
	recs, sum, err := Collect(context.Background(), []Target{{Dir, dir}}, Options{Policy: policy(), Workers: 2})
	if err != nil || sum.Fail != unitFiles || len(recs) != unitFiles {
		t.Fatalf("collected %d records, %+v, %v", len(recs), sum, err)
	}
	after := liveHeap()
	runtime.KeepAlive(recs)
	per := (float64(after) - float64(before)) / unitFiles
	t.Logf("%d records retain %.0f bytes each", unitFiles, per)
	if per > bound {
		t.Errorf("sorted scan keeps %.0f bytes per certificate, bound %d", per, bound)
	}
}

// memoryCounts are the tree sizes of TestMemoryIsFlat, which runs only on
// request: VIRT_PKI_MEMORY_TEST=1 (2,000 and 20,000 files) or
// VIRT_PKI_EXPIRY_MEMORY=SMALL,LARGE (scripts/bench-expiry sets
// 10000,100000).
func memoryCounts(t *testing.T) (small, large int) {
	v := os.Getenv("VIRT_PKI_EXPIRY_MEMORY")
	if v == "" {
		if os.Getenv("VIRT_PKI_MEMORY_TEST") != "1" {
			t.Skip("writes tens of thousands of files: set VIRT_PKI_MEMORY_TEST=1 (or run scripts/bench-expiry)")
		}
		return 2000, 20000
	}
	a, b, ok := strings.Cut(v, ",")
	var err1, err2 error
	small, err1 = strconv.Atoi(a)
	large, err2 = strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || small <= 0 || large <= small {
		t.Fatalf("VIRT_PKI_EXPIRY_MEMORY=%q: want SMALL,LARGE", v)
	}
	return small, large
}

// heapPeak runs f while sampling the live-object heap and returns the
// largest value seen. Sampling depends on timing and collections, which
// is why only the opt-in measurement uses it.
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

// TestMemoryIsFlat (opt-in, see memoryCounts) scans a tree of small and
// of large size. Streaming (what --sort=false does) must not grow with the
// number of files; a sorted scan's live heap may grow by at most
// maxRecordBytes per certificate.
func TestMemoryIsFlat(t *testing.T) {
	small, large := memoryCounts(t)
	const maxRecordBytes = 768
	const streamingSlack = 4 << 20
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
