// Package trusteddocs limits which GraphQL operations user tokens may run to the
// operations of an Apollo persisted-query manifest (SPEC §9 "Trusted documents").
//
// A manifest is the JSON file the TypeScript client emits:
//
//	{"format":"apollo-persisted-query-manifest","version":1,
//	 "operations":[{"id":"<sha256>","name":"Viewer","type":"query","body":"query Viewer { … }"}]}
//
// A limited request may send an operation by id, as
// `{"extensions":{"persistedQuery":{"version":1,"sha256Hash":"<id>"}}}`, or as the exact
// body of one; anything else is refused with PERSISTED_QUERY_NOT_FOUND before it
// executes. Operations that select only the gateway's `_entities` and `_service` (and
// `__typename`) are never limited: the router writes those bodies, not a frontend.
package trusteddocs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// ManifestFormat and ManifestVersion are the only manifest shape Load accepts.
const (
	ManifestFormat  = "apollo-persisted-query-manifest"
	ManifestVersion = 1
)

// CodeNotFound is the extensions.code of a refused operation; gqlgen's APQ uses the same.
const CodeNotFound = "PERSISTED_QUERY_NOT_FOUND"

// Operation is one entry of a manifest.
type Operation struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Type string `json:"type"`
	Body string `json:"body"`
}

// Manifest is an Apollo persisted-query manifest.
type Manifest struct {
	Format     string      `json:"format"`
	Version    int         `json:"version"`
	Operations []Operation `json:"operations"`
}

// List is a loaded manifest: the operations by id and the set of their bodies. It is
// immutable and safe for concurrent use.
type List struct {
	byID   map[string]string
	bodies map[string]bool
}

// Load reads the manifest at path and checks it against schema. It returns an error
// naming the problem when the file cannot be read or decoded, is not a version 1 Apollo
// manifest, has an operation without id or body or a duplicated id, or has a body that
// does not parse or validate against schema (a manifest built for another schema).
func Load(path string, schema *ast.Schema) (*List, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read trusted documents: %w", err)
	}
	var m Manifest
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("decode trusted documents %s: %w", path, err)
	}
	return New(m, schema)
}

// New checks m as Load does and returns its List.
func New(m Manifest, schema *ast.Schema) (*List, error) {
	if m.Format != ManifestFormat || m.Version != ManifestVersion {
		return nil, fmt.Errorf("trusted documents: format %q version %d, want %q version %d", m.Format, m.Version, ManifestFormat, ManifestVersion)
	}
	l := &List{byID: make(map[string]string, len(m.Operations)), bodies: make(map[string]bool, len(m.Operations))}
	var errs []error
	for i, op := range m.Operations {
		switch {
		case op.ID == "" || op.Body == "":
			errs = append(errs, fmt.Errorf("operation %d (%s): id and body are required", i, op.Name))
			continue
		case l.byID[op.ID] != "":
			errs = append(errs, fmt.Errorf("operation %d (%s): duplicate id %s", i, op.Name, op.ID))
			continue
		}
		if schema != nil {
			// nil rules: gqlparser's default validation rules, as gqlgen applies them.
			if _, gerrs := gqlparser.LoadQueryWithRules(schema, op.Body, nil); len(gerrs) > 0 {
				errs = append(errs, fmt.Errorf("operation %d (%s) does not validate against the schema: %s", i, op.Name, gerrs.Error()))
				continue
			}
		}
		l.byID[op.ID] = op.Body
		l.bodies[op.Body] = true
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("trusted documents: %w", err)
	}
	return l, nil
}

// Len is the number of operations; 0 for a nil List.
func (l *List) Len() int {
	if l == nil {
		return 0
	}
	return len(l.byID)
}

// Extension returns the gqlgen extension that enforces l on the requests for which
// limited(ctx) is true (user tokens); other requests may still send a manifest id,
// which is resolved for them too. Register it before AutomaticPersistedQuery, so that a
// manifest id never reaches the APQ cache lookup.
func (l *List) Extension(limited func(ctx context.Context) bool) graphql.HandlerExtension {
	return extension{list: l, limited: limited}
}

type extension struct {
	list    *List
	limited func(ctx context.Context) bool
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
	graphql.OperationContextMutator
} = extension{}

func (extension) ExtensionName() string                   { return "TrustedDocuments" }
func (extension) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationParameters replaces a manifest id by its body. An id that is not in
// the manifest is left to APQ for unlimited requests and refused for limited ones.
func (e extension) MutateOperationParameters(ctx context.Context, p *graphql.RawParams) *gqlerror.Error {
	pq, ok := p.Extensions["persistedQuery"].(map[string]any)
	if !ok {
		return nil
	}
	id, _ := pq["sha256Hash"].(string)
	body, known := e.list.byID[id]
	switch {
	case known && (p.Query == "" || p.Query == body):
		p.Query = body
		// The id is the manifest's, not necessarily the body's sha256: APQ must not check it.
		ext := make(map[string]any, len(p.Extensions))
		for k, v := range p.Extensions {
			if k != "persistedQuery" {
				ext[k] = v
			}
		}
		p.Extensions = ext
	case e.limited(ctx):
		return notFound()
	}
	return nil
}

// gatewayFields are the root fields a router sends on its own behalf.
var gatewayFields = map[string]bool{"_entities": true, "_service": true, "__typename": true}

// MutateOperationContext refuses a limited operation unless its text is a manifest body
// or it selects only gateway fields.
func (e extension) MutateOperationContext(ctx context.Context, op *graphql.OperationContext) *gqlerror.Error {
	if !e.limited(ctx) || e.list.bodies[op.RawQuery] {
		return nil
	}
	if op.Operation != nil && op.Operation.Operation == ast.Query {
		gateway := true
		for _, f := range graphql.CollectFields(op, op.Operation.SelectionSet, nil) {
			if !gatewayFields[f.Name] {
				gateway = false
				break
			}
		}
		if gateway {
			return nil
		}
	}
	return notFound()
}

func notFound() *gqlerror.Error {
	return &gqlerror.Error{
		Message:    "only the operations of the trusted documents manifest may run with a user token; send one by its id or its exact body",
		Extensions: map[string]any{"code": CodeNotFound},
	}
}
