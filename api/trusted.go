package main

import (
	"context"
	"fmt"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/profilegraph/profilegraph/graph"
	"github.com/profilegraph/profilegraph/profile"
	"github.com/profilegraph/profilegraph/trusteddocs"
)

// loadTrustedDocuments loads the TRUSTED_DOCUMENTS manifest, checked against the
// schema; nil when none is configured.
func loadTrustedDocuments(cfg Config) (*trusteddocs.List, error) {
	if cfg.TrustedDocuments == "" {
		return nil, nil
	}
	l, err := trusteddocs.Load(cfg.TrustedDocuments, graph.NewExecutableSchema(graph.Config{}).Schema())
	if err != nil {
		return nil, fmt.Errorf("TRUSTED_DOCUMENTS: %w", err)
	}
	return l, nil
}

// limitedByTrustedDocuments: user tokens run only manifest operations; service tokens
// (an app's backend) and requests without a token (only `_service` and introspection
// pass the auth gate) are not limited.
func limitedByTrustedDocuments(ctx context.Context) bool {
	v := profile.ViewerFrom(ctx)
	return v != nil && !v.Service
}

// runOption adjusts run for tests.
type runOption func(*runOptions)

type runOptions struct {
	// spanExporter, when set, receives every span synchronously and turns tracing on
	// whatever the OTEL_* variables say.
	spanExporter sdktrace.SpanExporter
}

// withSpanExporter sends every span to exp as it ends (tests).
func withSpanExporter(exp sdktrace.SpanExporter) runOption {
	return func(o *runOptions) { o.spanExporter = exp }
}
