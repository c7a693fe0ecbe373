package api

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/profilegraph/profilegraph/profile"
	"github.com/profilegraph/profilegraph/resolvers"
)

// limitsHandler is the gqlgen handler of lim and nothing else: no access log, no
// store (every request here is refused or needs none).
func limitsHandler(tb testing.TB, lim Limits) http.Handler {
	tb.Helper()
	return newGraphQLHandler(lim, &resolvers.Resolver{}, slog.New(slog.DiscardHandler), NewMetrics(), nil, nil)
}

// post sends query to h, as the viewer v when not nil, and decodes the answer.
func post(tb testing.TB, h http.Handler, v *profile.Viewer, query string) (*httptest.ResponseRecorder, gqlResponse) {
	tb.Helper()
	body, _ := json.Marshal(map[string]any{"query": query})
	req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	if v != nil {
		req = req.WithContext(profile.WithViewer(req.Context(), v))
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var out gqlResponse
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		tb.Fatalf("body %q is not JSON: %v", rec.Body, err)
	}
	return rec, out
}

func wantCode(tb testing.TB, got gqlResponse, code string) {
	tb.Helper()
	if len(got.Errors) != 1 || got.Errors[0].Extensions["code"] != code {
		tb.Fatalf("errors = %+v, want one %s", got.Errors, code)
	}
	if got.Data != nil {
		tb.Errorf("data = %v, want none", got.Data)
	}
}

var testLimits = Limits{Introspection: true, ComplexityLimit: 10000, DepthLimit: 12, BodyLimit: 1 << 20}

func TestLimits(t *testing.T) {
	viewer := &profile.Viewer{App: profile.AppFacebook, Subject: "fb-1", Purpose: profile.PurposeService}

	t.Run("a document deeper than the depth limit is refused before validation", func(t *testing.T) {
		h := limitsHandler(t, Limits{Introspection: true, ComplexityLimit: 10000, DepthLimit: 3})
		_, got := post(t, h, viewer, `{ viewer { accounts { person { accounts { id } } } } }`)
		wantCode(t, got, codeTooDeep)
	})

	t.Run("a document over the complexity limit is refused", func(t *testing.T) {
		h := limitsHandler(t, Limits{Introspection: true, ComplexityLimit: 50, DepthLimit: 12})
		var b strings.Builder
		b.WriteString("{")
		for i := range 10 {
			b.WriteString(" a" + string(rune('a'+i)) + ": viewer { id }")
		}
		b.WriteString(" }")
		_, got := post(t, h, viewer, b.String())
		wantCode(t, got, codeComplexity)
	})

	t.Run("a fragment cycle is refused", func(t *testing.T) {
		_, got := post(t, limitsHandler(t, testLimits), viewer, `{ viewer { ...A } } fragment A on Person { ...B } fragment B on Person { ...A }`)
		if len(got.Errors) == 0 || got.Data != nil {
			t.Fatalf("a fragment cycle was not refused: %+v", got)
		}
	})

	t.Run("with introspection off, __schema is refused and _service served", func(t *testing.T) {
		h := limitsHandler(t, Limits{ComplexityLimit: 10000, DepthLimit: 12})
		_, got := post(t, h, nil, `{ __schema { queryType { name } } }`)
		wantCode(t, got, "GRAPHQL_VALIDATION_FAILED")
		rec, got := post(t, h, nil, `{ _service { sdl } }`)
		if rec.Code != http.StatusOK || len(got.Errors) != 0 {
			t.Fatalf("_service: status %d, errors %+v", rec.Code, got.Errors)
		}
	})
}

// The auth gate answers 401 by itself: no access log or other middleware around it.
func TestAuthGate(t *testing.T) {
	h := limitsHandler(t, testLimits)

	t.Run("an operation beyond the public fields without a viewer is 401", func(t *testing.T) {
		rec, got := post(t, h, nil, `{ viewer { id } }`)
		if rec.Code != http.StatusUnauthorized {
			t.Errorf("status = %d, want 401", rec.Code)
		}
		if got := rec.Header().Get("WWW-Authenticate"); got != "Bearer" {
			t.Errorf("WWW-Authenticate = %q, want Bearer", got)
		}
		wantCode(t, got, string(profile.Unauthenticated))
	})

	t.Run("the refusal is 401 under application/graphql-response+json too, not a request error's 400", func(t *testing.T) {
		req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(`{"query":"{ viewer { id } }"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/graphql-response+json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusUnauthorized || rec.Header().Get("WWW-Authenticate") != "Bearer" {
			t.Fatalf("status = %d, WWW-Authenticate = %q, want 401 and Bearer", rec.Code, rec.Header().Get("WWW-Authenticate"))
		}
		var got gqlResponse
		if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
			t.Fatalf("body %q is not JSON: %v", rec.Body, err)
		}
		wantCode(t, got, string(profile.Unauthenticated))
	})

	t.Run("the public fields need no viewer", func(t *testing.T) {
		rec, got := post(t, h, nil, `{ _service { sdl } __typename }`)
		if rec.Code != http.StatusOK || len(got.Errors) != 0 {
			t.Fatalf("status %d, errors %+v", rec.Code, got.Errors)
		}
	})

	t.Run("a refused request does not make the next one 401", func(t *testing.T) {
		post(t, h, nil, `{ viewer { id } }`)
		rec, _ := post(t, h, nil, `{ __typename }`)
		if rec.Code != http.StatusOK {
			t.Fatalf("status = %d, want 200", rec.Code)
		}
	})
}
