package api

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are the Prometheus series of one server (its own registry, so tests can run
// several servers in one process).
type Metrics struct {
	registry  *prometheus.Registry
	requests  *prometheus.CounterVec
	latency   *prometheus.HistogramVec
	dbQueries prometheus.Counter
	// httpRequests and httpLatency are per route (Route), for every request a route
	// answers, refusals included: /export has no GraphQL operation to count.
	httpRequests *prometheus.CounterVec
	httpLatency  *prometheus.HistogramVec

	mu    sync.Mutex
	names map[string]bool
}

// Operation names come from clients, so their labels are bounded (SPEC §7): at most
// MaxOperationNames names of at most MaxOperationNameLen bytes, the rest are "other".
const (
	MaxOperationNames   = 200
	MaxOperationNameLen = 64
)

// NewMetrics returns the server's series on a registry of their own, with the Go and
// process collectors.
func NewMetrics() *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "profilegraph_graphql_requests_total",
			Help: "GraphQL operations by operation name, type and outcome.",
		}, []string{"operation", "type", "outcome"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "profilegraph_graphql_request_duration_seconds",
			Help:    "GraphQL operation latency by operation name and type.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2, 14),
		}, []string{"operation", "type"}),
		dbQueries: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "profilegraph_db_queries_total",
			Help: "SQL round trips to PostgreSQL (a query, a batch or a COPY each count once).",
		}),
		httpRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "profilegraph_http_requests_total",
			Help: "HTTP requests by route (the server's own patterns) and status code.",
		}, []string{"route", "code"}),
		httpLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "profilegraph_http_request_duration_seconds",
			Help:    "HTTP request latency by route, from the handler's start to its return.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2, 14),
		}, []string{"route"}),
		names: map[string]bool{},
	}
	m.registry.MustRegister(m.requests, m.latency, m.dbQueries, m.httpRequests, m.httpLatency,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Register adds c's series to the metrics, e.g. the shared cache's. It returns the
// registry's error for a collector whose series clash with registered ones.
func (m *Metrics) Register(c prometheus.Collector) error { return m.registry.Register(c) }

// Handler serves the metrics in Prometheus's text format (GET /metrics).
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
}

// Route counts and times the requests next answers under route, a pattern of the
// server's own (so the label set is bounded), by the status it answered.
func (m *Metrics) Route(route string, next http.Handler) http.Handler {
	latency := m.httpLatency.WithLabelValues(route)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := recordStatus(w)
		next.ServeHTTP(sw, r)
		latency.Observe(time.Since(start).Seconds())
		m.httpRequests.WithLabelValues(route, strconv.Itoa(sw.code())).Inc()
	})
}

// CountQuery is the pgx tracer's callback.
func (m *Metrics) CountQuery(context.Context) { m.dbQueries.Inc() }

func (m *Metrics) operationLabel(name string) string {
	if name == "" {
		return "anonymous"
	}
	if len(name) > MaxOperationNameLen {
		return "other"
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.names[name] {
		return name
	}
	if len(m.names) >= MaxOperationNames {
		return "other"
	}
	m.names[name] = true
	return name
}

// operationExtension observes every GraphQL operation.
func (m *Metrics) operationExtension() graphql.HandlerExtension { return opMetrics{m} }

type opMetrics struct{ m *Metrics }

func (opMetrics) ExtensionName() string                   { return "Metrics" }
func (opMetrics) Validate(graphql.ExecutableSchema) error { return nil }
func (o opMetrics) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	start := time.Now()
	resp := next(ctx)
	if !graphql.HasOperationContext(ctx) {
		return resp
	}
	op := graphql.GetOperationContext(ctx)
	// Only an operation that parsed and passed validation has op.Operation; its name
	// is the document's, not the request's operationName parameter.
	typ, name := "invalid", "invalid"
	if op.Operation != nil {
		typ = string(op.Operation.Operation)
		name = o.m.operationLabel(op.Operation.Name)
	}
	outcome := "ok"
	if resp != nil && len(resp.Errors) > 0 {
		outcome = "error"
	}
	o.m.requests.WithLabelValues(name, typ, outcome).Inc()
	o.m.latency.WithLabelValues(name, typ).Observe(time.Since(start).Seconds())
	return resp
}
