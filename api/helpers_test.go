package api

import (
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

// signer mints HS256 tokens with a secret of its own.
type signer []byte

func newSigner(tb testing.TB) signer {
	tb.Helper()
	secret, err := auth.NewDevSecret()
	if err != nil {
		tb.Fatalf("NewDevSecret: %v", err)
	}
	return signer(secret)
}

// verifier returns a verifier that accepts s's tokens.
func (s signer) verifier(tb testing.TB) *auth.Verifier {
	tb.Helper()
	v, err := auth.NewVerifier(tb.Context(), auth.Config{HS256Secret: s})
	if err != nil {
		tb.Fatalf("NewVerifier: %v", err)
	}
	return v
}

// token signs c.
func (s signer) token(tb testing.TB, c auth.Claims) string {
	tb.Helper()
	tok, err := auth.SignHS256(s, c)
	if err != nil {
		tb.Fatalf("SignHS256: %v", err)
	}
	return tok
}

// userClaims are valid claims of a FACEBOOK user token.
func userClaims() auth.Claims {
	return auth.Claims{App: profile.AppFacebook, Subject: "fb-42", ExpiresAt: time.Now().Add(time.Hour)}
}
