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
	// Privacy, when set (and the cache is enabled), turns the privacy cache on: the
	// listener takes a lease for this replica and renews it, and acknowledges privacy
	// writes (privacy.go).
	Privacy *PrivacyConfig
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
	if cfg.Privacy != nil && s.rc != nil {
		s.enablePrivacy(*cfg.Privacy)
	}
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
		s.dropLease()
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
	if s.pv != nil {
		if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{AckChannel}.Sanitize()); err != nil {
			return fmt.Errorf("listen: %w", err)
		}
	}
	if *connected {
		s.reconnects.Add(1)
	}
	*connected = true
	listening()
	// Notifications sent before LISTEN took effect are lost: start from an empty cache.
	s.setOnline(true)
	s.listenerUp.Store(true)
	// The lease is taken after LISTEN and the clear; register clears once more after
	// the grant (docs/privacy-cache.md: a lease covers only what was read after it).
	var renewAt time.Time
	if s.pv != nil {
		if err := s.register(ctx, conn); err != nil {
			return err
		}
		renewAt = time.Now().Add(s.pv.cfg.RenewEvery)
		defer func() {
			if ctx.Err() != nil {
				s.listenerUp.Store(false)
				s.dropLease()
				s.setOnline(false)
				s.unregister(conn)
			}
		}()
	}
	s.logger.Info("cache listener connected", slog.String("channel", Channel),
		slog.Int("backend_pid", int(conn.PgConn().PID())), slog.String("replica_id", s.ReplicaID()))

	for {
		wait := cfg.PingInterval
		if s.pv != nil {
			if !time.Now().Before(renewAt) {
				if err := s.renew(ctx, conn); err != nil {
					if ctx.Err() != nil {
						return ctx.Err()
					}
					return err
				}
				renewAt = time.Now().Add(s.pv.cfg.RenewEvery)
			}
			wait = min(wait, time.Until(renewAt))
		}
		wctx, cancel := context.WithTimeout(ctx, wait)
		n, err := conn.WaitForNotification(wctx)
		cancel()
		switch {
		case err == nil:
			if n.Channel == AckChannel {
				s.receivedAck(n.Payload)
				continue
			}
			if writeID := s.received(n.Payload); writeID != "" && s.pv != nil {
				if err := s.ack(ctx, conn, writeID); err != nil {
					return err
				}
			}
		case ctx.Err() != nil:
			return ctx.Err()
		case errors.Is(err, context.DeadlineExceeded) && !conn.IsClosed():
			if s.pv != nil {
				continue // the renewal proves the connection alive
			}
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
// or a payload it cannot read. It counts the notification once applied. It returns the
// write id that the payload ends (a privacy write's last payload), to acknowledge now
// that every payload before it is applied; else "".
func (s *Store) received(payload string) string {
	defer s.invalidationsReceived.Add(1)
	if payload == payloadAll {
		s.Clear()
		return ""
	}
	var msg struct {
		Invalidation
		W string `json:"w"`
	}
	if err := json.Unmarshal([]byte(payload), &msg); err != nil {
		s.logger.Warn("unreadable cache invalidation; clearing the cache", slog.Any("err", err))
		s.Clear()
		return ""
	}
	if !msg.Invalidation.Empty() {
		s.Invalidate(msg.Invalidation)
	}
	return msg.W
}
