package api

import (
	"context"
	"net/http"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/profilegraph/profilegraph/auth"
	"github.com/profilegraph/profilegraph/profile"
)

// authenticate authenticates requests that carry an Authorization header: it must be a
// single "Bearer <token>" (scheme case-insensitive) whose token verifies, else the
// request is answered 401 (writeError) and next is not called. A verified request goes
// to next with profile.WithViewer. A request without the header goes to next without a
// viewer: the auth gate lets `_service` and introspection through and answers
// everything else 401.
func authenticate(v *auth.Verifier, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		values, present := r.Header["Authorization"]
		if !present {
			next.ServeHTTP(w, r)
			return
		}
		if len(values) != 1 {
			writeError(w, http.StatusUnauthorized, profile.Unauthenticated, "more than one Authorization header")
			return
		}
		token, ok := bearerToken(values[0])
		if !ok {
			writeError(w, http.StatusUnauthorized, profile.Unauthenticated, `Authorization header must be "Bearer <token>"`)
			return
		}
		viewer, err := v.Verify(r.Context(), token)
		if err != nil {
			writeError(w, http.StatusUnauthorized, profile.Unauthenticated, profile.ErrorMessage(err))
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

// publicRootFields may be asked without a token: the gateway composes with them.
var publicRootFields = map[string]bool{"_service": true, "__schema": true, "__type": true, "__typename": true}

// authGate refuses every operation that selects anything beyond publicRootFields when
// the request has no verified viewer (authenticate already refused bad tokens). The
// transport answers the refusal, a request error coded UNAUTHENTICATED, with 401
// (httpTransport.Do).
type authGate struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = authGate{}

func (authGate) ExtensionName() string                   { return "AuthGate" }
func (authGate) Validate(graphql.ExecutableSchema) error { return nil }
func (authGate) MutateOperationContext(ctx context.Context, op *graphql.OperationContext) *gqlerror.Error {
	if profile.ViewerFrom(ctx) != nil {
		return nil
	}
	for _, f := range graphql.CollectFields(op, op.Operation.SelectionSet, nil) {
		if !publicRootFields[f.Name] {
			return codedError(profile.Unauthenticated, "a bearer token is required")
		}
	}
	return nil
}
