package api

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/profilegraph/profilegraph/profile"
)

// The error presenter logs an internal error by its class, never its message.
func TestErrorPresenterLogsTheErrorClassOnly(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&buf, nil))
	pgErr := &pgconn.PgError{Code: "23505", ConstraintName: "accounts_email_key", Message: "duplicate key", Detail: "Key (email)=(very.private.person@example.com) already exists."}
	err := fmt.Errorf("write account of +16502530042: %w", errors.Join(pgErr, profile.Errorf(profile.Internal, "token eyJhbGciOi.secret")))
	got := errorPresenter(logger)(context.Background(), err)
	if got.Extensions["code"] != "INTERNAL" || got.Message != "internal error" {
		t.Fatalf("presented %+v, want INTERNAL without detail", got)
	}
	line := buf.String()
	for _, secret := range []string{"very.private.person", "+16502530042", "eyJhbGciOi", "duplicate key"} {
		if strings.Contains(line, secret) {
			t.Errorf("the log line holds %q: %s", secret, line)
		}
	}
	for _, class := range []string{"*pgconn.PgError(23505 accounts_email_key)", "*profile.Error(INTERNAL)", `"level":"ERROR"`} {
		if !strings.Contains(line, class) {
			t.Errorf("the log line should name %q: %s", class, line)
		}
	}
}

// A request whose client went away is not an internal error: its fields are not
// logged one by one (the access log notes the request once, below ERROR).
func TestErrorPresenterDoesNotLogCanceledRequests(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&buf, nil))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	present := errorPresenter(logger)
	for range 49 {
		got := present(ctx, context.Canceled)
		if got.Extensions["code"] != string(profile.Canceled) {
			t.Fatalf("presented %+v, want code %s", got, profile.Canceled)
		}
	}
	if buf.Len() != 0 {
		t.Fatalf("a canceled request was logged per field:\n%s", buf.String())
	}

	var access bytes.Buffer
	h := AccessLog(slog.New(slog.NewJSONHandler(&access, nil)), http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		present(r.Context(), context.Canceled)
		present(r.Context(), context.Canceled)
	}))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/graphql", nil).WithContext(ctx))
	if buf.Len() != 0 {
		t.Fatalf("a canceled request was logged per field:\n%s", buf.String())
	}
	lines := strings.Split(strings.TrimSpace(access.String()), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], `"canceled":true`) || !strings.Contains(lines[0], `"level":"INFO"`) {
		t.Fatalf("want one INFO access line marked canceled, got:\n%s", access.String())
	}
}

func TestErrorPresenter(t *testing.T) {
	var buf bytes.Buffer
	present := errorPresenter(slog.New(slog.NewJSONHandler(&buf, nil)))
	consent := profile.Errorf(profile.ConsentRequired, "consent required")
	consent.Extensions = map[string]any{"category": "PROFILE"}
	for _, tc := range []struct {
		name          string
		err           error
		code, message string
		ext           map[string]any
		logged        bool
	}{
		{"a domain error shows its code and message", profile.Errorf(profile.NotFound, "no such person"),
			"NOT_FOUND", "no such person", nil, false},
		{"a wrapped domain error too, with its extensions", fmt.Errorf("resolve: %w", consent),
			"CONSENT_REQUIRED", "consent required", map[string]any{"category": "PROFILE"}, false},
		{"an INTERNAL domain error hides its message and is logged", profile.Errorf(profile.Internal, "database at 10.0.0.1 is down"),
			"INTERNAL", "internal error", nil, true},
		{"any other error is INTERNAL and logged", errors.New("dial tcp 10.0.0.1:5432: refused"),
			"INTERNAL", "internal error", nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			buf.Reset()
			got := present(context.Background(), tc.err)
			if got.Message != tc.message || got.Extensions["code"] != tc.code {
				t.Fatalf("presented %q %v, want %q %s", got.Message, got.Extensions, tc.message, tc.code)
			}
			for k, v := range tc.ext {
				if got.Extensions[k] != v {
					t.Errorf("extension %s = %v, want %v", k, got.Extensions[k], v)
				}
			}
			if logged := buf.Len() > 0; logged != tc.logged {
				t.Errorf("logged = %v, want %v: %s", logged, tc.logged, buf.String())
			}
			if strings.Contains(buf.String(), "10.0.0.1") {
				t.Errorf("the log holds the error's message: %s", buf.String())
			}
		})
	}
}
