package testdb_test

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/profilegraph/profilegraph/internal/testdb"
)

func mustConnect(tb testing.TB, dbURL string) *pgx.Conn {
	tb.Helper()
	conn, err := pgx.Connect(context.Background(), dbURL)
	if err != nil {
		tb.Fatalf("connect %s: %v", dbURL, err)
	}
	tb.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func databaseExists(tb testing.TB, name string) bool {
	tb.Helper()
	admin := mustConnect(tb, testdb.BaseURL())
	var n int
	if err := admin.QueryRow(context.Background(), "SELECT count(*) FROM pg_database WHERE datname = $1", name).Scan(&n); err != nil {
		tb.Fatal(err)
	}
	return n == 1
}

func TestNewGivesAFreshMigratedDatabaseDroppedAtCleanup(t *testing.T) {
	var names []string
	t.Run("two databases", func(t *testing.T) {
		ctx := context.Background()
		for range 2 {
			conn := mustConnect(t, testdb.New(t))
			var name string
			var accounts int
			if err := conn.QueryRow(ctx, "SELECT current_database(), (SELECT count(*) FROM accounts)").Scan(&name, &accounts); err != nil {
				t.Fatalf("query the schema: %v", err)
			}
			if accounts != 0 {
				t.Errorf("%s has %d accounts, want an empty schema", name, accounts)
			}
			// Dirty it: the next database must not see this.
			if _, err := conn.Exec(ctx, "INSERT INTO persons (id) VALUES (gen_random_uuid())"); err != nil {
				t.Fatal(err)
			}
			names = append(names, name)
		}
		if names[0] == names[1] {
			t.Fatalf("New returned the same database twice: %s", names[0])
		}
		for _, n := range names {
			if !databaseExists(t, n) {
				t.Errorf("database %s does not exist during the test", n)
			}
		}
	})
	if len(names) != 2 {
		t.Fatalf("subtest made %d databases", len(names))
	}
	for _, n := range names {
		if databaseExists(t, n) {
			t.Errorf("database %s still exists after its test's cleanup", n)
		}
	}
}

func TestNewInParallelSharesOneCompleteTemplate(t *testing.T) {
	t.Run("parallel", func(t *testing.T) {
		for i := range 6 {
			t.Run(fmt.Sprint(i), func(t *testing.T) {
				t.Parallel()
				var persons int
				err := mustConnect(t, testdb.New(t)).QueryRow(context.Background(), "SELECT count(*) FROM persons").Scan(&persons)
				if err != nil || persons != 0 {
					t.Errorf("persons = %d, %v; want an empty schema", persons, err)
				}
			})
		}
	})
	admin := mustConnect(t, testdb.BaseURL())
	rows, _ := admin.Query(context.Background(), `
SELECT datname FROM pg_database
WHERE datname LIKE 'profilegraph_tmpl_%' AND datistemplate AND NOT datallowconn
  AND shobj_description(oid, 'pg_database') = 'profilegraph test template: complete'`)
	templates, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	if len(templates) == 0 {
		t.Fatal("no complete, connection-less template database found")
	}
}

func TestNewEmptyHasNoSchema(t *testing.T) {
	var tables int
	err := mustConnect(t, testdb.NewEmpty(t)).QueryRow(context.Background(),
		"SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").Scan(&tables)
	if err != nil || tables != 0 {
		t.Fatalf("public tables = %d, %v; want 0", tables, err)
	}
}

// fatalTB records Fatalf and ends the goroutine, as testing.T does.
type fatalTB struct {
	testing.TB
	msg string
}

func (f *fatalTB) Helper() {}

func (f *fatalTB) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func TestUnreachableServerFailsWithAClearMessage(t *testing.T) {
	t.Setenv("TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:1/postgres?sslmode=disable&connect_timeout=2")
	ftb := &fatalTB{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		testdb.NewEmpty(ftb)
		t.Error("NewEmpty returned with an unreachable server")
	}()
	<-done
	if !strings.Contains(ftb.msg, "unreachable") || !strings.Contains(ftb.msg, "TEST_DATABASE_URL") {
		t.Errorf("fatal message = %q, want it to say the server is unreachable and name TEST_DATABASE_URL", ftb.msg)
	}
}

func TestWithDatabase(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
	}{
		{"url with query", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable", "postgres://postgres@127.0.0.1:5432/x?sslmode=disable"},
		{"url without path", "postgresql://u:p@db", "postgresql://u:p@db/x"},
		{"key=value string", "host=db user=u", "host=db user=u dbname=x"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := testdb.WithDatabase(tc.in, "x")
			if err != nil || got != tc.want {
				t.Errorf("WithDatabase(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			}
		})
	}
}
