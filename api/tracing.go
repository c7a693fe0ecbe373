package api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/exaring/otelpgx"
	"github.com/jackc/pgx/v5"
	"github.com/ravilushqa/otelgqlgen"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/exporters/stdout/stdouttrace"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/embedded"
)

// TracingConfig is the OpenTelemetry configuration, read once in run from the standard
// OTEL_* variables (https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/).
// Tracing is off unless OTEL_TRACES_EXPORTER or an OTLP endpoint is set.
type TracingConfig struct {
	// Exporter is "otlp" (OTLP over HTTP/protobuf), "console" (spans as JSON on stdout),
	// or "" when tracing is off.
	Exporter    string
	Endpoint    string // the full traces URL, e.g. http://collector:4318/v1/traces
	Headers     map[string]string
	Timeout     time.Duration
	Gzip        bool
	ServiceName string
	Resource    []attribute.KeyValue
	Sampler     sdktrace.Sampler
	Propagator  propagation.TextMapPropagator
}

// Enabled reports whether spans are recorded and exported.
func (c TracingConfig) Enabled() bool { return c.Exporter != "" }

// ParseTracingConfig reads the OTEL_* variables; a value it cannot honour is an error
// naming the variable rather than a silently different behaviour.
func ParseTracingConfig(getenv func(string) string) (TracingConfig, error) {
	var errs []error
	// signal returns OTEL_EXPORTER_OTLP_TRACES_<name>, else OTEL_EXPORTER_OTLP_<name>.
	signal := func(name string) (string, string) {
		if v := getenv("OTEL_EXPORTER_OTLP_TRACES_" + name); v != "" {
			return "OTEL_EXPORTER_OTLP_TRACES_" + name, v
		}
		return "OTEL_EXPORTER_OTLP_" + name, getenv("OTEL_EXPORTER_OTLP_" + name)
	}
	c := TracingConfig{ServiceName: "profilegraph"}
	if v := getenv("OTEL_SDK_DISABLED"); v != "" {
		off, err := strconv.ParseBool(v)
		if err != nil {
			return c, fmt.Errorf("OTEL_SDK_DISABLED: %q is not a boolean", v)
		}
		if off {
			return c, nil
		}
	}
	tracesEndpoint, base := getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"), getenv("OTEL_EXPORTER_OTLP_ENDPOINT")
	switch exp := strings.TrimSpace(getenv("OTEL_TRACES_EXPORTER")); exp {
	case "":
		if tracesEndpoint == "" && base == "" {
			return c, nil
		}
		c.Exporter = "otlp"
	case "none":
		return c, nil
	case "otlp", "console":
		c.Exporter = exp
	default:
		return c, fmt.Errorf("OTEL_TRACES_EXPORTER: %q is not supported (otlp, console or none)", exp)
	}

	switch {
	case tracesEndpoint != "":
		c.Endpoint = tracesEndpoint // used as is, by the specification
	case base != "":
		c.Endpoint = strings.TrimSuffix(base, "/") + "/v1/traces"
	default:
		c.Endpoint = "http://localhost:4318/v1/traces"
	}
	if u, err := url.Parse(c.Endpoint); c.Exporter == "otlp" && (err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "") {
		errs = append(errs, fmt.Errorf("OTLP endpoint %q is not an http(s) URL", c.Endpoint))
	}
	if name, v := signal("PROTOCOL"); v != "" && v != "http/protobuf" {
		errs = append(errs, fmt.Errorf("%s: %q is not supported (http/protobuf)", name, v))
	}
	c.Headers = map[string]string{}
	for _, name := range []string{"OTEL_EXPORTER_OTLP_HEADERS", "OTEL_EXPORTER_OTLP_TRACES_HEADERS"} {
		kv, err := parseKeyValues(getenv(name))
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
		}
		for k, v := range kv {
			c.Headers[k] = v
		}
	}
	if name, v := signal("TIMEOUT"); v != "" {
		ms, err := strconv.Atoi(v)
		if err != nil || ms <= 0 {
			errs = append(errs, fmt.Errorf("%s: %q is not a positive number of milliseconds", name, v))
		}
		c.Timeout = time.Duration(ms) * time.Millisecond
	}
	if name, v := signal("COMPRESSION"); v != "" {
		switch v {
		case "gzip":
			c.Gzip = true
		case "none":
		default:
			errs = append(errs, fmt.Errorf("%s: %q is not gzip or none", name, v))
		}
	}

	attrs, err := parseKeyValues(getenv("OTEL_RESOURCE_ATTRIBUTES"))
	if err != nil {
		errs = append(errs, fmt.Errorf("OTEL_RESOURCE_ATTRIBUTES: %w", err))
	}
	if v := attrs["service.name"]; v != "" {
		c.ServiceName = v
	}
	if v := getenv("OTEL_SERVICE_NAME"); v != "" {
		c.ServiceName = v
	}
	for k, v := range attrs {
		if k != "service.name" {
			c.Resource = append(c.Resource, attribute.String(k, v))
		}
	}

	if c.Sampler, err = parseSampler(getenv("OTEL_TRACES_SAMPLER"), getenv("OTEL_TRACES_SAMPLER_ARG")); err != nil {
		errs = append(errs, err)
	}
	if c.Propagator, err = parsePropagators(getenv("OTEL_PROPAGATORS")); err != nil {
		errs = append(errs, err)
	}
	return c, errors.Join(errs...)
}

// parseKeyValues reads the "k1=v1,k2=v2" lists of OTEL_*_HEADERS and
// OTEL_RESOURCE_ATTRIBUTES (values percent-decoded).
func parseKeyValues(s string) (map[string]string, error) {
	out := map[string]string{}
	for _, pair := range strings.Split(s, ",") {
		if strings.TrimSpace(pair) == "" {
			continue
		}
		k, v, ok := strings.Cut(pair, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			return nil, fmt.Errorf("%q is not key=value", pair)
		}
		dv, err := url.PathUnescape(strings.TrimSpace(v))
		if err != nil {
			return nil, fmt.Errorf("value of %q: %w", k, err)
		}
		out[k] = dv
	}
	return out, nil
}

func parseSampler(name, arg string) (sdktrace.Sampler, error) {
	ratio := 1.0
	if arg != "" {
		r, err := strconv.ParseFloat(arg, 64)
		if err != nil || r < 0 || r > 1 {
			return nil, fmt.Errorf("OTEL_TRACES_SAMPLER_ARG: %q is not a ratio between 0 and 1", arg)
		}
		ratio = r
	}
	switch name {
	case "", "parentbased_always_on":
		return sdktrace.ParentBased(sdktrace.AlwaysSample()), nil
	case "always_on":
		return sdktrace.AlwaysSample(), nil
	case "always_off":
		return sdktrace.NeverSample(), nil
	case "traceidratio":
		return sdktrace.TraceIDRatioBased(ratio), nil
	case "parentbased_always_off":
		return sdktrace.ParentBased(sdktrace.NeverSample()), nil
	case "parentbased_traceidratio":
		return sdktrace.ParentBased(sdktrace.TraceIDRatioBased(ratio)), nil
	}
	return nil, fmt.Errorf("OTEL_TRACES_SAMPLER: %q is not supported", name)
}

func parsePropagators(list string) (propagation.TextMapPropagator, error) {
	if strings.TrimSpace(list) == "" {
		list = "tracecontext,baggage"
	}
	var props []propagation.TextMapPropagator
	for _, p := range strings.Split(list, ",") {
		switch strings.TrimSpace(p) {
		case "tracecontext":
			props = append(props, propagation.TraceContext{})
		case "baggage":
			props = append(props, propagation.Baggage{})
		case "none":
		default:
			return nil, fmt.Errorf("OTEL_PROPAGATORS: %q is not supported (tracecontext, baggage or none)", p)
		}
	}
	return propagation.NewCompositeTextMapPropagator(props...), nil
}

// Tracing is the running OpenTelemetry pipeline; a nil *Tracing is tracing off.
type Tracing struct {
	provider   *sdktrace.TracerProvider
	propagator propagation.TextMapPropagator
}

// StartTracing builds the tracer provider of c. A non-nil exporter replaces the
// configured one and is called synchronously as each span ends (tests).
func StartTracing(ctx context.Context, c TracingConfig, stdout io.Writer, exporter sdktrace.SpanExporter) (*Tracing, error) {
	if !c.Enabled() && exporter == nil {
		return nil, nil
	}
	opts := []sdktrace.TracerProviderOption{
		sdktrace.WithResource(resource.NewSchemaless(append([]attribute.KeyValue{attribute.String("service.name", c.ServiceName)}, c.Resource...)...)),
	}
	if c.Sampler != nil {
		opts = append(opts, sdktrace.WithSampler(c.Sampler))
	}
	switch {
	case exporter != nil:
		opts = append(opts, sdktrace.WithSyncer(exporter))
	case c.Exporter == "console":
		exp, err := stdouttrace.New(stdouttrace.WithWriter(stdout))
		if err != nil {
			return nil, fmt.Errorf("console span exporter: %w", err)
		}
		opts = append(opts, sdktrace.WithBatcher(exp))
	default:
		httpOpts := []otlptracehttp.Option{otlptracehttp.WithEndpointURL(c.Endpoint), otlptracehttp.WithHeaders(c.Headers)}
		if c.Timeout > 0 {
			httpOpts = append(httpOpts, otlptracehttp.WithTimeout(c.Timeout))
		}
		if c.Gzip {
			httpOpts = append(httpOpts, otlptracehttp.WithCompression(otlptracehttp.GzipCompression))
		}
		exp, err := otlptracehttp.New(ctx, httpOpts...)
		if err != nil {
			return nil, fmt.Errorf("OTLP span exporter: %w", err)
		}
		opts = append(opts, sdktrace.WithBatcher(exp))
	}
	prop := c.Propagator
	if prop == nil {
		prop = propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})
	}
	return &Tracing{provider: sdktrace.NewTracerProvider(opts...), propagator: prop}, nil
}

// Shutdown flushes the spans still queued; a nil t does nothing.
func (t *Tracing) Shutdown(ctx context.Context) error {
	if t == nil {
		return nil
	}
	return t.provider.Shutdown(ctx)
}

// PgxTracer is the pgx tracer that makes a span per SQL round trip (query, batch, COPY);
// nil when tracing is off. Statements are recorded, never their arguments.
func (t *Tracing) PgxTracer() pgx.QueryTracer {
	if t == nil {
		return nil
	}
	return otelpgx.NewTracer(otelpgx.WithTracerProvider(t.provider), otelpgx.WithDisableAcquireTracer())
}

// middleware continues the caller's W3C traceparent and wraps the request in a server
// span; a nil t returns next.
func (t *Tracing) middleware(next http.Handler) http.Handler {
	if t == nil {
		return next
	}
	tracer := t.provider.Tracer("github.com/profilegraph/profilegraph")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := t.propagator.Extract(r.Context(), propagation.HeaderCarrier(r.Header))
		ctx, span := tracer.Start(ctx, r.Method+" "+r.URL.Path, trace.WithSpanKind(trace.SpanKindServer),
			trace.WithAttributes(attribute.String("http.request.method", r.Method), attribute.String("url.path", r.URL.Path)))
		defer span.End()
		// The span records the status next answered, through the request's one
		// statusWriter (recordStatus: its own when no layer outside records it).
		sw := recordStatus(w)
		next.ServeHTTP(sw, r.WithContext(ctx))
		status := sw.code()
		span.SetAttributes(attribute.Int("http.response.status_code", status))
		if status >= 500 {
			span.SetStatus(codes.Error, http.StatusText(status))
		}
	})
}

// gqlExtension is otelgqlgen's extension: a span per operation and per resolver that
// does I/O (root fields and resolvers that return objects: they load through the
// dataloaders; scalar fields read the loaded subject and get none). Query text,
// variables, arguments and error messages stay out of the spans (they carry tokens,
// proofs and personal values, SPEC §7); errors are recorded by code.
func (t *Tracing) gqlExtension() graphql.HandlerExtension {
	return otelgqlgen.Middleware(
		otelgqlgen.WithTracerProvider(redactingProvider{tp: t.provider}),
		otelgqlgen.WithoutVariables(),
		otelgqlgen.WithCreateSpanFromFields(func(fc *graphql.FieldContext) bool {
			if fc.Field.ObjectDefinition == nil {
				return false
			}
			switch fc.Field.ObjectDefinition.Name {
			case "Query", "Mutation", "Entity":
				return true
			}
			return fc.IsResolver && len(fc.Field.Selections) > 0
		}),
		otelgqlgen.WithSpanKindSelector(func(string) trace.SpanKind { return trace.SpanKindInternal }),
		otelgqlgen.WithInterceptResponseResultHandlerFunc(func(resp *graphql.Response, span trace.Span) *graphql.Response {
			if resp != nil {
				setErrorStatus(span, resp.Errors)
			}
			return resp
		}),
		otelgqlgen.WithInterceptFieldsResultHandlerFunc(func(resp any, err error, errs gqlerror.List, span trace.Span) (any, error) {
			setErrorStatus(span, errs)
			return resp, err
		}),
	)
}

// setErrorStatus marks span as failed with the errors' codes only.
func setErrorStatus(span trace.Span, errs gqlerror.List) {
	if len(errs) == 0 {
		return
	}
	codeList := make([]string, 0, len(errs))
	for _, e := range errs {
		c, _ := e.Extensions["code"].(string)
		if c == "" {
			c = "UNKNOWN"
		}
		codeList = append(codeList, c)
	}
	span.SetAttributes(attribute.StringSlice("graphql.error.codes", codeList))
	span.SetStatus(codes.Error, strings.Join(codeList, ","))
}

// redactingProvider drops the attributes otelgqlgen always sets that may carry request
// text: the query and the literal arguments of fields.
type redactingProvider struct {
	embedded.TracerProvider
	tp trace.TracerProvider
}

func (p redactingProvider) Tracer(name string, opts ...trace.TracerOption) trace.Tracer {
	return redactingTracer{t: p.tp.Tracer(name, opts...)}
}

type redactingTracer struct {
	embedded.Tracer
	t trace.Tracer
}

func (t redactingTracer) Start(ctx context.Context, name string, opts ...trace.SpanStartOption) (context.Context, trace.Span) {
	ctx, span := t.t.Start(ctx, name, opts...)
	return ctx, redactingSpan{Span: span}
}

type redactingSpan struct{ trace.Span }

func (s redactingSpan) SetAttributes(kv ...attribute.KeyValue) {
	kept := kv[:0:0]
	for _, a := range kv {
		if k := string(a.Key); k == "gql.request.query" || strings.HasPrefix(k, "gql.resolver.args.") {
			continue
		}
		kept = append(kept, a)
	}
	s.Span.SetAttributes(kept...)
}
