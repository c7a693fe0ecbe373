package benchload

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/profilegraph/profilegraph/internal/benchload/ceiling"
)

// The floor answers a recorded (Authorization, body) pair with its recorded bytes and
// anything else with 404, which the load driver counts as a failure.
func TestFloorHandler(t *testing.T) {
	h := floorHandler([]ceiling.Recorded{{Auth: "Bearer a", Body: []byte(`{"q":1}`), Response: []byte(`{"data":{"x":1}}`)}})
	for _, c := range []struct {
		auth, body string
		code       int
		want       string
	}{
		{"Bearer a", `{"q":1}`, http.StatusOK, `{"data":{"x":1}}`},
		{"Bearer b", `{"q":1}`, http.StatusNotFound, ""},
		{"Bearer a", `{"q":2}`, http.StatusNotFound, ""},
	} {
		req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(c.body))
		req.Header.Set("Authorization", c.auth)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != c.code || (c.want != "" && rec.Body.String() != c.want) {
			t.Errorf("%s %s: HTTP %d %q, want %d %q", c.auth, c.body, rec.Code, rec.Body.String(), c.code, c.want)
		}
	}
}

func TestMallocsMetricsParses(t *testing.T) {
	rec := httptest.NewRecorder()
	mallocsMetrics(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	v, found, err := parseMetric(rec.Body, "go_memstats_mallocs_total")
	if err != nil || !found || v <= 0 {
		t.Errorf("mallocs metric = %v, %v, %v; want a positive count", v, found, err)
	}
}
