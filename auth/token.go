package auth

import (
	"crypto/rand"
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/profilegraph/profilegraph/profile"
)

// Claims are the claims of a token minted by SignHS256 (dev mode and tests). Empty
// fields are left out of the token, so tests can mint tokens that Verify must refuse
// (no app, no sub, no exp).
type Claims struct {
	App       profile.App // `app`
	Subject   string      // `sub`
	Scope     string      // `scope`, space-separated; ScopeAccountsWrite marks a service token
	Purpose   string      // `purpose`: "ads" or empty
	ExpiresAt time.Time   // `exp`; the zero time leaves exp out
	Issuer    string      // `iss`
	Audience  string      // `aud`
}

// SignHS256 returns c as a compact JWT signed with HS256 and secret, with iat set to
// now. It returns an error when secret is empty or signing fails.
func SignHS256(secret []byte, c Claims) (string, error) {
	if len(secret) == 0 {
		return "", errors.New("sign HS256 token: empty secret")
	}
	tc := tokenClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Subject:  c.Subject,
			Issuer:   c.Issuer,
			IssuedAt: jwt.NewNumericDate(time.Now()),
		},
		App:     string(c.App),
		Scope:   c.Scope,
		Purpose: c.Purpose,
	}
	if !c.ExpiresAt.IsZero() {
		tc.ExpiresAt = jwt.NewNumericDate(c.ExpiresAt)
	}
	if c.Audience != "" {
		tc.Audience = jwt.ClaimStrings{c.Audience}
	}
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, tc).SignedString(secret)
	if err != nil {
		return "", fmt.Errorf("sign HS256 token: %w", err)
	}
	return s, nil
}

// NewDevSecret returns a random 32-byte HS256 secret for dev mode, from crypto/rand. It
// returns an error only if the system's random source fails.
func NewDevSecret() ([]byte, error) {
	b := make([]byte, MinSecretLen)
	if _, err := rand.Read(b); err != nil {
		return nil, fmt.Errorf("generate dev secret: %w", err)
	}
	return b, nil
}
