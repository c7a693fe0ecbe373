// Package dataloaders batches and dedupes the reads of one GraphQL request. Loaders
// live in the request context only (For); each batch is one store call, and therefore
// one SQL round trip (a person's subject, two chained ones), whose results are aligned
// to the requested keys by dataloadgen.NewMappedLoader. Keys the store does not have come back as "absent"
// (nil, nil), never as an error.
//
// Two readers feed them (Readers): content (persons, accounts, settings) may come from
// the shared cache, and a key it holds is answered at once rather than in the next
// batch (Peeker), while privacy state, meaning a person's links and consents
// (PrivacyByPerson), and the viewer's own account are always read fresh, once per
// request. A person's accounts are its fresh links with the (possibly cached) account
// contents overlaid by the link, so a stale cached link never reaches a decision.
package dataloaders

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/vikstrous/dataloadgen"

	"github.com/profilegraph/profilegraph/profile"
)

// DefaultWait is how long a loader collects keys before it fetches. gqlgen resolves the
// items of a list concurrently, so a few milliseconds gather a whole level of a query.
const DefaultWait = 2 * time.Millisecond

// Readers are where the loaders read. Content may be a cache (cache.Store); Fresh must
// not be: the privacy state (links and consents) and the viewer's own account, which
// together decide what a request may see, come from Fresh on every request. Without a
// cache both are the same store.
type Readers struct {
	Content profile.Reader
	Fresh   profile.Reader
}

// Peeker is implemented by a content reader that can answer a read at once, without a
// round trip (cache.Store, from what it holds): each method returns a copy the caller
// owns (nil for a row known to be absent) and true, or false when the read must go
// through the reader. The loaders ask it before they queue a content key, so that a
// value the shared cache holds does not wait for the batch window; only the misses are
// batched. Privacy state and the viewer's account are read fresh and never peeked.
type Peeker interface {
	PeekPerson(id string) (*profile.Person, bool)
	PeekAccount(id string) (*profile.Account, bool)
	PeekAccountByKey(key profile.AccountKey) (*profile.Account, bool)
	PeekSettings(personID string) (*profile.Settings, bool)
}

// Loaders are the per-request loaders of every relation the resolvers read.
type Loaders struct {
	persons        *dataloadgen.Loader[string, *profile.Person]
	accounts       *dataloadgen.Loader[string, *profile.Account]
	accountsByKey  *dataloadgen.Loader[profile.AccountKey, *profile.Account]
	viewerAccounts *dataloadgen.Loader[profile.AccountKey, *profile.Account]
	privacy        *dataloadgen.Loader[string, *profile.PrivacyState]
	subjects       *dataloadgen.Loader[string, *subject]
	settings       *dataloadgen.Loader[string, *profile.Settings]
	lists          listLoaders // devices and cross-posts (devices.go)
	readers        Readers
	peek           Peeker // r.Content's, if it is one; nil otherwise
}

// subject is a person as the consent decision sees it: its fresh privacy state and the
// contents of its linked accounts, each overlaid with its fresh link.
type subject struct {
	state    *profile.PrivacyState
	accounts []*profile.Account
}

// New returns fresh loaders reading from r, collecting keys for wait before each fetch.
// A nil r.Fresh means r.Content.
func New(r Readers, wait time.Duration) *Loaders {
	if r.Fresh == nil {
		r.Fresh = r.Content
	}
	opt := dataloadgen.WithWait(wait)
	l := &Loaders{
		persons:        dataloadgen.NewMappedLoader(r.Content.PersonsByID, opt),
		accounts:       dataloadgen.NewMappedLoader(r.Content.AccountsByID, opt),
		accountsByKey:  dataloadgen.NewMappedLoader(r.Content.AccountsByKey, opt),
		viewerAccounts: dataloadgen.NewMappedLoader(r.Fresh.AccountsByKey, opt),
		privacy:        dataloadgen.NewMappedLoader(r.Fresh.PrivacyByPerson, opt),
		settings:       dataloadgen.NewMappedLoader(r.Content.SettingsByPerson, opt),
		lists:          newListLoaders(r, opt),
		readers:        r,
	}
	l.subjects = dataloadgen.NewMappedLoader(l.fetchSubjects, opt)
	l.peek, _ = r.Content.(Peeker)
	return l
}

// The prime* methods prime a content loader with the answer the content reader holds
// for a key, if it holds one, so that loading the key then returns at once instead of
// joining the next batch. Prime keeps what the loader already holds for the key (loaded
// or being loaded), so a request sees one answer per key, as without them.

func (l *Loaders) primePerson(id string) {
	if l.peek == nil {
		return
	}
	if p, ok := l.peek.PeekPerson(id); ok {
		l.persons.Prime(id, p)
	}
}

func (l *Loaders) primeAccount(id string) {
	if l.peek == nil {
		return
	}
	if a, ok := l.peek.PeekAccount(id); ok {
		l.accounts.Prime(id, a)
	}
}

func (l *Loaders) primeAccountByKey(key profile.AccountKey) {
	if l.peek == nil {
		return
	}
	if a, ok := l.peek.PeekAccountByKey(key); ok {
		l.accountsByKey.Prime(key, a)
	}
}

func (l *Loaders) primeSettings(personID string) {
	if l.peek == nil {
		return
	}
	if st, ok := l.peek.PeekSettings(personID); ok {
		l.settings.Prime(personID, st)
	}
}

// fetchSubjects reads the subjects of a batch of persons in two round trips whatever the
// batch's size: the privacy state of all of them, then the contents of all their linked
// accounts. Both are chained inside one batch, rather than through two loaders, so that
// the second read cannot be split by goroutine scheduling. The results prime the privacy
// and account loaders. Persons without links or consents are absent.
func (l *Loaders) fetchSubjects(ctx context.Context, ids []string) (map[string]*subject, error) {
	r := l.readers
	states, err := r.Fresh.PrivacyByPerson(ctx, ids)
	if err != nil {
		return nil, err
	}
	var accountIDs []string
	for id, st := range states {
		l.privacy.Prime(id, st)
		for _, ln := range st.Links {
			accountIDs = append(accountIDs, ln.AccountID)
		}
	}
	var contents map[string]*profile.Account
	if len(accountIDs) > 0 {
		if contents, err = r.Content.AccountsByID(ctx, accountIDs); err != nil {
			return nil, err
		}
	}
	out := make(map[string]*subject, len(states))
	for id, st := range states {
		sub := &subject{state: st}
		for _, ln := range st.Links {
			if a := contents[ln.AccountID]; a != nil {
				l.accounts.Prime(a.ID, a)
				sub.accounts = append(sub.accounts, WithLink(a, id, ln))
			}
		}
		out[id] = sub
	}
	return out, nil
}

// PrefetchSubjects loads what AccountsOf and Subject return for each of ids, in one
// batch of two round trips, and primes the loaders with it. A resolver that has a whole
// level of persons at hand (the _entities batch) calls it so that the level costs the
// same round trips however many persons it holds: left to the fields' own calls, or to
// a LoadAll that adds the keys one by one, a large level can straddle two batch windows.
// It returns the stores' errors.
func (l *Loaders) PrefetchSubjects(ctx context.Context, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	subs, err := l.fetchSubjects(ctx, ids)
	if err != nil {
		return fmt.Errorf("load accounts and consents of persons: %w", err)
	}
	for _, id := range ids {
		l.subjects.Prime(id, subs[id]) // nil for a person without links or consents
	}
	return nil
}

// PrefetchPrivacy loads the privacy state of each of personIDs in one round trip and
// primes the loader with it, for a resolver that holds a whole level of accounts (an
// _entities batch of AppAccount): each account's fields check its link against it. It
// returns the store's error.
func (l *Loaders) PrefetchPrivacy(ctx context.Context, personIDs []string) error {
	if len(personIDs) == 0 {
		return nil
	}
	states, err := l.readers.Fresh.PrivacyByPerson(ctx, personIDs)
	if err != nil {
		return fmt.Errorf("load privacy state: %w", err)
	}
	for _, id := range personIDs {
		l.privacy.Prime(id, states[id]) // nil for a person without links or consents
	}
	return nil
}

// subject loads the subject of person id; nil if it has no links or consents.
func (l *Loaders) subject(ctx context.Context, personID string) (*subject, error) {
	sub, err := absent(l.subjects.Load(ctx, personID))
	if err != nil {
		return nil, fmt.Errorf("load accounts and consents of person: %w", err)
	}
	return sub, nil
}

// absent turns dataloadgen's "not found" into a nil value without error.
func absent[V any](v V, err error) (V, error) {
	if errors.Is(err, dataloadgen.ErrNotFound) {
		var zero V
		return zero, nil
	}
	return v, err
}

// absentAll does absent for every element of a LoadAll result.
func absentAll[V any](vs []V, err error) ([]V, error) {
	if err == nil {
		return vs, nil
	}
	var errs dataloadgen.ErrorSlice
	if !errors.As(err, &errs) {
		return nil, err
	}
	for _, e := range errs {
		if e != nil && !errors.Is(e, dataloadgen.ErrNotFound) {
			return nil, e
		}
	}
	return vs, nil
}

// Person returns the person with id, or nil if there is none.
func (l *Loaders) Person(ctx context.Context, id string) (*profile.Person, error) {
	l.primePerson(id)
	p, err := absent(l.persons.Load(ctx, id))
	if err != nil {
		return nil, fmt.Errorf("load person: %w", err)
	}
	return p, nil
}

// Persons returns the persons with ids, aligned to ids; absent ones are nil. It is for a
// caller that holds a whole level of keys (the _entities batch): it reads them in one
// store call at once and primes the loader, rather than adding the keys to a batch one
// by one, which a busy process can spread over two batch windows.
func (l *Loaders) Persons(ctx context.Context, ids []string) ([]*profile.Person, error) {
	m, err := l.readers.Content.PersonsByID(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("load persons: %w", err)
	}
	out := make([]*profile.Person, len(ids))
	for i, id := range ids {
		out[i] = m[id]
		l.persons.Prime(id, m[id])
	}
	return out, nil
}

// Account returns the account with id, or nil if there is none.
func (l *Loaders) Account(ctx context.Context, id string) (*profile.Account, error) {
	l.primeAccount(id)
	a, err := absent(l.accounts.Load(ctx, id))
	if err != nil {
		return nil, fmt.Errorf("load account: %w", err)
	}
	return a, nil
}

// Accounts returns the accounts with ids, aligned to ids; absent ones are nil.
func (l *Loaders) Accounts(ctx context.Context, ids []string) ([]*profile.Account, error) {
	for _, id := range ids {
		l.primeAccount(id)
	}
	as, err := absentAll(l.accounts.LoadAll(ctx, ids))
	if err != nil {
		return nil, fmt.Errorf("load accounts: %w", err)
	}
	return as, nil
}

// AccountThunk starts loading the account with id in the current batch window and
// returns a function that waits for it (nil if there is none), so that a caller can load
// accounts by id and by key in one window.
func (l *Loaders) AccountThunk(ctx context.Context, id string) func() (*profile.Account, error) {
	l.primeAccount(id)
	th := l.accounts.LoadThunk(ctx, id)
	return func() (*profile.Account, error) {
		a, err := absent(th())
		if err != nil {
			return nil, fmt.Errorf("load account: %w", err)
		}
		return a, nil
	}
}

// AccountByKeyThunk is AccountThunk by (app, appUserId).
func (l *Loaders) AccountByKeyThunk(ctx context.Context, key profile.AccountKey) func() (*profile.Account, error) {
	l.primeAccountByKey(key)
	th := l.accountsByKey.LoadThunk(ctx, key)
	return func() (*profile.Account, error) {
		a, err := absent(th())
		if err != nil {
			return nil, fmt.Errorf("load account by key: %w", err)
		}
		return a, nil
	}
}

// AccountByKey returns the account with key, or nil if there is none.
func (l *Loaders) AccountByKey(ctx context.Context, key profile.AccountKey) (*profile.Account, error) {
	l.primeAccountByKey(key)
	a, err := absent(l.accountsByKey.Load(ctx, key))
	if err != nil {
		return nil, fmt.Errorf("load account by key: %w", err)
	}
	return a, nil
}

// AccountsByKey returns the accounts with keys, aligned to keys; absent ones are nil.
func (l *Loaders) AccountsByKey(ctx context.Context, keys []profile.AccountKey) ([]*profile.Account, error) {
	for _, k := range keys {
		l.primeAccountByKey(k)
	}
	as, err := absentAll(l.accountsByKey.LoadAll(ctx, keys))
	if err != nil {
		return nil, fmt.Errorf("load accounts by key: %w", err)
	}
	return as, nil
}

// ViewerAccount returns the account with key read fresh (never from a cache), or nil if
// there is none: the viewer's own account decides who the viewer's person is.
func (l *Loaders) ViewerAccount(ctx context.Context, key profile.AccountKey) (*profile.Account, error) {
	a, err := absent(l.viewerAccounts.Load(ctx, key))
	if err != nil {
		return nil, fmt.Errorf("load viewer account: %w", err)
	}
	return a, nil
}

// Privacy returns the links and consents of person id, read fresh once per request (per
// Reset); nil if the person has neither.
func (l *Loaders) Privacy(ctx context.Context, personID string) (*profile.PrivacyState, error) {
	st, err := absent(l.privacy.Load(ctx, personID))
	if err != nil {
		return nil, fmt.Errorf("load privacy state: %w", err)
	}
	return st, nil
}

// AccountsOf returns the accounts linked to person id, ordered as profile.Apps: the
// links come fresh from the person's privacy state, the account contents through the
// content reader, and each account is a copy whose PersonID and LinkedAt are those of
// the fresh link. The slice is shared within the request: do not modify it.
func (l *Loaders) AccountsOf(ctx context.Context, personID string) ([]*profile.Account, error) {
	sub, err := l.subject(ctx, personID)
	if err != nil || sub == nil {
		return nil, err
	}
	return sub.accounts, nil
}

// WithLink returns a copy of a linked to personID as link says.
func WithLink(a *profile.Account, personID string, link profile.AccountLink) *profile.Account {
	c := a.Clone()
	c.PersonID = personID
	c.LinkedAt = nil
	if !link.LinkedAt.IsZero() {
		t := link.LinkedAt
		c.LinkedAt = &t
	}
	return c
}

// WithoutLink returns a copy of a that is linked to nobody.
func WithoutLink(a *profile.Account) *profile.Account {
	c := a.Clone()
	c.PersonID, c.LinkedAt = "", nil
	return c
}

// SettingsOf returns the settings of person id (defaults if never written). Cross-post
// rules and single-sign-on entries naming an app that is not linked to the person now
// (by the fresh links) are left out: unlinkAccount deletes them, and a cached copy must
// not show them after it returned.
func (l *Loaders) SettingsOf(ctx context.Context, personID string) (*profile.Settings, error) {
	l.primeSettings(personID)
	sThunk := l.settings.LoadThunk(ctx, personID)
	pThunk := l.privacy.LoadThunk(ctx, personID)
	s, err := absent(sThunk())
	if err != nil {
		return nil, fmt.Errorf("load settings: %w", err)
	}
	st, err := absent(pThunk())
	if err != nil {
		return nil, fmt.Errorf("load privacy state: %w", err)
	}
	if s == nil {
		return profile.DefaultSettings(personID), nil
	}
	linked := make(map[profile.App]bool, 5)
	for _, app := range st.LinkedApps() {
		linked[app] = true
	}
	c := s.Clone()
	c.CrossPosting = slices.DeleteFunc(c.CrossPosting, func(r profile.CrossPostRule) bool { return !linked[r.From] || !linked[r.To] })
	c.SingleSignOn = slices.DeleteFunc(c.SingleSignOn, func(a profile.App) bool { return !linked[a] })
	return c, nil
}

// ConsentsOf returns the stored consents of person id, read fresh.
func (l *Loaders) ConsentsOf(ctx context.Context, personID string) ([]*profile.Consent, error) {
	_, cs, err := l.Subject(ctx, personID)
	return cs, err
}

// holder lets a request swap its loaders for fresh ones after a mutation, so that
// fields resolved after a write never read what was loaded before it.
type holder struct {
	mu      sync.Mutex
	loaders *Loaders
	readers Readers
	wait    time.Duration
}

type ctxKey struct{}

// With returns ctx carrying fresh loaders over r.
func With(ctx context.Context, r Readers, wait time.Duration) context.Context {
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

// Reset replaces the request's loaders with fresh ones; mutations call it after a write.
func Reset(ctx context.Context) {
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
			next.ServeHTTP(w, req.WithContext(With(req.Context(), r, wait)))
		})
	}
}

// Subject returns what the consent decision needs about person id: its linked accounts
// (as AccountsOf) and its stored consents, both from the one fresh privacy read.
func (l *Loaders) Subject(ctx context.Context, personID string) ([]*profile.Account, []*profile.Consent, error) {
	sub, err := l.subject(ctx, personID)
	if err != nil || sub == nil {
		return nil, nil, err
	}
	return sub.accounts, sub.state.Consents, nil
}
