package accountscenter_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/profilegraph/profilegraph/accountscenter"
	"github.com/profilegraph/profilegraph/profile"
)

// crossPostEnv is a person with WHATSAPP, FACEBOOK and INSTAGRAM accounts and the rule
// WHATSAPP → FACEBOOK.
func crossPostEnv(t *testing.T, e *env) string {
	t.Helper()
	pid := e.mustPerson(t, user(wa, "wa-1"), user(fb, "fb-1"), user(ig, "ig-1"))
	e.mustSettings(t, user(wa, "wa-1"), accountscenter.UpdateSettingsInput{CrossPosting: &[]profile.CrossPostRule{{From: wa, To: fb}}})
	return pid
}

func crossPostsOf(t *testing.T, e *env, accountID string) []*profile.CrossPost {
	t.Helper()
	p := profile.CrossPostPage{AccountID: accountID, Limit: 100}
	m, err := e.store.CrossPosts(ctx(t), []profile.CrossPostPage{p})
	if err != nil {
		t.Fatalf("read cross-posts: %v", err)
	}
	return m[p]
}

func TestCrossPostRecordsOnceWithOneEvent(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		pid := crossPostEnv(t, e)
		src, dst := e.account(t, user(wa, "wa-1")), e.account(t, user(fb, "fb-1"))
		before := e.activity(t, pid)
		in := accountscenter.CrossPostInput{AppUserID: "wa-1", To: fb, ContentID: "status-42", DevicePlatform: ptr(profile.PlatformAndroid)}
		c, err := e.svc.CrossPost(ctx(t), service(wa), in)
		if err != nil {
			t.Fatalf("CrossPost: %v", err)
		}
		if c.ID == "" || c.AccountID != src.ID || c.From != wa || c.To != fb || c.TargetAccountID != dst.ID ||
			c.ContentID != "status-42" || c.DevicePlatform == nil || *c.DevicePlatform != profile.PlatformAndroid || !c.At.Equal(t0) {
			t.Fatalf("cross-post = %+v", c)
		}
		evs := newEvents(before, e.activity(t, pid))
		if len(evs) != 1 || evs[0].Type != profile.ActivityCrossPosted || evs[0].App == nil || *evs[0].App != wa {
			t.Fatalf("new events = %v, want one CROSS_POSTED of WHATSAPP", eventTypes(evs))
		}

		t.Run("the same call again returns it and records nothing", func(t *testing.T) {
			snap := e.snapshot(t)
			again, err := e.svc.CrossPost(ctx(t), service(wa), accountscenter.CrossPostInput{AppUserID: "wa-1", To: fb, ContentID: "status-42"})
			if err != nil {
				t.Fatal(err)
			}
			if again.ID != c.ID || again.DevicePlatform == nil {
				t.Fatalf("repeat = %+v, want the first cross-post %s", again, c.ID)
			}
			e.assertUnchanged(t, snap)
		})
	})
}

func TestCrossPostTwentyConcurrentIdenticalCalls(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		pid := crossPostEnv(t, e)
		before := e.activity(t, pid)
		const n = 20
		var wg sync.WaitGroup
		ids := make([]string, n)
		errs := make([]error, n)
		start := make(chan struct{})
		for i := range n {
			wg.Go(func() {
				<-start
				c, err := e.svc.CrossPost(ctx(t), service(wa), accountscenter.CrossPostInput{AppUserID: "wa-1", To: fb, ContentID: "same"})
				errs[i] = err
				if c != nil {
					ids[i] = c.ID
				}
			})
		}
		close(start)
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("call %d: %v", i, err)
			}
			if ids[i] != ids[0] {
				t.Fatalf("call %d returned %s, call 0 %s", i, ids[i], ids[0])
			}
		}
		if got := crossPostsOf(t, e, e.account(t, user(wa, "wa-1")).ID); len(got) != 1 {
			t.Fatalf("%d cross-posts stored, want 1", len(got))
		}
		if evs := newEvents(before, e.activity(t, pid)); len(evs) != 1 || evs[0].Type != profile.ActivityCrossPosted {
			t.Fatalf("new events = %v, want one CROSS_POSTED", eventTypes(evs))
		}
	})
}

func TestCrossPostRefusalsWriteNothing(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T, e *env)
		v     *profile.Viewer
		in    accountscenter.CrossPostInput
		want  profile.Code
	}{
		{"a user token", nil, user(wa, "wa-1"), accountscenter.CrossPostInput{AppUserID: "wa-1", To: fb, ContentID: "c"}, profile.Forbidden},
		{"another app's service token", nil, service(ig), accountscenter.CrossPostInput{AppUserID: "wa-1", To: fb, ContentID: "c"}, profile.NotFound},
		{"no rule for the target", nil, service(wa), accountscenter.CrossPostInput{AppUserID: "wa-1", To: ig, ContentID: "c"}, profile.Forbidden},
		{"the reverse rule does not count", nil, service(fb), accountscenter.CrossPostInput{AppUserID: "fb-1", To: wa, ContentID: "c"}, profile.Forbidden},
		{"no account in the target app", func(t *testing.T, e *env) {
			e.mustSettings(t, user(wa, "wa-1"), accountscenter.UpdateSettingsInput{CrossPosting: &[]profile.CrossPostRule{{From: wa, To: fb}}})
		}, service(wa), accountscenter.CrossPostInput{AppUserID: "wa-1", To: th, ContentID: "c"}, profile.Forbidden},
		{"an unlinked source account", func(t *testing.T, e *env) { e.mustAccount(t, user(wa, "wa-lonely")) },
			service(wa), accountscenter.CrossPostInput{AppUserID: "wa-lonely", To: fb, ContentID: "c"}, profile.Forbidden},
		{"after unlinking the target", func(t *testing.T, e *env) {
			if _, err := e.svc.UnlinkAccount(ctx(t), user(fb, "fb-1"), fb); err != nil {
				t.Fatal(err)
			}
		}, service(wa), accountscenter.CrossPostInput{AppUserID: "wa-1", To: fb, ContentID: "c"}, profile.Forbidden},
		{"after unlinking the source", func(t *testing.T, e *env) {
			if _, err := e.svc.UnlinkAccount(ctx(t), user(wa, "wa-1"), wa); err != nil {
				t.Fatal(err)
			}
		}, service(wa), accountscenter.CrossPostInput{AppUserID: "wa-1", To: fb, ContentID: "c"}, profile.Forbidden},
		{"an unknown account", nil, service(wa), accountscenter.CrossPostInput{AppUserID: "nobody", To: fb, ContentID: "c"}, profile.NotFound},
		{"to the same app", nil, service(wa), accountscenter.CrossPostInput{AppUserID: "wa-1", To: wa, ContentID: "c"}, profile.BadUserInput},
		{"an empty contentId", nil, service(wa), accountscenter.CrossPostInput{AppUserID: "wa-1", To: fb, ContentID: ""}, profile.BadUserInput},
		{"a contentId over 128 characters", nil, service(wa), accountscenter.CrossPostInput{AppUserID: "wa-1", To: fb, ContentID: strings.Repeat("é", 129)}, profile.BadUserInput},
		{"an unknown target app", nil, service(wa), accountscenter.CrossPostInput{AppUserID: "wa-1", To: "MYSPACE", ContentID: "c"}, profile.BadUserInput},
		{"an unknown platform", nil, service(wa), accountscenter.CrossPostInput{AppUserID: "wa-1", To: fb, ContentID: "c", DevicePlatform: ptr(profile.DevicePlatform("PALM"))}, profile.BadUserInput},
		{"an empty appUserId", nil, service(wa), accountscenter.CrossPostInput{AppUserID: "", To: fb, ContentID: "c"}, profile.BadUserInput},
	} {
		t.Run(tc.name, func(t *testing.T) {
			forEachStore(t, func(t *testing.T, e *env) {
				crossPostEnv(t, e)
				if tc.setup != nil {
					tc.setup(t, e)
				}
				e.refuses(t, tc.want, func() error { _, err := e.svc.CrossPost(ctx(t), tc.v, tc.in); return err })
			})
		})
	}
}

func TestCrossPostWithExactly128CharactersIsAccepted(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		crossPostEnv(t, e)
		if _, err := e.svc.CrossPost(ctx(t), service(wa), accountscenter.CrossPostInput{AppUserID: "wa-1", To: fb, ContentID: strings.Repeat("é", 128)}); err != nil {
			t.Fatalf("128 characters: %v", err)
		}
	})
}
