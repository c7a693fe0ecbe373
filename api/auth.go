package auth

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/profilegraph/profilegraph/profile"
)

// Middleware authenticates requests that carry an Authorization header: it must be a
// single "Bearer <token>" (scheme case-insensitive) whose token verifies, else the
// request is answered 401 by WriteUnauthenticated and next is not called. A verified
// request goes to next with profile.WithViewer. A request without the header goes to
// next without a viewer: the GraphQL layer lets `_service` and introspection through
// and answers everything else 401.
func (v *Verifier) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		values, present := r.Header["Authorization"]
		if !present {
			next.ServeHTTP(w, r)
			return
		}
		if len(values) != 1 {
			WriteUnauthenticated(w, "more than one Authorization header")
			return
		}
		token, ok := bearerToken(values[0])
		if !ok {
			WriteUnauthenticated(w, `Authorization header must be "Bearer <token>"`)
			return
		}
		viewer, err := v.Verify(r.Context(), token)
		if err != nil {
			WriteUnauthenticated(w, profile.ErrorMessage(err))
			return
		}
		next.ServeHTTP(w, r.WithContext(profile.WithViewer(r.Context(), viewer)))
	})
}

// bearerToken returns the token of an RFC 6750 "Bearer <token>" header value.
func bearerToken(h string) (string, bool) {
	scheme, token, ok := strings.Cut(strings.TrimSpace(h), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	if token == "" || strings.ContainsAny(token, " \t") {
		return "", false
	}
	return token, true
}

type gqlError struct {
	Message    string            `json:"message"`
	Extensions map[string]string `json:"extensions"`
}

// WriteUnauthenticated writes an HTTP 401 with a GraphQL error body:
// {"errors":[{"message":message,"extensions":{"code":"UNAUTHENTICATED"}}]}.
// message is shown to the caller as is: it must not hold internal detail.
func WriteUnauthenticated(w http.ResponseWriter, message string) {
	body, err := json.Marshal(struct {
		Errors []gqlError `json:"errors"`
	}{[]gqlError{{
		Message:    message,
		Extensions: map[string]string{"code": string(profile.Unauthenticated)},
	}}})
	if err != nil { // cannot happen: only strings are marshalled
		body = []byte(`{"errors":[{"message":"unauthenticated","extensions":{"code":"UNAUTHENTICATED"}}]}`)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "private, no-store")
	h.Set("WWW-Authenticate", "Bearer")
	w.WriteHeader(http.StatusUnauthorized)
	_, _ = w.Write(body)
}
