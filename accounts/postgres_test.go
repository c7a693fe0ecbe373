package accounts_test

import (
	"testing"

	"github.com/profilegraph/profilegraph/postgres"
	"github.com/profilegraph/profilegraph/profile"
)

// openPostgres opens a postgres store on a fresh migrated database.
func openPostgres(t *testing.T) profile.Store {
	t.Helper()
	s, err := postgres.Open(t.Context(), tmpDB(t), nil)
	if err != nil {
		t.Fatalf("open postgres store: %v", err)
	}
	t.Cleanup(s.Close)
	return s
}
