// Package dataloaders holds what one GraphQL request reads and decides, once: the
// request's loaders and its subject views. They live in the request context only (For).
//
// Two readers feed them (Readers). Content (persons, accounts, settings) may come from
// the shared cache. What decides what the request may see, the viewer's own account and
// the privacy state (links and consents) of every person the request is about, is read
// fresh (profile.FreshReader): in one round trip per request level, never twice for one
// person, and never from a cache.
//
// From those the package makes views (consent.PersonView, consent.AccountView): the
// whole decision for a subject, computed once by the consent package and memoized for
// the request, so that GraphQL fields only read it. Resolvers that hold a whole level of
// subjects (an _entities batch, a person's accounts) ask for all of it at once
// (PersonViews, AccountViews): a level costs the same round trips whatever its size.
// Single reads from concurrent resolvers (an aliased appAccount, the settings of a
// person) go through dataloadgen loaders, which batch them in a short window and align
// results to keys (NewMappedLoader); absent keys come back as nil, never as an error.
package dataloaders

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/vikstrous/dataloadgen"

	"github.com/profilegraph/profilegraph/consent"
	"github.com/profilegraph/profilegraph/profile"
)

// DefaultWait is how long a loader collects keys before it fetches. gqlgen resolves the
// fields of a level concurrently, so a few milliseconds gather them.
const DefaultWait = 2 * time.Millisecond

// Readers are where the loaders read. Content may be a cache (cache.Store); Fresh must
// not be: it answers profile.FreshReader (the viewer's account and privacy state) and
// the activity log (profile.ActivityReader). Without a cache both are the same store.
type Readers struct {
	Content profile.Reader
	Fresh   profile.Reader
}

// Peeker is implemented by a content reader that can answer a read at once, without a
// round trip (cache.Store, from what it holds): each method returns a value (nil for a
// row known to be absent) and true, or false when the read must go through the reader.
// A key the request already holds is never peeked again.
type Peeker interface {
	PeekAccount(id string) (*profile.Account, bool)
	PeekAccountByKey(key profile.AccountKey) (*profile.Account, bool)
	PeekSettings(personID string) (*profile.Settings, bool)
}

// Loaders are the per-request loaders and views.
type Loaders struct {
	accounts      *dataloadgen.Loader[string, *profile.Account]
	accountsByKey *dataloadgen.Loader[profile.AccountKey, *profile.Account]
	settings      *dataloadgen.Loader[string, *profile.Settings]
	activity      *dataloadgen.Loader[profile.ActivityPage, []*profile.ActivityEvent]
	lists         listLoaders // devices and cross-posts (devices.go)
	readers       Readers
	peek          Peeker // readers.Content's, if it is one

	mu sync.Mutex
	// held are the content accounts the request holds, by id (nil: known absent).
	held   map[string]*profile.Account
	viewer *flight[viewerState]
	states map[string]*flight[*profile.PrivacyState]
	// accountPerson is the person each asked account is linked to now ("": none).
	accountPerson map[string]*flight[string]
	grants        map[string]consent.Grants
	views         map[string]*consent.PersonView
	// today is the date the request's ages are reconciled on (consent.AgeRange).
	today profile.Date
}

// viewerState is the request's asker as the decision sees it.
type viewerState struct {
	req consent.Request
	acc *profile.Account // the viewer's own account; nil for service tokens or unknown
}

// flight is a value being read once for the request; done closes when v and err are set.
type flight[V any] struct {
	done chan struct{}
	v    V
	err  error
}

func newFlight[V any]() *flight[V] { return &flight[V]{done: make(chan struct{})} }

// closed is the done channel of every flight that is settled when made.
var closed = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

// settled returns a flight that already holds v (one allocation, no channel of its own).
func settled[V any](v V) *flight[V] { return &flight[V]{done: closed, v: v} }

func (f *flight[V]) set(v V, err error) {
	f.v, f.err = v, err
	close(f.done)
}

func (f *flight[V]) wait(ctx context.Context) (V, error) {
	select {
	case <-f.done:
		return f.v, f.err
	case <-ctx.Done():
		var zero V
		return zero, ctx.Err()
	}
}

// New returns fresh loaders reading from r, collecting keys for wait before each batch.
// A nil r.Fresh means r.Content.
func New(r Readers, wait time.Duration) *Loaders {
	if r.Fresh == nil {
		r.Fresh = r.Content
	}
	opt := dataloadgen.WithWait(wait)
	l := &Loaders{
		accountsByKey: dataloadgen.NewMappedLoader(r.Content.AccountsByKey, opt),
		settings:      dataloadgen.NewMappedLoader(r.Content.SettingsByPerson, opt),
		readers:       r,
		held:          map[string]*profile.Account{},
		states:        map[string]*flight[*profile.PrivacyState]{},
		accountPerson: map[string]*flight[string]{},
		grants:        map[string]consent.Grants{},
		views:         map[string]*consent.PersonView{},
		today:         profile.DateOf(time.Now().UTC()),
	}
	l.accounts = dataloadgen.NewMappedLoader(r.Content.AccountsByID, opt)
	l.activity = dataloadgen.NewMappedLoader(l.fetchActivity, opt)
	l.lists = newListLoaders(r, opt)
	l.peek, _ = r.Content.(Peeker)
	return l
}

// absent turns dataloadgen's "not found" into a nil value without error.
func absent[V any](v V, err error) (V, error) {
	if errors.Is(err, dataloadgen.ErrNotFound) {
		var zero V
		return zero, nil
	}
	return v, err
}

// --- the fresh read: the viewer's account and privacy state ---------------------------

// fresh makes sure the request holds the viewer's state, the privacy state of each of
// personIDs, and the fresh person of each of accountIDs, reading what it lacks in one
// round trip (profile.FreshReader), and waits for reads of them that other resolvers of
// the request have under way.
func (l *Loaders) fresh(ctx context.Context, personIDs, accountIDs []string) error {
	v := profile.ViewerFrom(ctx)
	l.mu.Lock()
	var mineViewer *flight[viewerState]
	if l.viewer == nil {
		l.viewer = newFlight[viewerState]()
		mineViewer = l.viewer
	}
	var waits []interface{ waitErr(context.Context) error }
	var mine, mineAccounts []string
	var mineFlights []*flight[*profile.PrivacyState]
	var mineAccountFlights []*flight[string]
	for _, id := range personIDs {
		f := l.states[id]
		if f == nil {
			f = newFlight[*profile.PrivacyState]()
			l.states[id] = f
			mine, mineFlights = append(mine, id), append(mineFlights, f)
		}
		waits = append(waits, f)
	}
	for _, id := range accountIDs {
		f := l.accountPerson[id]
		if f == nil {
			f = newFlight[string]()
			l.accountPerson[id] = f
			mineAccounts, mineAccountFlights = append(mineAccounts, id), append(mineAccountFlights, f)
		}
		waits = append(waits, f)
	}
	waits = append(waits, l.viewer)
	l.mu.Unlock()

	if mineViewer != nil || len(mine) > 0 || len(mineAccounts) > 0 {
		l.readFresh(ctx, v, mineViewer, mine, mineFlights, mineAccounts, mineAccountFlights)
	}
	for _, f := range waits {
		if err := f.waitErr(ctx); err != nil {
			return err
		}
	}
	return nil
}

func (f *flight[V]) waitErr(ctx context.Context) error {
	_, err := f.wait(ctx)
	return err
}

// readFresh reads what fresh found missing and settles its flights.
func (l *Loaders) readFresh(ctx context.Context, v *profile.Viewer, vf *flight[viewerState],
	ids []string, fs []*flight[*profile.PrivacyState], accountIDs []string, afs []*flight[string],
) {
	q := profile.FreshQuery{Persons: ids, Accounts: accountIDs}
	if vf != nil && v != nil && !v.Service {
		k := v.AccountKey()
		q.Viewer = &k
	}
	got := &profile.Fresh{}
	var err error
	if q.Viewer != nil || len(ids) > 0 || len(accountIDs) > 0 {
		if got, err = readFresh(ctx, l.readers.Fresh, q); err != nil {
			err = fmt.Errorf("load viewer account and privacy state: %w", err)
		}
	}
	if err != nil {
		for _, f := range fs {
			f.set(nil, err)
		}
		for _, f := range afs {
			f.set("", err)
		}
		if vf != nil {
			vf.set(viewerState{}, err)
		}
		return
	}
	for i, id := range ids {
		fs[i].set(got.Privacy[id], nil)
	}
	// Keep every person the read returned (those of the accounts and the viewer's) for
	// the request, and settle each account with the person its fresh link names.
	personOf := map[string]string{}
	l.mu.Lock()
	for pid, st := range got.Privacy {
		if l.states[pid] == nil {
			l.states[pid] = settled(st)
		}
		for _, ln := range st.Links {
			personOf[ln.AccountID] = pid
		}
	}
	// A fresh link names its account's person: keep that too, so that a person's own
	// accounts met again through the content path (a cross-post's target) need no read.
	for aid, pid := range personOf {
		if l.accountPerson[aid] == nil {
			l.accountPerson[aid] = settled(pid)
		}
	}
	l.mu.Unlock()
	for i, id := range accountIDs {
		if got.Accounts != nil && !got.Accounts[id] {
			afs[i].set(goneAccount, nil)
			continue
		}
		afs[i].set(personOf[id], nil)
	}
	if vf == nil {
		return
	}
	vs := viewerState{acc: got.Viewer}
	if v != nil {
		vs.req = consent.Request{App: v.App, Purpose: v.Purpose, Service: v.Service}
	}
	if a := got.Viewer; a != nil {
		vs.req.ViewerAccountID, vs.req.ViewerPersonID = a.ID, a.PersonID
		// The viewer's account was read fresh: its link needs no second read.
		l.mu.Lock()
		if l.accountPerson[a.ID] == nil {
			l.accountPerson[a.ID] = settled(a.PersonID)
		}
		l.mu.Unlock()
	}
	vf.set(vs, nil)
}

// readFresh is r's one-round-trip ReadFresh. Every store implements it; a reader
// without it is a wiring bug (INTERNAL).
func readFresh(ctx context.Context, r profile.Reader, q profile.FreshQuery) (*profile.Fresh, error) {
	fr, ok := r.(profile.FreshReader)
	if !ok {
		return nil, profile.Errorf(profile.Internal, "dataloaders: the fresh reader %T cannot read fresh state", r)
	}
	return fr.ReadFresh(ctx, q)
}

// Request returns who asks, as the consent decision sees it; the viewer's own account
// is read fresh once per request (with the first privacy read, if one comes first).
func (l *Loaders) Request(ctx context.Context) (consent.Request, error) {
	vs, err := l.viewerState(ctx)
	return vs.req, err
}

func (l *Loaders) viewerState(ctx context.Context) (viewerState, error) {
	if err := l.fresh(ctx, nil, nil); err != nil {
		return viewerState{}, err
	}
	l.mu.Lock()
	f := l.viewer
	l.mu.Unlock()
	return f.wait(ctx)
}

// ViewerAccount returns the viewer's own account, read fresh (never from a cache), or
// nil for a service token or an account the store does not know: it decides who the
// viewer's person is.
func (l *Loaders) ViewerAccount(ctx context.Context) (*profile.Account, error) {
	vs, err := l.viewerState(ctx)
	return vs.acc, err
}

// Privacy returns the links and consents of person id, read fresh once per request;
// nil if the person has neither.
func (l *Loaders) Privacy(ctx context.Context, personID string) (*profile.PrivacyState, error) {
	if err := l.fresh(ctx, []string{personID}, nil); err != nil {
		return nil, err
	}
	l.mu.Lock()
	f := l.states[personID]
	l.mu.Unlock()
	return f.wait(ctx)
}

// grantsOf returns the effective consents and the reconciled age of person id, whose
// state the request holds: both come from the fresh read, the age from the birthdates
// of the fresh links, never from account content that a cache may hold.
func (l *Loaders) grantsOf(id string) consent.Grants {
	l.mu.Lock()
	defer l.mu.Unlock()
	if g, ok := l.grants[id]; ok {
		return g
	}
	var st *profile.PrivacyState
	if f := l.states[id]; f != nil {
		st = f.v // settled: callers waited in fresh
	}
	g := consent.GrantsOf(st, l.today)
	l.grants[id] = g
	return g
}

func stateConsents(st *profile.PrivacyState) []*profile.Consent {
	if st == nil {
		return nil
	}
	return st.Consents
}

func (l *Loaders) state(id string) *profile.PrivacyState {
	l.mu.Lock()
	defer l.mu.Unlock()
	if f := l.states[id]; f != nil {
		return f.v
	}
	return nil
}

// --- views ------------------------------------------------------------------------------

// PersonViews returns the view of each person of ids (aligned; never nil): its linked
// accounts (fresh links over content that may come from the cache), their decisions, the
// merged profile and the consents in force, each computed once per request. A level of
// persons costs one fresh round trip and at most one content read.
func (l *Loaders) PersonViews(ctx context.Context, ids []string) ([]*consent.PersonView, error) {
	if err := l.fresh(ctx, ids, nil); err != nil {
		return nil, err
	}
	req, err := l.Request(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]*consent.PersonView, len(ids))
	var build []string
	var accountIDs []string
	l.mu.Lock()
	for i, id := range ids {
		if v := l.views[id]; v != nil {
			out[i] = v
			continue
		}
		build = append(build, id)
		if f := l.states[id]; f != nil && f.v != nil {
			for _, ln := range f.v.Links {
				accountIDs = append(accountIDs, ln.AccountID)
			}
		}
	}
	l.mu.Unlock()
	if len(build) == 0 {
		return out, nil
	}
	contents, err := l.heldAccounts(ctx, accountIDs)
	if err != nil {
		return nil, err
	}
	built := make(map[string]*consent.PersonView, len(build))
	for _, id := range build {
		if built[id] != nil {
			continue
		}
		st := l.state(id)
		var accs []*profile.Account
		if st != nil {
			accs = make([]*profile.Account, 0, len(st.Links))
			for _, ln := range st.Links {
				if a := contents[ln.AccountID]; a != nil {
					accs = append(accs, withLink(a, id, ln))
				}
			}
		}
		// The age comes from the fresh links' birthdates (as in grantsOf); the view makes
		// its own grants from the accounts it holds, so none are built here.
		built[id] = consent.NewPersonView(req, id, accs, stateConsents(st), consent.AgeRange(st.Birthdates(), l.today))
	}
	l.mu.Lock()
	for id, v := range built {
		if l.views[id] == nil {
			l.views[id] = v
		}
	}
	for i, id := range ids {
		if out[i] == nil {
			out[i] = l.views[id]
		}
	}
	l.mu.Unlock()
	return out, nil
}

// PersonView is PersonViews for one person.
func (l *Loaders) PersonView(ctx context.Context, id string) (*consent.PersonView, error) {
	vs, err := l.PersonViews(ctx, []string{id})
	if err != nil {
		return nil, err
	}
	return vs[0], nil
}

// AccountViews returns the view of each account of accs (aligned; nil stays nil, and so
// does an account the fresh read no longer finds: deleted since its content was read), for
// accounts read through the content path (appAccount, _entities, a mutation's result),
// which may come from the shared cache and claim a link that changed since. The claim is
// never used: the fresh read says to which person, if any, each account is linked now,
// and the account is decided with that link and that person's grants.
func (l *Loaders) AccountViews(ctx context.Context, accs []*profile.Account) ([]*consent.AccountView, error) {
	ids := make([]string, 0, len(accs))
	for _, a := range accs {
		if a != nil {
			ids = append(ids, a.ID)
		}
	}
	if err := l.fresh(ctx, nil, ids); err != nil {
		return nil, err
	}
	// The read settled each account's person; another resolver's read of that person
	// may still be under way: wait for it (no new read).
	pids := make([]string, len(accs))
	var linked []string
	for i, a := range accs {
		if a != nil {
			if pids[i] = l.personOfAccount(a.ID); pids[i] != "" && pids[i] != goneAccount {
				linked = append(linked, pids[i])
			}
		}
	}
	if err := l.fresh(ctx, linked, nil); err != nil {
		return nil, err
	}
	req, err := l.Request(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]*consent.AccountView, len(accs))
	for i, a := range accs {
		if a == nil || pids[i] == goneAccount {
			// Deleted since its content was read (maybe from a cache): it has no view.
			continue
		}
		pid := pids[i]
		var link *profile.AccountLink
		if pid != "" {
			link = l.state(pid).Link(a.ID)
		}
		switch {
		case link != nil:
			out[i] = consent.NewAccountView(req, withLink(a, pid, *link), l.grantsOf(pid))
		case a.PersonID != "" || a.LinkedAt != nil:
			out[i] = consent.NewAccountView(req, withoutLink(a), consent.Grants{})
		default:
			out[i] = consent.NewAccountView(req, a, consent.Grants{})
		}
	}
	return out, nil
}

// goneAccount is the fresh person of an account that no longer exists (the fresh read
// did not find it): never a person id, which is a UUID.
const goneAccount = "\x00gone"

// personOfAccount is the person account id is linked to now ("": none; goneAccount:
// deleted), as read fresh.
func (l *Loaders) personOfAccount(id string) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if f := l.accountPerson[id]; f != nil {
		return f.v
	}
	return ""
}

// withLink returns a as linked to personID by link, with the birthdate the fresh link
// carries (the one the person's age was reconciled from, so that what a request shows
// agrees with what protected it): a itself when it already says so, else a copy.
func withLink(a *profile.Account, personID string, link profile.AccountLink) *profile.Account {
	if a.PersonID == personID && linkedAtEqual(a.LinkedAt, link.LinkedAt) && birthdateEqual(a.Birthdate, link.Birthdate) {
		return a
	}
	c := a.Clone()
	c.PersonID, c.LinkedAt = personID, nil
	if !link.LinkedAt.IsZero() {
		t := link.LinkedAt
		c.LinkedAt = &t
	}
	c.Birthdate = nil
	if !link.Birthdate.IsZero() {
		d := link.Birthdate
		c.Birthdate = &d
	}
	return c
}

func birthdateEqual(have *profile.Date, want profile.Date) bool {
	if want.IsZero() {
		return have == nil || have.IsZero()
	}
	return have != nil && *have == want
}

func linkedAtEqual(have *time.Time, want time.Time) bool {
	if want.IsZero() {
		return have == nil
	}
	return have != nil && have.Equal(want)
}

// withoutLink returns a copy of a that is linked to nobody.
func withoutLink(a *profile.Account) *profile.Account {
	c := a.Clone()
	c.PersonID, c.LinkedAt = "", nil
	return c
}

// --- content ----------------------------------------------------------------------------

// ExistingPersons returns ids (aligned) with "" in place of each person that does not
// exist now: a person exists while its fresh links show an account (SPEC §4), so a person
// erased, or left without accounts, is absent on every replica whatever a cache holds
// (SPEC §10, erasePerson). Malformed ids do not exist. It costs the one fresh read the
// persons' views need anyway, and no read of person rows, whose content no field shows.
func (l *Loaders) ExistingPersons(ctx context.Context, ids []string) ([]string, error) {
	valid := make([]string, 0, len(ids))
	for _, id := range ids {
		if profile.IsCanonicalID(id) {
			valid = append(valid, id)
		}
	}
	if err := l.fresh(ctx, valid, nil); err != nil {
		return nil, err
	}
	out := make([]string, len(ids))
	for i, id := range ids {
		if profile.IsCanonicalID(id) && len(l.state(id).LinkedApps()) > 0 {
			out[i] = id
		}
	}
	return out, nil
}

// heldAccounts returns the content of the accounts ids that exist, by id: what the
// request holds, then what the cache holds, then one store call for the rest.
func (l *Loaders) heldAccounts(ctx context.Context, ids []string) (map[string]*profile.Account, error) {
	out := make(map[string]*profile.Account, len(ids))
	var misses []string
	l.mu.Lock()
	for _, id := range ids {
		a, ok := l.held[id]
		if ok {
			if a != nil {
				out[id] = a
			}
			continue
		}
		if l.peek != nil {
			if a, ok := l.peek.PeekAccount(id); ok {
				l.held[id] = a
				if a != nil {
					out[id] = a
				}
				continue
			}
		}
		misses = append(misses, id)
	}
	l.mu.Unlock()
	if len(misses) == 0 {
		return out, nil
	}
	m, err := l.readers.Content.AccountsByID(ctx, misses)
	if err != nil {
		return nil, fmt.Errorf("load accounts: %w", err)
	}
	l.mu.Lock()
	for _, id := range misses {
		a := m[id]
		l.held[id] = a
		if a != nil {
			out[id] = a
		}
	}
	l.mu.Unlock()
	return out, nil
}

// Account returns the account with id, or nil if there is none: what the request holds,
// else what the cache holds, else through a loader, so that the concurrent resolvers of
// a level (cross-post targets) share one store call.
func (l *Loaders) Account(ctx context.Context, id string) (*profile.Account, error) {
	l.mu.Lock()
	a, ok := l.held[id]
	l.mu.Unlock()
	if ok {
		return a, nil
	}
	if l.peek != nil {
		if a, ok := l.peek.PeekAccount(id); ok {
			l.hold(id, a)
			return a, nil
		}
	}
	a, err := absent(l.accounts.Load(ctx, id))
	if err != nil {
		return nil, fmt.Errorf("load account: %w", err)
	}
	l.hold(id, a)
	return a, nil
}

func (l *Loaders) hold(id string, a *profile.Account) {
	l.mu.Lock()
	if _, ok := l.held[id]; !ok {
		l.held[id] = a
	}
	l.mu.Unlock()
}

// Accounts returns the accounts with ids, aligned to ids; absent ones are nil.
func (l *Loaders) Accounts(ctx context.Context, ids []string) ([]*profile.Account, error) {
	m, err := l.heldAccounts(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]*profile.Account, len(ids))
	for i, id := range ids {
		out[i] = m[id]
	}
	return out, nil
}

// AccountsByKey returns the accounts with keys, aligned to keys; absent ones are nil. It
// reads the keys the cache does not hold in one store call.
func (l *Loaders) AccountsByKey(ctx context.Context, keys []profile.AccountKey) ([]*profile.Account, error) {
	out := make([]*profile.Account, len(keys))
	var misses []profile.AccountKey
	var at []int
	for i, k := range keys {
		if l.peek != nil {
			if a, ok := l.peek.PeekAccountByKey(k); ok {
				out[i] = a
				continue
			}
		}
		misses, at = append(misses, k), append(at, i)
	}
	if len(misses) == 0 {
		return out, nil
	}
	m, err := l.readers.Content.AccountsByKey(ctx, misses)
	if err != nil {
		return nil, fmt.Errorf("load accounts by key: %w", err)
	}
	for j, k := range misses {
		out[at[j]] = m[k]
	}
	return out, nil
}

// AccountByKey returns the account with key, or nil if there is none; concurrent calls
// of one request are batched.
func (l *Loaders) AccountByKey(ctx context.Context, key profile.AccountKey) (*profile.Account, error) {
	if l.peek != nil {
		if a, ok := l.peek.PeekAccountByKey(key); ok {
			return a, nil
		}
	}
	a, err := absent(l.accountsByKey.Load(ctx, key))
	if err != nil {
		return nil, fmt.Errorf("load account by key: %w", err)
	}
	return a, nil
}

// Settings returns the settings of person id (defaults if never written), as the
// person's fresh links allow: cross-post rules and single-sign-on entries naming an app
// that is not linked now are left out (unlinkAccount deletes them, and a cached copy must
// not show them after it returned).
func (l *Loaders) Settings(ctx context.Context, personID string) (*profile.Settings, error) {
	if l.peek != nil {
		if st, ok := l.peek.PeekSettings(personID); ok {
			l.settings.Prime(personID, st)
		}
	}
	sThunk := l.settings.LoadThunk(ctx, personID)
	st, err := l.Privacy(ctx, personID)
	if err != nil {
		return nil, err
	}
	s, err := absent(sThunk())
	if err != nil {
		return nil, fmt.Errorf("load settings: %w", err)
	}
	if s == nil {
		return profile.DefaultSettings(personID), nil
	}
	return s.Effective(st.LinkedApps()), nil
}

// Activity returns one page of a person's activity log, newest first. Pages asked by
// the resolvers of one level are read in one round trip.
func (l *Loaders) Activity(ctx context.Context, page profile.ActivityPage) ([]*profile.ActivityEvent, error) {
	evs, err := absent(l.activity.Load(ctx, page))
	if err != nil {
		return nil, fmt.Errorf("load activity: %w", err)
	}
	return evs, nil
}

func (l *Loaders) fetchActivity(ctx context.Context, pages []profile.ActivityPage) (map[profile.ActivityPage][]*profile.ActivityEvent, error) {
	if ar, ok := l.readers.Fresh.(profile.ActivityReader); ok {
		return ar.ActivityPages(ctx, pages)
	}
	out := make(map[profile.ActivityPage][]*profile.ActivityEvent, len(pages))
	for _, p := range pages {
		evs, err := l.readers.Fresh.Activity(ctx, p.PersonID, p.BeforeSeq, p.Limit)
		if err != nil {
			return nil, err
		}
		out[p] = evs
	}
	return out, nil
}

// --- request wiring ---------------------------------------------------------------------

// holder lets a request swap its loaders for fresh ones after a mutation, so that
// fields resolved after a write never read what was loaded before it.
type holder struct {
	mu      sync.Mutex
	loaders *Loaders
	readers Readers
	wait    time.Duration
}

type ctxKey struct{}

// with returns ctx carrying fresh loaders over r.
func with(ctx context.Context, r Readers, wait time.Duration) context.Context {
	return context.WithValue(ctx, ctxKey{}, &holder{loaders: New(r, wait), readers: r, wait: wait})
}

// For returns the loaders of the request. It panics if the request has none: that is a
// wiring bug (the middleware is missing), not a runtime condition.
func For(ctx context.Context) *Loaders {
	h, ok := ctx.Value(ctxKey{}).(*holder)
	if !ok {
		panic("dataloaders: no loaders in context (missing dataloaders.Middleware)")
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.loaders
}

// reset replaces the request's loaders with fresh ones; ResetAfterMutations calls it
// after every root mutation field.
func reset(ctx context.Context) {
	if h, ok := ctx.Value(ctxKey{}).(*holder); ok {
		h.mu.Lock()
		h.loaders = New(h.readers, h.wait)
		h.mu.Unlock()
	}
}

// Middleware puts fresh loaders over r into every request's context.
func Middleware(r Readers, wait time.Duration) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			next.ServeHTTP(w, req.WithContext(with(req.Context(), r, wait)))
		})
	}
}
