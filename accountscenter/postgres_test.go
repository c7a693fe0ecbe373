package accountscenter_test

import (
	"testing"

	"github.com/profilegraph/profilegraph/internal/testdb"
	"github.com/profilegraph/profilegraph/postgres"
	"github.com/profilegraph/profilegraph/profile"
)

// openPostgres opens a postgres store on a fresh migrated database (dropped when t ends).
func openPostgres(t *testing.T) profile.Store {
	t.Helper()
	s, err := postgres.Open(t.Context(), testdb.New(t), nil)
	if err != nil {
		t.Fatalf("open postgres store: %v", err)
	}
	t.Cleanup(s.Close)
	return s
}
