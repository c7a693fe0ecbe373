package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/jackc/pgx/v5"

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
func sharedCache(ctx context.Context, cfg Config, store profile.Store, m *metrics, logger *slog.Logger) (*cache.Store, func(), error) {
	cs, err := cache.New(store, cache.Config{MaxCost: cfg.CacheMaxCost, Logger: logger})
	if err != nil {
		return nil, nil, fmt.Errorf("shared cache: %w", err)
	}
	if err := m.registry.Register(cs.Collector()); err != nil {
		cs.Close()
		return nil, nil, fmt.Errorf("shared cache metrics: %w", err)
	}
	listening := cfg.DatabaseURL != "" && cfg.CacheMaxCost > 0
	logger.Info("shared cache", slog.Int64("max_cost_bytes", cfg.CacheMaxCost), slog.Bool("listener", listening))
	if !listening {
		return cs, cs.Close, nil
	}
	connCfg, err := pgx.ParseConfig(cfg.DatabaseURL)
	if err != nil {
		cs.Close()
		return nil, nil, fmt.Errorf("shared cache listener: parse database url: %w", err)
	}
	// The listener outlives ctx until stop: requests still in flight during a graceful
	// shutdown keep a cache that follows the other replicas.
	lctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	wait := cs.Listen(lctx, cache.ListenerConfig{ConnConfig: connCfg})
	return cs, func() {
		cancel()
		wait()
		cs.Close()
	}, nil
}
