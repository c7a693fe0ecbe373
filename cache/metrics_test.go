package cache_test

import (
	"context"
	"slices"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/profilegraph/profilegraph/memory"
)

// TestCollectorExportsEverySeriesOnceWithItsValue gathers the collector through a real
// registry (which refuses duplicated or inconsistent descriptors): every documented
// series is there once, with its type and help, and the counters carry Stats' values.
func TestCollectorExportsEverySeriesOnceWithItsValue(t *testing.T) {
	cs := MustCache(t, memory.New(), 1<<20)
	f := seed(t, cs)
	if _, err := cs.AccountsByID(context.Background(), []string{f.fb.ID}); err != nil {
		t.Fatal(err)
	}
	cs.Wait()
	for range 3 { // three hits, so that no two counters share a value by chance
		if _, err := cs.AccountsByID(context.Background(), []string{f.fb.ID}); err != nil {
			t.Fatal(err)
		}
	}
	reg := prometheus.NewPedanticRegistry()
	if err := reg.Register(cs.Collector()); err != nil {
		t.Fatal(err)
	}
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	st := cs.Stats()
	gauges := []string{"profilegraph_cache_listener_connected", "profilegraph_cache_cost_bytes",
		"profilegraph_cache_max_cost_bytes", "profilegraph_privacy_cache_leased"}
	want := map[string]float64{
		"profilegraph_cache_hits_total":                    float64(st.Hits),
		"profilegraph_cache_misses_total":                  float64(st.Misses),
		"profilegraph_cache_evictions_total":               float64(st.Evictions),
		"profilegraph_cache_rejected_sets_total":           float64(st.RejectedSets),
		"profilegraph_cache_dropped_sets_total":            float64(st.DroppedSets),
		"profilegraph_cache_invalidations_received_total":  float64(st.InvalidationsReceived),
		"profilegraph_cache_listener_reconnects_total":     float64(st.ListenerReconnects),
		"profilegraph_cache_listener_connected":            0,
		"profilegraph_cache_cost_bytes":                    float64(st.CostUsed),
		"profilegraph_cache_max_cost_bytes":                1 << 20,
		"profilegraph_privacy_cache_served_total":          0,
		"profilegraph_privacy_cache_partial_total":         0,
		"profilegraph_privacy_cache_refused_total":         0,
		"profilegraph_privacy_cache_lease_renewals_total":  0,
		"profilegraph_privacy_cache_lease_lapses_total":    0,
		"profilegraph_privacy_cache_acks_sent_total":       0,
		"profilegraph_privacy_cache_leased":                0,
		"profilegraph_privacy_writes_total":                0,
		"profilegraph_privacy_acks_waited_total":           0,
		"profilegraph_privacy_lease_expiries_waited_total": 0,
		"profilegraph_privacy_write_wait_errors_total":     0,
	}
	if st.Hits != 3 || st.Misses != 1 || st.CostUsed == 0 {
		t.Fatalf("stats = %+v: the reads should have missed, then hit, and cached something", st)
	}
	seen := map[string]bool{}
	for _, mf := range families {
		name := mf.GetName()
		v, ok := want[name]
		if !ok {
			t.Errorf("unexpected series %s", name)
			continue
		}
		seen[name] = true
		if mf.GetHelp() == "" || len(mf.GetMetric()) != 1 {
			t.Errorf("%s: help %q, %d samples; want a help text and one sample", name, mf.GetHelp(), len(mf.GetMetric()))
			continue
		}
		m := mf.GetMetric()[0]
		wantType, got := dto.MetricType_COUNTER, m.GetCounter().GetValue()
		if slices.Contains(gauges, name) {
			wantType, got = dto.MetricType_GAUGE, m.GetGauge().GetValue()
		}
		if mf.GetType() != wantType || got != v {
			t.Errorf("%s = %v (%v), want %v (%v)", name, got, mf.GetType(), v, wantType)
		}
	}
	for name := range want {
		if !seen[name] {
			t.Errorf("series %s missing", name)
		}
	}
}
