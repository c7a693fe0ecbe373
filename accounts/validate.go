package accounts

import (
	"github.com/profilegraph/profilegraph/profile"
)

// These adapters call the field validators of the profile package (SPEC §7) and turn
// their result into the pointer the mutations store. Each returns the validator's
// BAD_USER_INPUT error unchanged.

func validUsername(s string) error {
	if err := profile.ValidateUsername(s); err != nil {
		return err
	}
	return nil
}

func displayName(s string) (*string, error) {
	n, err := profile.NormalizeDisplayName(s)
	if err != nil {
		return nil, err
	}
	return &n, nil
}

func bio(s string) (*string, error) {
	n, err := profile.NormalizeBio(s)
	if err != nil {
		return nil, err
	}
	return &n, nil
}

func avatarURL(s string) (*string, error) {
	if err := profile.ValidateAvatarURL(s); err != nil {
		return nil, err
	}
	return &s, nil
}

func phone(s string) (*string, error) {
	n, err := profile.NormalizePhone(s)
	if err != nil {
		return nil, err
	}
	return &n, nil
}

func email(s string) (*string, error) {
	n, err := profile.NormalizeEmail(s)
	if err != nil {
		return nil, err
	}
	return &n, nil
}

func birthdate(d, today profile.Date) error {
	if err := profile.ValidateBirthdate(d, today); err != nil {
		return err
	}
	return nil
}
