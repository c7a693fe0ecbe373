// Command profilegraph serves the unified profile of a person across linked apps as a
// GraphQL federation subgraph (see README.md and ../shared/SPEC.md).
package main

//go:generate go run ./internal/generate

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/profilegraph/profilegraph/accountscenter"
	"github.com/profilegraph/profilegraph/api"
	"github.com/profilegraph/profilegraph/auth"
	"github.com/profilegraph/profilegraph/cache"
	"github.com/profilegraph/profilegraph/demo"
	"github.com/profilegraph/profilegraph/internal/seed"
	"github.com/profilegraph/profilegraph/memory"
	"github.com/profilegraph/profilegraph/postgres"
	"github.com/profilegraph/profilegraph/profile"
	"github.com/profilegraph/profilegraph/resolvers"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "profilegraph:", err)
		os.Exit(1)
	}
}

// run starts the server and blocks until ctx is cancelled, then shuts down gracefully.
// It returns configuration and start-up errors (bad settings, unreachable database,
// DATABASE_URL without keys).
func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer, opts ...runOption) error {
	if len(args) > 0 && args[0] == "seed" {
		return seed.Run(ctx, args[1:], getenv, stdout)
	}
	cfg, err := parseConfig(args, getenv, stdout)
	if err != nil {
		return fmt.Errorf("configuration: %w", err)
	}
	logger := slog.New(api.NewLogHandler(slog.NewJSONHandler(stdout, &slog.HandlerOptions{Level: cfg.LogLevel})))
	if cfg.GCPercent >= 0 {
		debug.SetGCPercent(cfg.GCPercent)
	}
	if cfg.MemoryLimit >= 0 {
		debug.SetMemoryLimit(cfg.MemoryLimit)
	}

	authCfg := auth.Config{
		HS256Secret: []byte(cfg.HS256Secret),
		JWKSFile:    cfg.JWKSFile,
		JWKSURL:     cfg.JWKSURL,
		Issuer:      cfg.Issuer,
		Audience:    cfg.Audience,
	}
	devMode := !authCfg.HasKeys()
	if devMode && cfg.DatabaseURL != "" {
		return errors.New("DATABASE_URL is set but no token key is configured: set AUTH_HS256_SECRET, AUTH_JWKS_FILE or AUTH_JWKS_URL (dev mode only runs on the embedded store)")
	}
	if devMode {
		if authCfg.HS256Secret, err = auth.NewDevSecret(); err != nil {
			return fmt.Errorf("dev mode secret: %w", err)
		}
	}
	verifier, err := auth.NewVerifier(ctx, authCfg)
	if err != nil {
		return fmt.Errorf("token verification: %w", err)
	}

	var ro runOptions
	for _, o := range opts {
		o(&ro)
	}
	tr, err := api.StartTracing(ctx, cfg.Tracing, stdout, ro.spanExporter)
	if err != nil {
		return fmt.Errorf("tracing: %w", err)
	}
	defer func() { _ = tr.Shutdown(context.WithoutCancel(ctx)) }()
	trusted, err := api.LoadTrustedDocuments(cfg.TrustedDocuments)
	if err != nil {
		return err
	}

	m := api.NewMetrics()
	var store profile.Store
	var demoData *demo.Data
	if cfg.DatabaseURL != "" {
		pg, err := postgres.Open(ctx, cfg.DatabaseURL, logger, postgres.WithQueryCounter(m.CountQuery), postgres.WithTracer(tr.PgxTracer()))
		if err != nil {
			return fmt.Errorf("open database: %w", err)
		}
		defer pg.Close()
		store = pg
	} else {
		mem := memory.New()
		if demoData, err = demo.Seed(ctx, mem, time.Now()); err != nil {
			return fmt.Errorf("seed demo data: %w", err)
		}
		store = mem
	}
	cached, stopCache, err := cache.Open(ctx, store, cache.OpenConfig{
		DatabaseURL: cfg.DatabaseURL, MaxCost: cfg.CacheMaxCost, Lease: cfg.PrivacyLease, Logger: logger})
	if err != nil {
		return err
	}
	defer stopCache()
	if err := m.Register(cached.Collector()); err != nil {
		return fmt.Errorf("shared cache metrics: %w", err)
	}
	store = cached
	// Reads that decide what a request may see come from the privacy cache only while
	// this replica holds a lease (docs/privacy-cache.md); cached.ReadFresh reads through
	// otherwise, and always without it.
	fresh := profile.Reader(cached)

	res := &resolvers.Resolver{Store: store, Accounts: accountscenter.New(store, verifier)}
	playgroundOn := devMode
	if cfg.PlaygroundSet {
		playgroundOn = cfg.Playground
	}
	deps := serverDeps{api: api.Deps{
		Limits: cfg.limits(), Logger: logger, Store: store, Fresh: fresh, Verifier: verifier, Resolver: res, Metrics: m, Tracing: tr, Trusted: trusted,
	}, playground: playgroundOn}
	if devMode {
		tokens, err := devTokens(authCfg.HS256Secret, demoData)
		if err != nil {
			return err
		}
		if len(tokens) > 0 {
			deps.playgroundToken = tokens[0].Token
		}
		printDevTokens(stdout, cfg, tokens)
	}

	ln, err := net.Listen("tcp", fmt.Sprintf(":%d", cfg.Port))
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	srv := &http.Server{
		Handler:           NewServer(deps),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	logger.Info("listening", "addr", ln.Addr().String(), "dev_mode", devMode, "store", storeName(cfg),
		"tracing", cfg.Tracing.Exporter, "trusted_documents", trusted.Len())

	if cfg.PprofAddr != "" {
		stopPprof, err := api.ServePprof(cfg.PprofAddr, logger)
		if err != nil {
			return err
		}
		defer stopPprof()
	}

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

func storeName(cfg Config) string {
	if cfg.DatabaseURL != "" {
		return "postgres"
	}
	return "memory"
}

// devToken is a ready-to-paste token of a demo user.
type devToken struct {
	Label string
	Token string
}

// devTokens mints user tokens for the demo users and one service token per app, valid
// for a day.
func devTokens(secret []byte, data *demo.Data) ([]devToken, error) {
	exp := time.Now().Add(24 * time.Hour)
	var out []devToken
	if data != nil {
		for _, u := range data.Users {
			c := auth.Claims{App: u.App, Subject: u.AppUserID, ExpiresAt: exp}
			label := fmt.Sprintf("%s on %s (%s) — %s", u.Name, u.App, u.AppUserID, u.Note)
			if u.Purpose == profile.PurposeAds {
				c.Purpose = "ads"
				label = fmt.Sprintf("%s on %s (%s), purpose ads — %s", u.Name, u.App, u.AppUserID, u.Note)
			}
			tok, err := auth.SignHS256(secret, c)
			if err != nil {
				return nil, fmt.Errorf("mint dev token: %w", err)
			}
			out = append(out, devToken{Label: label, Token: tok})
		}
	}
	for _, app := range profile.Apps {
		tok, err := auth.SignHS256(secret, auth.Claims{App: app, Subject: "backend-" + string(app), Scope: auth.ScopeAccountsWrite, ExpiresAt: exp})
		if err != nil {
			return nil, fmt.Errorf("mint dev token: %w", err)
		}
		out = append(out, devToken{Label: fmt.Sprintf("%s backend (service token, accounts:write)", app), Token: tok})
	}
	return out, nil
}

func printDevTokens(w io.Writer, cfg Config, tokens []devToken) {
	fmt.Fprintf(w, "\nprofilegraph dev mode: embedded store with demo data, random signing secret.\n")
	fmt.Fprintf(w, "GraphiQL: http://localhost:%d/  (opens with the first token below)\n", cfg.Port)
	fmt.Fprintf(w, "Tokens (24 h), use as  Authorization: Bearer <token>\n\n")
	for _, t := range tokens {
		fmt.Fprintf(w, "# %s\n%s\n\n", t.Label, t.Token)
	}
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
