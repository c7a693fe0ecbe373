package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/profilegraph/profilegraph/api"
	"github.com/profilegraph/profilegraph/cache"
	"github.com/profilegraph/profilegraph/dataloaders"
	"github.com/profilegraph/profilegraph/profile"
)

// The shared cache answers the dataloaders' content reads it holds without waiting for
// their batch window.
var _ dataloaders.Peeker = (*cache.Store)(nil)

// sharedCache wraps store in the shared cache of CACHE_MAX_COST bytes and registers its
// metrics. The cache decorates the store whatever the setting: with CACHE_MAX_COST=0 it
// caches nothing but still publishes every write's keys (NOTIFY), so that replicas
// which do cache hear of this one's writes. With PostgreSQL and a cache it also starts
// the invalidation listener on a dedicated connection; on the memory store (one
// process, `go run .`) local invalidation is all there is to do and no listener runs.
// stop stops the listener and releases the cache; call it after the HTTP server has shut
// down. It returns an error if the cache or the listener's configuration is invalid.
func sharedCache(ctx context.Context, cfg Config, store profile.Store, m *api.Metrics, logger *slog.Logger) (*cache.Store, func(), error) {
	cs, err := cache.New(store, cache.Config{MaxCost: cfg.CacheMaxCost, Logger: logger})
	if err != nil {
		return nil, nil, fmt.Errorf("shared cache: %w", err)
	}
	if err := m.Register(cs.Collector()); err != nil {
		cs.Close()
		return nil, nil, fmt.Errorf("shared cache metrics: %w", err)
	}
	listening := cfg.DatabaseURL != "" && cfg.CacheMaxCost > 0
	logger.Info("shared cache", slog.Int64("max_cost_bytes", cfg.CacheMaxCost), slog.Bool("listener", listening))
	if cfg.DatabaseURL == "" {
		return cs, cs.Close, nil
	}
	// The control pool serves the privacy writes' lease reads and fences
	// (docs/privacy-cache.md): small, outside the request pool and its query counter.
	poolCfg, err := pgxpool.ParseConfig(cfg.DatabaseURL)
	if err != nil {
		cs.Close()
		return nil, nil, fmt.Errorf("shared cache: parse database url: %w", err)
	}
	poolCfg.MaxConns = 4
	poolCfg.ConnConfig.RuntimeParams["application_name"] = "profilegraph-leases"
	control, err := pgxpool.NewWithConfig(ctx, poolCfg)
	if err != nil {
		cs.Close()
		return nil, nil, fmt.Errorf("shared cache: lease pool: %w", err)
	}
	privacy := cache.PrivacyConfig{Lease: cfg.PrivacyLease, Control: control}
	if !listening {
		// Not caching, but others may: this replica's privacy writes still wait out
		// their leases.
		cs.EnablePrivacyWrites(privacy)
		return cs, func() {
			cs.Close()
			control.Close()
		}, nil
	}
	// The listener outlives ctx until stop: requests still in flight during a graceful
	// shutdown keep a cache that follows the other replicas.
	lctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	wait := cs.Listen(lctx, cache.ListenerConfig{ConnConfig: poolCfg.ConnConfig.Copy(), Privacy: &privacy})
	return cs, func() {
		cancel()
		wait()
		cs.Close()
		control.Close()
	}, nil
}
