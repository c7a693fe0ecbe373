package profile

import "context"

// Viewer is the verified caller of a request, taken from its bearer token (SPEC §2).
type Viewer struct {
	// App is the app the request is made in (the token's `app`).
	App App
	// Subject is the token's `sub`: the user's id in App, or the service's name.
	Subject string
	// Service marks a service token (scope accounts:write) of App's backend.
	Service bool
	// Purpose is ADS for a request made to personalize ads, else SERVICE.
	Purpose Purpose
}

// AccountKey returns the key of the viewer's own app account (user tokens).
func (v *Viewer) AccountKey() AccountKey { return AccountKey{App: v.App, AppUserID: v.Subject} }

type viewerKey struct{}

// WithViewer returns ctx carrying v.
func WithViewer(ctx context.Context, v *Viewer) context.Context {
	return context.WithValue(ctx, viewerKey{}, v)
}

// ViewerFrom returns the viewer of ctx, or nil for an unauthenticated request (only
// `_service` and introspection run without one).
func ViewerFrom(ctx context.Context) *Viewer {
	v, _ := ctx.Value(viewerKey{}).(*Viewer)
	return v
}
