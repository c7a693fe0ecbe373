package main

// Trusted documents (SPEC §9): with TRUSTED_DOCUMENTS set to the manifest that the
// TypeScript client emits (clients/typescript/persisted-query-manifest.json), user tokens
// run only its operations, by id or exact body; service tokens and the gateway's
// `_service`/`_entities` are not limited.

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/profilegraph/profilegraph/profile"
	"github.com/profilegraph/profilegraph/trusteddocs"
)

// clientManifest is the manifest the TypeScript client emits (`npm run build` in
// clients/typescript; CI checks it is up to date).
const clientManifest = "clients/typescript/persisted-query-manifest.json"

func loadClientManifest(tb testing.TB) map[string]trusteddocs.Operation {
	tb.Helper()
	raw, err := os.ReadFile(clientManifest)
	if err != nil {
		tb.Fatal(err)
	}
	var m trusteddocs.Manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		tb.Fatal(err)
	}
	ops := map[string]trusteddocs.Operation{}
	for _, op := range m.Operations {
		ops[op.Name] = op
	}
	return ops
}

func TestTrustedDocuments(t *testing.T) {
	t.Parallel()
	ops := loadClientManifest(t)
	home, ok := ops["AccountsCenterHome"]
	if !ok {
		t.Fatalf("the client manifest has no AccountsCenterHome: %v", ops)
	}
	// Linking is a user-token mutation outside the manifest: seed through an unlimited
	// server on the same database.
	seed := startServer(t, nil)
	seed.mkPerson(t,
		account{App: profile.AppFacebook, UserID: "td-fb", Fields: map[string]any{"displayName": "Trudy Facebook"}},
		account{App: profile.AppInstagram, UserID: "td-ig"})
	mustOK(t, seed.query(t, userToken(t, profile.AppFacebook, "td-fb"),
		`mutation { grantConsent(input: {sourceApp: INSTAGRAM, targetApp: FACEBOOK, category: PROFILE}) { grantedAt } }`, nil))
	s := startServer(t, map[string]string{"TRUSTED_DOCUMENTS": clientManifest, "DATABASE_URL": seed.DatabaseURL})
	user := userToken(t, profile.AppFacebook, "td-fb")
	byID := func(id string) map[string]any {
		return map[string]any{"extensions": map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": id}}}
	}
	wantRefused := func(t *testing.T, r *gqlResponse) {
		t.Helper()
		if len(r.Errors) != 1 || r.Errors[0].Code() != trusteddocs.CodeNotFound || r.Data["viewer"] != nil || r.Data["viewerAccount"] != nil {
			t.Errorf("want one %s error and no data, got %s", trusteddocs.CodeNotFound, r.Raw)
		}
	}

	t.Run("a user token runs a manifest operation by id", func(t *testing.T) {
		r := mustOK(t, s.do(t, user, byID(home.ID), nil))
		wantEq(t, r, "viewer.profile.displayName", "Trudy Facebook")
	})
	t.Run("the id is the sha256 of the body the client hashed", func(t *testing.T) {
		sum := sha256.Sum256([]byte(home.Body))
		if hex.EncodeToString(sum[:]) != home.ID {
			t.Errorf("manifest id %s is not the body's sha256", home.ID)
		}
	})
	t.Run("a user token runs a manifest operation by its exact body", func(t *testing.T) {
		r := mustOK(t, s.query(t, user, home.Body, map[string]any{"avatarSize": 48}))
		wantEq(t, r, "viewerAccount.appUserId", "td-fb")
	})
	t.Run("a manifest mutation runs by id with variables", func(t *testing.T) {
		grant := ops["GrantConsent"]
		body := byID(grant.ID)
		body["variables"] = map[string]any{"input": map[string]any{"sourceApp": "INSTAGRAM", "targetApp": "FACEBOOK", "category": "CONTACT"}}
		r := mustOK(t, s.do(t, user, body, nil))
		wantEq(t, r, "grantConsent.category", "CONTACT")
	})
	t.Run("a user token cannot run another operation", func(t *testing.T) {
		wantRefused(t, s.query(t, user, `{ viewerAccount { id } }`, nil))
	})
	t.Run("a manifest body with one more space is another operation", func(t *testing.T) {
		wantRefused(t, s.query(t, user, home.Body+" ", nil))
	})
	t.Run("an unknown id is not found", func(t *testing.T) {
		wantRefused(t, s.do(t, user, byID(strings.Repeat("ab", 32)), nil))
	})
	t.Run("a known id with another body is refused", func(t *testing.T) {
		body := byID(home.ID)
		body["query"] = `{ viewerAccount { id } }`
		wantRefused(t, s.do(t, user, body, nil))
	})
	t.Run("a user token cannot register an operation through APQ", func(t *testing.T) {
		const q = `{ viewerAccount { id email } }`
		sum := sha256.Sum256([]byte(q))
		body := byID(hex.EncodeToString(sum[:]))
		body["query"] = q
		wantRefused(t, s.do(t, user, body, nil))
		wantRefused(t, s.do(t, user, byID(hex.EncodeToString(sum[:])), nil))
	})
	t.Run("introspection with a user token is limited too", func(t *testing.T) {
		wantRefused(t, s.query(t, user, `{ __schema { queryType { name } } }`, nil))
	})
	t.Run("a service token is not limited", func(t *testing.T) {
		r := mustOK(t, s.query(t, serviceToken(t, profile.AppFacebook), `mutation { upsertAppAccount(input: {appUserId: "td-fb2", username: "td_fb2"}) { appUserId } }`, nil))
		wantEq(t, r, "upsertAppAccount.appUserId", "td-fb2")
	})
	t.Run("a service token may still send a manifest id", func(t *testing.T) {
		r := s.do(t, serviceToken(t, profile.AppFacebook), byID(ops["RecoveryOptions"].ID), nil)
		if r.Status != 200 || (len(r.Errors) > 0 && r.Errors[0].Code() == trusteddocs.CodeNotFound) {
			t.Errorf("service token by id: %s", r.Raw)
		}
	})
	t.Run("the gateway's _entities with a user token is not limited", func(t *testing.T) {
		r := mustOK(t, s.query(t, user, `query($r: [_Any!]!) { _entities(representations: $r) { ... on AppAccount { appUserId displayName } } }`,
			map[string]any{"r": []any{map[string]any{"__typename": "AppAccount", "app": "FACEBOOK", "appUserId": "td-fb"}}}))
		wantEq(t, r, "_entities.0.displayName", "Trudy Facebook")
	})
	t.Run("_service is not limited, with or without a token", func(t *testing.T) {
		for _, tok := range []string{user, ""} {
			r := mustOK(t, s.query(t, tok, `{ _service { sdl } }`, nil))
			if sdl, _ := r.Get("_service.sdl").(string); !strings.Contains(sdl, "type Person") {
				t.Errorf("_service.sdl = %.80q", sdl)
			}
		}
	})
	t.Run("an _entities call cannot smuggle other root fields", func(t *testing.T) {
		wantRefused(t, s.query(t, user, `query($r: [_Any!]!) { _entities(representations: $r) { __typename } viewerAccount { email } }`,
			map[string]any{"r": []any{}}))
	})
}

func TestTrustedDocumentsOffByDefault(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	r := mustOK(t, s.query(t, s.mkUser(t, profile.AppFacebook, "free-fb"), `{ viewerAccount { appUserId } }`, nil))
	wantEq(t, r, "viewerAccount.appUserId", "free-fb")
}

func TestTrustedDocumentsBadManifestStopsStart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, tc := range []struct{ name, path, want string }{
		{"missing file", filepath.Join(dir, "nope.json"), "read trusted documents"},
		{"not JSON", write("bad.json", "{"), "decode"},
		{"another format", write("fmt.json", `{"format":"relay","version":1,"operations":[]}`), "format"},
		{"an operation without body", write("nobody.json", `{"format":"apollo-persisted-query-manifest","version":1,"operations":[{"id":"a","name":"A","type":"query","body":""}]}`), "id and body are required"},
		{"a duplicate id", write("dup.json", `{"format":"apollo-persisted-query-manifest","version":1,"operations":[{"id":"a","name":"A","type":"query","body":"{ viewer { id } }"},{"id":"a","name":"B","type":"query","body":"{ viewerAccount { id } }"}]}`), "duplicate id"},
		{"a body for another schema", write("schema.json", `{"format":"apollo-persisted-query-manifest","version":1,"operations":[{"id":"a","name":"A","type":"query","body":"{ viewer { shoeSize } }"}]}`), "does not validate"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := run(t.Context(), nil, func(k string) string {
				return map[string]string{"TRUSTED_DOCUMENTS": tc.path, "AUTH_HS256_SECRET": string(testSecret), "PORT": "0"}[k]
			}, &syncBuffer{})
			if err == nil || !strings.Contains(err.Error(), "TRUSTED_DOCUMENTS") || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("run = %v, want a TRUSTED_DOCUMENTS error containing %q", err, tc.want)
			}
		})
	}
}
