package api

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

func TestRequestID(t *testing.T) {
	var seen string
	h := RequestID(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { seen = requestIDFrom(r.Context()) }))
	serve := func(header string) string {
		req := httptest.NewRequest(http.MethodGet, "/healthz", nil)
		if header != "" {
			req.Header.Set("X-Request-Id", header)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if got := rec.Header().Get("X-Request-Id"); got != seen {
			t.Errorf("echoed id %q, context holds %q", got, seen)
		}
		return seen
	}
	t.Run("a sane caller id is kept", func(t *testing.T) {
		if got := serve("abc-123.X_y"); got != "abc-123.X_y" {
			t.Errorf("id = %q", got)
		}
	})
	for _, bad := range []string{"", "has space", strings.Repeat("a", 65), "new\nline"} {
		t.Run("an id of "+strings.ReplaceAll(bad, "\n", `\n`)+" is replaced", func(t *testing.T) {
			got := serve(bad)
			if got == bad || !validRequestID.MatchString(got) {
				t.Errorf("id = %q", got)
			}
		})
	}
}

func TestLogHandlerAddsTheRequestID(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(NewLogHandler(slog.NewJSONHandler(&buf, nil))).With("k", "v").WithGroup("g")
	ctx := context.WithValue(context.Background(), requestIDKey{}, "rid-1")
	logger.InfoContext(ctx, "hello")
	logger.Info("without")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], `"request_id":"rid-1"`) || strings.Contains(lines[1], "request_id") {
		t.Fatalf("log lines:\n%s", buf.String())
	}
}

func TestAccessLog(t *testing.T) {
	var buf bytes.Buffer
	h := AccessLog(slog.New(slog.NewJSONHandler(&buf, nil)), http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusTeapot)
		_, _ = w.Write([]byte("body"))
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/graphql?token=secret", strings.NewReader("private")))
	var line map[string]any
	if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
		t.Fatalf("access log %q: %v", buf.String(), err)
	}
	if line["status"] != float64(http.StatusTeapot) || line["path"] != "/graphql" || line["method"] != "POST" {
		t.Errorf("access log line %v", line)
	}
	if strings.Contains(buf.String(), "secret") || strings.Contains(buf.String(), "private") {
		t.Errorf("the access log holds the query string or body: %s", buf.String())
	}
	if rec.Code != http.StatusTeapot || rec.Body.String() != "body" {
		t.Errorf("response %d %q", rec.Code, rec.Body)
	}
}

// AccessLog, Metrics.Route and the tracing middleware all read the status of one
// request through one statusWriter: the innermost handler writes to the access log's,
// and each layer sees the status it answered.
func TestStatusLayersShareOneWriter(t *testing.T) {
	var buf bytes.Buffer
	exp := tracetest.NewInMemoryExporter()
	tr, err := StartTracing(context.Background(), TracingConfig{ServiceName: "test"}, io.Discard, exp)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tr.Shutdown(context.Background()) })
	m := NewMetrics()
	var wrapped bool
	inner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw, ok := r.Context().Value(statusWriterKey{}).(*statusWriter)
		wrapped = !ok || http.ResponseWriter(sw) != w
		w.WriteHeader(http.StatusServiceUnavailable)
	})
	h := AccessLog(slog.New(slog.NewJSONHandler(&buf, nil)), m.Route("/graphql", tr.middleware(inner)))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/graphql", nil))
	if wrapped {
		t.Error("the handler writes through another writer than the access log's: a layer wrapped it again")
	}
	if rec.Code != http.StatusServiceUnavailable {
		t.Errorf("response status %d, want 503", rec.Code)
	}
	var line map[string]any
	if err := json.Unmarshal(buf.Bytes(), &line); err != nil || line["status"] != float64(http.StatusServiceUnavailable) {
		t.Errorf("access log line %q (%v), want status 503", buf.String(), err)
	}
	var count dto.Metric
	if err := m.httpRequests.WithLabelValues("/graphql", "503").Write(&count); err != nil || count.GetCounter().GetValue() != 1 {
		t.Errorf("requests of /graphql with 503 = %v (%v), want 1", count.GetCounter().GetValue(), err)
	}
	spans := exp.GetSpans()
	if len(spans) != 1 {
		t.Fatalf("%d spans, want 1", len(spans))
	}
	var status int64
	for _, a := range spans[0].Attributes {
		if a.Key == "http.response.status_code" {
			status = a.Value.AsInt64()
		}
	}
	if status != http.StatusServiceUnavailable {
		t.Errorf("span status %d, want 503", status)
	}
}

func TestNoStore(t *testing.T) {
	rec := httptest.NewRecorder()
	withNoStore(http.NotFoundHandler()).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if got := rec.Header().Get("Cache-Control"); got != "private, no-store" {
		t.Errorf("Cache-Control = %q", got)
	}
}

func TestBodyLimit(t *testing.T) {
	var got []byte
	next := http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { got, _ = io.ReadAll(r.Body) })
	h := withBodyLimit(512<<10, next)
	serve := func(body io.Reader) *httptest.ResponseRecorder {
		got = nil
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/graphql", body))
		return rec
	}
	t.Run("a body within the limit reaches next whole", func(t *testing.T) {
		body := strings.Repeat("x", 512<<10)
		if rec := serve(strings.NewReader(body)); rec.Code != http.StatusOK || string(got) != body {
			t.Fatalf("status %d, next read %d bytes", rec.Code, len(got))
		}
	})
	for name, body := range map[string]io.Reader{
		"with a Content-Length": strings.NewReader(strings.Repeat("x", 512<<10+1)),
		"chunked":               io.MultiReader(strings.NewReader(strings.Repeat("x", 512<<10+1))),
	} {
		t.Run("a larger body "+name+" is 413, naming the configured limit", func(t *testing.T) {
			rec := serve(body)
			if rec.Code != http.StatusRequestEntityTooLarge || got != nil {
				t.Fatalf("status %d, next called: %v", rec.Code, got != nil)
			}
			var resp gqlResponse
			if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil || len(resp.Errors) != 1 {
				t.Fatalf("body %q: %v", rec.Body, err)
			}
			if msg := resp.Errors[0].Message; msg != "request body is larger than 512 KiB" || resp.Errors[0].Extensions["code"] != "BAD_REQUEST" {
				t.Errorf("error %+v", resp.Errors[0])
			}
		})
	}
}

func TestByteSize(t *testing.T) {
	for n, want := range map[int64]string{1 << 20: "1 MiB", 3 << 20: "3 MiB", 512 << 10: "512 KiB", 1000: "1000 bytes", 1<<20 + 1: "1048577 bytes"} {
		if got := byteSize(n); got != want {
			t.Errorf("byteSize(%d) = %q, want %q", n, got, want)
		}
	}
}
