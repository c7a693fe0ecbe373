// Package benchload is the load benchmark of issue 8 (`make bench-load`, main in
// cmd/bench-load). It seeds a fresh PostgreSQL database with the project's seeder,
// starts the real server binary on it, and for each workload drives, one after the
// other with the same load, three targets:
//
//   - profilegraph itself (the shared cache on; for Q4 a second server with
//     CACHE_MAX_COST=0);
//   - the floor: a bare net/http server answering the recorded response bytes;
//   - the gqlgen ceiling: a bare gqlgen server (package ceiling) answering the same
//     response shape from memory.
//
// Floor and ceiling run as child processes of this binary (modes serve-floor and
// serve-ceiling), so that the server CPU of all three is read the same way, from
// /proc/<pid>/stat. It prints a table per workload and the ratios of the same run.
package benchload

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"syscall"
	"time"
)

// options are the benchmark's flags.
type options struct {
	duration   time.Duration
	warmup     time.Duration
	persons    int
	conns      int
	variants   int
	root       string
	adminURL   string
	cpuprofile string
	only       string
}

// Main runs the benchmark (or a child mode) with args (without the program name),
// printing to stdout; it returns an error on any failure, including failed requests.
func Main(args []string, stdout io.Writer) error {
	if len(args) > 0 && strings.HasPrefix(args[0], "serve-") {
		return serve(args[0], args[1:])
	}
	opts, err := parseOptions(args, stdout)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return run(ctx, opts, stdout)
}

func parseOptions(args []string, output io.Writer) (options, error) {
	admin := os.Getenv("TEST_DATABASE_URL")
	if admin == "" {
		admin = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	}
	var o options
	fs := flag.NewFlagSet("bench-load", flag.ContinueOnError)
	fs.SetOutput(output)
	fs.DurationVar(&o.duration, "duration", 10*time.Second, "measured load per target")
	fs.DurationVar(&o.warmup, "warmup", 3*time.Second, "unmeasured load per target before it")
	fs.IntVar(&o.persons, "persons", 10000, "persons to seed")
	fs.IntVar(&o.conns, "conns", 32, "concurrent keep-alive connections")
	fs.IntVar(&o.variants, "variants", 200, "prepared requests per workload (different variables and tokens); at least 100")
	fs.StringVar(&o.root, "root", ".", "the repository root (the server is built there with go build .)")
	fs.StringVar(&o.adminURL, "db", admin, "PostgreSQL URL to create and drop the benchmark database with (TEST_DATABASE_URL)")
	fs.StringVar(&o.cpuprofile, "cpuprofile", "", "write a CPU profile of profilegraph during the first workload it runs (Q1, or the first of -only) here")
	fs.StringVar(&o.only, "only", "", "comma-separated workloads to run (default all: Q1,Q2,Q3,Q4)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	switch {
	case fs.NArg() > 0:
		return o, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	case o.variants < 100:
		return o, errors.New("-variants: at least 100")
	case o.conns < 1 || o.duration <= 0 || o.warmup < 0:
		return o, errors.New("-conns must be positive, -duration positive and -warmup not negative")
	}
	if _, err := os.Stat(o.root + "/go.mod"); err != nil {
		return o, fmt.Errorf("-root %q is not the repository root: %w", o.root, err)
	}
	return o, nil
}

// run is the whole benchmark.
func run(ctx context.Context, o options, out io.Writer) (err error) {
	fmt.Fprintf(out, "bench-load: %s, GOMAXPROCS %d, NumCPU %d, %d persons, %d connections, %v per target after %v warm-up, %d prepared requests per workload\n",
		runtime.Version(), runtime.GOMAXPROCS(0), runtime.NumCPU(), o.persons, o.conns, o.duration, o.warmup, o.variants)
	if la, err := os.ReadFile("/proc/loadavg"); err == nil {
		fmt.Fprintf(out, "load average at start (the machine is shared): %s", la)
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "bench-load-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	t0 := time.Now()
	bin, err := buildServer(ctx, o.root, dir)
	if err != nil {
		return err
	}
	dbURL, drop, err := createDatabase(ctx, o.adminURL)
	if err != nil {
		return err
	}
	defer drop()
	if err := seed(ctx, bin, dbURL, o.persons); err != nil {
		return err
	}
	pop, err := readPopulation(ctx, dbURL)
	if err != nil {
		return err
	}
	secret := []byte(randomHex(32))
	workloads, err := buildWorkloads(pop, secret, o.variants)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "built the server and seeded %d persons, %d accounts in %v\n\n", len(pop.persons), len(pop.accounts), time.Since(t0).Round(time.Second))

	b := &bench{opts: o, out: out, dir: dir, self: self, bin: bin, dbURL: dbURL, secret: secret}
	defer b.stopServer()
	var failures []string
	for _, w := range workloads {
		if o.only != "" && !strings.Contains(","+o.only+",", ","+w.name+",") {
			continue
		}
		rows, err := b.runWorkload(ctx, w)
		if err != nil {
			return fmt.Errorf("%s: %w", w.name, err)
		}
		for _, r := range rows {
			if r.res.failed > 0 {
				failures = append(failures, fmt.Sprintf("%s %s: %d of %d requests failed, first: %s", w.name, r.label, r.res.failed, r.res.requests, r.res.firstFail))
			}
		}
	}
	if len(failures) > 0 {
		fmt.Fprintf(out, "\n!!! FAILED REQUESTS: the figures above are not valid !!!\n%s\n", strings.Join(failures, "\n"))
		return fmt.Errorf("%d targets had failed requests", len(failures))
	}
	fmt.Fprintln(out, "all responses were HTTP 200 with data")
	return nil
}
