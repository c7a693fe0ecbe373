package benchload

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"time"

	"github.com/jackc/pgx/v5"
)

// createDatabase creates a database with a random name on the server of adminURL and
// returns its URL and a function that drops it (WITH (FORCE): no leftover session
// keeps it alive).
func createDatabase(ctx context.Context, adminURL string) (string, func(), error) {
	u, err := url.Parse(adminURL)
	if err != nil {
		return "", nil, fmt.Errorf("admin database URL: %w", err)
	}
	admin, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return "", nil, fmt.Errorf("connect to %s: %w", u.Redacted(), err)
	}
	defer admin.Close(context.WithoutCancel(ctx))
	name := "profilegraph_bench_" + randomHex(6)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		return "", nil, fmt.Errorf("create database: %w", err)
	}
	drop := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c, err := pgx.Connect(ctx, adminURL)
		if err == nil {
			_, err = c.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
			c.Close(ctx)
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "bench-load: drop database %s: %v\n", name, err)
		}
	}
	u.Path = "/" + name
	return u.String(), drop, nil
}

// randomHex returns n random bytes in hex.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}

// buildServer builds the server binary of the repository at root into dir.
func buildServer(ctx context.Context, root, dir string) (string, error) {
	bin := dir + "/profilegraph"
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, ".")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %w\n%s", err, out)
	}
	return bin, nil
}

// seed runs the project's seeder (`profilegraph seed --persons n`) on dbURL.
func seed(ctx context.Context, bin, dbURL string, persons int) error {
	cmd := exec.CommandContext(ctx, bin, "seed", "--persons", fmt.Sprint(persons))
	cmd.Env = append(os.Environ(), "DATABASE_URL="+dbURL)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("seed: %w\n%s", err, out)
	}
	return nil
}

// account is a seeded app account.
type account struct {
	app, appUserID string
	personID       string // empty when unlinked
	linked         bool
}

// population is what the workloads draw their variables from.
type population struct {
	persons  []string
	accounts []account
}

// readPopulation reads every person id and account from dbURL.
func readPopulation(ctx context.Context, dbURL string) (population, error) {
	var p population
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return p, err
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, "SELECT id::text FROM persons ORDER BY id")
	if err != nil {
		return p, err
	}
	if p.persons, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
		return p, fmt.Errorf("read persons: %w", err)
	}
	rows, err = conn.Query(ctx, `SELECT app, app_user_id, coalesce(person_id::text, ''), linked_at IS NOT NULL
		FROM accounts ORDER BY app, app_user_id`)
	if err != nil {
		return p, err
	}
	p.accounts, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (account, error) {
		var a account
		err := r.Scan(&a.app, &a.appUserID, &a.personID, &a.linked)
		return a, err
	})
	if err != nil {
		return p, fmt.Errorf("read accounts: %w", err)
	}
	if len(p.persons) < 100 || len(p.accounts) < 100 {
		return p, fmt.Errorf("the database holds %d persons and %d accounts; the workloads need at least 100 of each", len(p.persons), len(p.accounts))
	}
	return p, nil
}
