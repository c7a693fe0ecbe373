package cache

import (
	"context"
	"testing"

	"github.com/profilegraph/profilegraph/profile"
)

// updateOnly is a Tx whose UpdateAccount succeeds; nothing else is called.
type updateOnly struct{ profile.Tx }

func (updateOnly) UpdateAccount(context.Context, *profile.Account) error { return nil }

// A birthdate is part of its person's privacy state (the reconciled age of SPEC §5
// rule 6): changing it on a linked account waits for the replicas like a revoke, while
// a profile-only change does not.
func TestBirthdateChangeOfALinkedAccountIsAPrivacyWrite(t *testing.T) {
	adult, minor := profile.Date{Year: 1990, Month: 5, Day: 1}, profile.Date{Year: 2010, Month: 5, Day: 1}
	name := "New name"
	for _, tc := range []struct {
		name    string
		person  string
		before  *profile.Date
		after   *profile.Date
		display *string
		privacy bool
	}{
		{"a pushed birthdate", "p-1", nil, &minor, nil, true},
		{"a changed birthdate", "p-1", &adult, &minor, nil, true},
		{"a removed birthdate", "p-1", &adult, nil, nil, true},
		{"the same birthdate, another name", "p-1", &adult, &adult, &name, false},
		{"a birthdate of an unlinked account", "", nil, &minor, nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &recorder{Tx: updateOnly{}, linkOf: map[string]lockedLink{}}
			locked := &profile.Account{ID: "a-1", App: profile.AppInstagram, AppUserID: "u", PersonID: tc.person, Birthdate: tc.before}
			r.noteLocked(locked)
			next := locked.Clone()
			next.Birthdate, next.DisplayName = tc.after, tc.display
			if err := r.UpdateAccount(context.Background(), next); err != nil {
				t.Fatal(err)
			}
			if got := r.touchesPrivacy(); got != tc.privacy {
				t.Errorf("privacy write = %v, want %v", got, tc.privacy)
			}
		})
	}
}
