package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// CopyTable is a table that bulk loads (the seeder) fill with COPY: its name and its
// columns. The columns are the very list the store's SQL names for the table's row type
// (personColumns, accountColumns, ...), so a migration that changes a table changes the
// seeder's columns with the store's, and TestCopyTablesAreTheMigratedTables fails when
// the list no longer is the table's.
type CopyTable struct {
	Name    string
	Columns []string
}

// The tables a seeder fills, in an order that satisfies their foreign keys.
var (
	PersonsTable  = CopyTable{Name: "persons", Columns: columnList(personColumns)}
	AccountsTable = CopyTable{Name: "accounts", Columns: columnList(accountColumns)}
	SettingsTable = CopyTable{Name: "settings", Columns: columnList(settingsColumns)}
	ConsentsTable = CopyTable{Name: "consents", Columns: columnList(consentColumns)}
	CopyTables    = []CopyTable{PersonsTable, AccountsTable, SettingsTable, ConsentsTable}
)

// columnList splits an SQL column list ("id, created_at").
func columnList(cols string) []string {
	out := strings.Split(cols, ",")
	for i, c := range out {
		out[i] = strings.TrimSpace(c)
	}
	return out
}

// CopyRows writes rows into t with one COPY in tx and returns how many went in. values
// fills one row's values in t.Columns order into a slice of len(t.Columns), reused for
// every row (COPY encodes a row before it asks for the next). It returns COPY's error,
// wrapped with the table's name.
func CopyRows[T any](ctx context.Context, tx pgx.Tx, t CopyTable, rows []T, values func(*T, []any)) (int64, error) {
	src := &copyRows[T]{rows: rows, i: -1, buf: make([]any, len(t.Columns)), values: values}
	n, err := tx.CopyFrom(ctx, pgx.Identifier{t.Name}, t.Columns, src)
	if err != nil {
		return n, fmt.Errorf("copy %s: %w", t.Name, err)
	}
	return n, nil
}

// copyRows is a pgx.CopyFromSource over a slice of rows.
type copyRows[T any] struct {
	rows   []T
	i      int
	buf    []any
	values func(*T, []any)
}

func (c *copyRows[T]) Next() bool { c.i++; return c.i < len(c.rows) }

func (c *copyRows[T]) Values() ([]any, error) {
	c.values(&c.rows[c.i], c.buf)
	return c.buf, nil
}

func (c *copyRows[T]) Err() error { return nil }
