package resolvers

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"

	"github.com/profilegraph/profilegraph/accountscenter"
	"github.com/profilegraph/profilegraph/dataloaders"
	"github.com/profilegraph/profilegraph/gqlmodel"
	"github.com/profilegraph/profilegraph/graph/model"
	"github.com/profilegraph/profilegraph/profile"
)

// The list-valued gated fields of AppAccount (SPEC §5 "List-valued gated fields"):
// devices (DEVICE) and crossPosts (ACTIVITY) are decided once for the whole list, like
// any gated field of their account (the account's view, hence consent.Decide, with the
// account's app as the source); only a visible list is loaded.

// accountDevices resolves AppAccount.devices.
func accountDevices(ctx context.Context, a *gqlmodel.AppAccount) ([]*profile.Device, error) {
	if err := a.Gate(profile.FieldDevices); err != nil || !a.Shows(profile.FieldDevices) {
		return nil, err
	}
	ds, err := dataloaders.For(ctx).DevicesOf(ctx, a.ID())
	if err != nil {
		return nil, err
	}
	return append([]*profile.Device{}, ds...), nil
}

// Cross-post pagination: as the activity log, 1 to 100 per page, keyset on Seq.
const crossPostCursorPrefix = "cp:"

func encodeCrossPostCursor(seq int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(crossPostCursorPrefix + strconv.FormatInt(seq, 10)))
}

func decodeCrossPostCursor(c string) (int64, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err == nil && strings.HasPrefix(string(b), crossPostCursorPrefix) {
		if seq, err := strconv.ParseInt(strings.TrimPrefix(string(b), crossPostCursorPrefix), 10, 64); err == nil && seq > 0 {
			return seq, nil
		}
	}
	return 0, profile.Errorf(profile.BadUserInput, "after: not a valid cross-post cursor")
}

// crossPostPage is the store page that (first, after) of account id asks for: one more
// than first, to learn whether another page follows. BAD_USER_INPUT for a bad argument.
func crossPostPage(accountID string, first *int, after *string) (profile.CrossPostPage, int, error) {
	n := defaultActivityPage
	if first != nil {
		n = *first
	}
	if n < 1 || n > maxActivityPage {
		return profile.CrossPostPage{}, 0, profile.Errorf(profile.BadUserInput, "first must be between 1 and %d", maxActivityPage)
	}
	p := profile.CrossPostPage{AccountID: accountID, Limit: n + 1}
	if after != nil {
		seq, err := decodeCrossPostCursor(*after)
		if err != nil {
			return profile.CrossPostPage{}, 0, err
		}
		p.BeforeSeq = seq
	}
	return p, n, nil
}

// accountCrossPosts resolves AppAccount.crossPosts.
func (r *Resolver) accountCrossPosts(ctx context.Context, a *gqlmodel.AppAccount, first *int, after *string) (*model.CrossPostConnection, error) {
	page, n, err := crossPostPage(a.ID(), first, after)
	if err != nil {
		return nil, err
	}
	if err := a.Gate(profile.FieldCrossPosts); err != nil || !a.Shows(profile.FieldCrossPosts) {
		return nil, err
	}
	cs, err := dataloaders.For(ctx).CrossPostsOf(ctx, page)
	if err != nil {
		return nil, err
	}
	conn := &model.CrossPostConnection{Edges: []*model.CrossPostEdge{}, PageInfo: &model.PageInfo{}}
	if len(cs) > n {
		conn.PageInfo.HasNextPage = true
		cs = cs[:n]
	}
	for _, c := range cs {
		conn.Edges = append(conn.Edges, &model.CrossPostEdge{Cursor: encodeCrossPostCursor(c.Seq), Node: c})
	}
	if len(cs) > 0 {
		c := encodeCrossPostCursor(cs[len(cs)-1].Seq)
		conn.PageInfo.EndCursor = &c
	}
	return conn, nil
}

// crossPostTarget resolves CrossPost.target: the account that received the content
// (its own fields are gated as every account's, through its view).
func (r *Resolver) crossPostTarget(ctx context.Context, c *profile.CrossPost) (*gqlmodel.AppAccount, error) {
	a, err := dataloaders.For(ctx).Account(ctx, c.TargetAccountID)
	if err != nil {
		return nil, err
	}
	if a == nil {
		return nil, profile.Errorf(profile.NotFound, "the cross-post's target account no longer exists")
	}
	return r.appAccount(ctx, a)
}

// crossPost runs the crossPost mutation.
func (r *Resolver) crossPost(ctx context.Context, in model.CrossPostInput) (*profile.CrossPost, error) {
	v, err := viewer(ctx)
	if err != nil {
		return nil, err
	}
	return r.Accounts.CrossPost(ctx, v, accountscenter.CrossPostInput{
		AppUserID: in.AppUserID, To: in.To, ContentID: in.ContentID, DevicePlatform: in.DevicePlatform,
	})
}

// deviceInputs converts upsertAppAccount's devices; nil when they were omitted.
func deviceInputs(in []*model.DeviceInput) *[]*profile.Device {
	if in == nil {
		return nil
	}
	ds := make([]*profile.Device, len(in))
	for i, d := range in {
		ds[i] = &profile.Device{ID: d.ID, Platform: d.Platform, Model: d.Model, AppVersion: d.AppVersion,
			Connection: d.Connection, LastActiveAt: d.LastActiveAt}
	}
	return &ds
}

// prefetchAccountLists loads, for a whole level of accounts (an _entities batch), the
// devices and cross-post pages the query asks for, each in one store call, and decides
// the cross-posts' targets in one go, so that N representations cost the same round
// trips for every N (SPEC §8) rather than depending on how the fields' loads fall into
// batch windows. Lists the request may not see are not loaded. It returns the stores'
// errors.
func (r *Resolver) prefetchAccountLists(ctx context.Context, accs []*gqlmodel.AppAccount) error {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || !graphql.HasOperationContext(ctx) {
		return nil
	}
	oc := graphql.GetOperationContext(ctx)
	var devices, targets bool
	var args []map[string]any
	for _, f := range graphql.CollectFields(oc, fc.Field.Selections, []string{"AppAccount"}) {
		switch f.Name {
		case "devices":
			devices = true
		case "crossPosts":
			args = append(args, f.ArgumentMap(oc.Variables))
			targets = targets || selectsTarget(oc, f)
		}
	}
	if !devices && len(args) == 0 {
		return nil
	}
	var withDevices, withPosts []string
	for _, a := range accs {
		if a == nil {
			continue
		}
		if a.Shows(profile.FieldDevices) {
			withDevices = append(withDevices, a.ID())
		}
		if a.Shows(profile.FieldCrossPosts) {
			withPosts = append(withPosts, a.ID())
		}
	}
	l := dataloaders.For(ctx)
	if devices {
		if err := l.PrefetchDevices(ctx, withDevices); err != nil {
			return err
		}
	}
	var pages []profile.CrossPostPage
	for _, m := range args {
		first, after := intArg(m["first"]), strArg(m["after"])
		for _, id := range withPosts {
			if p, _, err := crossPostPage(id, first, after); err == nil {
				pages = append(pages, p)
			} // a bad argument is reported by the field itself
		}
	}
	ids, err := l.PrefetchCrossPosts(ctx, pages)
	if err != nil || !targets || len(ids) == 0 {
		return err
	}
	tgts, err := l.Accounts(ctx, ids)
	if err != nil {
		return err
	}
	_, err = r.appAccounts(ctx, tgts) // decides them all now: the fields then read the views
	return err
}

// selectsTarget reports whether a crossPosts field selects edges.node.target.
func selectsTarget(oc *graphql.OperationContext, crossPosts graphql.CollectedField) bool {
	for _, e := range graphql.CollectFields(oc, crossPosts.Selections, []string{"CrossPostConnection"}) {
		if e.Name != "edges" {
			continue
		}
		for _, n := range graphql.CollectFields(oc, e.Selections, []string{"CrossPostEdge"}) {
			if n.Name != "node" {
				continue
			}
			for _, f := range graphql.CollectFields(oc, n.Selections, []string{"CrossPost"}) {
				if f.Name == "target" {
					return true
				}
			}
		}
	}
	return false
}

// intArg reads an Int argument of ArgumentMap (an int64 from a literal or a default,
// a JSON number from a variable); nil when absent or not an integer.
func intArg(v any) *int {
	var n int
	switch x := v.(type) {
	case int:
		n = x
	case int64:
		n = int(x)
	case float64:
		n = int(x)
	case json.Number:
		i, err := x.Int64()
		if err != nil {
			return nil
		}
		n = int(i)
	default:
		return nil
	}
	return &n
}

// strArg reads a String argument of ArgumentMap; nil when absent.
func strArg(v any) *string {
	if s, ok := v.(string); ok {
		return &s
	}
	return nil
}
