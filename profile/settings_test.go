package profile_test

import (
	"slices"
	"testing"

	"github.com/profilegraph/profilegraph/profile"
)

func TestSettingsEffective(t *testing.T) {
	const fb, ig, wa = profile.AppFacebook, profile.AppInstagram, profile.AppWhatsApp
	rules := []profile.CrossPostRule{{From: fb, To: ig}, {From: ig, To: fb}, {From: fb, To: wa}, {From: wa, To: ig}}
	stored := &profile.Settings{PersonID: "p", SyncProfile: true, CrossPosting: rules, SingleSignOn: []profile.App{wa, fb, ig}, Version: 7}
	tests := []struct {
		name      string
		linked    []profile.App
		wantRules []profile.CrossPostRule
		wantSSO   []profile.App
	}{
		{"all linked keeps everything in order", []profile.App{fb, ig, wa}, rules, []profile.App{wa, fb, ig}},
		{"an unlinked app drops its rules both ways and its sign-on", []profile.App{fb, ig}, rules[:2], []profile.App{fb, ig}},
		{"one app left keeps no rule", []profile.App{wa}, []profile.CrossPostRule{}, []profile.App{wa}},
		{"nothing linked keeps nothing", nil, []profile.CrossPostRule{}, []profile.App{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := stored.Effective(tt.linked)
			if !slices.Equal(got.CrossPosting, tt.wantRules) {
				t.Errorf("CrossPosting = %v, want %v", got.CrossPosting, tt.wantRules)
			}
			if !slices.Equal(got.SingleSignOn, tt.wantSSO) {
				t.Errorf("SingleSignOn = %v, want %v", got.SingleSignOn, tt.wantSSO)
			}
			if got.PersonID != "p" || !got.SyncProfile || got.Version != 7 {
				t.Errorf("other fields changed: %+v", got)
			}
		})
	}
	t.Run("leaves the receiver alone", func(t *testing.T) {
		stored.Effective(nil)
		if len(stored.CrossPosting) != 4 || len(stored.SingleSignOn) != 3 || stored.CrossPosting[0] != rules[0] {
			t.Errorf("receiver changed: %+v", stored)
		}
	})
	t.Run("nil settings give nil", func(t *testing.T) {
		if got := (*profile.Settings)(nil).Effective(profile.Apps); got != nil {
			t.Errorf("Effective = %+v, want nil", got)
		}
	})
}

func TestAppsOf(t *testing.T) {
	accs := []*profile.Account{{App: profile.AppThreads}, nil, {App: profile.AppFacebook}}
	if got, want := profile.AppsOf(accs), []profile.App{profile.AppThreads, profile.AppFacebook}; !slices.Equal(got, want) {
		t.Errorf("AppsOf = %v, want %v", got, want)
	}
}
