package auth_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/MicahParks/jwkset"
	"github.com/golang-jwt/jwt/v5"

	"github.com/profilegraph/profilegraph/auth"
	"github.com/profilegraph/profilegraph/profile"
)

// Key IDs of the JWK Set written by mustJWKSFile.
const (
	kidRSA = "rsa-1"
	kidEC  = "ec-1"
	kidEd  = "ed-1"
)

// testKeys are generated once per test binary: RSA generation is slow under -race.
type testKeys struct {
	rsa      *rsa.PrivateKey
	otherRSA *rsa.PrivateKey // not in any JWK Set
	ec       *ecdsa.PrivateKey
	ed       ed25519.PrivateKey
}

var keysOnce = sync.OnceValues(func() (*testKeys, error) {
	r1, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	r2, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	_, ed, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	return &testKeys{rsa: r1, otherRSA: r2, ec: ec, ed: ed}, nil
})

func mustKeys(tb testing.TB) *testKeys {
	tb.Helper()
	k, err := keysOnce()
	if err != nil {
		tb.Fatalf("generate keys: %v", err)
	}
	return k
}

// mustSecret returns a fresh HS256 secret.
func mustSecret(tb testing.TB) []byte {
	tb.Helper()
	s, err := auth.NewDevSecret()
	if err != nil {
		tb.Fatalf("NewDevSecret: %v", err)
	}
	return s
}

// mustJWKSJSON returns the public JWK Set of k's rsa, ec and ed keys. The RSA and EC
// keys carry no "alg", so that the verifier's own key-type check is what refuses a
// token whose alg does not fit the key.
func mustJWKSJSON(tb testing.TB, k *testKeys) []byte {
	tb.Helper()
	ctx := context.Background()
	store := jwkset.NewMemoryStorage()
	for _, e := range []struct {
		kid string
		key any
	}{{kidRSA, &k.rsa.PublicKey}, {kidEC, &k.ec.PublicKey}, {kidEd, k.ed.Public()}} {
		jwk, err := jwkset.NewJWKFromKey(e.key, jwkset.JWKOptions{
			Metadata: jwkset.JWKMetadataOptions{KID: e.kid, USE: jwkset.UseSig},
		})
		if err != nil {
			tb.Fatalf("JWK %s: %v", e.kid, err)
		}
		if err := store.KeyWrite(ctx, jwk); err != nil {
			tb.Fatalf("write JWK %s: %v", e.kid, err)
		}
	}
	raw, err := store.JSONPublic(ctx)
	if err != nil {
		tb.Fatalf("marshal JWK Set: %v", err)
	}
	return raw
}

// mustWriteFile writes data to a file in a temporary directory and returns its path.
func mustWriteFile(tb testing.TB, data []byte) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "jwks.json")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		tb.Fatalf("write %s: %v", path, err)
	}
	return path
}

func mustJWKSFile(tb testing.TB, k *testKeys) string {
	tb.Helper()
	return mustWriteFile(tb, mustJWKSJSON(tb, k))
}

func mustVerifier(tb testing.TB, cfg auth.Config) *auth.Verifier {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	tb.Cleanup(cancel)
	v, err := auth.NewVerifier(ctx, cfg)
	if err != nil {
		tb.Fatalf("NewVerifier: %v", err)
	}
	return v
}

func mustSignHS256(tb testing.TB, secret []byte, c auth.Claims) string {
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

// mapClaims are valid claims as a jwt.MapClaims, for tokens minted with other algorithms.
func mapClaims() jwt.MapClaims {
	return jwt.MapClaims{"app": "INSTAGRAM", "sub": "ig-7", "exp": time.Now().Add(time.Hour).Unix()}
}

// mustSign signs claims with method and key, setting kid in the header when not empty.
func mustSign(tb testing.TB, method jwt.SigningMethod, kid string, key any, claims jwt.Claims) string {
	tb.Helper()
	t := jwt.NewWithClaims(method, claims)
	if kid != "" {
		t.Header["kid"] = kid
	}
	s, err := t.SignedString(key)
	if err != nil {
		tb.Fatalf("sign %s: %v", method.Alg(), err)
	}
	return s
}

// unsignedToken crafts an alg=none token by hand: header.payload. with no signature.
func unsignedToken(tb testing.TB, claims map[string]any) string {
	tb.Helper()
	payload, err := json.Marshal(claims)
	if err != nil {
		tb.Fatalf("marshal claims: %v", err)
	}
	enc := base64.RawURLEncoding
	return enc.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + enc.EncodeToString(payload) + "."
}

// publicKeyPEM returns the PKIX PEM of pub: what an alg-confusion attacker would use as
// an HMAC secret.
func publicKeyPEM(tb testing.TB, pub any) []byte {
	tb.Helper()
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		tb.Fatalf("marshal public key: %v", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

// rejection is a token that Verify must refuse, with the message it must give.
type rejection struct {
	name  string
	token string
	want  string
}

// assertRejects checks, one subtest per case, that v refuses each token as UNAUTHENTICATED.
func assertRejects(t *testing.T, v *auth.Verifier, cases []rejection) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			got, err := v.Verify(context.Background(), tt.token)
			assertUnauthenticated(t, got, err, tt.want)
		})
	}
}

// assertUnauthenticated fails unless err is a *profile.Error with code UNAUTHENTICATED
// and the given message (any message when want is "").
func assertUnauthenticated(tb testing.TB, v *profile.Viewer, err error, want string) {
	tb.Helper()
	if v != nil {
		tb.Errorf("viewer = %+v, want nil", v)
	}
	var pe *profile.Error
	if !errors.As(err, &pe) {
		tb.Fatalf("err = %v (%T), want *profile.Error", err, err)
	}
	if pe.Code != profile.Unauthenticated {
		tb.Errorf("code = %s, want %s", pe.Code, profile.Unauthenticated)
	}
	if want != "" && pe.Message != want {
		tb.Errorf("message = %q, want %q", pe.Message, want)
	}
}
