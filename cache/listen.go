package cache

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5"
)

// ListenerConfig configures Store.Listen.
type ListenerConfig struct {
	// ConnConfig is the database to listen on (required); the listener opens its own
	// connection with it, outside any pool.
	ConnConfig *pgx.ConnConfig
	// ApplicationName is the connection's application_name (pg_stat_activity);
	// default DefaultApplicationName.
	ApplicationName string
	// MinBackoff and MaxBackoff bound the wait between reconnection attempts, which
	// doubles from the first to the second (with jitter); defaults 50 ms and 2 s.
	MinBackoff, MaxBackoff time.Duration
	// PingInterval is how long the listener waits for a notification before it pings the
	// server to prove the connection alive (a silently dead connection would miss
	// notifications); default 5 s.
	PingInterval time.Duration
}

// DefaultApplicationName is the listener connection's default application_name.
const DefaultApplicationName = "profilegraph-listener"

func (c ListenerConfig) withDefaults() ListenerConfig {
	if c.ApplicationName == "" {
		c.ApplicationName = DefaultApplicationName
	}
	if c.MinBackoff <= 0 {
		c.MinBackoff = 50 * time.Millisecond
	}
	if c.MaxBackoff < c.MinBackoff {
		c.MaxBackoff = max(2*time.Second, c.MinBackoff)
	}
	if c.PingInterval <= 0 {
		c.PingInterval = 5 * time.Second
	}
	return c
}

// Listen makes the cache follow the other replicas' writes: it bypasses the cache at
// once (reads go to the inner store) and starts, in a goroutine, a listener on a
// dedicated connection that runs LISTEN on Channel and drops the keys each notification
// names. Once it listens, the cache is cleared and used again. On any connection error
// it bypasses and clears the cache, reconnects with backoff, listens again and clears
// once more, since notifications may have been missed in between. It stops when ctx
// ends, leaving the cache bypassed; the returned function waits for that.
func (s *Store) Listen(ctx context.Context, cfg ListenerConfig) (wait func()) {
	cfg = cfg.withDefaults()
	s.setOnline(false)
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.listen(ctx, cfg)
	}()
	return func() { <-done }
}

func (s *Store) listen(ctx context.Context, cfg ListenerConfig) {
	backoff := cfg.MinBackoff
	connected := false
	for {
		err := s.listenOnce(ctx, cfg, &connected, func() { backoff = cfg.MinBackoff })
		s.listenerUp.Store(false)
		s.setOnline(false)
		if ctx.Err() != nil {
			s.logger.Info("cache listener stopped")
			return
		}
		// Full jitter over [backoff/2, backoff): replicas do not reconnect in lockstep.
		delay := backoff/2 + rand.N(backoff/2+1)
		s.logger.Warn("cache listener disconnected; the cache is bypassed until it listens again",
			slog.Any("err", err), slog.Duration("retry_in", delay))
		select {
		case <-ctx.Done():
			s.logger.Info("cache listener stopped")
			return
		case <-time.After(delay):
		}
		backoff = min(2*backoff, cfg.MaxBackoff)
	}
}

// listenOnce connects, listens and applies notifications until the connection fails or
// ctx ends; it returns why. connected reports whether it has ever listened before (a
// later success counts as a reconnection).
func (s *Store) listenOnce(ctx context.Context, cfg ListenerConfig, connected *bool, listening func()) error {
	cc := cfg.ConnConfig.Copy()
	if cc.RuntimeParams == nil {
		cc.RuntimeParams = map[string]string{}
	}
	cc.RuntimeParams["application_name"] = cfg.ApplicationName
	cc.Tracer = nil // not an application query: keep it out of round-trip counts
	conn, err := pgx.ConnectConfig(ctx, cc)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
		defer cancel()
		_ = conn.Close(cctx)
	}()
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{Channel}.Sanitize()); err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	if *connected {
		s.reconnects.Add(1)
	}
	*connected = true
	listening()
	// Notifications sent before LISTEN took effect are lost: start from an empty cache.
	s.setOnline(true)
	s.listenerUp.Store(true)
	s.logger.Info("cache listener connected", slog.String("channel", Channel),
		slog.Int("backend_pid", int(conn.PgConn().PID())))

	for {
		wctx, cancel := context.WithTimeout(ctx, cfg.PingInterval)
		n, err := conn.WaitForNotification(wctx)
		cancel()
		switch {
		case err == nil:
			s.received(n.Payload)
		case ctx.Err() != nil:
			return ctx.Err()
		case errors.Is(err, context.DeadlineExceeded) && !conn.IsClosed():
			pctx, cancel := context.WithTimeout(ctx, cfg.PingInterval)
			err := conn.Ping(pctx)
			cancel()
			if err != nil && ctx.Err() == nil {
				return fmt.Errorf("ping: %w", err)
			}
		default:
			return fmt.Errorf("wait for notification: %w", err)
		}
	}
}

// received applies one notification: drop the keys it names, or everything for "all"
// or a payload it cannot read. It counts the notification once applied.
func (s *Store) received(payload string) {
	defer s.invalidationsReceived.Add(1)
	if payload == payloadAll {
		s.Clear()
		return
	}
	var inv Invalidation
	if err := json.Unmarshal([]byte(payload), &inv); err != nil {
		s.logger.Warn("unreadable cache invalidation; clearing the cache", slog.Any("err", err))
		s.Clear()
		return
	}
	s.Invalidate(inv)
}
