package main

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// metrics are the Prometheus series of one server (its own registry, so tests can run
// several servers in one process).
type metrics struct {
	registry  *prometheus.Registry
	requests  *prometheus.CounterVec
	latency   *prometheus.HistogramVec
	dbQueries prometheus.Counter

	mu    sync.Mutex
	names map[string]bool
}

// Operation names come from clients, so their labels are bounded (SPEC §7): at most
// maxOperationNames names of at most maxOperationNameLen bytes, the rest are "other".
const (
	maxOperationNames   = 200
	maxOperationNameLen = 64
)

func newMetrics() *metrics {
	m := &metrics{
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
		names: map[string]bool{},
	}
	m.registry.MustRegister(m.requests, m.latency, m.dbQueries,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// countQuery is the pgx tracer's callback.
func (m *metrics) countQuery(context.Context) { m.dbQueries.Inc() }

func (m *metrics) operationLabel(name string) string {
	if name == "" {
		return "anonymous"
	}
	if len(name) > maxOperationNameLen {
		return "other"
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.names[name] {
		return name
	}
	if len(m.names) >= maxOperationNames {
		return "other"
	}
	m.names[name] = true
	return name
}

// operationExtension observes every GraphQL operation.
func (m *metrics) operationExtension() graphql.HandlerExtension { return opMetrics{m} }

type opMetrics struct{ m *metrics }

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

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
