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

func TestTracingConfig(t *testing.T) {
	t.Parallel()
	env := func(kv ...string) func(string) string {
		m := map[string]string{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	for _, tc := range []struct {
		name     string
		getenv   func(string) string
		exporter string
		endpoint string
		service  string
	}{
		{"off when nothing is set", env(), "", "", "profilegraph"},
		{"off with an exporter of none", env("OTEL_TRACES_EXPORTER", "none", "OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318"), "", "", "profilegraph"},
		{"off when the SDK is disabled", env("OTEL_SDK_DISABLED", "true", "OTEL_TRACES_EXPORTER", "otlp"), "", "", "profilegraph"},
		{"a base endpoint turns OTLP on and gets /v1/traces", env("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318/"), "otlp", "http://collector:4318/v1/traces", "profilegraph"},
		{"a traces endpoint is used as is", env("OTEL_EXPORTER_OTLP_ENDPOINT", "http://a:4318", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "https://b/otlp"), "otlp", "https://b/otlp", "profilegraph"},
		{"otlp alone defaults to localhost", env("OTEL_TRACES_EXPORTER", "otlp"), "otlp", "http://localhost:4318/v1/traces", "profilegraph"},
		{"console, named by OTEL_SERVICE_NAME over the resource", env("OTEL_TRACES_EXPORTER", "console", "OTEL_RESOURCE_ATTRIBUTES", "service.name=x,deployment.environment=ci", "OTEL_SERVICE_NAME", "pg-eu"), "console", "http://localhost:4318/v1/traces", "pg-eu"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := parseTracingConfig(tc.getenv)
			if err != nil {
				t.Fatal(err)
			}
			if c.Exporter != tc.exporter || c.Enabled() != (tc.exporter != "") {
				t.Errorf("exporter = %q (enabled %v), want %q", c.Exporter, c.Enabled(), tc.exporter)
			}
			if tc.exporter != "" && c.Endpoint != tc.endpoint {
				t.Errorf("endpoint = %q, want %q", c.Endpoint, tc.endpoint)
			}
			if c.ServiceName != tc.service {
				t.Errorf("service name = %q, want %q", c.ServiceName, tc.service)
			}
		})
	}
	t.Run("headers are merged, traces ones winning, values percent-decoded", func(t *testing.T) {
		c, err := parseTracingConfig(env("OTEL_TRACES_EXPORTER", "otlp",
			"OTEL_EXPORTER_OTLP_HEADERS", "authorization=Basic%20abc,x-a=1", "OTEL_EXPORTER_OTLP_TRACES_HEADERS", "x-a=2"))
		if err != nil {
			t.Fatal(err)
		}
		if c.Headers["authorization"] != "Basic abc" || c.Headers["x-a"] != "2" {
			t.Errorf("headers = %v", c.Headers)
		}
	})
	for _, tc := range []struct{ name, key, value, want string }{
		{"grpc is refused, not silently sent over HTTP", "OTEL_EXPORTER_OTLP_PROTOCOL", "grpc", "OTEL_EXPORTER_OTLP_PROTOCOL"},
		{"an unknown exporter", "OTEL_TRACES_EXPORTER", "zipkin", "OTEL_TRACES_EXPORTER"},
		{"an unknown sampler", "OTEL_TRACES_SAMPLER", "sometimes", "OTEL_TRACES_SAMPLER"},
		{"a ratio out of range", "OTEL_TRACES_SAMPLER_ARG", "1.5", "OTEL_TRACES_SAMPLER_ARG"},
		{"an unknown propagator", "OTEL_PROPAGATORS", "b3", "OTEL_PROPAGATORS"},
		{"a malformed header list", "OTEL_EXPORTER_OTLP_HEADERS", "novalue", "OTEL_EXPORTER_OTLP_HEADERS"},
		{"a non-URL endpoint", "OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4318", "not an http(s) URL"},
	} {
		t.Run("refused: "+tc.name, func(t *testing.T) {
			_, err := parseTracingConfig(env("OTEL_TRACES_EXPORTER", "otlp", tc.key, tc.value))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want one naming %s", err, tc.want)
			}
		})
	}
	t.Run("a bad variable stops the server at start", func(t *testing.T) {
		err := run(t.Context(), nil, env("OTEL_TRACES_EXPORTER", "jaeger"), &syncBuffer{})
		if err == nil || !strings.Contains(err.Error(), "OTEL_TRACES_EXPORTER") {
			t.Errorf("run = %v, want a configuration error naming OTEL_TRACES_EXPORTER", err)
		}
	})
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
