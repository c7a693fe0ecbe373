// Package ceiling is the gqlgen ceiling of the load benchmark: a bare gqlgen server with
// the project's exec settings that answers the benchmark's workloads from memory, from
// responses recorded from profilegraph. Its schema (schema.graphqls) has only the
// types the workloads select, as plain struct fields: the entity resolvers and viewer
// are map lookups, nothing below them resolves, and there is no auth and no database.
package ceiling

//go:generate go tool gqlgen generate --config gqlgen.yml

import "github.com/profilegraph/profilegraph/internal/benchload/ceiling/graph/model"

// Resolver serves recorded values. Keys carry the request's Authorization header, since
// profilegraph's answer depends on who asks.
type Resolver struct {
	persons  map[viewerKey]*model.Person
	accounts map[viewerKey]*model.AppAccount
	viewers  map[string]*model.Person
}

// viewerKey is an entity key as seen by one Authorization header.
type viewerKey struct{ auth, key string }
