package resolvers

import (
	"context"
	"encoding/base64"
	"net/url"
	"strconv"
	"strings"

	"github.com/profilegraph/profilegraph/accounts"
	"github.com/profilegraph/profilegraph/dataloaders"
	"github.com/profilegraph/profilegraph/graph/model"
	"github.com/profilegraph/profilegraph/profile"
)

// Avatar sizes accepted by Avatar.url(size:).
const (
	minAvatarSize = 16
	maxAvatarSize = 2048
)

// avatarURL returns raw with a `size` query parameter when size is given.
func avatarURL(raw string, size *int) (string, error) {
	if size == nil {
		return raw, nil
	}
	if *size < minAvatarSize || *size > maxAvatarSize {
		return "", profile.Errorf(profile.BadUserInput, "size must be between %d and %d", minAvatarSize, maxAvatarSize)
	}
	u, err := url.Parse(raw)
	if err != nil {
		// Stored URLs were validated on write; an unparsable one is a data bug.
		return "", err
	}
	q := u.Query()
	q.Set("size", strconv.Itoa(*size))
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// mustPerson loads a person a mutation just wrote; its absence is an internal error.
func mustPerson(ctx context.Context, id string) (*profile.Person, error) {
	p, err := dataloaders.For(ctx).Person(ctx, id)
	if err != nil {
		return nil, err
	}
	if p == nil {
		return nil, profile.Errorf(profile.NotFound, "person %s no longer exists", id)
	}
	return p, nil
}

func consentInput(in model.ConsentInput) accounts.ConsentInput {
	p := profile.PurposeService
	if in.Purpose != nil {
		p = *in.Purpose
	}
	return accounts.ConsentInput{SourceApp: in.SourceApp, TargetApp: in.TargetApp, Category: in.Category, Purpose: p}
}

func birthdates(accs []*profile.Account) []profile.Date {
	var ds []profile.Date
	for _, a := range accs {
		if a.Birthdate != nil {
			ds = append(ds, *a.Birthdate)
		}
	}
	return ds
}

// Activity pagination bounds.
const (
	defaultActivityPage = profile.DefaultActivityPage
	maxActivityPage     = profile.MaxActivityPage
	cursorPrefix        = "ev:"
)

func eventID(e *profile.ActivityEvent) string { return strconv.FormatInt(e.Seq, 10) }

// encodeCursor makes the opaque cursor of an event: its sequence number, which never
// changes, so pages stay correct while new events arrive (keyset pagination).
func encodeCursor(seq int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(cursorPrefix + strconv.FormatInt(seq, 10)))
}

func decodeCursor(c string) (int64, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err == nil && strings.HasPrefix(string(b), cursorPrefix) {
		if seq, err := strconv.ParseInt(strings.TrimPrefix(string(b), cursorPrefix), 10, 64); err == nil && seq > 0 {
			return seq, nil
		}
	}
	return 0, profile.Errorf(profile.BadUserInput, "after: not a valid cursor")
}

func (r *Resolver) activity(ctx context.Context, personID string, first *int, after *string) (*model.ActivityConnection, error) {
	n := defaultActivityPage
	if first != nil {
		n = *first
	}
	// 0 is refused too (the schema documents 1 to 100): an empty page would report
	// hasNextPage without an endCursor, and a client following it would loop forever.
	if n < 1 || n > maxActivityPage {
		return nil, profile.Errorf(profile.BadUserInput, "first must be between 1 and %d", maxActivityPage)
	}
	var before int64
	if after != nil {
		seq, err := decodeCursor(*after)
		if err != nil {
			return nil, err
		}
		before = seq
	}
	events, err := r.Store.Activity(ctx, personID, before, n+1)
	if err != nil {
		return nil, err
	}
	conn := &model.ActivityConnection{Edges: []*model.ActivityEdge{}, PageInfo: &model.PageInfo{}}
	if len(events) > n {
		conn.PageInfo.HasNextPage = true
		events = events[:n]
	}
	for _, e := range events {
		conn.Edges = append(conn.Edges, &model.ActivityEdge{Cursor: encodeCursor(e.Seq), Node: e})
	}
	if len(events) > 0 {
		c := encodeCursor(events[len(events)-1].Seq)
		conn.PageInfo.EndCursor = &c
	}
	return conn, nil
}
