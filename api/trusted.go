package api

import (
	"context"
	"fmt"

	"github.com/profilegraph/profilegraph/graph"
	"github.com/profilegraph/profilegraph/profile"
	"github.com/profilegraph/profilegraph/trusteddocs"
)

// LoadTrustedDocuments loads the TRUSTED_DOCUMENTS manifest at path, checked against the
// schema; nil when path is empty. It returns trusteddocs.Load's error, naming the
// setting.
func LoadTrustedDocuments(path string) (*trusteddocs.List, error) {
	if path == "" {
		return nil, nil
	}
	l, err := trusteddocs.Load(path, graph.NewExecutableSchema(graph.Config{}).Schema())
	if err != nil {
		return nil, fmt.Errorf("TRUSTED_DOCUMENTS: %w", err)
	}
	return l, nil
}

// limitedByTrustedDocuments: user tokens run only manifest operations; service tokens
// (an app's backend) and requests without a token (only `_service` and introspection
// pass the auth gate) are not limited.
func limitedByTrustedDocuments(ctx context.Context) bool {
	v := profile.ViewerFrom(ctx)
	return v != nil && !v.Service
}
