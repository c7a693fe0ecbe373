package auth

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"testing"

	"github.com/profilegraph/profilegraph/profile"
)

// FuzzReadClaims feeds arbitrary payloads to the strict claim reader: it never panics,
// and what it accepts is one JSON object without duplicated names and with a finite
// numeric exp.
func FuzzReadClaims(f *testing.F) {
	f.Fuzz(func(t *testing.T, payload []byte) {
		c, err := readClaims(payload)
		if err != nil {
			return
		}
		if !json.Valid(payload) || bytes.TrimSpace(payload)[0] != '{' {
			t.Fatalf("accepted a payload that is not a JSON object: %q", payload)
		}
		var m map[string]json.RawMessage
		if json.Unmarshal(payload, &m) != nil {
			t.Fatalf("accepted %q", payload)
		}
		if _, ok := m["exp"]; !ok || math.IsInf(c.Exp, 0) || math.IsNaN(c.Exp) {
			t.Fatalf("accepted %q without a finite exp", payload)
		}
	})
}

// FuzzVerify feeds arbitrary tokens to Verify: every failure is UNAUTHENTICATED.
func FuzzVerify(f *testing.F) {
	v, err := NewVerifier(context.Background(), Config{HS256Secret: []byte("fuzz-secret-0123456789-abcdefghijklmnop")})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, token string) {
		viewer, err := v.Verify(context.Background(), token)
		if err == nil {
			t.Fatalf("a token not signed with the secret verified: %q -> %+v", token, viewer)
		}
		if profile.ErrorCode(err) != profile.Unauthenticated {
			t.Fatalf("error %v is not UNAUTHENTICATED", err)
		}
	})
}
