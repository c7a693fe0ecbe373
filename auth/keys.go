package auth

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/MicahParks/jwkset"
	"github.com/MicahParks/keyfunc/v3"
)

// minRSABits is the smallest RSA modulus accepted (NIST SP 800-131A).
const minRSABits = 2048

// jwksHTTPTimeout bounds one fetch of AUTH_JWKS_URL.
const jwksHTTPTimeout = 10 * time.Second

// newJWKS returns a keyfunc over the keys of file and/or url. Keys of the file take
// precedence over fetched keys with the same kid.
func newJWKS(ctx context.Context, file, rawURL string) (keyfunc.Keyfunc, error) {
	var given jwkset.Storage
	if file != "" {
		s, err := loadJWKSFile(ctx, file)
		if err != nil {
			return nil, err
		}
		given = s
	}
	storage := given
	if rawURL != "" {
		u, err := url.Parse(rawURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return nil, fmt.Errorf("AUTH_JWKS_URL %q is not an http(s) URL", rawURL)
		}
		if u.Scheme == "http" && !isLoopback(u.Hostname()) {
			// Keys fetched in the clear could be swapped on the way.
			return nil, fmt.Errorf("AUTH_JWKS_URL must use https (plain http only to a loopback address), got %q", rawURL)
		}
		kf, err := keyfunc.NewDefaultOverrideCtx(ctx, []string{rawURL}, keyfunc.Override{
			Given:       given,
			HTTPTimeout: jwksHTTPTimeout,
		})
		if err != nil {
			return nil, fmt.Errorf("AUTH_JWKS_URL: %w", err)
		}
		storage = kf.Storage()
	}
	kf, err := keyfunc.New(keyfunc.Options{
		Ctx:     ctx,
		Storage: storage,
		// A key published for encryption must not verify signatures; "" is a key
		// without "use".
		UseWhitelist: []jwkset.USE{jwkset.UseSig, ""},
	})
	if err != nil {
		return nil, fmt.Errorf("create JWKS keyfunc: %w", err)
	}
	return kf, nil
}

// loadJWKSFile reads a JWK Set file and checks that every key is a usable public
// verification key with a unique kid, so that a bad file fails at start rather than at
// the first request.
func loadJWKSFile(ctx context.Context, path string) (jwkset.Storage, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read AUTH_JWKS_FILE: %w", err)
	}
	var set jwkset.JWKSMarshal
	if err := json.Unmarshal(raw, &set); err != nil {
		return nil, fmt.Errorf("AUTH_JWKS_FILE %s is not a JWK Set: %w", path, err)
	}
	if len(set.Keys) == 0 {
		return nil, fmt.Errorf("AUTH_JWKS_FILE %s holds no keys", path)
	}
	seen := make(map[string]bool, len(set.Keys))
	for i, m := range set.Keys {
		if m.KID == "" {
			return nil, fmt.Errorf("AUTH_JWKS_FILE %s: key %d has no kid", path, i)
		}
		if seen[m.KID] {
			return nil, fmt.Errorf("AUTH_JWKS_FILE %s: kid %q appears twice", path, m.KID)
		}
		seen[m.KID] = true
		if m.D != "" || m.K != "" {
			return nil, fmt.Errorf("AUTH_JWKS_FILE %s: key %q holds private or symmetric key material; publish public keys only (the HS256 secret goes in AUTH_HS256_SECRET)", path, m.KID)
		}
		if m.USE != "" && m.USE != jwkset.UseSig {
			return nil, fmt.Errorf("AUTH_JWKS_FILE %s: key %q has use %q, want %q", path, m.KID, m.USE, jwkset.UseSig)
		}
	}
	jwks, err := set.JWKSlice()
	if err != nil {
		return nil, fmt.Errorf("AUTH_JWKS_FILE %s: %w", path, err)
	}
	storage := jwkset.NewMemoryStorage()
	for _, k := range jwks {
		m := k.Marshal()
		alg, err := algForKey(k.Key())
		if err != nil {
			return nil, fmt.Errorf("AUTH_JWKS_FILE %s: key %q: %w", path, m.KID, err)
		}
		if m.ALG != "" && m.ALG.String() != alg {
			return nil, fmt.Errorf("AUTH_JWKS_FILE %s: key %q has alg %q but its key type fits %s", path, m.KID, m.ALG, alg)
		}
		if err := storage.KeyWrite(ctx, k); err != nil {
			return nil, fmt.Errorf("store JWKS key %q: %w", m.KID, err)
		}
	}
	return storage, nil
}

// algForKey returns the one alg that key may verify, or an error for an unsupported key.
func algForKey(key any) (string, error) {
	var alg string
	switch key.(type) {
	case *rsa.PublicKey:
		alg = algRS256
	case *ecdsa.PublicKey:
		alg = algES256
	case ed25519.PublicKey:
		alg = algEdDSA
	default:
		return "", fmt.Errorf("unsupported key type %T: want an RSA (RS256), P-256 EC (ES256) or Ed25519 (EdDSA) public key", key)
	}
	if err := checkKey(alg, key); err != nil {
		return "", err
	}
	return alg, nil
}

// checkKey reports whether key is a public key of the type alg needs, so that a token
// can never make a key verify under another algorithm than its own.
func checkKey(alg string, key any) error {
	switch alg {
	case algRS256:
		k, ok := key.(*rsa.PublicKey)
		if !ok {
			return fmt.Errorf("%s needs an RSA public key, have %T", alg, key)
		}
		if k.N == nil || k.N.BitLen() < minRSABits {
			return fmt.Errorf("RSA key shorter than %d bits", minRSABits)
		}
		return nil
	case algES256:
		k, ok := key.(*ecdsa.PublicKey)
		if !ok {
			return fmt.Errorf("%s needs an EC public key, have %T", alg, key)
		}
		if k.Curve != elliptic.P256() {
			return fmt.Errorf("%s needs a P-256 key", alg)
		}
		return nil
	case algEdDSA:
		k, ok := key.(ed25519.PublicKey)
		if !ok || len(k) != ed25519.PublicKeySize {
			return fmt.Errorf("%s needs an Ed25519 public key, have %T", alg, key)
		}
		return nil
	default:
		return errors.New("unsupported alg")
	}
}

// minSecretVariety is the fewest distinct bytes an HS256 secret must hold.
const minSecretVariety = 8

// checkSecret refuses a weak HS256 secret: shorter than MinSecretLen bytes, only white
// space, fewer than minSecretVariety distinct bytes, or a short pattern repeated (a
// period of at most a quarter of its length).
func checkSecret(s []byte) error {
	if len(s) < MinSecretLen {
		return fmt.Errorf("must be at least %d bytes, got %d", MinSecretLen, len(s))
	}
	if len(bytes.TrimSpace(s)) == 0 {
		return errors.New("is only white space")
	}
	var distinct [256]bool
	n := 0
	for _, b := range s {
		if !distinct[b] {
			distinct[b] = true
			n++
		}
	}
	if n < minSecretVariety {
		return fmt.Errorf("has too little variety (%d distinct bytes, want at least %d): use a random secret such as `openssl rand -hex 32`", n, minSecretVariety)
	}
	for p := 1; p <= len(s)/4; p++ {
		if bytes.Equal(s[p:], s[:len(s)-p]) {
			return fmt.Errorf("repeats a pattern of %d bytes: use a random secret such as `openssl rand -hex 32`", p)
		}
	}
	return nil
}

// isLoopback reports whether host names this machine: localhost or a loopback IP.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
