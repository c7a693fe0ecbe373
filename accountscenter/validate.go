package accountscenter

import (
	"github.com/profilegraph/profilegraph/profile"
)

// normalized runs one of the profile package's field normalizers (SPEC §7) on an input
// that was given, and returns the pointer the mutations store. The normalizer's
// BAD_USER_INPUT error is returned unchanged.
func normalized(s *string, normalize func(string) (string, error)) (*string, error) {
	n, err := normalize(*s)
	if err != nil {
		return nil, err
	}
	return &n, nil
}

// checkedAvatarURL adapts profile.ValidateAvatarURL, which accepts URLs as they are.
func checkedAvatarURL(s string) (string, error) { return s, profile.ValidateAvatarURL(s) }
