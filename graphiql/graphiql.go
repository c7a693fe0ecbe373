// Package graphiql serves GraphiQL from assets embedded in the binary, so that the page
// works without internet access (no CDN). The assets are the pinned UMD builds of
// graphiql 4.1.2, react 18.2.0 and react-dom 18.2.0, copied from npm by
// scripts/copy-assets.mjs (`npm ci && npm run assets` here); their sha256 is checked
// there and sent as Subresource Integrity by the page.
package graphiql

import (
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/json"
	"html/template"
	"io/fs"
	"net/http"
	"strings"
)

//go:embed assets
var assets embed.FS

// AssetPrefix is the path under which the handler of Assets is mounted.
const AssetPrefix = "/graphiql/"

// DefaultQuery is the query GraphiQL opens with: the viewer's merged profile.
const DefaultQuery = `# profilegraph: one person's profile across linked apps.
# Run it (the play button, or Ctrl-Enter).
query Viewer {
  viewer {
    id
    profile {
      displayName
      username
      sources {
        field
        app
      }
    }
    accounts {
      app
      appUserId
    }
  }
}
`

// Config is what the page is built with.
type Config struct {
	Title    string
	Endpoint string // e.g. /graphql
	// Headers prefill GraphiQL's headers editor (the demo token in dev mode).
	Headers map[string]string
	// Query prefills the editor; DefaultQuery when empty.
	Query string
}

var page = template.Must(template.New("graphiql").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>{{.Title}}</title>
  <style>body { margin: 0; } #graphiql { height: 100vh; }</style>
  <link rel="stylesheet" href="{{.Prefix}}graphiql.min.css" integrity="{{index .SRI "graphiql.min.css"}}">
  <script src="{{.Prefix}}react.production.min.js" integrity="{{index .SRI "react.production.min.js"}}"></script>
  <script src="{{.Prefix}}react-dom.production.min.js" integrity="{{index .SRI "react-dom.production.min.js"}}"></script>
  <script src="{{.Prefix}}graphiql.min.js" integrity="{{index .SRI "graphiql.min.js"}}"></script>
</head>
<body>
  <div id="graphiql">Loading…</div>
  <script>
    const config = {{.Config}};
    const url = new URL(config.endpoint, location.href).toString();
    const fetcher = GraphiQL.createFetcher({ url, enableIncrementalDelivery: false });
    ReactDOM.render(
      React.createElement(GraphiQL, {
        fetcher,
        defaultQuery: config.query,
        query: config.query,
        headers: config.headers,
        defaultHeaders: config.headers,
        isHeadersEditorEnabled: true,
        shouldPersistHeaders: false,
        defaultEditorToolsVisibility: config.headers ? 'headers' : false,
      }),
      document.getElementById('graphiql'),
    );
  </script>
</body>
</html>
`))

// Handler serves the GraphiQL page of c. It panics if the embedded assets are missing
// (a build without them is a programming error).
func Handler(c Config) http.Handler {
	if c.Query == "" {
		c.Query = DefaultQuery
	}
	sri := map[string]string{}
	entries, err := fs.ReadDir(assets, "assets")
	if err != nil {
		panic(err)
	}
	for _, e := range entries {
		b, err := assets.ReadFile("assets/" + e.Name())
		if err != nil {
			panic(err)
		}
		sum := sha256.Sum256(b)
		sri[e.Name()] = "sha256-" + base64.StdEncoding.EncodeToString(sum[:])
	}
	var headers string
	if len(c.Headers) > 0 {
		b, err := json.MarshalIndent(c.Headers, "", "  ")
		if err != nil {
			panic(err)
		}
		headers = string(b)
	}
	data := struct {
		Title, Prefix string
		SRI           map[string]string
		Config        map[string]any
	}{c.Title, AssetPrefix, sri, map[string]any{"endpoint": c.Endpoint, "query": c.Query, "headers": headers}}
	var buf strings.Builder
	if err := page.Execute(&buf, data); err != nil {
		panic(err)
	}
	html := buf.String()
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store") // it may carry a dev token
		_, _ = w.Write([]byte(html))
	})
}

// Assets serves the embedded files under AssetPrefix.
func Assets() http.Handler {
	sub, err := fs.Sub(assets, "assets")
	if err != nil {
		panic(err)
	}
	files := http.StripPrefix(AssetPrefix, http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=86400")
		files.ServeHTTP(w, r)
	})
}
