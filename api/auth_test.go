package auth_test

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

func TestMiddleware(t *testing.T) {
	secret := mustSecret(t)
	v := mustVerifier(t, auth.Config{HS256Secret: secret})
	valid := mustSignHS256(t, secret, userClaims())

	// serve runs one request through the middleware and reports whether next ran and
	// with which viewer.
	serve := func(t *testing.T, headers ...string) (rec *httptest.ResponseRecorder, called bool, viewer *profile.Viewer) {
		t.Helper()
		next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			called = true
			viewer = profile.ViewerFrom(r.Context())
			w.WriteHeader(http.StatusNoContent)
		})
		req := httptest.NewRequest(http.MethodPost, "/graphql", nil)
		for _, h := range headers {
			req.Header.Add("Authorization", h)
		}
		rec = httptest.NewRecorder()
		v.Middleware(next).ServeHTTP(rec, req)
		return rec, called, viewer
	}

	t.Run("no header calls next without a viewer", func(t *testing.T) {
		rec, called, viewer := serve(t)
		if !called {
			t.Fatal("next was not called")
		}
		if viewer != nil {
			t.Errorf("viewer = %+v, want nil", viewer)
		}
		if rec.Code != http.StatusNoContent {
			t.Errorf("status = %d, want next's 204", rec.Code)
		}
	})

	for _, tc := range []struct{ name, header string }{
		{"valid bearer token", "Bearer " + valid},
		{"scheme in lower case", "bearer " + valid},
	} {
		t.Run(tc.name+" puts the viewer in the context", func(t *testing.T) {
			_, called, viewer := serve(t, tc.header)
			if !called {
				t.Fatal("next was not called")
			}
			want := profile.Viewer{App: profile.AppFacebook, Subject: "fb-42", Purpose: profile.PurposeService}
			if viewer == nil || *viewer != want {
				t.Errorf("viewer = %+v, want %+v", viewer, want)
			}
		})
	}

	rejected := []struct {
		name    string
		headers []string
	}{
		{"basic scheme", []string{"Basic x"}},
		{"empty header", []string{""}},
		{"bearer without token", []string{"Bearer "}},
		{"token without scheme", []string{valid}},
		{"invalid token", []string{"Bearer not-a-jwt"}},
		{"token signed with another secret", []string{"Bearer " + mustSignHS256(t, mustSecret(t), userClaims())}},
		{"two Authorization headers", []string{"Bearer " + valid, "Bearer " + valid}},
	}
	for _, tc := range rejected {
		t.Run(tc.name+" is answered 401", func(t *testing.T) {
			rec, called, _ := serve(t, tc.headers...)
			if called {
				t.Error("next was called")
			}
			assert401(t, rec)
		})
	}

	t.Run("401 message says why without echoing the token", func(t *testing.T) {
		expired := userClaims()
		expired.ExpiresAt = time.Now().Add(-2 * time.Hour)
		tok := mustSignHS256(t, secret, expired)
		rec, _, _ := serve(t, "Bearer "+tok)
		body := assert401(t, rec)
		if got := body.Errors[0].Message; got != "token expired" {
			t.Errorf("message = %q, want %q", got, "token expired")
		}
	})
}

func TestWriteUnauthenticatedEscapesMessage(t *testing.T) {
	rec := httptest.NewRecorder()
	msg := `bad "token" \ <here>`
	auth.WriteUnauthenticated(rec, msg)
	body := assert401(t, rec)
	if got := body.Errors[0].Message; got != msg {
		t.Errorf("message = %q, want %q", got, msg)
	}
}
