// Package resolvers maps GraphQL fields to the domain: arguments in, a dataloader or
// the accounts service, a consent decision, a result out. Business rules live in
// profile, consent and accounts, not here.
package resolvers

import (
	"github.com/profilegraph/profilegraph/accountscenter"
	"github.com/profilegraph/profilegraph/profile"
)

// Resolver is the root resolver; its fields are the injected dependencies.
type Resolver struct {
	// Store serves the reads that are not batched (the activity log of one person).
	Store profile.Store
	// Accounts runs every mutation.
	Accounts *accountscenter.Service
}
