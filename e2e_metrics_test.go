package main

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/profilegraph/profilegraph/api"
	"github.com/profilegraph/profilegraph/profile"
)

// Class 5 of issue 9: no client can grow /metrics (SPEC §7). On the old code the
// operationName of any request, however long and however invalid, became a label.
func TestE2EHardeningMetricLabelsAreBounded(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	tok := s.mkUser(t, profile.AppFacebook, "met-fb")
	long := strings.Repeat("N", 10000)

	// Invalid requests: unauthenticated, unparsable, failing validation, unknown name.
	s.do(t, "", map[string]any{"query": "query " + long + " { viewer { id } }", "operationName": long}, nil)
	s.do(t, tok, map[string]any{"query": "query " + long + "X { viewer { id ", "operationName": long + "X"}, nil)
	s.do(t, tok, map[string]any{"query": "query " + long + "Y { viewer { nope } }", "operationName": long + "Y"}, nil)
	s.do(t, tok, map[string]any{"query": "query Known { viewer { id } }", "operationName": "Unknown" + long}, nil)
	s.do(t, tok, map[string]any{"query": "query NeverValid { viewer { nope } }", "operationName": "NeverValid"}, nil)
	// A valid operation with a long name.
	mustOK(t, s.query(t, tok, "query "+long+"Z { viewerAccount { id } }", nil))
	// A valid operation with a short name.
	mustOK(t, s.query(t, tok, "query ShortAndValid { viewerAccount { id } }", nil))

	_, body := s.get(t, "/metrics")
	if strings.Contains(body, "NNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNN") {
		t.Fatalf("a long operation name became a label (/metrics is %d bytes)", len(body))
	}
	if strings.Contains(body, `operation="NeverValid"`) || strings.Contains(body, "Unknown") {
		t.Fatalf("an operation that did not pass validation became a label")
	}
	if !strings.Contains(body, `operation="ShortAndValid"`) {
		t.Fatalf("a valid operation is not labelled:\n%.2000s", body)
	}
	if len(body) > 200<<10 {
		t.Fatalf("/metrics is %d bytes", len(body))
	}

	t.Run("distinct valid names are capped", func(t *testing.T) {
		for i := range api.MaxOperationNames + 20 {
			mustOK(t, s.query(t, tok, fmt.Sprintf("query Op%d { viewerAccount { id } }", i), nil))
		}
		_, body := s.get(t, "/metrics")
		if n := strings.Count(body, "profilegraph_graphql_requests_total{"); n > api.MaxOperationNames+10 {
			t.Fatalf("%d request series, want at most about %d", n, api.MaxOperationNames)
		}
		if !strings.Contains(body, `operation="other"`) {
			t.Fatalf("names past the cap should count as other")
		}
	})

	t.Run("HTTP requests are counted by route and status, never by what the client sent", func(t *testing.T) {
		for range 2 {
			if r := s.send(t, http.MethodGet, "/export?"+long, nil, ""); r.Status != http.StatusUnauthorized {
				t.Fatalf("GET /export without a token: %d", r.Status)
			}
		}
		// An unlinked user has nothing to export: 404.
		if r := s.send(t, http.MethodGet, "/export", map[string]string{"Authorization": "Bearer " + tok}, ""); r.Status != http.StatusNotFound {
			t.Fatalf("GET /export of an unlinked user: %d", r.Status)
		}
		_, body := s.get(t, "/metrics")
		for _, want := range []string{
			`profilegraph_http_requests_total{code="401",route="/export"} 2`,
			`profilegraph_http_requests_total{code="404",route="/export"} 1`,
			`profilegraph_http_request_duration_seconds_count{route="/export"} 3`,
			`profilegraph_http_requests_total{code="200",route="/graphql"}`,
		} {
			if !strings.Contains(body, want) {
				t.Errorf("/metrics lacks %s", want)
			}
		}
		if strings.Contains(body, "NNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNN") {
			t.Errorf("a request's query string became a label")
		}
	})
}
