// Package testdb gives tests fresh PostgreSQL databases.
//
// New clones a template database that holds the migrated schema. The template is made
// once per schema: its name carries a hash of the migration files, it is created under
// an advisory lock so that test binaries running in parallel do not collide, and it is
// marked complete (a database comment) only after the migration succeeded, so that a
// template left half-made by a crashed run is rebuilt instead of reused. It is left in
// place for later runs. Each cloned database is dropped when its test ends.
//
// The server is TEST_DATABASE_URL (default DefaultURL). If it is unreachable the test
// fails with a clear message: store tests never silently skip.
package testdb

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"net/url"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/profilegraph/profilegraph/postgres"
)

// DefaultURL is the server used when TEST_DATABASE_URL is not set.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// complete is the comment that marks a finished template.
const complete = "profilegraph test template: complete"

// setupTimeout bounds connecting and template creation.
const setupTimeout = 2 * time.Minute

// New returns the URL of a new database that holds the migrated, empty schema. The
// database is dropped in tb.Cleanup (close pools before: cleanups registered later run
// first). It calls tb.Fatal if PostgreSQL is unreachable or the template cannot be made.
func New(tb testing.TB) string {
	tb.Helper()
	tmpl, err := template()
	if err != nil {
		tb.Fatalf("testdb: %v", err)
	}
	return create(tb, "TEMPLATE "+pgx.Identifier{tmpl}.Sanitize())
}

// NewEmpty returns the URL of a new database without any schema (cloned from template0),
// for tests of the migrations themselves. It is dropped in tb.Cleanup. It calls tb.Fatal
// if PostgreSQL is unreachable.
func NewEmpty(tb testing.TB) string {
	tb.Helper()
	return create(tb, "TEMPLATE template0")
}

// BaseURL returns TEST_DATABASE_URL, or DefaultURL.
func BaseURL() string {
	if u := os.Getenv("TEST_DATABASE_URL"); u != "" {
		return u
	}
	return DefaultURL
}

func create(tb testing.TB, from string) string {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()
	admin, err := connect(ctx, BaseURL())
	if err != nil {
		tb.Fatalf("testdb: %v", err)
	}
	defer admin.Close(context.Background())

	name := "profilegraph_test_" + randomHex(8)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()+" "+from); err != nil {
		tb.Fatalf("testdb: create database %s: %v", name, err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		admin, err := connect(ctx, BaseURL())
		if err != nil {
			tb.Errorf("testdb: drop database %s: %v", name, err)
			return
		}
		defer admin.Close(context.Background())
		if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			tb.Errorf("testdb: drop database %s: %v", name, err)
		}
	})
	u, err := WithDatabase(BaseURL(), name)
	if err != nil {
		tb.Fatalf("testdb: %v", err)
	}
	return u
}

// template returns the name of the complete template database of the current schema,
// creating it on first use in this process.
var template = sync.OnceValues(func() (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()
	hash, err := migrationsHash()
	if err != nil {
		return "", err
	}
	name := "profilegraph_tmpl_" + hash[:16]
	if err := ensureTemplate(ctx, name); err != nil {
		return "", fmt.Errorf("template database %s: %w", name, err)
	}
	return name, nil
})

func ensureTemplate(ctx context.Context, name string) (err error) {
	admin, err := connect(ctx, BaseURL())
	if err != nil {
		return err
	}
	defer admin.Close(context.Background())

	key := lockKey(name)
	if _, err := admin.Exec(ctx, "SELECT pg_advisory_lock($1)", key); err != nil {
		return fmt.Errorf("take advisory lock: %w", err)
	}
	defer func() {
		if _, uerr := admin.Exec(context.Background(), "SELECT pg_advisory_unlock($1)", key); err == nil && uerr != nil {
			err = fmt.Errorf("release advisory lock: %w", uerr)
		}
	}()

	var comment *string
	err = admin.QueryRow(ctx, `SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = $1`, name).Scan(&comment)
	switch {
	case err == nil && comment != nil && *comment == complete:
		return nil // made by an earlier run or another test binary
	case err == nil:
		// Left half-made by a crashed run: start over.
		if _, err := admin.Exec(ctx, "ALTER DATABASE "+pgx.Identifier{name}.Sanitize()+" WITH IS_TEMPLATE false"); err != nil {
			return fmt.Errorf("unmark incomplete template: %w", err)
		}
		if _, err := admin.Exec(ctx, "DROP DATABASE "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			return fmt.Errorf("drop incomplete template: %w", err)
		}
	case !errors.Is(err, pgx.ErrNoRows):
		return fmt.Errorf("look up template: %w", err)
	}

	ident := pgx.Identifier{name}.Sanitize()
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+ident+" TEMPLATE template0"); err != nil {
		return fmt.Errorf("create: %w", err)
	}
	u, err := WithDatabase(BaseURL(), name)
	if err != nil {
		return err
	}
	conn, err := connect(ctx, u)
	if err != nil {
		return err
	}
	err = postgres.Migrate(ctx, conn)
	// Nobody may stay connected to a template while it is cloned.
	if cerr := conn.Close(context.Background()); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if _, err := admin.Exec(ctx, "ALTER DATABASE "+ident+" WITH IS_TEMPLATE true ALLOW_CONNECTIONS false"); err != nil {
		return fmt.Errorf("mark as template: %w", err)
	}
	if _, err := admin.Exec(ctx, "COMMENT ON DATABASE "+ident+" IS '"+complete+"'"); err != nil {
		return fmt.Errorf("mark complete: %w", err)
	}
	return nil
}

// connect opens one connection, failing clearly when the server is unreachable.
func connect(ctx context.Context, dbURL string) (*pgx.Conn, error) {
	cfg, err := pgx.ParseConfig(dbURL)
	if err != nil {
		return nil, fmt.Errorf("parse TEST_DATABASE_URL: %w", err)
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = 10 * time.Second
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("PostgreSQL at %s:%d (database %q, user %q) is unreachable: %w; start it or set TEST_DATABASE_URL",
			cfg.Host, cfg.Port, cfg.Database, cfg.User, err)
	}
	return conn, nil
}

// WithDatabase returns dbURL (a postgres:// URL or a key=value connection string) with
// its database replaced by name.
func WithDatabase(dbURL, name string) (string, error) {
	if strings.HasPrefix(dbURL, "postgres://") || strings.HasPrefix(dbURL, "postgresql://") {
		u, err := url.Parse(dbURL)
		if err != nil {
			return "", fmt.Errorf("parse TEST_DATABASE_URL: %w", err)
		}
		u.Path = "/" + name
		u.RawPath = ""
		return u.String(), nil
	}
	return dbURL + " dbname=" + name, nil
}

// migrationsHash fingerprints the embedded migrations (names and contents).
func migrationsHash() (string, error) {
	fsys := postgres.Migrations()
	var names []string
	err := fs.WalkDir(fsys, ".", func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			names = append(names, path)
		}
		return err
	})
	if err != nil {
		return "", fmt.Errorf("list migrations: %w", err)
	}
	sort.Strings(names)
	h := sha256.New()
	for _, n := range names {
		b, err := fs.ReadFile(fsys, n)
		if err != nil {
			return "", fmt.Errorf("read migration %s: %w", n, err)
		}
		fmt.Fprintf(h, "%s\x00%d\x00", n, len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func lockKey(name string) int64 {
	h := fnv.New64a()
	h.Write([]byte("profilegraph testdb " + name))
	return int64(h.Sum64())
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return hex.EncodeToString(b)
}
