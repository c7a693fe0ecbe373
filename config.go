package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/profilegraph/profilegraph/api"
	"github.com/profilegraph/profilegraph/dataloaders"
)

// Config is everything the server reads from its environment and flags, read once in
// run. A flag overrides the environment variable of the same setting.
type Config struct {
	Port            int
	DatabaseURL     string
	HS256Secret     string
	JWKSFile        string
	JWKSURL         string
	Issuer          string
	Audience        string
	Introspection   bool
	Playground      bool
	PlaygroundSet   bool
	CacheMaxCost    int64
	LogLevel        slog.Level
	ComplexityLimit int
	DepthLimit      int
	BodyLimit       int64
	LoaderWait      time.Duration
	ShutdownTimeout time.Duration
	// TrustedDocuments is the path of a persisted-query manifest (TRUSTED_DOCUMENTS);
	// when set, user tokens may run only its operations.
	TrustedDocuments string
	// Tracing is OpenTelemetry's configuration from the standard OTEL_* variables.
	Tracing api.TracingConfig
	// GCPercent and MemoryLimit are the garbage collector's settings when GOGC and
	// GOMEMLIMIT are unset (-1: leave the runtime's own, read from those variables).
	GCPercent   int
	MemoryLimit int64
	// PprofAddr, when set, serves net/http/pprof there (PPROF_ADDR); off by default.
	PprofAddr string
	// PrivacyLease is the lease L of the privacy cache (PRIVACY_LEASE, a Go duration
	// between 200ms and 1m; default 2s), see docs/privacy-cache.md.
	PrivacyLease time.Duration
}

// Defaults of the settings that have one.
const (
	defaultPort         = 4001
	defaultCacheMaxCost = 64 << 20
	// defaultComplexityLimit fits the gateway's largest entity fetch (1000 persons with
	// a profile and avatar: 6010) and refuses 1000 aliased root fields (11000); see
	// api/limits.go for the costs.
	defaultComplexityLimit = 10000
	defaultDepthLimit      = 12
	defaultBodyLimit       = 1 << 20
	// A server keeps little live heap per request but allocates a lot: collecting when
	// the heap has grown 5× (GOGC=400) rather than 2× takes GC off the hot path, and the
	// soft memory limit bounds what that costs in memory.
	defaultGCPercent   = 400
	defaultMemoryLimit = 1 << 30
)

// parseConfig reads the configuration from getenv and args; bad values are errors that
// name the setting.
func parseConfig(args []string, getenv func(string) string, output io.Writer) (Config, error) {
	cfg := Config{
		Port:            defaultPort,
		Introspection:   true,
		CacheMaxCost:    defaultCacheMaxCost,
		LogLevel:        slog.LevelInfo,
		ComplexityLimit: defaultComplexityLimit,
		DepthLimit:      defaultDepthLimit,
		BodyLimit:       defaultBodyLimit,
		LoaderWait:      dataloaders.DefaultWait,
		ShutdownTimeout: 10 * time.Second,
		GCPercent:       defaultGCPercent,
		MemoryLimit:     defaultMemoryLimit,
		PrivacyLease:    2 * time.Second,
	}
	// The runtime itself applies GOGC and GOMEMLIMIT when they are set: keep its values.
	if getenv("GOGC") != "" {
		cfg.GCPercent = -1
	}
	if getenv("GOMEMLIMIT") != "" {
		cfg.MemoryLimit = -1
	}
	cfg.PprofAddr = getenv("PPROF_ADDR")
	var errs []error
	envInt := func(name string, dst *int) {
		if v := getenv(name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %q is not an integer", name, v))
				return
			}
			*dst = n
		}
	}
	envBool := func(name string, dst *bool) bool {
		if v := getenv(name); v != "" {
			b, err := strconv.ParseBool(v)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %q is not a boolean", name, v))
				return false
			}
			*dst = b
			return true
		}
		return false
	}
	if v := getenv("PRIVACY_LEASE"); v != "" {
		d, err := time.ParseDuration(v)
		switch {
		case err != nil:
			errs = append(errs, fmt.Errorf("PRIVACY_LEASE: %q is not a duration", v))
		case d < 200*time.Millisecond || d > time.Minute:
			errs = append(errs, fmt.Errorf("PRIVACY_LEASE: %s is not between 200ms and 1m", d))
		default:
			cfg.PrivacyLease = d
		}
	}
	envInt("PORT", &cfg.Port)
	cfg.DatabaseURL = getenv("DATABASE_URL")
	cfg.HS256Secret = getenv("AUTH_HS256_SECRET")
	cfg.JWKSFile = getenv("AUTH_JWKS_FILE")
	cfg.JWKSURL = getenv("AUTH_JWKS_URL")
	cfg.Issuer = getenv("AUTH_ISSUER")
	cfg.Audience = getenv("AUTH_AUDIENCE")
	envBool("INTROSPECTION", &cfg.Introspection)
	cfg.PlaygroundSet = envBool("PLAYGROUND", &cfg.Playground)
	if v := getenv("CACHE_MAX_COST"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			errs = append(errs, fmt.Errorf("CACHE_MAX_COST: %q is not an integer", v))
		}
		cfg.CacheMaxCost = n
	}
	cfg.TrustedDocuments = getenv("TRUSTED_DOCUMENTS")
	if tc, err := api.ParseTracingConfig(getenv); err != nil {
		errs = append(errs, err)
	} else {
		cfg.Tracing = tc
	}
	logLevel := getenv("LOG_LEVEL")
	envInt("COMPLEXITY_LIMIT", &cfg.ComplexityLimit)

	fs := flag.NewFlagSet("profilegraph", flag.ContinueOnError)
	fs.SetOutput(output)
	fs.IntVar(&cfg.Port, "port", cfg.Port, "HTTP port (PORT); 0 picks a free port")
	fs.StringVar(&cfg.DatabaseURL, "database-url", cfg.DatabaseURL, "PostgreSQL URL (DATABASE_URL); empty uses the embedded store with demo data")
	fs.BoolVar(&cfg.Introspection, "introspection", cfg.Introspection, "allow GraphQL introspection (INTROSPECTION)")
	playground := fs.Bool("playground", cfg.Playground, "serve GraphiQL at / (PLAYGROUND; on by default in dev mode)")
	fs.Int64Var(&cfg.CacheMaxCost, "cache-max-cost", cfg.CacheMaxCost, "shared cache size in bytes, 0 disables it (CACHE_MAX_COST)")
	fs.StringVar(&logLevel, "log-level", logLevel, "debug, info, warn or error (LOG_LEVEL)")
	fs.IntVar(&cfg.ComplexityLimit, "complexity-limit", cfg.ComplexityLimit, "maximum query complexity (COMPLEXITY_LIMIT)")
	fs.StringVar(&cfg.TrustedDocuments, "trusted-documents", cfg.TrustedDocuments, "persisted-query manifest that limits user tokens to its operations (TRUSTED_DOCUMENTS)")
	fs.StringVar(&cfg.PprofAddr, "pprof-addr", cfg.PprofAddr, "serve net/http/pprof on this address, e.g. 127.0.0.1:6060 (PPROF_ADDR); empty: off")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "playground" {
			cfg.Playground, cfg.PlaygroundSet = *playground, true
		}
	})
	if fs.NArg() > 0 {
		errs = append(errs, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " ")))
	}
	if logLevel != "" {
		if err := cfg.LogLevel.UnmarshalText([]byte(logLevel)); err != nil {
			errs = append(errs, fmt.Errorf("LOG_LEVEL: %q is not debug, info, warn or error", logLevel))
		}
	}
	if cfg.Port < 0 || cfg.Port > 65535 {
		errs = append(errs, fmt.Errorf("PORT: %d is out of range", cfg.Port))
	}
	if cfg.CacheMaxCost < 0 {
		errs = append(errs, fmt.Errorf("CACHE_MAX_COST: must not be negative"))
	}
	if cfg.ComplexityLimit < 1 {
		errs = append(errs, fmt.Errorf("COMPLEXITY_LIMIT: must be positive"))
	}
	return cfg, errors.Join(errs...)
}

// limits are the GraphQL endpoint's bounds of c.
func (c Config) limits() api.Limits {
	return api.Limits{Introspection: c.Introspection, ComplexityLimit: c.ComplexityLimit, DepthLimit: c.DepthLimit,
		BodyLimit: c.BodyLimit, LoaderWait: c.LoaderWait}
}
