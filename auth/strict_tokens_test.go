package auth_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/profilegraph/profilegraph/auth"
	"github.com/profilegraph/profilegraph/profile"
)

// signRaw signs payload, byte for byte as given, with HS256 under header.
func signRaw(secret []byte, header, payload string) string {
	enc := base64.RawURLEncoding
	signing := enc.EncodeToString([]byte(header)) + "." + enc.EncodeToString([]byte(payload))
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(signing))
	return signing + "." + enc.EncodeToString(mac.Sum(nil))
}

const hs256Header = `{"alg":"HS256","typ":"JWT"}`

// Class 6 of issue 9: claims are read exactly as signed (SPEC §7).
func TestVerifyReadsClaimsExactlyAsSigned(t *testing.T) {
	secret := mustSecret(t)
	v := mustVerifier(t, auth.Config{HS256Secret: secret})
	now := time.Now().Unix()
	exp := now + 3600
	base := fmt.Sprintf(`"app":"FACEBOOK","sub":"fb-42","exp":%d`, exp)

	refused := []struct {
		name, header, payload, msg string
	}{
		{"a duplicated claim is malformed", hs256Header, `{` + base + `,"purpose":"ads","purpose":""}`, "malformed token"},
		{"a duplicated app is malformed", hs256Header, `{` + base + `,"app":"INSTAGRAM"}`, "malformed token"},
		{"a duplicated exp is malformed", hs256Header, `{` + base + fmt.Sprintf(`,"exp":%d}`, exp+10), "malformed token"},
		{"exp in upper case is no exp", hs256Header, `{"app":"FACEBOOK","sub":"fb-42","EXP":` + fmt.Sprint(exp) + `}`, "malformed token"},
		{"exp as a string is malformed", hs256Header, `{"app":"FACEBOOK","sub":"fb-42","exp":"` + fmt.Sprint(exp) + `"}`, "malformed token"},
		{"nbf as a string is malformed", hs256Header, `{` + base + `,"nbf":"0"}`, "malformed token"},
		{"iat as a string is malformed", hs256Header, `{` + base + `,"iat":"0"}`, "malformed token"},
		{"iat as a boolean is malformed", hs256Header, `{` + base + `,"iat":true}`, "malformed token"},
		{"iat two minutes ahead is not valid yet", hs256Header, `{` + base + fmt.Sprintf(`,"iat":%d}`, now+120), "token not valid yet"},
		{"nbf two minutes ahead is not valid yet", hs256Header, `{` + base + fmt.Sprintf(`,"nbf":%d}`, now+120), "token not valid yet"},
		{"an exact-case exp in the past wins over a future Exp", hs256Header, fmt.Sprintf(`{"app":"FACEBOOK","sub":"fb-42","exp":%d,"Exp":%d}`, now-3600, exp), ""},
		{"a crit header is refused", `{"alg":"HS256","typ":"JWT","crit":["exp"]}`, `{` + base + `}`, "malformed token"},
		{"an empty crit header is refused", `{"alg":"HS256","typ":"JWT","crit":[]}`, `{` + base + `}`, "malformed token"},
		{"app as a number is malformed", hs256Header, fmt.Sprintf(`{"app":1,"sub":"fb-42","exp":%d}`, exp), "malformed token"},
		{"sub as an object is malformed", hs256Header, fmt.Sprintf(`{"app":"FACEBOOK","sub":{"id":"x"},"exp":%d}`, exp), "malformed token"},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			got, err := v.Verify(context.Background(), signRaw(secret, tc.header, tc.payload))
			assertUnauthenticated(t, got, err, tc.msg)
		})
	}

	accepted := []struct{ name, payload string }{
		{"iat 30 s ahead is within a minute", `{` + base + fmt.Sprintf(`,"iat":%d}`, now+30)},
		{"numeric times may have a fraction", fmt.Sprintf(`{"app":"FACEBOOK","sub":"fb-42","exp":%d.5,"iat":%d.25}`, exp, now)},
		{"unknown claims are ignored", `{` + base + `,"Purpose":"ads","extra":{"nested":[1,2]}}`},
	}
	for _, tc := range accepted {
		t.Run(tc.name, func(t *testing.T) {
			got, err := v.Verify(context.Background(), signRaw(secret, hs256Header, tc.payload))
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if got.Purpose != profile.PurposeService || got.Subject != "fb-42" {
				t.Fatalf("viewer = %+v, want a non-ads fb-42", got)
			}
		})
	}

	t.Run("the case-variant purpose attack is an ads request, never a non-ads one", func(t *testing.T) {
		got, err := v.Verify(context.Background(), signRaw(secret, hs256Header, `{`+base+`,"purpose":"ads","Purpose":""}`))
		if err != nil {
			t.Fatalf("Verify: %v", err)
		}
		if got.Purpose != profile.PurposeAds {
			t.Fatalf("purpose = %v, want ADS: the exact claim says ads", got.Purpose)
		}
	})
}

func TestNewVerifierRefusesWeakConfiguration(t *testing.T) {
	for _, tc := range []struct {
		name    string
		cfg     auth.Config
		wantErr string
	}{
		{"a secret of white space", auth.Config{HS256Secret: []byte(strings.Repeat(" ", 40))}, "white space"},
		{"a secret of tabs and newlines", auth.Config{HS256Secret: []byte(strings.Repeat("\t\n", 20))}, "white space"},
		{"a secret of one repeated byte", auth.Config{HS256Secret: []byte(strings.Repeat("a", 64))}, "variety"},
		{"a secret of a few distinct bytes", auth.Config{HS256Secret: []byte(strings.Repeat("abc123", 8))}, "variety"},
		{"a secret repeating a short pattern", auth.Config{HS256Secret: []byte(strings.Repeat("abcdefgh", 8))}, "pattern"},
		{"a JWKS URL over plain http", auth.Config{JWKSURL: "http://idp.example.com/.well-known/jwks.json"}, "https"},
		{"a JWKS URL over plain http to a private address", auth.Config{JWKSURL: "http://10.0.0.5/jwks.json"}, "https"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, err := auth.NewVerifier(context.Background(), tc.cfg)
			if err == nil {
				t.Fatalf("NewVerifier = %v, nil; want an error containing %q", v, tc.wantErr)
			}
			if !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("error = %q, want it to contain %q", err, tc.wantErr)
			}
		})
	}
	t.Run("a random hex secret is accepted", func(t *testing.T) {
		mustVerifier(t, auth.Config{HS256Secret: []byte("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08")})
	})
}
