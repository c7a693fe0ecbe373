package postgres_test

import (
	"context"
	"slices"
	"testing"

	"github.com/profilegraph/profilegraph/internal/testdb"
	"github.com/profilegraph/profilegraph/postgres"
)

// TestCopyTablesAreTheMigratedTables: the columns the seeder copies are every column
// of the migrated table, so a migration that adds, drops or renames a column fails here
// rather than silently breaking `profilegraph seed`.
func TestCopyTablesAreTheMigratedTables(t *testing.T) {
	t.Parallel()
	st := MustOpen(t, testdb.New(t))
	for _, tbl := range postgres.CopyTables {
		t.Run(tbl.Name, func(t *testing.T) {
			rows, err := st.Pool().Query(context.Background(), `SELECT column_name FROM information_schema.columns
WHERE table_schema = current_schema() AND table_name = $1 ORDER BY column_name`, tbl.Name)
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			for rows.Next() {
				var c string
				if err := rows.Scan(&c); err != nil {
					t.Fatal(err)
				}
				want = append(want, c)
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			got := slices.Sorted(slices.Values(tbl.Columns))
			if !slices.Equal(got, want) {
				t.Fatalf("copy columns of %s = %v, the migrated table has %v", tbl.Name, got, want)
			}
		})
	}
}
