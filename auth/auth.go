// Package auth verifies the bearer JWT of every request (SPEC §2) and returns the
// verified caller, a *profile.Viewer (package api reads the header and puts the viewer
// in the request context).
//
// Keys are an HS256 shared secret and/or JWK Sets (a file, a URL refreshed in the
// background, or both) holding RS256, ES256 and EdDSA public keys. The key that verifies a
// token is chosen by the token's alg: HS256 uses only the shared secret, the asymmetric
// algorithms use only the JWKS key named by the token's kid, and that key's type must fit
// the alg. So a public key can never act as an HMAC secret (the classic alg-confusion
// attack) and alg=none never verifies.
package auth

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/MicahParks/keyfunc/v3"
	"github.com/golang-jwt/jwt/v5"

	"github.com/profilegraph/profilegraph/profile"
)

// Leeway is the clock skew tolerated on exp, nbf and iat.
const Leeway = 30 * time.Second

// MinSecretLen is the minimum length in bytes of an HS256 secret: RFC 7518 §3.2 requires
// a key at least as long as the hash output (256 bits).
const MinSecretLen = 32

// maxTokenLen bounds the work an attacker can make the parser do.
const maxTokenLen = 16 << 10

// ScopeAccountsWrite is the scope that marks a service token (SPEC §2).
const ScopeAccountsWrite = "accounts:write"

// Signing algorithms accepted by Verify.
const (
	algHS256 = "HS256"
	algRS256 = "RS256"
	algES256 = "ES256"
	algEdDSA = "EdDSA"
)

// Config says which keys verify tokens and which issuer and audience they must carry.
type Config struct {
	HS256Secret []byte // AUTH_HS256_SECRET
	JWKSFile    string // AUTH_JWKS_FILE: a JWK Set JSON file with RS256/ES256/EdDSA public keys
	JWKSURL     string // AUTH_JWKS_URL: fetched and refreshed in background (keyfunc); only use in prod
	Issuer      string // AUTH_ISSUER, checked when set
	Audience    string // AUTH_AUDIENCE, checked when set
}

// HasKeys reports whether c configures at least one verification key. Without keys the
// server may only run in dev mode (SPEC §2).
func (c Config) HasKeys() bool {
	return len(c.HS256Secret) > 0 || c.JWKSFile != "" || c.JWKSURL != ""
}

// Verifier verifies bearer tokens. It is safe for concurrent use.
type Verifier struct {
	secret   []byte          // nil: HS256 tokens are refused
	jwks     keyfunc.Keyfunc // nil: RS256, ES256 and EdDSA tokens are refused
	parser   *jwt.Parser
	issuer   string
	audience string
}

// NewVerifier returns a Verifier for cfg. ctx bounds the background refresh of
// cfg.JWKSURL: cancel it at shutdown.
//
// It returns an error when no key is configured, when the HS256 secret is weak
// (shorter than MinSecretLen bytes, white space only, or of low variety: checkSecret),
// when the JWKS URL is plain http to anything but a loopback address, when the JWKS file is unreadable, is not a JWK Set, or holds a key
// that is not an RS256 (RSA ≥ 2048 bits), ES256 (P-256) or EdDSA (Ed25519) public key
// with a unique kid, or when JWKSURL is not a valid URL. A JWKS URL that cannot be
// fetched at start is not an error: keys are fetched again in the background and when
// a token names an unknown kid (rate-limited), and until then such tokens are refused.
func NewVerifier(ctx context.Context, cfg Config) (*Verifier, error) {
	if !cfg.HasKeys() {
		return nil, errors.New("auth: no verification key configured: set AUTH_HS256_SECRET, AUTH_JWKS_FILE or AUTH_JWKS_URL")
	}
	v := &Verifier{issuer: cfg.Issuer, audience: cfg.Audience}
	methods := []string{}
	if len(cfg.HS256Secret) > 0 {
		if err := checkSecret(cfg.HS256Secret); err != nil {
			return nil, fmt.Errorf("auth: AUTH_HS256_SECRET %w", err)
		}
		v.secret = append([]byte(nil), cfg.HS256Secret...)
		methods = append(methods, algHS256)
	}
	if cfg.JWKSFile != "" || cfg.JWKSURL != "" {
		kf, err := newJWKS(ctx, cfg.JWKSFile, cfg.JWKSURL)
		if err != nil {
			return nil, fmt.Errorf("auth: %w", err)
		}
		v.jwks = kf
		methods = append(methods, algRS256, algES256, algEdDSA)
	}
	opts := []jwt.ParserOption{
		jwt.WithValidMethods(methods),
		jwt.WithExpirationRequired(),
		jwt.WithLeeway(Leeway),
	}
	if cfg.Issuer != "" {
		opts = append(opts, jwt.WithIssuer(cfg.Issuer))
	}
	if cfg.Audience != "" {
		opts = append(opts, jwt.WithAudience(cfg.Audience))
	}
	v.parser = jwt.NewParser(opts...)
	return v, nil
}

// tokenClaims is the payload of a token minted by SignHS256.
type tokenClaims struct {
	jwt.RegisteredClaims
	App     string `json:"app,omitempty"`
	Scope   string `json:"scope,omitempty"`
	Purpose string `json:"purpose,omitempty"`
}

// Messages of the UNAUTHENTICATED errors: short, and they never echo token content.
const (
	msgMalformed    = "malformed token"
	msgSignature    = "invalid token signature"
	msgExpired      = "token expired"
	msgNotYetValid  = "token not valid yet"
	msgWrongService = "token not issued for this service"
)

// Verify returns the viewer of a raw token (no "Bearer " prefix). Claims are read
// exactly as signed (SPEC §7). Any failure is a *profile.Error with code
// UNAUTHENTICATED and a short message that reveals nothing of the keys: the token is
// malformed (bad encoding, a crit header, a duplicated claim, no exp, a time claim that
// is not a number, a claim of the wrong type, empty sub, app not one of the five,
// unknown purpose), badly signed (wrong or unknown key, refused alg), expired, not yet
// valid (nbf ahead, or iat more than a minute ahead), or issued for another issuer or
// audience.
func (v *Verifier) Verify(ctx context.Context, token string) (*profile.Viewer, error) {
	if token == "" || len(token) > maxTokenLen {
		return nil, unauthenticated(msgMalformed)
	}
	// The library checks the signature, alg, exp, nbf, iss and aud; the claims are then
	// read again exactly as signed (readClaims), and only those values are used.
	t, err := v.parser.ParseWithClaims(token, jwt.MapClaims{}, v.keyfunc(ctx))
	if err != nil {
		return nil, unauthenticated(parseErrorMessage(err))
	}
	if _, crit := t.Header["crit"]; crit {
		// RFC 7515 §4.1.11: extensions we do not understand must not be ignored.
		return nil, unauthenticated(msgMalformed)
	}
	payload, err := v.parser.DecodeSegment(strings.Split(token, ".")[1])
	if err != nil {
		return nil, unauthenticated(msgMalformed)
	}
	c, err := readClaims(payload)
	if err != nil {
		return nil, unauthenticated(msgMalformed)
	}
	if msg := c.checkTimes(time.Now()); msg != "" {
		return nil, unauthenticated(msg)
	}
	if (v.issuer != "" && c.Iss != v.issuer) || (v.audience != "" && !slices.Contains(c.Aud, v.audience)) {
		return nil, unauthenticated(msgWrongService)
	}
	if strings.TrimSpace(c.Sub) == "" {
		return nil, unauthenticated(msgMalformed)
	}
	app := profile.App(c.App)
	if !app.Valid() {
		return nil, unauthenticated(msgMalformed)
	}
	var purpose profile.Purpose
	switch c.Purpose {
	case "":
		purpose = profile.PurposeService
	case "ads":
		purpose = profile.PurposeAds
	default:
		return nil, unauthenticated(msgMalformed)
	}
	service := false
	for _, s := range strings.Fields(c.Scope) {
		if s == ScopeAccountsWrite {
			service = true
			break
		}
	}
	return &profile.Viewer{App: app, Subject: c.Sub, Service: service, Purpose: purpose}, nil
}

// keyfunc picks the key by the token's alg, which the parser has already checked
// against the configured methods.
func (v *Verifier) keyfunc(ctx context.Context) jwt.Keyfunc {
	return func(t *jwt.Token) (any, error) {
		alg := t.Method.Alg()
		switch alg {
		case algHS256:
			if v.secret == nil {
				return nil, errors.New("no HS256 secret configured")
			}
			return v.secret, nil
		case algRS256, algES256, algEdDSA:
			if v.jwks == nil {
				return nil, errors.New("no JWKS configured")
			}
			// Without a kid keyfunc would try every key; SPEC'd tokens name their key.
			if kid, _ := t.Header["kid"].(string); kid == "" {
				return nil, errors.New("token has no kid")
			}
			key, err := v.jwks.KeyfuncCtx(ctx)(t)
			if err != nil {
				return nil, fmt.Errorf("find JWKS key: %w", err)
			}
			if err := checkKey(alg, key); err != nil {
				return nil, err
			}
			return key, nil
		default:
			return nil, fmt.Errorf("unsupported alg %q", alg)
		}
	}
}

// parseErrorMessage maps a jwt parse error to a safe message.
func parseErrorMessage(err error) string {
	switch {
	case errors.Is(err, jwt.ErrTokenMalformed), errors.Is(err, jwt.ErrTokenRequiredClaimMissing):
		return msgMalformed
	case errors.Is(err, jwt.ErrTokenExpired):
		return msgExpired
	case errors.Is(err, jwt.ErrTokenNotValidYet), errors.Is(err, jwt.ErrTokenUsedBeforeIssued):
		return msgNotYetValid
	case errors.Is(err, jwt.ErrTokenInvalidIssuer), errors.Is(err, jwt.ErrTokenInvalidAudience):
		return msgWrongService
	case errors.Is(err, jwt.ErrTokenInvalidClaims):
		return msgMalformed
	default: // unverifiable (no key) or signature invalid (bad signature, refused alg)
		return msgSignature
	}
}

func unauthenticated(msg string) *profile.Error {
	return profile.Errorf(profile.Unauthenticated, "%s", msg)
}
