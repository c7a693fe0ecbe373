package api

import (
	"context"
	"fmt"
	"log/slog"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/profilegraph/profilegraph/internal/testdb"
	"github.com/profilegraph/profilegraph/memory"
	"github.com/profilegraph/profilegraph/postgres"
	"github.com/profilegraph/profilegraph/profile"
)

// BenchmarkExport streams the export of a person whose activity log holds 1,000,
// 10,000 and 100,000 events, from the memory store and from PostgreSQL, and reports the
// heap the export adds on top of what was live before it (peak-heap-KB, sampled every
// millisecond; the store's own data is in the baseline) and the bytes written. Flat
// memory means peak-heap-KB does not grow with the number of events, while bytes and
// B/op (garbage, collected as it goes) do.
//
//	go test -run '^$' -bench BenchmarkExport -benchtime 3x .
func BenchmarkExport(b *testing.B) {
	for _, backend := range []string{"memory", "postgres"} {
		for _, n := range []int{1000, 10000, 100000} {
			b.Run(fmt.Sprintf("%s/events=%d", backend, n), func(b *testing.B) {
				store, pid := exportWorld(b, backend, n)
				benchExport(b, store, pid, n)
			})
		}
	}
}

// exportWorld makes a person of two accounts with n activity events.
func exportWorld(b *testing.B, backend string, n int) (profile.Store, string) {
	b.Helper()
	ctx := context.Background()
	var store profile.Store
	var pg *postgres.Store
	if backend == "memory" {
		store = memory.New()
	} else {
		var err error
		pg, err = postgres.Open(ctx, testdb.New(b), slog.New(slog.DiscardHandler))
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(pg.Close)
		store = pg
	}
	p := &profile.Person{CreatedAt: time.Now()}
	err := store.InTx(ctx, func(ctx context.Context, tx profile.Tx) error {
		if err := tx.InsertPerson(ctx, p); err != nil {
			return err
		}
		for _, app := range []profile.App{profile.AppFacebook, profile.AppInstagram} {
			now := time.Now()
			name := "Bench " + string(app)
			if err := tx.InsertAccount(ctx, &profile.Account{App: app, AppUserID: "bench-" + string(app), Username: "bench",
				DisplayName: &name, PersonID: p.ID, LinkedAt: &now, CreatedAt: now, UpdatedAt: now}); err != nil {
				return err
			}
		}
		if pg != nil {
			return nil
		}
		app := profile.AppFacebook
		for i := range n {
			if err := tx.AppendActivity(ctx, &profile.ActivityEvent{PersonID: p.ID, Type: profile.ActivityProfileUpdated, App: &app,
				At: time.Now(), Detail: fmt.Sprintf("profile updated in FACEBOOK (event %d)", i)}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	if pg != nil {
		if _, err := pg.Pool().Exec(ctx, `INSERT INTO activity (person_id, type, app, at, detail)
			SELECT $1, 'PROFILE_UPDATED', 'FACEBOOK', now(), 'profile updated in FACEBOOK (event ' || g || ')'
			FROM generate_series(1, $2) g`, p.ID, n); err != nil {
			b.Fatal(err)
		}
	}
	return store, p.ID
}

type countingWriter struct{ n int64 }

func (w *countingWriter) Write(p []byte) (int, error) { w.n += int64(len(p)); return len(p), nil }

func benchExport(b *testing.B, store profile.Store, pid string, n int) {
	ctx := context.Background()
	// A low GC target makes the in-use heap track what is live, so that the peak shows
	// what the export holds rather than garbage the collector has not reached yet.
	defer debug.SetGCPercent(debug.SetGCPercent(5))
	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	var peak atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var m runtime.MemStats
		for {
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
			}
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse)
			}
		}
	}()
	w := &countingWriter{}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		w.n = 0
		if err := writeExport(ctx, w, store, pid, time.Now()); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	close(stop)
	wg.Wait()
	extra := int64(peak.Load()) - int64(base.HeapInuse)
	b.ReportMetric(float64(max(extra, 0))/1024, "peak-heap-KB")
	b.ReportMetric(float64(w.n), "bytes")
	b.ReportMetric(float64(n), "events")
}
