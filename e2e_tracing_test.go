package main

// OpenTelemetry tests (SPEC §9 "Tracing"): the OTEL_* variables are read as the
// specification says, and a real request, with the caller's W3C traceparent, produces
// a server span under the caller's span, an operation span, resolver spans and a span
// per SQL round trip (batches included), all in the caller's trace, with no request
// text in them.

import (
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/profilegraph/profilegraph/profile"
)

// A bad OTEL_* variable stops the server at start.
func TestTracingConfigErrorStopsTheServer(t *testing.T) {
	t.Parallel()
	getenv := func(k string) string { return map[string]string{"OTEL_TRACES_EXPORTER": "jaeger"}[k] }
	err := run(t.Context(), nil, getenv, &syncBuffer{})
	if err == nil || !strings.Contains(err.Error(), "OTEL_TRACES_EXPORTER") {
		t.Errorf("run = %v, want a configuration error naming OTEL_TRACES_EXPORTER", err)
	}
}

func TestTracingSpansOfARealRequest(t *testing.T) {
	t.Parallel()
	exp := tracetest.NewInMemoryExporter()
	s := startServer(t, nil, withSpanExporter(exp))
	s.mkPerson(t,
		account{App: profile.AppFacebook, UserID: "tr-fb", Fields: map[string]any{"displayName": "Tracy Facebook"}},
		account{App: profile.AppInstagram, UserID: "tr-ig", Fields: map[string]any{"displayName": "Tracy Instagram"}})
	token := userToken(t, profile.AppFacebook, "tr-fb")

	// One traced query and one traced mutation (whose writes are pgx batches).
	const (
		traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
		parent  = "00f067aa0ba902b7"
	)
	exp.Reset()
	const q = `query TracedViewer { viewer { id profile { displayName } accounts { app appUserId } activity(first: 5) { edges { node { type } } } } }`
	r := s.do(t, token, map[string]any{"query": q}, map[string]string{"traceparent": "00-" + traceID + "-" + parent + "-01"})
	mustOK(t, r)
	r = s.do(t, token, map[string]any{"query": `mutation TracedGrant { grantConsent(input: {sourceApp: INSTAGRAM, targetApp: FACEBOOK, category: CONTACT}) { grantedAt } }`},
		map[string]string{"traceparent": "00-" + traceID + "-" + parent + "-01"})
	mustOK(t, r)

	// The server span ends just after the response is written: wait for both.
	var spans tracetest.SpanStubs
	deadline := time.Now().Add(10 * time.Second)
	for {
		spans = exp.GetSpans()
		n := 0
		for _, sp := range spans {
			if sp.Name == "POST /graphql" {
				n++
			}
		}
		if n >= 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("want 2 server spans, got %d spans: %v", len(spans), spanNames(spans))
		}
		time.Sleep(20 * time.Millisecond)
	}

	byID := map[trace.SpanID]tracetest.SpanStub{}
	for _, sp := range spans {
		byID[sp.SpanContext.SpanID()] = sp
	}
	var servers []tracetest.SpanStub
	for _, sp := range spans {
		if sp.SpanContext.TraceID().String() != traceID {
			t.Errorf("span %q is in trace %s, not the caller's %s", sp.Name, sp.SpanContext.TraceID(), traceID)
		}
		if sp.Name == "POST /graphql" {
			servers = append(servers, sp)
			if sp.Parent.SpanID().String() != parent || !sp.Parent.IsRemote() {
				t.Errorf("server span's parent = %s (remote %v), want the caller's %s", sp.Parent.SpanID(), sp.Parent.IsRemote(), parent)
			}
			if sp.SpanKind != trace.SpanKindServer {
				t.Errorf("server span kind = %v", sp.SpanKind)
			}
			continue
		}
		// Every other span descends from a server span of this request.
		cur, ok := sp, true
		for ok && cur.Name != "POST /graphql" {
			cur, ok = byID[cur.Parent.SpanID()]
		}
		if !ok {
			t.Errorf("span %q does not descend from the server span", sp.Name)
		}
	}
	if len(servers) != 2 {
		t.Fatalf("server spans = %d, want 2", len(servers))
	}

	// ancestor is the name of the nearest ancestor of sp whose name is one of names.
	ancestor := func(sp tracetest.SpanStub, names ...string) string {
		for cur, ok := byID[sp.Parent.SpanID()]; ok; cur, ok = byID[cur.Parent.SpanID()] {
			for _, n := range names {
				if cur.Name == n {
					return n
				}
			}
		}
		return ""
	}
	count := map[string]int{}
	var sqlUnderQuery, batchUnderMutation int
	for _, sp := range spans {
		count[sp.Name]++
		isSQL := false
		for _, a := range sp.Attributes {
			if a.Key == "db.query.text" || a.Key == "db.operation.batch.size" {
				isSQL = true
			}
			if v := a.Value.String(); strings.Contains(v, token) || strings.Contains(v, "Tracy") || strings.Contains(v, "viewer {") {
				t.Errorf("span %q attribute %s carries request text or personal data: %q", sp.Name, a.Key, v)
			}
		}
		if isSQL && sp.SpanKind != trace.SpanKindClient {
			t.Errorf("SQL span %q kind = %v, want client", sp.Name, sp.SpanKind)
		}
		if isSQL && ancestor(sp, "TracedViewer") == "TracedViewer" {
			sqlUnderQuery++
		}
		if sp.Name == "batch start" && ancestor(sp, "TracedGrant") == "TracedGrant" {
			batchUnderMutation++
		}
	}
	for _, name := range []string{"TracedViewer", "TracedGrant", "Query/viewer", "Person/activity", "Mutation/grantConsent"} {
		if count[name] == 0 {
			t.Errorf("no span %q; spans: %v", name, spanNames(spans))
		}
	}
	if ancestor(spanNamed(t, spans, "Query/viewer"), "TracedViewer") == "" {
		t.Errorf("Query/viewer is not under the operation span")
	}
	if count["Profile/displayName"] != 0 {
		t.Errorf("a scalar field that does no I/O got a span")
	}
	if sqlUnderQuery == 0 {
		t.Errorf("no SQL span under the query; spans: %v", spanNames(spans))
	}
	if batchUnderMutation == 0 {
		t.Errorf("no SQL batch span under the mutation; spans: %v", spanNames(spans))
	}
}

func spanNames(spans tracetest.SpanStubs) []string {
	out := make([]string, len(spans))
	for i, sp := range spans {
		out[i] = sp.Name
	}
	return out
}

func spanNamed(tb testing.TB, spans tracetest.SpanStubs, name string) tracetest.SpanStub {
	tb.Helper()
	for _, sp := range spans {
		if sp.Name == name {
			return sp
		}
	}
	tb.Fatalf("no span %q", name)
	return tracetest.SpanStub{}
}
