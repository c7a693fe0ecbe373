package resolvers

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/profilegraph/profilegraph/profile"
)

// FuzzCheckRepresentation decodes an `_entities` representation as gqlgen hands it over
// (JSON with numbers as json.Number) and checks it: a BAD_USER_INPUT error or a
// representation the entity resolvers can read, never a panic.
func FuzzCheckRepresentation(f *testing.F) {
	f.Fuzz(func(t *testing.T, raw []byte) {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		var rep map[string]any
		if dec.Decode(&rep) != nil || rep == nil {
			return
		}
		err := CheckRepresentation(rep)
		if err != nil {
			if profile.ErrorCode(err) != profile.BadUserInput {
				t.Fatalf("error %v is not BAD_USER_INPUT", err)
			}
			return
		}
		switch rep["__typename"] {
		case "Person":
			if _, ok := rep["id"].(string); !ok {
				t.Fatalf("accepted a Person without a string id: %v", rep)
			}
		case "AppAccount":
			got := accountRepOf(rep)
			if got.key == nil && got.id == "" {
				if id, _ := rep["id"].(string); id != "" {
					t.Fatalf("lost the id of %v", rep)
				}
			}
			if got.key != nil && !got.key.App.Valid() {
				t.Fatalf("accepted an invalid app: %v", rep)
			}
		default:
			t.Fatalf("accepted __typename %v", rep["__typename"])
		}
	})
}

// FuzzDecodeCursor checks that any `after` cursor decodes to a positive sequence or a
// BAD_USER_INPUT error, and that every encoded cursor decodes to its sequence.
func FuzzDecodeCursor(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string, seq int64) {
		got, err := decodeCursor(s)
		if err != nil && profile.ErrorCode(err) != profile.BadUserInput {
			t.Fatalf("error %v is not BAD_USER_INPUT", err)
		}
		if err == nil && got <= 0 {
			t.Fatalf("decodeCursor(%q) = %d", s, got)
		}
		if seq > 0 {
			if back, err := decodeCursor(encodeCursor(seq)); err != nil || back != seq {
				t.Fatalf("round trip of %d: %d, %v", seq, back, err)
			}
		}
	})
}
