package benchload

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/profilegraph/profilegraph/internal/benchload/ceiling"
)

// bench holds what the workloads share: the built server, the database and the
// running profilegraph.
type bench struct {
	opts      options
	profiled  bool // -cpuprofile has been taken (of the first workload run)
	out       io.Writer
	dir       string
	self, bin string
	dbURL     string
	secret    []byte

	server         *target
	serverCacheOff bool
}

// row is one target's measured figures.
type row struct {
	label   string
	res     loadResult
	cpu     time.Duration
	mallocs float64
	queries float64
	hasSQL  bool
}

// ensureServer (re)starts profilegraph with the shared cache on or off.
func (b *bench) ensureServer(ctx context.Context, cacheOff bool) error {
	if b.server != nil && b.serverCacheOff == cacheOff {
		return nil
	}
	b.stopServer()
	port, err := freePort()
	if err != nil {
		return err
	}
	env := []string{"DATABASE_URL=" + b.dbURL, "AUTH_HS256_SECRET=" + string(b.secret), fmt.Sprintf("PORT=%d", port), "LOG_LEVEL=warn"}
	label := "profilegraph"
	if cacheOff {
		env = append(env, "CACHE_MAX_COST=0")
		label += "-nocache"
	}
	pprofBase := ""
	if b.opts.cpuprofile != "" {
		pp, err := freePort()
		if err != nil {
			return err
		}
		env = append(env, fmt.Sprintf("PPROF_ADDR=127.0.0.1:%d", pp))
		pprofBase = fmt.Sprintf("http://127.0.0.1:%d", pp)
	}
	t, err := startTarget(ctx, label, b.dir, b.bin, nil, env, port)
	if err != nil {
		return err
	}
	t.pprofBase = pprofBase
	b.server, b.serverCacheOff = t, cacheOff
	return nil
}

func (b *bench) stopServer() {
	if b.server != nil {
		b.server.stop()
		b.server = nil
	}
}

// runWorkload records w's responses from profilegraph, starts the floor and the
// ceiling on them, measures the three one after the other and prints the table.
func (b *bench) runWorkload(ctx context.Context, w workload) ([]row, error) {
	if err := b.ensureServer(ctx, w.cacheOff); err != nil {
		return nil, err
	}
	client := newClient(b.opts.conns)
	defer client.CloseIdleConnections()
	responses, err := record(ctx, client, b.server.base+"/graphql", w.requests)
	if err != nil {
		return nil, fmt.Errorf("recording profilegraph's responses: %w", err)
	}
	recs := make([]ceiling.Recorded, len(w.requests))
	for i, r := range w.requests {
		recs[i] = ceiling.Recorded{Auth: r.auth, Body: r.body, Response: responses[i]}
	}
	file := fmt.Sprintf("%s/%s-records.json", b.dir, w.name)
	data, err := json.Marshal(recs)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(file, data, 0o600); err != nil {
		return nil, err
	}

	var rows []row
	r, err := b.measure(ctx, b.server, w, !b.profiled) // the first workload run is profiled
	b.profiled = true
	if err != nil {
		return nil, err
	}
	rows = append(rows, r)
	same := 0
	for _, mode := range []string{"serve-floor", "serve-ceiling"} {
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		label := map[string]string{"serve-floor": "floor (net/http)", "serve-ceiling": "ceiling (gqlgen)"}[mode]
		t, err := startTarget(ctx, mode, b.dir, b.self, []string{mode, "-addr", fmt.Sprintf("127.0.0.1:%d", port), "-records", file}, nil, port)
		if err != nil {
			return nil, err
		}
		if mode == "serve-ceiling" {
			if same, err = sameResponses(ctx, client, t.base+"/graphql", w.requests, responses); err != nil {
				t.stop()
				return nil, err
			}
		}
		t.label = label
		r, err := b.measure(ctx, t, w, false)
		t.stop()
		if err != nil {
			return nil, err
		}
		rows = append(rows, r)
	}
	printTable(b.out, w, rows, same)
	if n, first := errorsIn(responses); n > 0 {
		fmt.Fprintf(b.out, "  note: %d of profilegraph's %d recorded responses carry GraphQL errors (the ceiling's do not); first: %.400s\n", n, len(responses), first)
	}
	fmt.Fprintln(b.out)
	return rows, nil
}

// errorsIn counts the responses with an `errors` entry and returns the first one's.
func errorsIn(responses [][]byte) (int, string) {
	n, first := 0, ""
	for _, r := range responses {
		var resp struct {
			Errors json.RawMessage `json:"errors"`
		}
		if json.Unmarshal(r, &resp) == nil && len(resp.Errors) > 0 {
			if n == 0 {
				first = string(resp.Errors)
			}
			n++
		}
	}
	return n, first
}

// sameResponses counts the ceiling's responses that are byte for byte profilegraph's.
func sameResponses(ctx context.Context, client *http.Client, url string, reqs []request, want [][]byte) (int, error) {
	got, err := record(ctx, client, url, reqs)
	if err != nil {
		return 0, fmt.Errorf("ceiling: %w", err)
	}
	n := 0
	for i := range got {
		if string(got[i]) == string(want[i]) {
			n++
		}
	}
	return n, nil
}

// measure warms t up, then drives it for the measured duration and reads its CPU
// time and metrics around that window.
func (b *bench) measure(ctx context.Context, t *target, w workload, profile bool) (row, error) {
	client := newClient(b.opts.conns)
	defer client.CloseIdleConnections()
	url := t.base + "/graphql"
	drive(ctx, client, url, w.requests, b.opts.conns, b.opts.warmup)
	names := []string{"go_memstats_mallocs_total", "profilegraph_db_queries_total"}
	before, err := scrape(ctx, client, t.base, names...)
	if err != nil {
		return row{}, fmt.Errorf("%s: %w", t.label, err)
	}
	cpu0, err := processCPU(t.pid())
	if err != nil {
		return row{}, err
	}
	var profDone chan struct{}
	if profile && b.opts.cpuprofile != "" {
		profDone = b.startProfile(ctx, t)
	}
	res := drive(ctx, client, url, w.requests, b.opts.conns, b.opts.duration)
	cpu1, err := processCPU(t.pid())
	if err != nil {
		return row{}, err
	}
	after, err := scrape(ctx, client, t.base, names...)
	if err != nil {
		return row{}, fmt.Errorf("%s: %w", t.label, err)
	}
	if profDone != nil {
		<-profDone
	}
	if ctx.Err() != nil {
		return row{}, ctx.Err()
	}
	r := row{label: t.label, res: res, cpu: cpu1 - cpu0, mallocs: after[names[0]] - before[names[0]]}
	if q1, ok := after[names[1]]; ok {
		r.queries, r.hasSQL = q1-before[names[1]], true
	}
	return r, nil
}

// startProfile fetches a CPU profile of t for most of the measured window into
// -cpuprofile, or says why it cannot. profilegraph serves /debug/pprof on the listener
// of PPROF_ADDR, which ensureServer sets when -cpuprofile is given.
func (b *bench) startProfile(ctx context.Context, t *target) chan struct{} {
	done := make(chan struct{})
	base := t.pprofBase
	if base == "" {
		base = t.base
	}
	resp, err := http.Get(base + "/debug/pprof/")
	if err == nil {
		resp.Body.Close()
	}
	if err != nil || resp.StatusCode != http.StatusOK {
		status := fmt.Sprint(err)
		if err == nil {
			status = resp.Status
		}
		fmt.Fprintf(b.out, "-cpuprofile: profilegraph does not serve /debug/pprof (%s); no profile written\n", status)
		close(done)
		return done
	}
	secs := max(int((b.opts.duration-time.Second)/time.Second), 1)
	go func() {
		defer close(done)
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("%s/debug/pprof/profile?seconds=%d", base, secs), nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			fmt.Fprintf(b.out, "-cpuprofile: %v\n", err)
			return
		}
		defer resp.Body.Close()
		f, err := os.Create(b.opts.cpuprofile)
		if err == nil {
			_, err = io.Copy(f, resp.Body)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
		}
		if err != nil {
			fmt.Fprintf(b.out, "-cpuprofile: %v\n", err)
			return
		}
		fmt.Fprintf(b.out, "-cpuprofile: wrote %s (%d s of Q1 on profilegraph)\n", b.opts.cpuprofile, secs)
	}()
	return done
}
