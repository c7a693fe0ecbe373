package benchload

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"syscall"
	"time"

	"github.com/profilegraph/profilegraph/internal/benchload/ceiling"
)

// serve runs a child mode: "serve-floor" or "serve-ceiling", with -addr and -records
// (a JSON file of ceiling.Recorded). It serves POST /graphql and GET /metrics until
// SIGTERM.
func serve(mode string, args []string) error {
	fs := flag.NewFlagSet(mode, flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:0", "listen address")
	file := fs.String("records", "", "recorded requests and responses (JSON)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	b, err := os.ReadFile(*file)
	if err != nil {
		return err
	}
	var recs []ceiling.Recorded
	if err := json.Unmarshal(b, &recs); err != nil {
		return fmt.Errorf("records: %w", err)
	}
	var gql http.Handler
	switch mode {
	case "serve-floor":
		gql = floorHandler(recs)
	case "serve-ceiling":
		if gql, err = ceiling.NewHandler(recs); err != nil {
			return err
		}
	default:
		return fmt.Errorf("unknown mode %q", mode)
	}
	mux := http.NewServeMux()
	mux.Handle("POST /graphql", gql)
	mux.HandleFunc("GET /metrics", mallocsMetrics)
	srv := &http.Server{Addr: *addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second, IdleTimeout: 120 * time.Second}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, os.Interrupt)
	go func() { <-sig; _ = srv.Close() }()
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// floorHandler answers each recorded request (same Authorization header, same body)
// with its recorded response bytes: the cost of HTTP alone.
func floorHandler(recs []ceiling.Recorded) http.Handler {
	answers := make(map[string][]byte, len(recs))
	for _, r := range recs {
		answers[r.Auth+"\x00"+string(r.Body)] = r.Response
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		resp, ok := answers[r.Header.Get("Authorization")+"\x00"+string(body)]
		if !ok {
			http.Error(w, "not a recorded request", http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "application/graphql-response+json")
		_, _ = w.Write(resp)
	})
}

// mallocsMetrics exposes go_memstats_mallocs_total as profilegraph's Prometheus Go
// collector does (runtime.MemStats.Mallocs, the cumulative count of heap objects).
func mallocsMetrics(w http.ResponseWriter, _ *http.Request) {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	w.Header().Set("Content-Type", "text/plain; version=0.0.4")
	fmt.Fprintf(w, "# TYPE go_memstats_mallocs_total counter\ngo_memstats_mallocs_total %d\n", ms.Mallocs)
}
