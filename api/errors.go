package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/profilegraph/profilegraph/profile"
)

// errorClass names what kind of error err is without its message, which may hold
// request bodies, tokens or personal values (SPEC §7: they are never logged): the Go
// types along its chain, the domain code, and for PostgreSQL errors the SQLSTATE and
// constraint, e.g. "*fmt.wrapError > *pgconn.PgError(23505 accounts_pkey)".
func errorClass(err error) string {
	var parts []string
	seen := 0
	var walk func(error)
	walk = func(e error) {
		for e != nil && seen < 12 {
			seen++
			part := fmt.Sprintf("%T", e)
			var pg *pgconn.PgError
			var de *profile.Error
			switch {
			case errors.As(e, &pg) && e == error(pg):
				part += "(" + pg.Code
				if pg.ConstraintName != "" {
					part += " " + pg.ConstraintName
				}
				part += ")"
			case errors.As(e, &de) && e == error(de):
				part += "(" + string(de.Code) + ")"
			case e == context.Canceled:
				part = "context.Canceled"
			case e == context.DeadlineExceeded:
				part = "context.DeadlineExceeded"
			}
			parts = append(parts, part)
			switch u := e.(type) {
			case interface{ Unwrap() []error }:
				for _, inner := range u.Unwrap() {
					walk(inner)
				}
				return
			case interface{ Unwrap() error }:
				e = u.Unwrap()
			default:
				return
			}
		}
	}
	walk(err)
	return strings.Join(parts, " > ")
}
