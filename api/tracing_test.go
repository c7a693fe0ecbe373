package api

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

// The OTEL_* variables are read as the OpenTelemetry specification says (SPEC §9
// "Tracing"); what it does not allow is refused, naming the variable.
func TestParseTracingConfig(t *testing.T) {
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
			c, err := ParseTracingConfig(tc.getenv)
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
		c, err := ParseTracingConfig(env("OTEL_TRACES_EXPORTER", "otlp",
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
			_, err := ParseTracingConfig(env("OTEL_TRACES_EXPORTER", "otlp", tc.key, tc.value))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want one naming %s", err, tc.want)
			}
		})
	}
}

// The server span continues the caller's traceparent and carries the status the handler
// answered, whatever else wraps the request (no access log here), and marks 5xx as an
// error.
func TestTracingMiddlewareRecordsTheStatusItSees(t *testing.T) {
	t.Parallel()
	exp := tracetest.NewInMemoryExporter()
	tr, err := StartTracing(context.Background(), TracingConfig{ServiceName: "test"}, io.Discard, exp)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tr.Shutdown(context.Background()) })
	const parent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	for _, tc := range []struct {
		name    string
		handler http.HandlerFunc
		status  int
		failed  bool
	}{
		{"a body without a header is 200", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok") }, 200, false},
		{"nothing written is 200", func(http.ResponseWriter, *http.Request) {}, 200, false},
		{"a refusal is its status", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusUnauthorized) }, 401, false},
		{"a server error marks the span", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusServiceUnavailable) }, 503, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			exp.Reset()
			rec := httptest.NewRecorder()
			req := httptest.NewRequest(http.MethodPost, "/graphql", nil)
			req.Header.Set("traceparent", parent)
			tr.middleware(tc.handler).ServeHTTP(rec, req)
			if rec.Code != tc.status {
				t.Fatalf("response status %d, want %d", rec.Code, tc.status)
			}
			spans := exp.GetSpans()
			if len(spans) != 1 {
				t.Fatalf("%d spans, want 1", len(spans))
			}
			s := spans[0]
			if got := s.Parent.TraceID().String(); got != "4bf92f3577b34da6a3ce929d0e0e4736" || s.SpanKind != trace.SpanKindServer {
				t.Errorf("span parent trace %s, kind %v; want the caller's trace, server", got, s.SpanKind)
			}
			var status int64 = -1
			for _, a := range s.Attributes {
				if a.Key == "http.response.status_code" {
					status = a.Value.AsInt64()
				}
			}
			if status != int64(tc.status) || (s.Status.Code == codes.Error) != tc.failed {
				t.Errorf("span status attribute %d, status %v; want %d, error %v", status, s.Status, tc.status, tc.failed)
			}
		})
	}
}
