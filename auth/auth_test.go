package auth_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/profilegraph/profilegraph/auth"
	"github.com/profilegraph/profilegraph/profile"
)

func TestVerifyAcceptsHS256Tokens(t *testing.T) {
	secret := mustSecret(t)
	v := mustVerifier(t, auth.Config{HS256Secret: secret})
	tests := []struct {
		name   string
		claims func(*auth.Claims)
		want   profile.Viewer
	}{
		{
			name:   "user token gives the app account as viewer",
			claims: func(*auth.Claims) {},
			want:   profile.Viewer{App: profile.AppFacebook, Subject: "fb-42", Purpose: profile.PurposeService},
		},
		{
			name: "accounts:write among other scopes marks a service token",
			claims: func(c *auth.Claims) {
				c.App, c.Subject, c.Scope = profile.AppWhatsApp, "wa-backend", "profile:read accounts:write"
			},
			want: profile.Viewer{App: profile.AppWhatsApp, Subject: "wa-backend", Service: true, Purpose: profile.PurposeService},
		},
		{
			name:   "a scope merely containing accounts:write is not a service token",
			claims: func(c *auth.Claims) { c.Scope = "accounts:writer xaccounts:write" },
			want:   profile.Viewer{App: profile.AppFacebook, Subject: "fb-42", Purpose: profile.PurposeService},
		},
		{
			name:   "purpose ads is an ads request",
			claims: func(c *auth.Claims) { c.Purpose = "ads" },
			want:   profile.Viewer{App: profile.AppFacebook, Subject: "fb-42", Purpose: profile.PurposeAds},
		},
		{
			name:   "expiry within the leeway is tolerated",
			claims: func(c *auth.Claims) { c.ExpiresAt = time.Now().Add(-10 * time.Second) },
			want:   profile.Viewer{App: profile.AppFacebook, Subject: "fb-42", Purpose: profile.PurposeService},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := userClaims()
			tt.claims(&c)
			got, err := v.Verify(context.Background(), mustSignHS256(t, secret, c))
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if *got != tt.want {
				t.Errorf("viewer = %+v, want %+v", *got, tt.want)
			}
		})
	}
}

func TestVerifyRejectsBadHS256Tokens(t *testing.T) {
	secret := mustSecret(t)
	v := mustVerifier(t, auth.Config{HS256Secret: secret})
	sign := func(f func(*auth.Claims)) string {
		c := userClaims()
		f(&c)
		return mustSignHS256(t, secret, c)
	}
	valid := sign(func(*auth.Claims) {})
	parts := strings.Split(valid, ".")
	tests := []rejection{
		{"expired token", sign(func(c *auth.Claims) { c.ExpiresAt = time.Now().Add(-2 * time.Minute) }), "token expired"},
		{"token without exp", sign(func(c *auth.Claims) { c.ExpiresAt = time.Time{} }), "malformed token"},
		{"token signed with another secret", mustSignHS256(t, mustSecret(t), userClaims()), "invalid token signature"},
		{"token with a payload swapped after signing", parts[0] + "." + strings.Split(sign(func(c *auth.Claims) { c.Subject = "fb-1" }), ".")[1] + "." + parts[2], "invalid token signature"},
		{"token with the signature stripped", parts[0] + "." + parts[1] + ".", "invalid token signature"},
		{"alg none", unsignedToken(t, map[string]any{"app": "FACEBOOK", "sub": "fb-42", "exp": time.Now().Add(time.Hour).Unix()}), "invalid token signature"},
		{"app not one of the five", sign(func(c *auth.Claims) { c.App = "TIKTOK" }), "malformed token"},
		{"app in lower case", sign(func(c *auth.Claims) { c.App = "facebook" }), "malformed token"},
		{"missing app", sign(func(c *auth.Claims) { c.App = "" }), "malformed token"},
		{"missing sub", sign(func(c *auth.Claims) { c.Subject = "" }), "malformed token"},
		{"blank sub", sign(func(c *auth.Claims) { c.Subject = "  " }), "malformed token"},
		{"unknown purpose", sign(func(c *auth.Claims) { c.Purpose = "marketing" }), "malformed token"},
		{"app claim of the wrong JSON type", mustSign(t, jwt.SigningMethodHS256, "", secret, jwt.MapClaims{"app": 1, "sub": "x", "exp": time.Now().Add(time.Hour).Unix()}), "malformed token"},
		{"token not valid yet", mustSign(t, jwt.SigningMethodHS256, "", secret, jwt.MapClaims{"app": "FACEBOOK", "sub": "x", "exp": time.Now().Add(2 * time.Hour).Unix(), "nbf": time.Now().Add(time.Hour).Unix()}), "token not valid yet"},
		{"HS384 token", mustSign(t, jwt.SigningMethodHS384, "", secret, mapClaims()), "invalid token signature"},
		{"not a JWT", "not-a-jwt", "malformed token"},
		{"empty token", "", "malformed token"},
		{"oversized token", strings.Repeat("a", 20000), "malformed token"},
	}
	assertRejects(t, v, tests)
}

func TestVerifyChecksIssuerAndAudienceWhenConfigured(t *testing.T) {
	secret := mustSecret(t)
	v := mustVerifier(t, auth.Config{HS256Secret: secret, Issuer: "https://idp.example", Audience: "profilegraph"})
	tests := []struct {
		name     string
		iss, aud string
		wantErr  string // "" for an accepted token
	}{
		{"matching issuer and audience", "https://idp.example", "profilegraph", ""},
		{"other issuer", "https://evil.example", "profilegraph", "token not issued for this service"},
		{"missing issuer", "", "profilegraph", "malformed token"},
		{"other audience", "https://idp.example", "billing", "token not issued for this service"},
		{"missing audience", "https://idp.example", "", "malformed token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := userClaims()
			c.Issuer, c.Audience = tt.iss, tt.aud
			got, err := v.Verify(context.Background(), mustSignHS256(t, secret, c))
			if tt.wantErr == "" {
				if err != nil || got == nil || got.Subject != "fb-42" {
					t.Fatalf("Verify = %+v, %v; want the viewer fb-42", got, err)
				}
				return
			}
			assertUnauthenticated(t, got, err, tt.wantErr)
		})
	}

	t.Run("unconfigured issuer and audience are not checked", func(t *testing.T) {
		v := mustVerifier(t, auth.Config{HS256Secret: secret})
		c := userClaims()
		c.Issuer, c.Audience = "https://anyone.example", "anything"
		if _, err := v.Verify(context.Background(), mustSignHS256(t, secret, c)); err != nil {
			t.Fatalf("Verify: %v", err)
		}
	})
}

func TestVerifyJWKSFile(t *testing.T) {
	k := mustKeys(t)
	v := mustVerifier(t, auth.Config{JWKSFile: mustJWKSFile(t, k)})
	want := profile.Viewer{App: profile.AppInstagram, Subject: "ig-7", Purpose: profile.PurposeService}

	accepted := []struct {
		name  string
		token string
	}{
		{"RS256 token of the RSA key", mustSign(t, jwt.SigningMethodRS256, kidRSA, k.rsa, mapClaims())},
		{"ES256 token of the P-256 key", mustSign(t, jwt.SigningMethodES256, kidEC, k.ec, mapClaims())},
		{"EdDSA token of the Ed25519 key", mustSign(t, jwt.SigningMethodEdDSA, kidEd, k.ed, mapClaims())},
	}
	for _, tt := range accepted {
		t.Run(tt.name, func(t *testing.T) {
			got, err := v.Verify(context.Background(), tt.token)
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if *got != want {
				t.Errorf("viewer = %+v, want %+v", *got, want)
			}
		})
	}

	expired := mapClaims()
	expired["exp"] = time.Now().Add(-time.Hour).Unix()
	noApp := mapClaims()
	delete(noApp, "app")
	rejected := []rejection{
		{"RS256 token signed with an unknown key under a known kid", mustSign(t, jwt.SigningMethodRS256, kidRSA, k.otherRSA, mapClaims()), "invalid token signature"},
		{"RS256 token with an unknown kid", mustSign(t, jwt.SigningMethodRS256, "rsa-2", k.otherRSA, mapClaims()), "invalid token signature"},
		{"RS256 token without kid", mustSign(t, jwt.SigningMethodRS256, "", k.rsa, mapClaims()), "invalid token signature"},
		{"ES256 token naming the RSA key", mustSign(t, jwt.SigningMethodES256, kidRSA, k.ec, mapClaims()), "invalid token signature"},
		{"RS256 token naming the EC key", mustSign(t, jwt.SigningMethodRS256, kidEC, k.rsa, mapClaims()), "invalid token signature"},
		{"EdDSA token naming the RSA key", mustSign(t, jwt.SigningMethodEdDSA, kidRSA, k.ed, mapClaims()), "invalid token signature"},
		{"RS384 token of a known key", mustSign(t, jwt.SigningMethodRS384, kidRSA, k.rsa, mapClaims()), "invalid token signature"},
		{"PS256 token of a known key", mustSign(t, jwt.SigningMethodPS256, kidRSA, k.rsa, mapClaims()), "invalid token signature"},
		{"HS256 token when only JWKS is configured", mustSignHS256(t, mustSecret(t), userClaims()), "invalid token signature"},
		{"alg confusion: HS256 signed with the RSA public key PEM", mustSign(t, jwt.SigningMethodHS256, kidRSA, publicKeyPEM(t, &k.rsa.PublicKey), mapClaims()), "invalid token signature"},
		{"alg none naming a known kid", unsignedToken(t, map[string]any{"app": "INSTAGRAM", "sub": "ig-7", "exp": time.Now().Add(time.Hour).Unix()}), "invalid token signature"},
		{"expired RS256 token", mustSign(t, jwt.SigningMethodRS256, kidRSA, k.rsa, expired), "token expired"},
		{"RS256 token without app", mustSign(t, jwt.SigningMethodRS256, kidRSA, k.rsa, noApp), "malformed token"},
	}
	assertRejects(t, v, rejected)
}

func TestVerifyWithSecretAndJWKSAcceptsBothKinds(t *testing.T) {
	k := mustKeys(t)
	secret := mustSecret(t)
	v := mustVerifier(t, auth.Config{HS256Secret: secret, JWKSFile: mustJWKSFile(t, k)})

	for name, token := range map[string]string{
		"HS256 token of the secret": mustSignHS256(t, secret, userClaims()),
		"RS256 token of a JWKS key": mustSign(t, jwt.SigningMethodRS256, kidRSA, k.rsa, mapClaims()),
		"EdDSA token of a JWKS key": mustSign(t, jwt.SigningMethodEdDSA, kidEd, k.ed, mapClaims()),
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := v.Verify(context.Background(), token); err != nil {
				t.Fatalf("Verify: %v", err)
			}
		})
	}

	t.Run("alg confusion: HS256 signed with the RSA public key PEM is rejected", func(t *testing.T) {
		for _, key := range [][]byte{publicKeyPEM(t, &k.rsa.PublicKey), k.rsa.PublicKey.N.Bytes()} {
			token := mustSign(t, jwt.SigningMethodHS256, kidRSA, key, mapClaims())
			got, err := v.Verify(context.Background(), token)
			assertUnauthenticated(t, got, err, "invalid token signature")
		}
	})
}

func TestVerifyJWKSURL(t *testing.T) {
	k := mustKeys(t)
	set := mustJWKSJSON(t, k)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(set)
	}))
	t.Cleanup(srv.Close)
	v := mustVerifier(t, auth.Config{JWKSURL: srv.URL})

	t.Run("ES256 token of a fetched key is accepted", func(t *testing.T) {
		got, err := v.Verify(context.Background(), mustSign(t, jwt.SigningMethodES256, kidEC, k.ec, mapClaims()))
		if err != nil {
			t.Fatalf("Verify: %v", err)
		}
		if got.Subject != "ig-7" || got.App != profile.AppInstagram {
			t.Errorf("viewer = %+v, want INSTAGRAM ig-7", got)
		}
	})
	t.Run("RS256 token of an unknown key is rejected", func(t *testing.T) {
		got, err := v.Verify(context.Background(), mustSign(t, jwt.SigningMethodRS256, kidRSA, k.otherRSA, mapClaims()))
		assertUnauthenticated(t, got, err, "invalid token signature")
	})
}

func TestNewVerifierRefusesBadConfig(t *testing.T) {
	k := mustKeys(t)
	valid := string(mustJWKSJSON(t, k))
	privRSA := strings.Replace(valid, `"kty":"RSA",`, `"kty":"RSA","d":"AQAB",`, 1)
	tests := []struct {
		name    string
		cfg     func(t *testing.T) auth.Config
		wantErr string
	}{
		{"no key", func(*testing.T) auth.Config { return auth.Config{Issuer: "x"} }, "no verification key"},
		{"short HS256 secret", func(*testing.T) auth.Config { return auth.Config{HS256Secret: []byte("secret")} }, "at least 32 bytes"},
		{"missing JWKS file", func(t *testing.T) auth.Config {
			return auth.Config{JWKSFile: t.TempDir() + "/nope.json"}
		}, "read AUTH_JWKS_FILE"},
		{"JWKS file that is not JSON", func(t *testing.T) auth.Config {
			return auth.Config{JWKSFile: mustWriteFile(t, []byte("not json"))}
		}, "not a JWK Set"},
		{"JWKS file without keys", func(t *testing.T) auth.Config {
			return auth.Config{JWKSFile: mustWriteFile(t, []byte(`{"keys":[]}`))}
		}, "holds no keys"},
		{"JWKS key without kid", func(t *testing.T) auth.Config {
			return auth.Config{JWKSFile: mustWriteFile(t, []byte(strings.Replace(valid, `"kid":"rsa-1",`, "", 1)))}
		}, "has no kid"},
		{"JWKS with private key material", func(t *testing.T) auth.Config {
			return auth.Config{JWKSFile: mustWriteFile(t, []byte(privRSA))}
		}, "private or symmetric"},
		{"JWKS with a symmetric key", func(t *testing.T) auth.Config {
			return auth.Config{JWKSFile: mustWriteFile(t, []byte(`{"keys":[{"kty":"oct","kid":"h","k":"c2VjcmV0"}]}`))}
		}, "private or symmetric"},
		{"JWKS key whose alg does not fit its type", func(t *testing.T) auth.Config {
			return auth.Config{JWKSFile: mustWriteFile(t, []byte(strings.Replace(valid, `"kty":"RSA",`, `"kty":"RSA","alg":"ES256",`, 1)))}
		}, "alg"},
		{"JWKS URL that is not a URL", func(*testing.T) auth.Config { return auth.Config{JWKSURL: "jwks.json"} }, "AUTH_JWKS_URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := auth.NewVerifier(context.Background(), tt.cfg(t))
			if err == nil {
				t.Fatalf("NewVerifier = %v, nil; want an error containing %q", v, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error = %q, want it to contain %q", err, tt.wantErr)
			}
		})
	}
}

func TestConfigHasKeys(t *testing.T) {
	tests := []struct {
		name string
		cfg  auth.Config
		want bool
	}{
		{"nothing", auth.Config{}, false},
		{"issuer and audience only", auth.Config{Issuer: "i", Audience: "a"}, false},
		{"secret", auth.Config{HS256Secret: []byte("s")}, true},
		{"JWKS file", auth.Config{JWKSFile: "f"}, true},
		{"JWKS URL", auth.Config{JWKSURL: "https://x"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.cfg.HasKeys(); got != tt.want {
				t.Errorf("HasKeys = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestSignHS256RefusesEmptySecret(t *testing.T) {
	if tok, err := auth.SignHS256(nil, userClaims()); err == nil {
		t.Fatalf("SignHS256(nil) = %q, nil; want an error", tok)
	}
}

func TestNewDevSecretIsRandomAndUsable(t *testing.T) {
	a, b := mustSecret(t), mustSecret(t)
	if len(a) != 32 {
		t.Errorf("len = %d, want 32", len(a))
	}
	if string(a) == string(b) {
		t.Error("two dev secrets are equal")
	}
	v := mustVerifier(t, auth.Config{HS256Secret: a})
	if _, err := v.Verify(context.Background(), mustSignHS256(t, a, userClaims())); err != nil {
		t.Fatalf("Verify a token of the dev secret: %v", err)
	}
}
