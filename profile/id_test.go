package profile_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/profilegraph/profilegraph/profile"
)

func TestIsCanonicalID(t *testing.T) {
	for i := range 1000 {
		id := uuid.NewString()
		if !profile.IsCanonicalID(id) {
			t.Fatalf("%d: %q is canonical", i, id)
		}
	}
	for _, id := range []string{"", "x", "6F9619FF-8B86-D011-B42D-00C04FC964FF", "{6f9619ff-8b86-d011-b42d-00c04fc964ff}",
		"urn:uuid:6f9619ff-8b86-d011-b42d-00c04fc964ff", "6f9619ff8b86d011b42d00c04fc964ff", "6f9619ff-8b86-d011-b42d-00c04fc964fg",
		"6f9619ff-8b86-d011-b42d_00c04fc964ff", "6f9619ff-8b86-d011-b42d-00c04fc964ff "} {
		_, perr := uuid.Parse(id)
		if profile.IsCanonicalID(id) {
			t.Errorf("%q is not canonical (uuid.Parse error: %v)", id, perr)
		}
	}
}

func TestCanonicalIDs(t *testing.T) {
	a, b := uuid.NewString(), uuid.NewString()
	got := profile.CanonicalIDs([]string{b, "not-an-id", a, b, strings.ToUpper(a), "", a})
	if want := []string{b, a}; !slices.Equal(got, want) {
		t.Fatalf("CanonicalIDs = %v, want %v (distinct, canonical, first order)", got, want)
	}
	if got := profile.CanonicalIDs(nil); len(got) != 0 {
		t.Fatalf("CanonicalIDs(nil) = %v", got)
	}
}

// TestCanonicalIDsOfALargeBatch checks the same contract on a batch as large as a
// gateway's (past the size searched in order).
func TestCanonicalIDsOfALargeBatch(t *testing.T) {
	var in, want []string
	for i := range 200 {
		id := uuid.NewString()
		want = append(want, id)
		in = append(in, id, strings.ToUpper(id), "not-an-id")
		if i%3 == 0 {
			in = append(in, want[i/2])
		}
	}
	if got := profile.CanonicalIDs(in); !slices.Equal(got, want) {
		t.Fatalf("CanonicalIDs of %d ids = %d ids, want the %d distinct canonical ones in first order", len(in), len(got), len(want))
	}
}
