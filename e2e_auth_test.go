package main

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/profilegraph/profilegraph/auth"
	"github.com/profilegraph/profilegraph/profile"
)

// algNoneToken is an unsigned token (alg "none") with otherwise valid claims.
func algNoneToken(tb testing.TB) string {
	tb.Helper()
	enc := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			tb.Fatalf("encode: %v", err)
		}
		return base64.RawURLEncoding.EncodeToString(b)
	}
	return enc(map[string]any{"alg": "none", "typ": "JWT"}) + "." +
		enc(map[string]any{"app": "FACEBOOK", "sub": "frank-fb", "exp": time.Now().Add(time.Hour).Unix()}) + "."
}

func TestE2EAuth(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	db := openDB(t, s)
	s.mkAccount(t, account{App: profile.AppFacebook, UserID: "frank-fb", Fields: map[string]any{"displayName": "Frank"}})

	otherSecret := []byte("another-secret-of-at-least-32-bytes-long!")
	badSig, err := auth.SignHS256(otherSecret, auth.Claims{App: profile.AppFacebook, Subject: "frank-fb", ExpiresAt: tokenExpiry()})
	if err != nil {
		t.Fatalf("sign: %v", err)
	}
	refused := []struct {
		name  string
		token string
	}{
		{"missing token", ""},
		{"expired token", mint(t, auth.Claims{App: profile.AppFacebook, Subject: "frank-fb", ExpiresAt: time.Now().Add(-time.Hour)})},
		{"token signed with another secret", badSig},
		{"alg none token", algNoneToken(t)},
		{"token without exp", mint(t, auth.Claims{App: profile.AppFacebook, Subject: "frank-fb"})},
		{"token of an unknown app", mint(t, auth.Claims{App: "MYSPACE", Subject: "frank-fb", ExpiresAt: tokenExpiry()})},
		{"garbage token", "not.a.jwt"},
	}
	for _, tc := range refused {
		t.Run(tc.name+" is 401 UNAUTHENTICATED without data", func(t *testing.T) {
			t.Parallel()
			for _, q := range []string{`{ viewerAccount { displayName } }`, `mutation { unlinkAccount(app: INSTAGRAM) { id } }`} {
				r := s.query(t, tc.token, q, nil)
				if r.Status != http.StatusUnauthorized {
					t.Fatalf("%s: status %d, want 401\n%s", q, r.Status, r.Raw)
				}
				wantOnlyError(t, r, "UNAUTHENTICATED")
				if strings.Contains(r.Raw, `"data"`) && !strings.Contains(r.Raw, `"data":null`) {
					t.Fatalf("%s: the refusal carries data: %s", q, r.Raw)
				}
			}
		})
	}

	t.Run("a valid token is accepted", func(t *testing.T) {
		t.Parallel()
		r := mustOK(t, s.query(t, userToken(t, profile.AppFacebook, "frank-fb"), `{ viewerAccount { displayName } }`, nil))
		wantEq(t, r, "viewerAccount.displayName", "Frank")
	})

	t.Run("_service sdl needs no token", func(t *testing.T) {
		t.Parallel()
		r := mustOK(t, s.query(t, "", `{ _service { sdl } }`, nil))
		sdl, _ := r.Get("_service.sdl").(string)
		if !strings.Contains(sdl, "https://specs.apollo.dev/federation/v2") || !strings.Contains(sdl, "type Person") {
			t.Fatalf("_service.sdl is not the federation v2 SDL:\n%s", sdl)
		}
	})

	t.Run("introspection needs no token", func(t *testing.T) {
		t.Parallel()
		r := mustOK(t, s.query(t, "", `{ __schema { queryType { name } } }`, nil))
		wantEq(t, r, "__schema.queryType.name", "Query")
	})

	t.Run("a public field next to a private one is 401", func(t *testing.T) {
		t.Parallel()
		r := s.query(t, "", `{ _service { sdl } viewer { id } }`, nil)
		if r.Status != http.StatusUnauthorized {
			t.Fatalf("status %d, want 401\n%s", r.Status, r.Raw)
		}
		wantOnlyError(t, r, "UNAUTHENTICATED")
	})

	t.Run("an INSTAGRAM service token writes INSTAGRAM, never the FACEBOOK account with the same appUserId", func(t *testing.T) {
		s.mkAccount(t, account{App: profile.AppFacebook, UserID: "shared-1", Fields: map[string]any{"displayName": "Facebook Original", "email": "orig@example.com"}})
		rowOf := func(app string) string {
			return dbVal[string](t, db, `SELECT row_to_json(a)::text FROM accounts a WHERE app = $1 AND app_user_id = 'shared-1'`, app)
		}
		fbBefore := rowOf("FACEBOOK")
		r := mustOK(t, s.query(t, serviceToken(t, profile.AppInstagram), `mutation($in: UpsertAppAccountInput!) {
			upsertAppAccount(input: $in) { id app appUserId displayName } }`,
			map[string]any{"in": map[string]any{"appUserId": "shared-1", "username": "ig.shared", "displayName": "Instagram Write", "email": "ig@example.com"}}))
		wantEq(t, r, "upsertAppAccount.app", "INSTAGRAM")
		wantEq(t, r, "upsertAppAccount.appUserId", "shared-1")
		wantEq(t, r, "upsertAppAccount.displayName", "Instagram Write")
		if after := rowOf("FACEBOOK"); after != fbBefore {
			t.Fatalf("the FACEBOOK account changed:\nbefore %s\nafter  %s", fbBefore, after)
		}
		if n := dbVal[string](t, db, `SELECT display_name FROM accounts WHERE app = 'INSTAGRAM' AND app_user_id = 'shared-1'`); n != "Instagram Write" {
			t.Fatalf("INSTAGRAM shared-1 display_name %q", n)
		}
	})

	t.Run("a user token cannot upsert", func(t *testing.T) {
		before := snapshot(t, db)
		for _, in := range []map[string]any{
			{"appUserId": "frank-fb", "username": "hijacked", "displayName": "Hijacked"},
			{"appUserId": "frank-new", "username": "frank.new"},
		} {
			r := s.query(t, userToken(t, profile.AppFacebook, "frank-fb"), upsertMutation, map[string]any{"in": in})
			wantDenied(t, r, "upsertAppAccount", "FORBIDDEN")
		}
		wantUnchanged(t, db, before)
	})
}
