package memory

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/google/uuid"

	"github.com/profilegraph/profilegraph/profile"
)

func (s *state) devicesByAccount(accountIDs []string) map[string][]*profile.Device {
	out := make(map[string][]*profile.Device, len(accountIDs))
	for _, id := range accountIDs {
		if profile.IsCanonicalID(id) && len(s.devices[id]) > 0 {
			out[id] = profile.CloneDevices(s.devices[id])
		}
	}
	return out
}

func (s *state) crossPostPages(pages []profile.CrossPostPage) map[profile.CrossPostPage][]*profile.CrossPost {
	out := make(map[profile.CrossPostPage][]*profile.CrossPost, len(pages))
	for _, p := range pages {
		if !profile.IsCanonicalID(p.AccountID) || p.Limit <= 0 {
			continue
		}
		list := s.crossPosts[p.AccountID]
		end := len(list)
		if p.BeforeSeq > 0 {
			end = sort.Search(len(list), func(i int) bool { return list[i].Seq >= p.BeforeSeq })
		}
		page := []*profile.CrossPost{}
		for i := end - 1; i >= 0 && len(page) < p.Limit; i-- {
			page = append(page, list[i].Clone())
		}
		out[p] = page
	}
	return out
}

// DevicesByAccount returns the devices of each account ordered by device id; accounts
// without devices are absent. It returns only the context's error.
func (s *Store) DevicesByAccount(ctx context.Context, accountIDs []string) (map[string][]*profile.Device, error) {
	return readCommitted(ctx, s, func(st *state) map[string][]*profile.Device { return st.devicesByAccount(accountIDs) })
}

// CrossPosts returns each page of cross-posts, newest first; pages of malformed ids or
// with Limit <= 0 are absent. It returns only the context's error.
func (s *Store) CrossPosts(ctx context.Context, pages []profile.CrossPostPage) (map[profile.CrossPostPage][]*profile.CrossPost, error) {
	return readCommitted(ctx, s, func(st *state) map[profile.CrossPostPage][]*profile.CrossPost { return st.crossPostPages(pages) })
}

func (t *tx) DevicesByAccount(ctx context.Context, accountIDs []string) (map[string][]*profile.Device, error) {
	return read(ctx, t, func() map[string][]*profile.Device { return t.st.devicesByAccount(accountIDs) })
}

func (t *tx) CrossPosts(ctx context.Context, pages []profile.CrossPostPage) (map[profile.CrossPostPage][]*profile.CrossPost, error) {
	return read(ctx, t, func() map[profile.CrossPostPage][]*profile.CrossPost { return t.st.crossPostPages(pages) })
}

// checkDevice mirrors the schema's CHECK constraints on devices.
func checkDevice(d *profile.Device) error {
	switch {
	case d == nil:
		return errors.New("nil device")
	case len([]rune(d.ID)) < 1 || len([]rune(d.ID)) > profile.MaxDeviceIDLen:
		return fmt.Errorf("device id %q must be 1 to %d characters", d.ID, profile.MaxDeviceIDLen)
	case !d.Platform.Valid():
		return fmt.Errorf("unknown platform %q", d.Platform)
	case d.Connection != nil && !d.Connection.Valid():
		return fmt.Errorf("unknown connection %q", *d.Connection)
	case d.Model != nil && len([]rune(*d.Model)) > profile.MaxDeviceFieldLen,
		d.AppVersion != nil && len([]rune(*d.AppVersion)) > profile.MaxDeviceFieldLen:
		return errors.New("model or appVersion too long")
	}
	return nil
}

// ReplaceDevices replaces the account's devices by copies of ds. A missing account is
// NOT_FOUND, a duplicate device id CONFLICT; invalid values are refused as the schema's
// constraints refuse them.
func (t *tx) ReplaceDevices(ctx context.Context, accountID string, ds []*profile.Device) error {
	return t.do(ctx, func() error {
		a := t.st.account(accountID)
		if a == nil {
			return profile.Errorf(profile.NotFound, "account %q not found", accountID)
		}
		n := profile.CloneDevices(ds)
		seen := make(map[string]bool, len(n))
		for _, d := range n {
			if err := checkDevice(d); err != nil {
				return fmt.Errorf("replace devices: %w", err)
			}
			if seen[d.ID] {
				return profile.Errorf(profile.Conflict, "replace devices: device %q appears twice", d.ID)
			}
			seen[d.ID] = true
			d.LastActiveAt = normTime(d.LastActiveAt)
		}
		slices.SortFunc(n, func(x, y *profile.Device) int { return strings.Compare(x.ID, y.ID) })
		devices := ownMap(&t.own.devices, &t.st.devices)
		if len(n) == 0 {
			delete(devices, a.ID)
			return nil
		}
		devices[a.ID] = n
		return nil
	})
}

// InsertCrossPost records a copy of c unless one with the same (AccountID, To,
// ContentID) exists, and returns the stored one and whether it was created. Transactions
// run one at a time, so of concurrent identical calls exactly one creates it. A missing
// account (source or target) is NOT_FOUND, a malformed id BAD_USER_INPUT.
func (t *tx) InsertCrossPost(ctx context.Context, c *profile.CrossPost) (*profile.CrossPost, bool, error) {
	created := false
	stored, err := locked(ctx, t, func() (*profile.CrossPost, error) {
		if c == nil {
			return nil, errors.New("insert cross-post: nil cross-post")
		}
		if c.ID == "" {
			c.ID = uuid.NewString()
		}
		n := c.Clone()
		var err error
		if n.ID, err = parseID(c.ID); err != nil {
			return nil, fmt.Errorf("insert cross-post: %w", err)
		}
		for _, id := range []*string{&n.AccountID, &n.TargetAccountID} {
			if *id, err = parseID(*id); err != nil {
				return nil, fmt.Errorf("insert cross-post: %w", err)
			}
			if _, ok := t.st.accounts[*id]; !ok {
				return nil, profile.Errorf(profile.NotFound, "insert cross-post: account %q not found", *id)
			}
		}
		if !n.From.Valid() || !n.To.Valid() || n.From == n.To || (n.DevicePlatform != nil && !n.DevicePlatform.Valid()) ||
			len([]rune(n.ContentID)) < 1 || len([]rune(n.ContentID)) > profile.MaxContentIDLen {
			return nil, fmt.Errorf("insert cross-post: invalid cross-post %s→%s %q", n.From, n.To, n.ContentID)
		}
		for _, old := range t.st.crossPosts[n.AccountID] {
			if old.To == n.To && old.ContentID == n.ContentID {
				return old.Clone(), nil
			}
			if old.ID == n.ID {
				return nil, profile.Errorf(profile.Conflict, "insert cross-post: cross-post %s already exists", n.ID)
			}
		}
		n.At = normTime(c.At)
		t.st.crossPostSeq++
		n.Seq = t.st.crossPostSeq
		cps := ownMap(&t.own.crossPosts, &t.st.crossPosts)
		// The slice is shared with the committed state: append to a copy.
		cps[n.AccountID] = append(slices.Clone(cps[n.AccountID]), n)
		c.Seq = n.Seq
		created = true
		return n.Clone(), nil
	})
	return stored, created, err
}
