package benchload

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// target is a running server process under load: profilegraph, the floor or the
// ceiling.
type target struct {
	label string
	base  string // http://127.0.0.1:port
	// pprofBase is where the target serves /debug/pprof, if not at base.
	pprofBase string
	cmd       *exec.Cmd
	log       *os.File
	done      chan error
}

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// startTarget starts bin with args and extra environment, its output going to a log
// file in dir, and waits until GET /metrics answers. The process is sent SIGTERM if
// the benchmark dies (Pdeathsig).
func startTarget(ctx context.Context, label, dir, bin string, args, env []string, port int) (*target, error) {
	logf, err := os.CreateTemp(dir, strings.ReplaceAll(label, " ", "-")+"-*.log")
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("start %s: %w", label, err)
	}
	t := &target{label: label, base: fmt.Sprintf("http://127.0.0.1:%d", port), cmd: cmd, log: logf, done: make(chan error, 1)}
	go func() { t.done <- cmd.Wait() }()
	if err := t.waitReady(ctx); err != nil {
		t.stop()
		return nil, fmt.Errorf("%s: %w\n%s", label, err, t.logTail())
	}
	return t, nil
}

// waitReady polls /metrics until it answers 200, the process exits or 60 s pass.
func (t *target) waitReady(ctx context.Context) error {
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-t.done:
			t.done <- err
			return fmt.Errorf("exited before it was ready: %v", err)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		resp, err := http.Get(t.base + "/metrics")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
	}
	return errors.New("not ready after 60 s")
}

// stop sends SIGTERM, waits up to 15 s (then kills) and closes the log.
func (t *target) stop() {
	_ = t.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-t.done:
	case <-time.After(15 * time.Second):
		_ = t.cmd.Process.Kill()
		<-t.done
	}
	t.log.Close()
}

// logTail returns the last lines of the target's output, for error messages.
func (t *target) logTail() string {
	b, _ := os.ReadFile(t.log.Name())
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

// pid is the server process id, whose /proc/<pid>/stat gives its CPU time.
func (t *target) pid() int { return t.cmd.Process.Pid }
