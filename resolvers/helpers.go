package resolvers

import (
	"context"
	"encoding/base64"
	"strconv"
	"strings"

	"github.com/profilegraph/profilegraph/accountscenter"
	"github.com/profilegraph/profilegraph/dataloaders"
	"github.com/profilegraph/profilegraph/graph/model"
	"github.com/profilegraph/profilegraph/profile"
)

func consentInput(in model.ConsentInput) accountscenter.ConsentInput {
	p := profile.PurposeService
	if in.Purpose != nil {
		p = *in.Purpose
	}
	return accountscenter.ConsentInput{SourceApp: in.SourceApp, TargetApp: in.TargetApp, Category: in.Category, Purpose: p}
}

// Activity pagination bounds.
const (
	defaultActivityPage = profile.DefaultActivityPage
	maxActivityPage     = profile.MaxActivityPage
	cursorPrefix        = "ev:"
)

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
	events, err := dataloaders.For(ctx).Activity(ctx, profile.ActivityPage{PersonID: personID, BeforeSeq: before, Limit: n + 1})
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

func upsertInput(in model.UpsertAppAccountInput) accountscenter.UpsertAccountInput {
	return accountscenter.UpsertAccountInput{
		AppUserID:   in.AppUserID,
		Username:    in.Username,
		DisplayName: in.DisplayName,
		AvatarURL:   in.AvatarURL,
		PhoneNumber: in.PhoneNumber,
		Email:       in.Email,
		Birthdate:   in.Birthdate,
		Devices:     deviceInputs(in.Devices),
	}
}

func settingsInput(in model.UpdateSettingsInput) accountscenter.UpdateSettingsInput {
	out := accountscenter.UpdateSettingsInput{SyncProfile: in.SyncProfile, ExpectedVersion: in.ExpectedVersion}
	if in.CrossPosting != nil {
		rules := make([]profile.CrossPostRule, 0, len(in.CrossPosting))
		for _, c := range in.CrossPosting {
			rules = append(rules, profile.CrossPostRule{From: c.From, To: c.To})
		}
		out.CrossPosting = &rules
	}
	if in.SingleSignOn != nil {
		apps := append([]profile.App{}, in.SingleSignOn...)
		out.SingleSignOn = &apps
	}
	return out
}
