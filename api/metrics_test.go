package api

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	dto "github.com/prometheus/client_model/go"
)

// Route counts every request of its route by the status answered (a handler that writes
// only a body answers 200) and times each one; other routes keep their own series.
func TestRouteCountsRequestsByRouteAndStatus(t *testing.T) {
	t.Parallel()
	m := NewMetrics()
	export := m.Route("/export", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") == "" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		_, _ = io.WriteString(w, "{}")
	}))
	health := m.Route("/healthz", http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	serve := func(h http.Handler, auth string) {
		req := httptest.NewRequest(http.MethodGet, "/export?secret=not-a-label", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		h.ServeHTTP(httptest.NewRecorder(), req)
	}
	serve(export, "")
	serve(export, "")
	serve(export, "Bearer x")
	serve(health, "")

	families, err := m.registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	counts := map[[2]string]float64{}
	timed := map[string]uint64{}
	for _, mf := range families {
		for _, s := range mf.GetMetric() {
			labels := map[string]string{}
			for _, l := range s.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			switch mf.GetName() {
			case "profilegraph_http_requests_total":
				counts[[2]string{labels["route"], labels["code"]}] = s.GetCounter().GetValue()
			case "profilegraph_http_request_duration_seconds":
				if mf.GetType() != dto.MetricType_HISTOGRAM {
					t.Fatalf("duration is a %v", mf.GetType())
				}
				timed[labels["route"]] = s.GetHistogram().GetSampleCount()
			}
		}
	}
	want := map[[2]string]float64{{"/export", "401"}: 2, {"/export", "200"}: 1, {"/healthz", "200"}: 1}
	if len(counts) != len(want) {
		t.Errorf("request series = %v, want %v", counts, want)
	}
	for k, v := range want {
		if counts[k] != v {
			t.Errorf("requests %v = %v, want %v (all: %v)", k, counts[k], v, counts)
		}
	}
	if timed["/export"] != 3 || timed["/healthz"] != 1 || len(timed) != 2 {
		t.Errorf("timed requests = %v, want /export 3 and /healthz 1", timed)
	}
}
