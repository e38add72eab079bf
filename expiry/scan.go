package expiry

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"syscall"
	"time"

	"github.com/virt-pki/virt-pki/internal/fileread"
	"github.com/virt-pki/virt-pki/tlsprobe"
)

// MaxWorkers is the largest Workers a scan accepts: beyond it more
// workers only cost memory (each holds a read buffer), never time.
const MaxWorkers = 1024

// Options tune a scan.
type Options struct {
	Policy Policy
	// Workers is how many files or endpoints are read at once; 0 means
	// four per CPU (reading is I/O bound). It is capped at MaxWorkers and,
	// since workers start only when there is work for them, at the number
	// of sources read.
	Workers int
	// Timeout bounds each live endpoint probe; 0 means 10 seconds.
	Timeout time.Duration
	// ServerChain fetches a live endpoint's certificates, leaf first; nil
	// means tlsprobe.ServerChain.
	ServerChain func(ctx context.Context, target string, timeout time.Duration) ([]*x509.Certificate, error)
	// MaxFileSize is the largest file read; 0 means 16 MiB.
	MaxFileSize int64
	// Progress, when set, is called with 1 after the records of each
	// source (a file, an endpoint or a problem, as Count counts them)
	// have been emitted, from the goroutine that calls emit.
	Progress func(n int)
}

type job struct {
	path     string
	endpoint bool
	lenient  bool // found by a directory walk
}

// Scan reads every target with a bounded pool of workers and calls emit for
// each record, from the calling goroutine, in completion order: the
// records of one file or endpoint arrive together, in file order. Problems
// with single sources (unreadable, garbage, unreachable, no match, a
// named pipe or device named like a certificate in a directory) are Error
// records and never stop the scan. Directories are walked in batches, so
// neither the walk nor the scan holds more than a few hundred entries and
// Workers files at a time. Scan returns ctx's error if it was cancelled.
func Scan(ctx context.Context, targets []Target, opts Options, emit func(Record)) error {
	if opts.Workers <= 0 {
		opts.Workers = 4 * runtime.GOMAXPROCS(0)
	}
	opts.Workers = min(opts.Workers, MaxWorkers)
	if opts.Timeout <= 0 {
		opts.Timeout = 10 * time.Second
	}
	if opts.ServerChain == nil {
		opts.ServerChain = tlsprobe.ServerChain
	}
	if opts.MaxFileSize <= 0 {
		opts.MaxFileSize = 16 << 20
	}
	if opts.Progress == nil {
		opts.Progress = func(int) {}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	// The channels stay small whatever Workers is: a worker waits for
	// its result to be taken before it reads the next source.
	jobs := make(chan job)
	results := make(chan []Record, min(opts.Workers, 64))
	var wg sync.WaitGroup
	worker := func() {
		defer wg.Done()
		var buf bytes.Buffer
		for j := range jobs {
			var recs []Record
			if j.endpoint {
				recs = probe(ctx, j.path, opts)
			} else {
				recs = readFile(j.path, &buf, opts, j.lenient)
			}
			select { // also when empty: the source is done
			case results <- recs:
			case <-ctx.Done():
				return
			}
		}
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(jobs)
		started := 0
		p := producer{ctx: ctx, seen: map[string]bool{}}
		p.sink = func(j job) bool {
			// Hand the job to an idle worker, or start one while under
			// the limit: never more workers than sources.
			select {
			case jobs <- j:
				return true
			default:
			}
			if started < opts.Workers {
				started++
				wg.Add(1)
				go worker()
			}
			select {
			case jobs <- j:
				return true
			case <-ctx.Done():
				return false
			}
		}
		p.problem = func(r Record) bool {
			select {
			case results <- []Record{r}:
				return true
			case <-ctx.Done():
				return false
			}
		}
		for _, t := range targets {
			if !p.target(t) {
				return
			}
		}
	}()
	go func() { wg.Wait(); close(results) }()

	for recs := range results {
		for _, r := range recs {
			emit(r)
		}
		opts.Progress(1)
	}
	return ctx.Err()
}

// Count returns how many sources a Scan of targets would read or report
// (files, endpoints and problems such as a pattern without a match), for a
// progress display. It walks the directories but reads no file.
func Count(ctx context.Context, targets []Target) int {
	n := 0
	p := producer{ctx: ctx, seen: map[string]bool{}}
	p.sink = func(job) bool { n++; return ctx.Err() == nil }
	p.problem = func(Record) bool { n++; return ctx.Err() == nil }
	for _, t := range targets {
		if !p.target(t) {
			break
		}
	}
	return n
}

// Collect scans and returns every record, sorted by Sort, with the summary.
func Collect(ctx context.Context, targets []Target, opts Options) ([]Record, Summary, error) {
	var recs []Record
	var sum Summary
	err := Scan(ctx, targets, opts, func(r Record) {
		recs = append(recs, r)
		sum.Add(r)
	})
	Sort(recs)
	return recs, sum, err
}

// producer turns targets into jobs for sink; it reports the problems it
// meets itself through problem. Both return false when the scan stops.
type producer struct {
	ctx     context.Context
	sink    func(job) bool
	problem func(Record) bool
	seen    map[string]bool // files named explicitly, read once
}

func (p *producer) send(j job) bool { return p.sink(j) }

func (p *producer) report(r Record) bool { return p.problem(r) }

func (p *producer) target(t Target) bool {
	switch t.Kind {
	case Endpoint:
		return p.send(job{path: t.Value, endpoint: true})
	case Dir:
		return p.walk(t.Value)
	case Glob:
		matches, err := filepath.Glob(t.Value)
		if err != nil {
			return p.report(sourceError(t.Value, "bad pattern: "+err.Error()))
		}
		if len(matches) == 0 {
			return p.report(sourceError(t.Value, "no file matches the pattern"))
		}
		for _, m := range matches {
			if fi, err := os.Stat(m); err == nil && fi.IsDir() {
				if !p.walk(m) {
					return false
				}
				continue
			}
			if !p.file(m) {
				return false
			}
		}
		return true
	case Missing:
		return p.report(sourceError(t.Value, "no such file or directory (a live server is written host:port or as a libvirt URI)"))
	}
	return p.file(t.Value)
}

func (p *producer) file(path string) bool {
	key := filepath.Clean(path)
	if p.seen[key] {
		return true
	}
	p.seen[key] = true
	return p.send(job{path: path})
}

// walk reads dir in batches and descends depth-first. Symbolic links to
// files are followed; links to directories are not (no loops). A link
// named like a certificate whose target cannot be reached is an Error
// record.
func (p *producer) walk(dir string) bool {
	f, err := os.Open(dir)
	if err != nil {
		return p.report(sourceError(dir, "cannot read directory: "+fileread.Cause(err).Error()))
	}
	defer f.Close()
	for {
		entries, err := f.ReadDir(256)
		for _, e := range entries {
			path := filepath.Join(dir, e.Name())
			typ := e.Type()
			if typ&fs.ModeSymlink != 0 {
				fi, err := os.Stat(path)
				if err != nil {
					// A link named like a certificate whose target is
					// gone (or unreachable) is a certificate nobody can
					// read: say so rather than skip it.
					if hasCertExtension(e.Name()) && !p.report(danglingLink(path, err)) {
						return false
					}
					continue
				}
				if fi.IsDir() {
					continue
				}
				typ = fi.Mode().Type()
			}
			var ok bool
			switch {
			case typ.IsDir():
				ok = p.walk(path)
			case !hasCertExtension(e.Name()):
				ok = true
			case typ.IsRegular():
				ok = p.send(job{path: path, lenient: true})
			default:
				// A named pipe, device or socket named like a
				// certificate: reading it would block or never end,
				// skipping it would hide it.
				ok = p.report(sourceError(path, fileread.NotRegularError(typ).Error()+", not read"))
			}
			if !ok {
				return false
			}
		}
		if errors.Is(err, io.EOF) || (err == nil && len(entries) == 0) {
			return true
		}
		if err != nil {
			return p.report(sourceError(dir, "cannot read directory: "+fileread.Cause(err).Error()))
		}
	}
}

// readFile reads one file into buf (reused between files) and parses it.
func readFile(path string, buf *bytes.Buffer, opts Options, lenient bool) []Record {
	// OpenRegular does not block on a FIFO without a writer and refuses
	// anything but a regular file, so a named pipe or a device given by
	// name is an Error record at once instead of a hung scan.
	f, err := fileread.OpenRegular(path)
	switch {
	case errors.Is(err, syscall.EISDIR):
		return []Record{sourceError(path, "is a directory")}
	case errors.Is(err, fileread.ErrNotRegular):
		return []Record{sourceError(path, err.Error()+", not read")}
	case err != nil:
		return []Record{sourceError(path, "cannot read: "+err.Error())}
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return []Record{sourceError(path, "cannot read: "+fileread.Cause(err).Error())}
	}
	if fi.Size() > opts.MaxFileSize {
		return []Record{sourceError(path, fmt.Sprintf("larger than %d bytes, not read", opts.MaxFileSize))}
	}
	buf.Reset()
	if _, err := buf.ReadFrom(io.LimitReader(f, opts.MaxFileSize+1)); err != nil {
		return []Record{sourceError(path, "cannot read: "+fileread.Cause(err).Error())}
	}
	if int64(buf.Len()) > opts.MaxFileSize {
		return []Record{sourceError(path, fmt.Sprintf("larger than %d bytes, not read", opts.MaxFileSize))}
	}
	if buf.Cap() > 1<<20 {
		defer func() { *buf = bytes.Buffer{} }() // do not pin a huge buffer
	}
	return ParseFile(path, buf.Bytes(), opts.Policy, lenient)
}

// probe fetches an endpoint's chain and judges each certificate. The
// error of ServerChain is the reason as it stands: tlsprobe's errors are
// one clause naming the address and the cause ("connection refused by
// 127.0.0.1:16514 (...)"), and the record's path is the target already.
func probe(ctx context.Context, target string, opts Options) []Record {
	chain, err := opts.ServerChain(ctx, target, opts.Timeout)
	if err != nil {
		return []Record{sourceError(target, err.Error())}
	}
	if len(chain) == 0 {
		return []Record{sourceError(target, "the server sent no certificate")}
	}
	recs := make([]Record, len(chain))
	for i, c := range chain {
		recs[i] = certRecord(target, c)
		recs[i].Index, recs[i].Count = i, len(chain)
		opts.Policy.judge(&recs[i])
	}
	return recs
}

// danglingLink is the Error record for a symbolic link whose target is
// missing or unreachable.
func danglingLink(path string, err error) Record {
	target, _ := os.Readlink(path)
	if errors.Is(err, fs.ErrNotExist) {
		return sourceError(path, fmt.Sprintf("dangling symbolic link: its target %s does not exist", target))
	}
	return sourceError(path, fmt.Sprintf("symbolic link to %s cannot be followed: %v", target, fileread.Cause(err)))
}
