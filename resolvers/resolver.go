// Package resolvers maps GraphQL fields to the domain: arguments in, a dataloader or
// the accounts service, a consent decision, a result out. Business rules live in
// profile, consent and accounts, not here.
package resolvers

import (
	"time"

	"github.com/profilegraph/profilegraph/accounts"
	"github.com/profilegraph/profilegraph/profile"
)

// Resolver is the root resolver; its fields are the injected dependencies.
type Resolver struct {
	// Store serves the reads that are not batched (the activity log of one person).
	Store profile.Store
	// Accounts runs every mutation.
	Accounts *accounts.Service
	// Now is the clock (age ranges); time.Now when nil.
	Now func() time.Time
}

func (r *Resolver) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}
