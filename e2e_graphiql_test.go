package main

// GraphiQL without a CDN (SPEC §9): the page at / and its scripts come from the binary,
// and in headless Chromium (Debian's chromium, installed by .ci/run) the prefilled
// query, run with the demo token of the headers editor, shows the viewer's name.

import (
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const graphiqlDir = "graphiql"

// graphiqlNode holds the pinned playwright-core of graphiql/package-lock.json.
var graphiqlNode = &nodeProject{dir: graphiqlDir, marker: "playwright-core"}

// graphiqlSetup fails unless Chromium is installed, and installs the pinned
// playwright-core of graphiql/package-lock.json when missing.
func graphiqlSetup(tb testing.TB) string {
	tb.Helper()
	chromium := os.Getenv("CHROMIUM_PATH")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	if _, err := os.Stat(chromium); err != nil {
		tb.Fatalf("the GraphiQL browser test needs Debian's chromium at %s (apt-get install chromium; .ci/run does): %v", chromium, err)
	}
	graphiqlNode.setup(tb)
	return chromium
}

func TestGraphiQLWithoutCDN(t *testing.T) {
	t.Parallel()
	chromium := graphiqlSetup(t)
	// Dev mode: embedded store with the demo data, GraphiQL on, the first demo token
	// (Alice on FACEBOOK) in its headers.
	s := startWith(t, map[string]string{"PORT": "0"})

	t.Run("the page and its assets are served by the binary", func(t *testing.T) {
		status, page := s.get(t, "/")
		if status != http.StatusOK {
			t.Fatalf("GET / = %d", status)
		}
		for _, want := range []string{`src="/graphiql/graphiql.min.js"`, `href="/graphiql/graphiql.min.css"`, "Bearer ey", "query Viewer"} {
			if !strings.Contains(page, want) {
				t.Errorf("page lacks %q", want)
			}
		}
		for _, cdn := range []string{"jsdelivr", "unpkg", "https://"} {
			if strings.Contains(page, cdn) {
				t.Errorf("page still references %q", cdn)
			}
		}
		for _, asset := range []string{"graphiql.min.js", "graphiql.min.css", "react.production.min.js", "react-dom.production.min.js"} {
			if status, body := s.get(t, "/graphiql/"+asset); status != http.StatusOK || len(body) < 1000 {
				t.Errorf("GET /graphiql/%s = %d (%d bytes)", asset, status, len(body))
			}
		}
	})

	t.Run("headless Chromium runs the prefilled query and shows the viewer's name", func(t *testing.T) {
		shot := os.Getenv("GRAPHIQL_SCREENSHOT") // to look at it; a temporary file otherwise
		if shot == "" {
			shot = filepath.Join(t.TempDir(), "graphiql.png")
		}
		cmd := exec.Command("node", filepath.Join(graphiqlDir, "browser-test.mjs"), s.URL+"/", "Alice Martin", shot)
		cmd.Env = append(os.Environ(), "CHROMIUM_PATH="+chromium)
		out, err := cmd.Output()
		if err != nil {
			var stderr []byte
			if ee, ok := err.(*exec.ExitError); ok {
				stderr = ee.Stderr
			}
			t.Fatalf("browser test: %v\n%s\n%s", err, out, stderr)
		}
		var res struct {
			OK       bool     `json:"ok"`
			Result   string   `json:"result"`
			External []string `json:"external"`
		}
		if err := json.Unmarshal(out, &res); err != nil {
			t.Fatalf("browser test printed %q: %v", out, err)
		}
		if !res.OK || !strings.Contains(res.Result, `"displayName": "Alice Martin"`) {
			t.Errorf("result pane = %q, want Alice Martin's merged profile", res.Result)
		}
		if len(res.External) > 0 {
			t.Errorf("the page asked for resources outside the server: %v", res.External)
		}
		if fi, err := os.Stat(shot); err != nil || fi.Size() < 10_000 {
			t.Errorf("no screenshot at %s: %v", shot, err)
		}
	})
}
