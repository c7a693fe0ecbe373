package api

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/profilegraph/profilegraph/auth"
	"github.com/profilegraph/profilegraph/profile"
)

type gqlResponse struct {
	Data   any `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
}

// assert401 fails unless rec holds the UNAUTHENTICATED GraphQL response.
func assert401(tb testing.TB, rec *httptest.ResponseRecorder) gqlResponse {
	tb.Helper()
	if rec.Code != http.StatusUnauthorized {
		tb.Errorf("status = %d, want 401", rec.Code)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		tb.Errorf("Content-Type = %q, want application/json", ct)
	}
	var body gqlResponse
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		tb.Fatalf("body %q is not JSON: %v", rec.Body, err)
	}
	if len(body.Errors) != 1 {
		tb.Fatalf("errors = %+v, want exactly one", body.Errors)
	}
	if code := body.Errors[0].Extensions["code"]; code != "UNAUTHENTICATED" {
		tb.Errorf("extensions.code = %v, want UNAUTHENTICATED", code)
	}
	if body.Errors[0].Message == "" {
		tb.Error("message is empty")
	}
	if body.Data != nil {
		tb.Errorf("data = %v, want none", body.Data)
	}
	return body
}

// mustVerifier returns a verifier of HS256 tokens and its secret.
func mustVerifier(tb testing.TB) (*auth.Verifier, []byte) {
	tb.Helper()
	secret := otherSecret(tb)
	ctx, cancel := context.WithCancel(context.Background())
	tb.Cleanup(cancel)
	v, err := auth.NewVerifier(ctx, auth.Config{HS256Secret: secret})
	if err != nil {
		tb.Fatalf("NewVerifier: %v", err)
	}
	return v, secret
}

// otherSecret returns a fresh HS256 secret.
func otherSecret(tb testing.TB) []byte {
	tb.Helper()
	s, err := auth.NewDevSecret()
	if err != nil {
		tb.Fatalf("NewDevSecret: %v", err)
	}
	return s
}

func mustToken(tb testing.TB, secret []byte, c auth.Claims) string {
	tb.Helper()
	s, err := auth.SignHS256(secret, c)
	if err != nil {
		tb.Fatalf("SignHS256: %v", err)
	}
	return s
}

// userClaims are valid claims of a FACEBOOK user token.
func userClaims() auth.Claims {
	return auth.Claims{App: profile.AppFacebook, Subject: "fb-42", ExpiresAt: time.Now().Add(time.Hour)}
}
