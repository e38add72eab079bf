package install

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/virt-pki/virt-pki/layout"
)

// The crash tests interrupt an install at every step: in process through
// the Hook (the step fails like a system call would), and by SIGKILL of a
// child process stopped at the step. Afterwards — for the kill, after
// Recover — the layout must hold the complete old set or the complete new
// set, with the right owners and modes, and no temporary file or journal.

const (
	childEnv = "VIRT_PKI_INSTALL_TEST_CHILD"
	stepEnv  = "VIRT_PKI_INSTALL_TEST_STEP"
	reqEnv   = "VIRT_PKI_INSTALL_TEST_REQUEST"
	failEnv  = "VIRT_PKI_INSTALL_TEST_FAIL"
	// sigEnv makes the child handle signals as the command does and wait
	// at its stop step for one instead of being killed.
	sigEnv = "VIRT_PKI_INSTALL_TEST_SIGNAL"
)

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		os.Exit(runChild())
	}
	os.Exit(m.Run())
}

// runChild installs the request from the environment and, at step N,
// reports "STOP N label" and blocks on stdin until it is killed.
func runChild() int {
	var req Request
	if err := json.Unmarshal([]byte(os.Getenv(reqEnv)), &req); err != nil {
		fmt.Println("ERROR", err)
		return 2
	}
	stop, _ := strconv.Atoi(os.Getenv(stepEnv))
	failAt, _ := strconv.Atoi(os.Getenv(failEnv))
	ctx, cancel := context.Background(), context.CancelFunc(func() {})
	if os.Getenv(sigEnv) != "" {
		ctx, cancel = SignalContext(ctx)
	}
	defer cancel()
	n := 0
	hook := func(label string) error {
		n++
		if n == failAt {
			return errors.New("injected fault")
		}
		if n == stop {
			fmt.Printf("STOP %d %s\n", n, label)
			if os.Getenv(sigEnv) != "" {
				<-ctx.Done() // the parent's signal arrives while at this step
				return nil
			}
			io.Copy(io.Discard, os.Stdin) // blocks until the parent kills us
		}
		return nil
	}
	if _, err := Install(req, Options{Hook: hook, Context: ctx}); err != nil {
		fmt.Println("ERROR", strings.ReplaceAll(err.Error(), "\n", " "))
		return 1
	}
	fmt.Println("DONE", n)
	return 0
}

// crashScenario is an old state and the install that replaces it.
type crashScenario struct {
	name  string
	setup func(t *testing.T, root string) (old *pkiSet, req Request)
	// newSet is the set the request installs.
	newSet *pkiSet
}

func crashScenarios(t *testing.T) []crashScenario {
	a := newSet(t, nil)
	b := newSet(t, nil) // another CA: replacing needs --force
	c := newSet(t, a.CA)
	return []crashScenario{
		{name: "fresh system layout", newSet: a, setup: func(t *testing.T, root string) (*pkiSet, Request) {
			return nil, systemReq(root, a)
		}},
		{name: "replace every file with another CA's set, with backups", newSet: b, setup: func(t *testing.T, root string) (*pkiSet, Request) {
			mustInstall(t, systemReq(root, a))
			req := systemReq(root, b)
			req.Force, req.Backup = true, true
			return a, req
		}},
		{name: "renew server and client from the same CA", newSet: c, setup: func(t *testing.T, root string) (*pkiSet, Request) {
			mustInstall(t, systemReq(root, a))
			req := systemReq(root, c, RoleServer, RoleClient)
			req.Force = true
			return a, req
		}},
	}
}

// checkOldOrNew asserts that the files req installs hold either all of old
// (nil: none exist) or all of the new set, and that nothing temporary is
// left. It returns "old" or "new".
func checkOldOrNew(t *testing.T, root string, req Request, old, nw *pkiSet) string {
	t.Helper()
	if l := leftovers(t, root); len(l) != 0 {
		t.Fatalf("left behind: %v", l)
	}
	lay := layout.NewSystem(root)
	state := ""
	for _, r := range req.Roles {
		for _, fr := range fileRoles(r) {
			f, _ := lay.File(fr)
			got, err := os.ReadFile(f.Path)
			var this string
			switch {
			case errors.Is(err, os.ErrNotExist) && old == nil:
				this = "old"
			case err != nil:
				t.Fatalf("%s: %v", f.Path, err)
			case old != nil && bytes.Equal(got, old.byRole(fr)):
				this = "old"
			case bytes.Equal(got, nw.byRole(fr)):
				this = "new"
			default:
				t.Fatalf("%s holds neither the old nor the new %s", f.Path, fr)
			}
			if state != "" && state != this {
				t.Fatalf("mixed set: %s is %s, an earlier file is %s", f.Path, this, state)
			}
			state = this
		}
	}
	if state == "new" {
		checkInstalled(t, lay, nw, req.Roles...)
		if old != nil && req.Backup {
			checkBackups(t, lay, req, old)
		}
	} else if old != nil {
		checkInstalled(t, lay, old, req.Roles...)
	}
	return state
}

// countSteps runs the scenario once with a counting hook.
func countSteps(t *testing.T, sc crashScenario) []string {
	root := t.TempDir()
	_, req := sc.setup(t, root)
	var labels []string
	if _, err := Install(req, Options{Hook: func(l string) error { labels = append(labels, l); return nil }}); err != nil {
		t.Fatal(err)
	}
	return labels
}

func TestFaultAtEveryStep(t *testing.T) {
	requireRoot(t)
	total := 0
	for _, sc := range crashScenarios(t) {
		t.Run(sc.name, func(t *testing.T) {
			labels := countSteps(t, sc)
			seen := map[string]int{}
			for n := 1; n <= len(labels); n++ {
				root := t.TempDir()
				old, req := sc.setup(t, root)
				i := 0
				injected := errors.New("injected fault")
				_, err := Install(req, Options{Hook: func(string) error {
					i++
					if i == n {
						return injected
					}
					return nil
				}})
				state := checkOldOrNew(t, root, req, old, sc.newSet)
				// Before the renames a failure keeps the old set and reports
				// it; after them the new set is completed and committed.
				if (err == nil) != (state == "new") {
					t.Fatalf("step %d (%s): err=%v but the layout holds the %s set", n, labels[n-1], err, state)
				}
				if err != nil && !errors.Is(err, injected) {
					t.Fatalf("step %d: error %v does not wrap the fault", n, err)
				}
				seen[state]++
				// The next run installs the new set cleanly.
				mustInstall(t, req)
				checkOldOrNew(t, root, req, old, sc.newSet)
			}
			total += len(labels)
			t.Logf("%d fault points (%d left the old set, %d the new)", len(labels), seen["old"], seen["new"])
			if seen["old"] == 0 {
				t.Error("no fault point kept the old set")
			}
		})
	}
	t.Logf("fault injection: %d interruption points, all left a complete old or new set", total)
}

// killChild runs req in a child process that fails at step failAt (0:
// never) and stops at step stop, kills it with SIGKILL when it stopped and
// returns the child's report line ("STOP n label", "DONE n", "ERROR ...").
func killChild(t *testing.T, req Request, failAt, stop int) string {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"=1", stepEnv+"="+strconv.Itoa(stop),
		failEnv+"="+strconv.Itoa(failAt), reqEnv+"="+string(data))
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, _ := bufio.NewReader(stdout).ReadString('\n')
	if strings.HasPrefix(line, "STOP ") {
		cmd.Process.Kill() // SIGKILL: no deferred cleanup runs
	}
	cmd.Wait()
	stdin.Close()
	return strings.TrimSpace(line)
}

func TestKillAtEveryStep(t *testing.T) {
	requireRoot(t)
	total := 0
	for _, sc := range crashScenarios(t) {
		t.Run(sc.name, func(t *testing.T) {
			labels := countSteps(t, sc)
			seen := map[string]int{}
			// Kill at every step of a successful install.
			for stop := 1; ; stop++ {
				root := t.TempDir()
				old, req := sc.setup(t, root)
				line := killChild(t, req, 0, stop)
				if strings.HasPrefix(line, "DONE") {
					if stop-1 != len(labels) {
						t.Fatalf("the child ran %q, the counting run %d steps", line, len(labels))
					}
					break
				}
				if !strings.HasPrefix(line, "STOP ") {
					t.Fatalf("child at step %d: %q", stop, line)
				}
				// The next run recovers first.
				if _, err := Recover(layout.NewSystem(root).Base, targetDirs(req)); err != nil {
					t.Fatalf("recovery after a kill at %s: %v", line, err)
				}
				seen[checkOldOrNew(t, root, req, old, sc.newSet)]++
			}
			// A rename fails and the rollback is killed at each of its steps.
			rollback := 0
			for i, l := range labels {
				if !strings.HasPrefix(l, "rename ") {
					continue
				}
				failAt := i + 1
				for stop := failAt + 1; ; stop++ {
					root := t.TempDir()
					old, req := sc.setup(t, root)
					line := killChild(t, req, failAt, stop)
					if strings.HasPrefix(line, "ERROR") {
						if state := checkOldOrNew(t, root, req, old, sc.newSet); state != "old" {
							t.Fatalf("a completed rollback left the %s set", state)
						}
						break
					}
					if !strings.HasPrefix(line, "STOP ") {
						t.Fatalf("child failing at %d, stopping at %d: %q", failAt, stop, line)
					}
					if _, err := Recover(layout.NewSystem(root).Base, targetDirs(req)); err != nil {
						t.Fatalf("recovery after a kill at %s: %v", line, err)
					}
					seen[checkOldOrNew(t, root, req, old, sc.newSet)]++
					rollback++
				}
			}
			total += n(seen)
			t.Logf("killed at %d points (%d during a rollback): %d recovered to the old set, %d to the new", n(seen), rollback, seen["old"], seen["new"])
			if seen["old"] == 0 || seen["new"] == 0 {
				t.Errorf("expected both outcomes across the points, got %v", seen)
			}
		})
	}
	t.Logf("kill -9: %d interruption points, all recovered to a complete old or new set", total)
}

func n(m map[string]int) int { return m["old"] + m["new"] }

// checkBackups asserts that each replaced file of req has one backup with
// the old content.
func checkBackups(t *testing.T, lay layout.Layout, req Request, old *pkiSet) {
	t.Helper()
	for _, r := range req.Roles {
		for _, fr := range fileRoles(r) {
			f, _ := lay.File(fr)
			matches, _ := filepath.Glob(f.Path + ".bak-*")
			if len(matches) != 1 {
				t.Fatalf("backups of %s: %v", f.Path, matches)
			}
			if got, err := os.ReadFile(matches[0]); err != nil || !bytes.Equal(got, old.byRole(fr)) {
				t.Fatalf("backup %s does not hold the old %s", matches[0], fr)
			}
		}
	}
}

func TestPendingJournalIsReportedThenRecovered(t *testing.T) {
	requireRoot(t)
	root := t.TempDir()
	a := newSet(t, nil)
	req := systemReq(root, a)
	// Stop a child right after the journal is written.
	labels := countSteps(t, crashScenario{setup: func(t *testing.T, r string) (*pkiSet, Request) { return nil, systemReq(r, a) }})
	stop := 0
	for i, l := range labels {
		if l == "write journal" {
			stop = i + 2 // the first rename, after the journal exists
		}
	}
	if line := killChild(t, req, 0, stop); !strings.HasPrefix(line, "STOP ") {
		t.Fatalf("child: %q", line)
	}
	base := layout.NewSystem(root).Base
	res, err := Install(req, Options{DryRun: true})
	if err != nil || !res.Plan.PendingRecovery {
		t.Fatalf("dry run: pending=%v err=%v", res != nil && res.Plan.PendingRecovery, err)
	}
	if _, err := os.Stat(journalPath(base)); err != nil {
		t.Fatal("a dry run touched the journal")
	}
	res, err = Install(req, Options{})
	if err != nil || res.Recovery.Journal != journalPath(base) || res.Recovery.Direction != "forward" {
		t.Fatalf("recovery %+v, err %v", res.Recovery, err)
	}
	checkOldOrNew(t, root, req, nil, a)

	// A damaged journal stops the install with a one-line error.
	os.WriteFile(journalPath(base), []byte("{not json"), 0o600)
	if _, err := Install(req, Options{}); err == nil || !strings.Contains(err.Error(), "damaged install journal") {
		t.Fatalf("damaged journal: %v", err)
	}
}

// signalChild runs req in a child process that handles signals as the
// command does, sends it SIGTERM while it is at step stop and returns the
// child's last report line ("ERROR ..." or "DONE n"), or "DONE n" when it
// finished before reaching the step.
func signalChild(t *testing.T, req Request, stop int) string {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"=1", sigEnv+"=1", stepEnv+"="+strconv.Itoa(stop), reqEnv+"="+string(data))
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(stdout)
	line, _ := r.ReadString('\n')
	if strings.HasPrefix(line, "STOP ") {
		if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		line, _ = r.ReadString('\n')
	}
	err = cmd.Wait()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		t.Fatalf("the child died of %v instead of cleaning up (%v)", ws.Signal(), err)
	}
	return strings.TrimSpace(line)
}

// TestSignalAtEveryStep sends SIGTERM to an install stopped at each of its
// steps. The process must clean up by itself — no Recover is run here —
// leaving the complete old set (and an "interrupted" error) or, once the
// renames are done, the complete new set, with no temporary file or
// journal either way.
func TestSignalAtEveryStep(t *testing.T) {
	requireRoot(t)
	for _, sc := range crashScenarios(t) {
		t.Run(sc.name, func(t *testing.T) {
			labels := countSteps(t, sc)
			seen := map[string]int{}
			for stop := 1; stop <= len(labels); stop++ {
				root := t.TempDir()
				old, req := sc.setup(t, root)
				line := signalChild(t, req, stop)
				state := checkOldOrNew(t, root, req, old, sc.newSet)
				switch {
				case state == "old" && !(strings.HasPrefix(line, "ERROR") && strings.Contains(line, "interrupted by a signal")):
					t.Fatalf("SIGTERM at step %d (%s) kept the old set but the child said %q", stop, labels[stop-1], line)
				case state == "new" && !strings.HasPrefix(line, "DONE"):
					t.Fatalf("SIGTERM at step %d (%s) left the new set but the child said %q", stop, labels[stop-1], line)
				}
				seen[state]++
			}
			t.Logf("SIGTERM at %d points: %d kept the old set, %d completed the new", len(labels), seen["old"], seen["new"])
			if seen["old"] == 0 || seen["new"] == 0 {
				t.Errorf("expected both outcomes across the points, got %v", seen)
			}
		})
	}
}
