package api

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/profilegraph/profilegraph/auth"
	"github.com/profilegraph/profilegraph/profile"
)

func TestAuthenticate(t *testing.T) {
	sign := newSigner(t)
	v := sign.verifier(t)
	valid := sign.token(t, userClaims())

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
		authenticate(v, next).ServeHTTP(rec, req)
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
		{"token signed with another secret", []string{"Bearer " + newSigner(t).token(t, userClaims())}},
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
		tok := sign.token(t, expired)
		rec, _, _ := serve(t, "Bearer "+tok)
		body := assert401(t, rec)
		if got := body.Errors[0].Message; got != "token expired" {
			t.Errorf("message = %q, want %q", got, "token expired")
		}
	})
}

func TestWriteErrorEscapesMessage(t *testing.T) {
	rec := httptest.NewRecorder()
	msg := `bad "token" \ <here>`
	writeError(rec, http.StatusUnauthorized, profile.Unauthenticated, msg)
	body := assert401(t, rec)
	if got := body.Errors[0].Message; got != msg {
		t.Errorf("message = %q, want %q", got, msg)
	}
}

// Every /export answer is private and never stored, refusals included: withNoStore is
// its one home for both routes.
func TestExportIsNeverStored(t *testing.T) {
	s := newSigner(t)
	h := Export(Deps{Verifier: s.verifier(t)})
	service := userClaims()
	service.Scope = auth.ScopeAccountsWrite
	for _, tc := range []struct {
		name   string
		token  string
		status int
	}{
		{"without a token (401)", "", http.StatusUnauthorized},
		{"with a bad token (401)", "not-a-jwt", http.StatusUnauthorized},
		{"with a service token (403)", s.token(t, service), http.StatusForbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "/export", nil)
			if tc.token != "" {
				req.Header.Set("Authorization", "Bearer "+tc.token)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tc.status {
				t.Fatalf("status = %d, want %d", rec.Code, tc.status)
			}
			if got := rec.Header().Get("Cache-Control"); got != "private, no-store" {
				t.Errorf("Cache-Control = %q, want private, no-store", got)
			}
		})
	}
}
