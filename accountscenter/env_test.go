package accountscenter_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/profilegraph/profilegraph/accountscenter"
	"github.com/profilegraph/profilegraph/memory"
	"github.com/profilegraph/profilegraph/profile"
)

// t0 is the fake clock's start, with microsecond precision as the stores keep it.
var t0 = time.Date(2025, time.March, 14, 9, 26, 53, 589793000, time.UTC)

// storeKinds are the stores every test runs against.
var storeKinds = []struct {
	name string
	open func(t *testing.T) profile.Store
}{
	{"memory", func(*testing.T) profile.Store { return memory.New() }},
	{"postgres", openPostgres},
}

// forEachStore runs fn as subtests "memory" and "postgres", each on a fresh empty store.
func forEachStore(t *testing.T, fn func(t *testing.T, e *env), opts ...accountscenter.Option) {
	t.Helper()
	for _, k := range storeKinds {
		t.Run(k.name, func(t *testing.T) {
			fn(t, newEnv(t, k.open(t), opts...))
		})
	}
}

// fakeProofs verifies linkAccount proofs from a map of token -> viewer.
type fakeProofs struct {
	mu sync.Mutex
	m  map[string]*profile.Viewer
}

func (f *fakeProofs) Verify(_ context.Context, token string) (*profile.Viewer, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	v, ok := f.m[token]
	if !ok {
		return nil, errors.New("token signature is invalid")
	}
	c := *v
	return &c, nil
}

func (f *fakeProofs) add(token string, v *profile.Viewer) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.m[token] = v
}

// fakeClock is a settable clock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// env is one test's service on one store, with its fixtures.
type env struct {
	store  profile.Store
	svc    *accountscenter.Service
	clock  *fakeClock
	proofs *fakeProofs

	mu      sync.Mutex
	keys    []profile.AccountKey // every account created through the env
	persons []string             // every person id the env has seen
}

func newEnv(t *testing.T, store profile.Store, opts ...accountscenter.Option) *env {
	t.Helper()
	e := &env{store: store, clock: &fakeClock{t: t0}, proofs: &fakeProofs{m: map[string]*profile.Viewer{}}}
	e.svc = accountscenter.New(store, e.proofs, append([]accountscenter.Option{accountscenter.WithClock(e.clock.Now)}, opts...)...)
	return e
}

func ctx(t *testing.T) context.Context {
	t.Helper()
	return t.Context()
}

// user returns a user-token viewer of (app, uid).
func user(app profile.App, uid string) *profile.Viewer {
	return &profile.Viewer{App: app, Subject: uid, Purpose: profile.PurposeService}
}

// service returns a service-token viewer of app.
func service(app profile.App) *profile.Viewer {
	return &profile.Viewer{App: app, Subject: strings.ToLower(string(app)) + "-backend", Service: true, Purpose: profile.PurposeService}
}

// proof returns the proof token of (app, uid), known to the fake verifier.
func (e *env) proof(v *profile.Viewer) string {
	tok := "proof:" + string(v.App) + ":" + v.Subject
	e.proofs.add(tok, v)
	return tok
}

// mustAccount creates the account of v through upsertAppAccount and returns it.
func (e *env) mustAccount(t *testing.T, v *profile.Viewer) *profile.Account {
	t.Helper()
	name := "User " + v.Subject
	a, err := e.svc.UpsertAppAccount(ctx(t), service(v.App), accountscenter.UpsertAccountInput{
		AppUserID: v.Subject, Username: strings.ToLower(strings.ReplaceAll(v.Subject, "-", "_")), DisplayName: &name,
	})
	if err != nil {
		t.Fatalf("create %s account %s: %v", v.App, v.Subject, err)
	}
	e.remember(a.Key(), "")
	return a
}

func (e *env) remember(k profile.AccountKey, personID string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if k.App != "" && !slices.Contains(e.keys, k) {
		e.keys = append(e.keys, k)
	}
	if personID != "" && !slices.Contains(e.persons, personID) {
		e.persons = append(e.persons, personID)
	}
}

// mustPerson creates accounts for every viewer and links them all to the first one's
// person; it returns the person id.
func (e *env) mustPerson(t *testing.T, vs ...*profile.Viewer) string {
	t.Helper()
	for _, v := range vs {
		e.mustAccount(t, v)
	}
	var pid string
	for _, v := range vs[1:] {
		got, err := e.svc.LinkAccount(ctx(t), vs[0], e.proof(v))
		if err != nil {
			t.Fatalf("link %s %s: %v", v.App, v.Subject, err)
		}
		pid = got
	}
	if pid == "" {
		t.Fatal("mustPerson needs at least two viewers")
	}
	e.remember(profile.AccountKey{}, pid)
	return pid
}

// mustSettings writes settings for v's person.
func (e *env) mustSettings(t *testing.T, v *profile.Viewer, in accountscenter.UpdateSettingsInput) *profile.Settings {
	t.Helper()
	st, err := e.svc.UpdateSettings(ctx(t), v, in)
	if err != nil {
		t.Fatalf("update settings: %v", err)
	}
	return st
}

// account reads the account of v from the store (nil if absent).
func (e *env) account(t *testing.T, v *profile.Viewer) *profile.Account {
	t.Helper()
	m, err := e.store.AccountsByKey(ctx(t), []profile.AccountKey{v.AccountKey()})
	if err != nil {
		t.Fatalf("read account: %v", err)
	}
	return m[v.AccountKey()]
}

// activity returns the person's whole log, newest first.
func (e *env) activity(t *testing.T, personID string) []*profile.ActivityEvent {
	t.Helper()
	evs, err := e.store.Activity(ctx(t), personID, 0, 1000)
	if err != nil {
		t.Fatalf("read activity: %v", err)
	}
	return evs
}

// settings returns the stored settings of a person, or nil.
func (e *env) settings(t *testing.T, personID string) *profile.Settings {
	t.Helper()
	m, err := e.store.SettingsByPerson(ctx(t), []string{personID})
	if err != nil {
		t.Fatalf("read settings: %v", err)
	}
	return m[personID]
}

// consents returns the consents of a person.
func (e *env) consents(t *testing.T, personID string) []*profile.Consent {
	t.Helper()
	m, err := e.store.ConsentsByPerson(ctx(t), []string{personID})
	if err != nil {
		t.Fatalf("read consents: %v", err)
	}
	return m[personID]
}

// personExists reports whether the person is stored.
func (e *env) personExists(t *testing.T, personID string) bool {
	t.Helper()
	m, err := e.store.PersonsByID(ctx(t), []string{personID})
	if err != nil {
		t.Fatalf("read person: %v", err)
	}
	return m[personID] != nil
}

// snapshot is everything a mutation could have written for the env's accounts and
// persons.
type snapshot struct {
	Accounts map[profile.AccountKey]*profile.Account
	Persons  map[string]*profile.Person
	Settings map[string]*profile.Settings
	Consents map[string][]*profile.Consent
	Activity map[string][]*profile.ActivityEvent
	Devices  map[string][]*profile.Device
	// CrossPosts are the newest 1000 cross-posts of each account.
	CrossPosts map[profile.CrossPostPage][]*profile.CrossPost
}

func (e *env) snapshot(t *testing.T) snapshot {
	t.Helper()
	e.mu.Lock()
	keys := slices.Clone(e.keys)
	pids := slices.Clone(e.persons)
	e.mu.Unlock()
	c := ctx(t)
	accs, err := e.store.AccountsByKey(c, keys)
	if err != nil {
		t.Fatalf("snapshot accounts: %v", err)
	}
	for _, a := range accs {
		if a.PersonID != "" && !slices.Contains(pids, a.PersonID) {
			pids = append(pids, a.PersonID)
		}
	}
	s := snapshot{Accounts: accs, Activity: map[string][]*profile.ActivityEvent{}}
	if s.Persons, err = e.store.PersonsByID(c, pids); err != nil {
		t.Fatalf("snapshot persons: %v", err)
	}
	if s.Settings, err = e.store.SettingsByPerson(c, pids); err != nil {
		t.Fatalf("snapshot settings: %v", err)
	}
	if s.Consents, err = e.store.ConsentsByPerson(c, pids); err != nil {
		t.Fatalf("snapshot consents: %v", err)
	}
	for _, p := range pids {
		s.Activity[p] = e.activity(t, p)
	}
	var accountIDs []string
	var pages []profile.CrossPostPage
	for _, a := range accs {
		accountIDs = append(accountIDs, a.ID)
		pages = append(pages, profile.CrossPostPage{AccountID: a.ID, Limit: 1000})
	}
	if s.Devices, err = e.store.DevicesByAccount(c, accountIDs); err != nil {
		t.Fatalf("snapshot devices: %v", err)
	}
	if s.CrossPosts, err = e.store.CrossPosts(c, pages); err != nil {
		t.Fatalf("snapshot cross-posts: %v", err)
	}
	return s
}

// refuses runs mutate, which must fail with code, and checks that it left no trace.
func (e *env) refuses(t *testing.T, code profile.Code, mutate func() error) {
	t.Helper()
	before := e.snapshot(t)
	wantCode(t, mutate(), code)
	e.assertUnchanged(t, before)
}

// assertUnchanged fails unless the store still holds exactly the snapshot.
func (e *env) assertUnchanged(t *testing.T, before snapshot) {
	t.Helper()
	after := e.snapshot(t)
	if !reflect.DeepEqual(before, after) {
		t.Errorf("a failed mutation left a trace:\nbefore %s\nafter  %s", dump(before), dump(after))
	}
}

func dump(s snapshot) string {
	var b strings.Builder
	for k, a := range s.Accounts {
		fmt.Fprintf(&b, "account %v=%+v; ", k, *a)
	}
	fmt.Fprintf(&b, "persons %d; ", len(s.Persons))
	for p, st := range s.Settings {
		fmt.Fprintf(&b, "settings %s=%+v; ", p, *st)
	}
	for p, cs := range s.Consents {
		fmt.Fprintf(&b, "consents %s=%d; ", p, len(cs))
	}
	for p, evs := range s.Activity {
		fmt.Fprintf(&b, "activity %s=%d; ", p, len(evs))
	}
	for a, ds := range s.Devices {
		fmt.Fprintf(&b, "devices %s=%d; ", a, len(ds))
	}
	for p, cs := range s.CrossPosts {
		fmt.Fprintf(&b, "cross-posts %s=%d; ", p.AccountID, len(cs))
	}
	return b.String()
}

// wantCode fails unless err carries code.
func wantCode(t *testing.T, err error, code profile.Code) {
	t.Helper()
	if got := profile.ErrorCode(err); got != code {
		t.Fatalf("error = %v (code %q), want code %s", err, got, code)
	}
}

// eventTypes lists the types of evs.
func eventTypes(evs []*profile.ActivityEvent) []profile.ActivityType {
	out := make([]profile.ActivityType, len(evs))
	for i, e := range evs {
		out[i] = e.Type
	}
	return out
}

// newEvents returns the events of after that are not in before (both newest first).
func newEvents(before, after []*profile.ActivityEvent) []*profile.ActivityEvent {
	return after[:len(after)-len(before)]
}

func ptr[T any](v T) *T { return &v }

var (
	fb = profile.AppFacebook
	ig = profile.AppInstagram
	wa = profile.AppWhatsApp
	ms = profile.AppMessenger
	th = profile.AppThreads
)
