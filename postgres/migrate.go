package postgres

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/tern/v2/migrate"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// versionTable records the applied migration version (tern's table).
const versionTable = "public.profilegraph_schema_version"

// migrateLockKey is the pg_advisory_lock key that serializes migrations of one database
// (advisory locks are per database). It spells "profileg".
const migrateLockKey int64 = 0x70726f66696c6567

// Migrations returns the embedded migration files (NNN_name.sql), e.g. to fingerprint
// the schema.
func Migrations() fs.FS {
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		panic(err) // the directory is embedded: cannot happen
	}
	return sub
}

// Migrate applies the pending embedded migrations on conn. It holds a PostgreSQL advisory
// lock on conn's session while it works, so that replicas that start at once against one
// database take turns: the first migrates, the others find the schema up to date. It
// returns an error if the lock, a migration or the unlock fails.
func Migrate(ctx context.Context, conn *pgx.Conn) error {
	return runMigrations(ctx, conn, slog.New(slog.DiscardHandler))
}

func runMigrations(ctx context.Context, conn *pgx.Conn, logger *slog.Logger) (err error) {
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", migrateLockKey); err != nil {
		return fmt.Errorf("migrate: take advisory lock: %w", err)
	}
	defer func() {
		_, uerr := conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", migrateLockKey)
		if err == nil && uerr != nil {
			err = fmt.Errorf("migrate: release advisory lock: %w", uerr)
		}
	}()

	m, err := migrate.NewMigrator(ctx, conn, versionTable)
	if err != nil {
		return fmt.Errorf("migrate: prepare version table: %w", err)
	}
	if err := m.LoadMigrations(Migrations()); err != nil {
		return fmt.Errorf("migrate: load migrations: %w", err)
	}
	m.OnStart = func(seq int32, name, direction, _ string) {
		logger.Info("applying migration", slog.Int("sequence", int(seq)), slog.String("name", name), slog.String("direction", direction))
	}
	if err := m.Migrate(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}
