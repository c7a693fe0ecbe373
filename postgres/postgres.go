// Package postgres implements profile.Store on PostgreSQL through a pgx connection pool.
//
// Each Reader method is one query (`= ANY($1)`), results are mapped by key, and ids that
// are not canonical UUIDs are dropped before the query: they count as absent. Writes run
// in transactions at READ COMMITTED; the row locks of profile.Tx (SELECT ... FOR UPDATE)
// serialize the writes that need it. PostgreSQL errors become domain errors in one place
// (translate); anything else is wrapped and surfaces as INTERNAL.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/multitracer"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/profilegraph/profilegraph/profile"
)

var (
	_ profile.Store          = (*Store)(nil)
	_ profile.FreshReader    = (*Store)(nil)
	_ profile.ActivityReader = (*Store)(nil)
)

// Store is the PostgreSQL profile.Store. It is safe for concurrent use.
type Store struct {
	reader
	pool   *pgxpool.Pool
	logger *slog.Logger
}

type options struct {
	counter    func(ctx context.Context)
	tracers    []pgx.QueryTracer
	poolConfig []func(*pgxpool.Config)
}

// Option configures Open.
type Option func(*options)

// WithQueryCounter makes the store call count once per database round trip (a query, a
// batch or a COPY), with the context of the call; for example to feed a Prometheus
// counter or to assert query budgets in tests.
func WithQueryCounter(count func(ctx context.Context)) Option {
	return func(o *options) { o.counter = count }
}

// WithTracer adds a pgx tracer (for example OpenTelemetry's) next to the round-trip
// counter of WithQueryCounter; both see every query, batch and COPY. A nil t is ignored.
func WithTracer(t pgx.QueryTracer) Option {
	return func(o *options) {
		if t != nil {
			o.tracers = append(o.tracers, t)
		}
	}
}

// WithPoolConfig lets the caller adjust the pool configuration (sizes, timeouts) after
// the URL is parsed and after WithQueryCounter installed its tracer.
func WithPoolConfig(configure func(*pgxpool.Config)) Option {
	return func(o *options) { o.poolConfig = append(o.poolConfig, configure) }
}

// Open connects to the database at url, checks that it answers and applies the
// embedded migrations (see Migrate), so that several replicas may call it at once.
// It returns an error if the URL does not parse, the database is unreachable or a
// migration fails. A nil logger discards logs.
func Open(ctx context.Context, url string, logger *slog.Logger, opts ...Option) (*Store, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("parse database url: %w", err)
	}
	migrateCfg := cfg.ConnConfig.Copy() // untraced: migrations are not application queries
	tracers := o.tracers
	if o.counter != nil {
		tracers = append([]pgx.QueryTracer{NewTracer(o.counter)}, tracers...)
	}
	switch len(tracers) {
	case 0:
	case 1:
		cfg.ConnConfig.Tracer = tracers[0]
	default:
		cfg.ConnConfig.Tracer = multitracer.New(tracers...)
	}
	for _, configure := range o.poolConfig {
		configure(cfg)
	}

	// A dedicated connection for the migration: closing it releases the advisory lock
	// even if the migration fails half-way.
	conn, err := pgx.ConnectConfig(ctx, migrateCfg)
	if err != nil {
		return nil, fmt.Errorf("connect to database: %w", err)
	}
	err = runMigrations(ctx, conn, logger)
	if cerr := conn.Close(context.WithoutCancel(ctx)); err == nil && cerr != nil {
		err = fmt.Errorf("close migration connection: %w", cerr)
	}
	if err != nil {
		return nil, err
	}

	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("create connection pool: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("ping database: %w", err)
	}
	logger.Info("postgres store open",
		slog.String("host", cfg.ConnConfig.Host), slog.String("database", cfg.ConnConfig.Database),
		slog.Int("max_conns", int(cfg.MaxConns)))
	return &Store{reader: reader{db: pool}, pool: pool, logger: logger}, nil
}

// Close closes every connection of the pool; it waits for acquired connections to be
// released.
func (s *Store) Close() { s.pool.Close() }

// Pool returns the underlying pool, for LISTEN/NOTIFY, the seeder's COPY and metrics.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Ping reports whether the database answers; the error wraps the driver's.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.pool.Ping(ctx); err != nil {
		return fmt.Errorf("ping database: %w", err)
	}
	return nil
}

// InTx runs fn in a READ COMMITTED transaction. Row locks taken through the Tx hold until
// fn returns. If fn returns an error (or panics) the transaction is rolled back and InTx
// returns fn's error unchanged; a failure to begin or commit is wrapped (INTERNAL).
func (s *Store) InTx(ctx context.Context, fn func(ctx context.Context, tx profile.Tx) error) error {
	ptx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	// Rolls back on panic; after a commit it is a no-op.
	defer func() { _ = ptx.Rollback(context.WithoutCancel(ctx)) }()

	if err := fn(ctx, &tx{reader: reader{db: ptx}, tx: ptx}); err != nil {
		return err
	}
	if err := ptx.Commit(ctx); err != nil {
		return fmt.Errorf("commit transaction: %w", err)
	}
	return nil
}

// dbtx is what a reader needs: a pool or a transaction.
type dbtx interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// reader implements profile.Reader on a pool (Store) or on a transaction (Tx).
type reader struct{ db dbtx }

// Names of the schema's constraints and SQLSTATEs that map to domain errors.
const (
	constraintAccountKey    = "accounts_app_user_id_key"
	constraintPersonApp     = "accounts_person_id_app_key"
	sqlstateUniqueViolation = "23505"
	sqlstateForeignKey      = "23503"
	sqlstateInvalidText     = "22P02"
	sqlstateDeadlock        = "40P01"
	sqlstateSerialization   = "40001"
)

// translate turns a PostgreSQL error of the write `what` into a domain error: a duplicate
// (app, appUserId) is CONFLICT, a second account of app on one person ALREADY_LINKED, a
// reference to a missing row NOT_FOUND. Other errors are wrapped with what and surface
// as INTERNAL. app names the account's app, when the write is one.
func translate(err error, what string, app profile.App) error {
	if err == nil {
		return nil
	}
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		return fmt.Errorf("%s: %w", what, err)
	}
	switch pgErr.Code {
	case sqlstateUniqueViolation:
		switch pgErr.ConstraintName {
		case constraintAccountKey:
			return profile.Errorf(profile.Conflict, "an account with this appUserId already exists in %s", app)
		case constraintPersonApp:
			return profile.Errorf(profile.AlreadyLinked, "the person already has an account in %s", app)
		}
		return profile.Errorf(profile.Conflict, "%s: it already exists", what)
	case sqlstateForeignKey:
		return profile.Errorf(profile.NotFound, "%s: a person or account it refers to does not exist", what)
	case sqlstateInvalidText:
		return profile.Errorf(profile.BadUserInput, "%s: malformed id", what)
	case sqlstateDeadlock, sqlstateSerialization:
		return fmt.Errorf("%w: %w", profile.ErrTransient,
			profile.Errorf(profile.Conflict, "the change collided with a concurrent one; try again"))
	}
	return fmt.Errorf("%s: %w", what, err)
}
