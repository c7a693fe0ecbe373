package main

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"
)

// Class 6 of issue 9, at start-up: weak token configuration is refused before the
// server listens. On the old code these servers started.
func TestE2EHardeningWeakTokenConfigIsRefusedAtStart(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		env     map[string]string
		wantErr string
	}{
		{"an HS256 secret of spaces", map[string]string{"AUTH_HS256_SECRET": strings.Repeat(" ", 48)}, "white space"},
		{"an HS256 secret of low variety", map[string]string{"AUTH_HS256_SECRET": strings.Repeat("ab", 32)}, "variety"},
		{"a JWKS URL over plain http", map[string]string{"AUTH_JWKS_URL": "http://keys.example.com/jwks.json"}, "https"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{"PORT": "0"}
			for k, v := range tc.env {
				env[k] = v
			}
			// A server that does start is stopped again, so the test fails instead of hanging.
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			err := run(ctx, nil, func(k string) string { return env[k] }, io.Discard)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("run() = %v, want a start-up error containing %q", err, tc.wantErr)
			}
		})
	}
}
