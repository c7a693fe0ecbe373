package ceiling

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/profilegraph/profilegraph/internal/benchload/ceiling/graph"
	"github.com/profilegraph/profilegraph/internal/benchload/ceiling/graph/model"
)

// Recorded is one request sent to profilegraph and the response it gave.
type Recorded struct {
	Auth     string          `json:"auth"`     // the Authorization header
	Body     json.RawMessage `json:"body"`     // the GraphQL request
	Response json.RawMessage `json:"response"` // profilegraph's response body
}

// NewHandler returns the ceiling server: handler.New with the POST transport and the
// project's LRU query cache size, over a Resolver that holds the values of recs.
func NewHandler(recs []Recorded) (http.Handler, error) {
	res, err := load(recs)
	if err != nil {
		return nil, err
	}
	srv := handler.New(graph.NewExecutableSchema(graph.Config{Resolvers: res}))
	srv.AddTransport(transport.POST{})
	srv.SetQueryCache(lru.New[*ast.QueryDocument](1000)) // as newGraphQLHandler
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := context.WithValue(r.Context(), authKey{}, r.Header.Get("Authorization"))
		srv.ServeHTTP(w, r.WithContext(ctx))
	}), nil
}

// authKey is the context key of the request's Authorization header.
type authKey struct{}

func authFrom(ctx context.Context) string {
	s, _ := ctx.Value(authKey{}).(string)
	return s
}

// accountKey is the map key of an AppAccount by app and appUserId.
func accountKey(app, appUserID string) string { return app + "/" + appUserID }

// representation is an `_entities` representation of a recorded request.
type representation struct {
	Typename  string `json:"__typename"`
	ID        string `json:"id"`
	App       string `json:"app"`
	AppUserID string `json:"appUserId"`
}

// load decodes recs: the i-th `_entities` element of a response is stored under the
// key of the i-th representation of its request, and a `viewer` under the header.
func load(recs []Recorded) (*Resolver, error) {
	res := &Resolver{
		persons:  map[viewerKey]*model.Person{},
		accounts: map[viewerKey]*model.AppAccount{},
		viewers:  map[string]*model.Person{},
	}
	for n, rec := range recs {
		var req struct {
			Variables struct {
				R []representation `json:"r"`
			} `json:"variables"`
		}
		var resp struct {
			Data struct {
				Entities []json.RawMessage `json:"_entities"`
				Viewer   *model.Person     `json:"viewer"`
			} `json:"data"`
		}
		if err := json.Unmarshal(rec.Body, &req); err != nil {
			return nil, fmt.Errorf("record %d: request: %w", n, err)
		}
		if err := json.Unmarshal(rec.Response, &resp); err != nil {
			return nil, fmt.Errorf("record %d: response: %w", n, err)
		}
		if resp.Data.Viewer != nil {
			res.viewers[rec.Auth] = resp.Data.Viewer
		}
		if len(resp.Data.Entities) != len(req.Variables.R) {
			return nil, fmt.Errorf("record %d: %d entities for %d representations", n, len(resp.Data.Entities), len(req.Variables.R))
		}
		for i, raw := range resp.Data.Entities {
			if err := res.add(rec.Auth, req.Variables.R[i], raw); err != nil {
				return nil, fmt.Errorf("record %d entity %d: %w", n, i, err)
			}
		}
	}
	return res, nil
}

// add stores one recorded entity (null stays absent, so it resolves to null again).
func (r *Resolver) add(auth string, rep representation, raw json.RawMessage) error {
	switch rep.Typename {
	case "Person":
		var p *model.Person
		if err := json.Unmarshal(raw, &p); err != nil {
			return err
		}
		if p != nil {
			r.persons[viewerKey{auth, rep.ID}] = p
		}
	case "AppAccount":
		var a *model.AppAccount
		if err := json.Unmarshal(raw, &a); err != nil {
			return err
		}
		if a != nil {
			r.accounts[viewerKey{auth, accountKey(rep.App, rep.AppUserID)}] = a
		}
	default:
		return fmt.Errorf("unknown __typename %q", rep.Typename)
	}
	return nil
}
