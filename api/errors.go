// Package api is profilegraph's HTTP and GraphQL layer: the gqlgen handler and its
// limits, the auth gate and its 401, the error presenter and the one writer of
// GraphQL-shaped error bodies, the request id, slog and access-log middleware, the
// Prometheus metrics, OpenTelemetry, trusted documents and the /export handler.
package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/vektah/gqlparser/v2/gqlerror"

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

// errorPresenter maps a *profile.Error to its code and safe message; parse, validation
// and limit errors keep their code; anything else is shown only as INTERNAL, so no
// internal detail leaks, and logged by its class (never its message, which may hold
// personal values). The errors of a request whose client went away are not logged here:
// the access log notes the request once.
func errorPresenter(logger *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		gqlErr := graphql.DefaultErrorPresenter(ctx, err)
		var de *profile.Error
		if errors.As(err, &de) && de.Code != profile.Internal {
			ext := map[string]any{"code": string(de.Code)}
			for k, v := range de.Extensions {
				ext[k] = v
			}
			return &gqlerror.Error{Message: de.Message, Path: gqlErr.Path, Locations: gqlErr.Locations, Extensions: ext}
		}
		if de == nil && gqlErr.Extensions != nil && gqlErr.Extensions["code"] != nil {
			return gqlErr // gqlgen's parse, validation and limit errors
		}
		if requestCanceled(ctx) {
			markCanceled(ctx)
			return &gqlerror.Error{Message: "the request was canceled", Path: gqlErr.Path, Locations: gqlErr.Locations,
				Extensions: map[string]any{"code": string(profile.Canceled)}}
		}
		logger.ErrorContext(ctx, "internal error", "err_class", errorClass(err), "path", gqlErr.Path.String())
		return &gqlerror.Error{
			Message:    "internal error",
			Path:       gqlErr.Path,
			Locations:  gqlErr.Locations,
			Extensions: map[string]any{"code": string(profile.Internal)},
		}
	}
}

// codedError is a GraphQL error of one code and a message shown as is.
func codedError(code profile.Code, message string) *gqlerror.Error {
	return &gqlerror.Error{Message: message, Extensions: map[string]any{"code": string(code)}}
}

// errorsOnly is a response without a data entry: a request error (GraphQL over HTTP).
type errorsOnly struct {
	Errors     gqlerror.List  `json:"errors"`
	Extensions map[string]any `json:"extensions,omitempty"`
}

// writeResponse writes resp as the body of status with contentType: the whole response
// when withData, else only its errors and extensions (a request error). It is the one
// writer of GraphQL responses outside gqlgen's executor: the transport, its refusals and
// the HTTP middleware's errors (writeError) all go through it.
func writeResponse(w http.ResponseWriter, contentType string, status int, resp *graphql.Response, withData bool) {
	var body []byte
	var err error
	if withData {
		body, err = json.Marshal(resp)
	} else {
		body, err = json.Marshal(errorsOnly{Errors: resp.Errors, Extensions: resp.Extensions})
	}
	if err != nil {
		body = []byte(`{"errors":[{"message":"internal error","extensions":{"code":"INTERNAL"}}]}`)
		status = http.StatusInternalServerError
	}
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// writeError answers a request refused before GraphQL runs with one coded error:
// {"errors":[{"message":message,"extensions":{"code":code}}]}, as application/json. A
// 401 also says how to authenticate (WWW-Authenticate: Bearer); withNoStore, around
// every handler that writes errors here, keeps them from being stored. message is shown
// to the caller as is: it must not hold internal detail.
func writeError(w http.ResponseWriter, status int, code profile.Code, message string) {
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", "Bearer")
	}
	writeResponse(w, mediaJSON, status, &graphql.Response{Errors: gqlerror.List{codedError(code, message)}}, false)
}
