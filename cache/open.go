package cache

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/profilegraph/profilegraph/profile"
)

// OpenConfig configures Open.
type OpenConfig struct {
	// DatabaseURL is the PostgreSQL store's URL; "" for the memory store.
	DatabaseURL string
	// MaxCost is CACHE_MAX_COST (0: no caching, see Config).
	MaxCost int64
	// Lease is PRIVACY_LEASE (0: the default, see PrivacyConfig).
	Lease time.Duration
	// Logger receives the cache's events; nil discards them.
	Logger *slog.Logger
}

// Open wraps store in the shared cache as a replica runs it. The cache decorates the
// store whatever MaxCost: with 0 it caches nothing but still publishes every write's
// keys (NOTIFY), so that replicas which do cache hear of this one's writes, and its
// privacy writes still wait out the leases of those that cache privacy state. With
// PostgreSQL and a cache it also starts the invalidation listener, which holds this
// replica's lease, on a dedicated connection; on the memory store (one process, `go run
// .`) local invalidation is all there is to do and no listener runs. stop stops the
// listener and releases the cache and its connections; call it after the HTTP server
// has shut down. It returns an error if the cache or the database URL is invalid or
// the lease pool cannot be made.
func Open(ctx context.Context, store profile.Store, cfg OpenConfig) (cs *Store, stop func(), err error) {
	cs, err = New(store, Config{MaxCost: cfg.MaxCost, Logger: cfg.Logger})
	if err != nil {
		return nil, nil, fmt.Errorf("shared cache: %w", err)
	}
	listening := cfg.DatabaseURL != "" && cfg.MaxCost > 0
	cs.logger.Info("shared cache", slog.Int64("max_cost_bytes", cfg.MaxCost), slog.Bool("listener", listening))
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
	privacy := PrivacyConfig{Lease: cfg.Lease, Control: control}
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
	wait := cs.Listen(lctx, ListenerConfig{ConnConfig: poolCfg.ConnConfig.Copy(), Privacy: &privacy})
	return cs, func() {
		cancel()
		wait()
		cs.Close()
		control.Close()
	}, nil
}
