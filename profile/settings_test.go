package profile_test

import (
	"slices"
	"testing"

	"github.com/profilegraph/profilegraph/profile"
)

func TestSettingsEffective(t *testing.T) {
	const fb, ig, wa, th = profile.AppFacebook, profile.AppInstagram, profile.AppWhatsApp, profile.AppThreads
	stored := &profile.Settings{
		PersonID: "p", SyncProfile: true, Version: 3,
		CrossPosting: []profile.CrossPostRule{{From: fb, To: ig}, {From: ig, To: wa}, {From: wa, To: fb}, {From: th, To: fb}},
		SingleSignOn: []profile.App{fb, wa, th},
	}
	for _, tt := range []struct {
		name   string
		linked []profile.App
		rules  []profile.CrossPostRule
		sso    []profile.App
	}{
		{"every app linked", profile.Apps, stored.CrossPosting, stored.SingleSignOn},
		{"whatsapp unlinked: its rules and entry go", []profile.App{fb, ig, th},
			[]profile.CrossPostRule{{From: fb, To: ig}, {From: th, To: fb}}, []profile.App{fb, th}},
		{"one app left: no rule can hold", []profile.App{fb}, []profile.CrossPostRule{}, []profile.App{fb}},
		{"nothing linked", nil, []profile.CrossPostRule{}, []profile.App{}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := stored.Effective(tt.linked)
			if !slices.Equal(got.CrossPosting, tt.rules) || !slices.Equal(got.SingleSignOn, tt.sso) {
				t.Errorf("Effective(%v) = %v %v, want %v %v", tt.linked, got.CrossPosting, got.SingleSignOn, tt.rules, tt.sso)
			}
			if got.PersonID != "p" || !got.SyncProfile || got.Version != 3 {
				t.Errorf("Effective changed the other fields: %+v", got)
			}
			if len(stored.CrossPosting) != 4 || len(stored.SingleSignOn) != 3 {
				t.Errorf("Effective changed the stored settings: %+v", stored)
			}
		})
	}
	if (*profile.Settings)(nil).Effective(profile.Apps) != nil {
		t.Error("Effective of nil settings is not nil")
	}
}

func TestAppsOfKeepsOrderAndSkipsNil(t *testing.T) {
	accs := []*profile.Account{{App: profile.AppThreads}, nil, {App: profile.AppFacebook}}
	if got, want := profile.AppsOf(accs), []profile.App{profile.AppThreads, profile.AppFacebook}; !slices.Equal(got, want) {
		t.Errorf("AppsOf = %v, want %v", got, want)
	}
}

func TestCrossPostRuleWithin(t *testing.T) {
	r := profile.CrossPostRule{From: profile.AppFacebook, To: profile.AppInstagram}
	for _, tt := range []struct {
		linked []profile.App
		want   bool
	}{
		{[]profile.App{profile.AppInstagram, profile.AppFacebook}, true},
		{[]profile.App{profile.AppFacebook}, false},
		{[]profile.App{profile.AppInstagram, profile.AppThreads}, false},
		{nil, false},
	} {
		if got := r.Within(tt.linked); got != tt.want {
			t.Errorf("%v.Within(%v) = %t, want %t", r, tt.linked, got, tt.want)
		}
	}
}
