package memory_test

import (
	"testing"

	"github.com/profilegraph/profilegraph/memory"
	"github.com/profilegraph/profilegraph/profile"
	"github.com/profilegraph/profilegraph/profile/storetest"
)

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) profile.Store { return memory.New() })
}
