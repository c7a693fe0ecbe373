// Package dataloaders batches and dedupes the reads of one GraphQL request. Loaders
// live in the request context only (For); each batch is one store call, and therefore
// one SQL round trip, whose results are aligned to the requested keys by
// dataloadgen.NewMappedLoader. Keys the store does not have come back as "absent"
// (nil, nil), never as an error.
package dataloaders

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/vikstrous/dataloadgen"

	"github.com/profilegraph/profilegraph/profile"
)

// DefaultWait is how long a loader collects keys before it fetches. gqlgen resolves the
// items of a list concurrently, so a few milliseconds gather a whole level of a query.
const DefaultWait = 2 * time.Millisecond

// Loaders are the per-request loaders of every relation the resolvers read.
type Loaders struct {
	persons          *dataloadgen.Loader[string, *profile.Person]
	accounts         *dataloadgen.Loader[string, *profile.Account]
	accountsByKey    *dataloadgen.Loader[profile.AccountKey, *profile.Account]
	accountsByPerson *dataloadgen.Loader[string, []*profile.Account]
	settings         *dataloadgen.Loader[string, *profile.Settings]
	consents         *dataloadgen.Loader[string, []*profile.Consent]
}

// New returns fresh loaders reading from r, collecting keys for wait before each fetch.
func New(r profile.Reader, wait time.Duration) *Loaders {
	opt := dataloadgen.WithWait(wait)
	return &Loaders{
		persons:          dataloadgen.NewMappedLoader(r.PersonsByID, opt),
		accounts:         dataloadgen.NewMappedLoader(r.AccountsByID, opt),
		accountsByKey:    dataloadgen.NewMappedLoader(r.AccountsByKey, opt),
		accountsByPerson: dataloadgen.NewMappedLoader(r.AccountsByPerson, opt),
		settings:         dataloadgen.NewMappedLoader(r.SettingsByPerson, opt),
		consents:         dataloadgen.NewMappedLoader(r.ConsentsByPerson, opt),
	}
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
	p, err := absent(l.persons.Load(ctx, id))
	if err != nil {
		return nil, fmt.Errorf("load person: %w", err)
	}
	return p, nil
}

// Persons returns the persons with ids, aligned to ids; absent ones are nil.
func (l *Loaders) Persons(ctx context.Context, ids []string) ([]*profile.Person, error) {
	ps, err := absentAll(l.persons.LoadAll(ctx, ids))
	if err != nil {
		return nil, fmt.Errorf("load persons: %w", err)
	}
	return ps, nil
}

// Account returns the account with id, or nil if there is none.
func (l *Loaders) Account(ctx context.Context, id string) (*profile.Account, error) {
	a, err := absent(l.accounts.Load(ctx, id))
	if err != nil {
		return nil, fmt.Errorf("load account: %w", err)
	}
	return a, nil
}

// Accounts returns the accounts with ids, aligned to ids; absent ones are nil.
func (l *Loaders) Accounts(ctx context.Context, ids []string) ([]*profile.Account, error) {
	as, err := absentAll(l.accounts.LoadAll(ctx, ids))
	if err != nil {
		return nil, fmt.Errorf("load accounts: %w", err)
	}
	return as, nil
}

// AccountByKey returns the account with key, or nil if there is none.
func (l *Loaders) AccountByKey(ctx context.Context, key profile.AccountKey) (*profile.Account, error) {
	a, err := absent(l.accountsByKey.Load(ctx, key))
	if err != nil {
		return nil, fmt.Errorf("load account by key: %w", err)
	}
	return a, nil
}

// AccountsByKey returns the accounts with keys, aligned to keys; absent ones are nil.
func (l *Loaders) AccountsByKey(ctx context.Context, keys []profile.AccountKey) ([]*profile.Account, error) {
	as, err := absentAll(l.accountsByKey.LoadAll(ctx, keys))
	if err != nil {
		return nil, fmt.Errorf("load accounts by key: %w", err)
	}
	return as, nil
}

// AccountsOf returns the accounts linked to person id, ordered as profile.Apps.
func (l *Loaders) AccountsOf(ctx context.Context, personID string) ([]*profile.Account, error) {
	as, err := absent(l.accountsByPerson.Load(ctx, personID))
	if err != nil {
		return nil, fmt.Errorf("load accounts of person: %w", err)
	}
	return as, nil
}

// SettingsOf returns the settings of person id (defaults if never written).
func (l *Loaders) SettingsOf(ctx context.Context, personID string) (*profile.Settings, error) {
	s, err := absent(l.settings.Load(ctx, personID))
	if err != nil {
		return nil, fmt.Errorf("load settings: %w", err)
	}
	if s == nil {
		s = profile.DefaultSettings(personID)
	}
	return s, nil
}

// ConsentsOf returns the stored consents of person id.
func (l *Loaders) ConsentsOf(ctx context.Context, personID string) ([]*profile.Consent, error) {
	cs, err := absent(l.consents.Load(ctx, personID))
	if err != nil {
		return nil, fmt.Errorf("load consents: %w", err)
	}
	return cs, nil
}

// holder lets a request swap its loaders for fresh ones after a mutation, so that
// fields resolved after a write never read what was cached before it.
type holder struct {
	mu      sync.Mutex
	loaders *Loaders
	reader  profile.Reader
	wait    time.Duration
}

type ctxKey struct{}

// With returns ctx carrying fresh loaders over r.
func With(ctx context.Context, r profile.Reader, wait time.Duration) context.Context {
	return context.WithValue(ctx, ctxKey{}, &holder{loaders: New(r, wait), reader: r, wait: wait})
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
		h.loaders = New(h.reader, h.wait)
		h.mu.Unlock()
	}
}

// Middleware puts fresh loaders over r into every request's context.
func Middleware(r profile.Reader, wait time.Duration) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			next.ServeHTTP(w, req.WithContext(With(req.Context(), r, wait)))
		})
	}
}

// Subject returns the linked accounts and the stored consents of person id, fetched in
// the same batch window (the consent decision needs both).
func (l *Loaders) Subject(ctx context.Context, personID string) ([]*profile.Account, []*profile.Consent, error) {
	accThunk := l.accountsByPerson.LoadThunk(ctx, personID)
	conThunk := l.consents.LoadThunk(ctx, personID)
	accs, err := absent(accThunk())
	if err != nil {
		return nil, nil, fmt.Errorf("load accounts of person: %w", err)
	}
	cs, err := absent(conThunk())
	if err != nil {
		return nil, nil, fmt.Errorf("load consents: %w", err)
	}
	return accs, cs, nil
}

// AccountThunk starts loading account id and returns a function that waits for it, so
// that many keys of different loaders join one batch window.
func (l *Loaders) AccountThunk(ctx context.Context, id string) func() (*profile.Account, error) {
	th := l.accounts.LoadThunk(ctx, id)
	return func() (*profile.Account, error) {
		a, err := absent(th())
		if err != nil {
			return nil, fmt.Errorf("load account: %w", err)
		}
		return a, nil
	}
}

// AccountByKeyThunk is AccountThunk for an (app, appUserId) key.
func (l *Loaders) AccountByKeyThunk(ctx context.Context, key profile.AccountKey) func() (*profile.Account, error) {
	th := l.accountsByKey.LoadThunk(ctx, key)
	return func() (*profile.Account, error) {
		a, err := absent(th())
		if err != nil {
			return nil, fmt.Errorf("load account by key: %w", err)
		}
		return a, nil
	}
}
