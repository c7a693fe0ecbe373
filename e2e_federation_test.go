package main

// Federation tests (SPEC §8): profilegraph's `_service { sdl }` composes with a second
// subgraph under @apollo/composition, and a real Apollo gateway (testdata/federation/gateway.mjs)
// joins profilegraph with the reviews test subgraph (testdata/federation/reviews-subgraph.mjs)
// while the consent decision still holds and federated tracing (ftv1) works.
//
// They need Node.js ≥ 20 and npm. The Node dependencies are pinned in
// testdata/federation/package-lock.json; CI installs them with
//
//	npm ci --prefix testdata/federation --ignore-scripts --no-audit --no-fund
//
// and the tests run that same command themselves when testdata/federation/node_modules is missing
// or does not hold the pinned versions (a fresh clone), so `go test` alone works.

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/profilegraph/profilegraph/profile"
)

// fedDir is the Node project of the federation tests, relative to this package.
const fedDir = "testdata/federation"

// fedNpmCI is the install command (run in fedDir) for a missing or stale node_modules.
var fedNpmCI = []string{"npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund"}

var (
	fedSetupOnce sync.Once
	fedSetupErr  error
)

// fedSetup fails the test unless node (≥ 20) and npm are on PATH and federation's
// pinned dependencies are installed, running `npm ci` once per test binary if not.
func fedSetup(tb testing.TB) {
	tb.Helper()
	fedSetupOnce.Do(func() { fedSetupErr = fedPrepare() })
	if fedSetupErr != nil {
		tb.Fatalf("federation tests need Node.js >= 20 and npm with the pinned packages of %s/package-lock.json "+
			"(install with `npm ci --prefix %s`): %v", fedDir, fedDir, fedSetupErr)
	}
}

func fedPrepare() error {
	for _, tool := range []string{"node", "npm"} {
		if _, err := exec.LookPath(tool); err != nil {
			return fmt.Errorf("%s is not on PATH: %w", tool, err)
		}
	}
	out, err := exec.Command("node", "--version").Output()
	if err != nil {
		return fmt.Errorf("node --version: %w", err)
	}
	ver := strings.TrimPrefix(strings.TrimSpace(string(out)), "v")
	major, err := strconv.Atoi(strings.SplitN(ver, ".", 2)[0])
	if err != nil || major < 20 {
		return fmt.Errorf("node %s is too old, need >= 20", ver)
	}
	stale, err := fedStaleDeps()
	if err != nil {
		return err
	}
	if len(stale) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, fedNpmCI[0], fedNpmCI[1:]...)
	cmd.Dir = fedDir
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%s (for %s) in %s: %w\n%s", strings.Join(fedNpmCI, " "), strings.Join(stale, ", "), fedDir, err, out)
	}
	if stale, err = fedStaleDeps(); err != nil || len(stale) > 0 {
		return fmt.Errorf("after npm ci, still missing or wrong: %v %v", stale, err)
	}
	return nil
}

// fedStaleDeps lists the dependencies of testdata/federation/package.json that node_modules does
// not hold at their pinned version.
func fedStaleDeps() ([]string, error) {
	var pkg struct {
		Dependencies map[string]string `json:"dependencies"`
	}
	raw, err := os.ReadFile(filepath.Join(fedDir, "package.json"))
	if err != nil {
		return nil, fmt.Errorf("read package.json: %w", err)
	}
	if err := json.Unmarshal(raw, &pkg); err != nil {
		return nil, fmt.Errorf("decode package.json: %w", err)
	}
	var stale []string
	for name, want := range pkg.Dependencies {
		var got struct{ Version string }
		raw, err := os.ReadFile(filepath.Join(fedDir, "node_modules", filepath.FromSlash(name), "package.json"))
		if err == nil {
			err = json.Unmarshal(raw, &got)
		}
		if err != nil || got.Version != want {
			stale = append(stale, name+"@"+want)
		}
	}
	slices.Sort(stale)
	return stale, nil
}

// fedLines records a child process's output and reports the first stdout line that
// is a JSON object with a "url".
type fedLines struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	partial []byte
	url     chan string
	sent    bool
}

func (w *fedLines) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if w.url == nil || w.sent {
		return len(p), nil
	}
	w.partial = append(w.partial, p...)
	for {
		i := bytes.IndexByte(w.partial, '\n')
		if i < 0 {
			return len(p), nil
		}
		line := w.partial[:i]
		w.partial = w.partial[i+1:]
		var msg struct{ URL string }
		if json.Unmarshal(line, &msg) == nil && msg.URL != "" {
			w.url <- msg.URL
			w.sent = true
			return len(p), nil
		}
	}
}

func (w *fedLines) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// fedStart runs `node testdata/federation/<script> args...` with extra env, waits for the URL it
// prints and returns it without a trailing slash. The process is stopped in Cleanup and
// its output logged if the test failed.
func fedStart(tb testing.TB, script string, env []string, args ...string) string {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, "node", append([]string{filepath.Join(fedDir, script)}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	stdout := &fedLines{url: make(chan string, 1)}
	stderr := &fedLines{}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Start(); err != nil {
		cancel()
		tb.Fatalf("start %s: %v", script, err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	tb.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			tb.Errorf("%s did not stop within 15s", script)
		}
		if tb.Failed() {
			tb.Logf("%s stdout:\n%s\n%s stderr:\n%s", script, stdout, script, stderr)
		}
	})
	select {
	case u := <-stdout.url:
		return strings.TrimSuffix(u, "/")
	case err := <-done:
		tb.Fatalf("%s exited before listening: %v\nstdout:\n%s\nstderr:\n%s", script, err, stdout, stderr)
	case <-time.After(60 * time.Second):
		tb.Fatalf("%s printed no URL within 60s\nstdout:\n%s\nstderr:\n%s", script, stdout, stderr)
	}
	return ""
}

// fedCompose runs compose.mjs against the profilegraph at graphqlURL plus extra
// name=path subgraphs and returns its exit code, its JSON summary and its stderr.
func fedCompose(tb testing.TB, graphqlURL string, extra ...string) (int, fedComposeSummary, string) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", append([]string{filepath.Join(fedDir, "compose.mjs"), graphqlURL}, extra...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	var exitErr *exec.ExitError
	switch {
	case errors.As(err, &exitErr):
		code = exitErr.ExitCode()
	case err != nil:
		tb.Fatalf("run compose.mjs: %v\n%s", err, stderr.String())
	}
	var sum fedComposeSummary
	if err := json.Unmarshal(stdout.Bytes(), &sum); err != nil {
		tb.Fatalf("compose.mjs (exit %d) printed no JSON summary: %v\nstdout:\n%s\nstderr:\n%s", code, err, stdout.String(), stderr.String())
	}
	return code, sum, stderr.String()
}

// fedComposeSummary is what compose.mjs prints.
type fedComposeSummary struct {
	Subgraphs []string `json:"subgraphs"`
	Errors    []struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"errors"`
	Hints []struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"hints"`
	SupergraphSDL string `json:"supergraphSdl"`
	// Guild is the result of The Guild's @theguild/federation-composition.
	Guild struct {
		Errors []struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"errors"`
		SupergraphSDL string `json:"supergraphSdl"`
	} `json:"guild"`
}

func TestFederationComposition(t *testing.T) {
	t.Parallel()
	fedSetup(t)
	s := startServer(t, nil)

	t.Run("profilegraph composes with a subgraph referencing Person and AppAccount", func(t *testing.T) {
		code, sum, stderr := fedCompose(t, s.URL+"/graphql")
		if code != 0 || len(sum.Errors) != 0 {
			t.Fatalf("compose exit %d, errors %+v\n%s", code, sum.Errors, stderr)
		}
		if want := []string{"profilegraph", "reviews"}; !slices.Equal(sum.Subgraphs, want) {
			t.Errorf("subgraphs = %v, want %v", sum.Subgraphs, want)
		}
		for _, want := range []string{
			`@link(url: "https://specs.apollo.dev/join/v0.`,
			`type Person`,
			`@join__type(graph: PROFILEGRAPH, key: "id")`,
			`@join__type(graph: REVIEWS, key: "id")`,
			`@join__type(graph: PROFILEGRAPH, key: "app appUserId")`,
			`@join__type(graph: REVIEWS, key: "app appUserId", resolvable: false)`,
			`reviewCount: Int! @join__field(graph: REVIEWS)`,
			`profile: Profile! @join__field(graph: PROFILEGRAPH)`,
		} {
			if !strings.Contains(sum.SupergraphSDL, want) {
				t.Errorf("supergraph lacks %q:\n%s", want, sum.SupergraphSDL)
			}
		}
		for _, h := range sum.Hints {
			t.Logf("composition hint %s: %s", h.Code, h.Message)
		}
	})

	t.Run("both composers keep the access and demand-control rules for the router", func(t *testing.T) {
		code, sum, stderr := fedCompose(t, s.URL+"/graphql")
		if code != 0 || len(sum.Errors) != 0 || len(sum.Guild.Errors) != 0 {
			t.Fatalf("compose exit %d, apollo errors %+v, guild errors %+v\n%s", code, sum.Errors, sum.Guild.Errors, stderr)
		}
		for composer, sdl := range map[string]string{"apollo": sum.SupergraphSDL, "guild": sum.Guild.SupergraphSDL} {
			for _, want := range []string{
				`https://specs.apollo.dev/authenticated/v0.1`,
				`https://specs.apollo.dev/requiresScopes/v0.1`,
				`https://specs.apollo.dev/cost/v0.1`,
				`viewer: Person @join__field(graph: PROFILEGRAPH) @authenticated`,
				`@requiresScopes(scopes: [["accounts:write"]])`,
				`slicingArguments: ["first"]`,
				`sizedFields: ["edges"]`,
				`profile: Profile! @join__field(graph: PROFILEGRAPH) @cost(weight: 5)`,
			} {
				if !strings.Contains(sdl, want) {
					t.Errorf("%s supergraph lacks %q", composer, want)
				}
			}
			// The composers order @listSize's arguments differently: look at the line.
			sized := false
			for _, line := range strings.Split(sdl, "\n") {
				if strings.Contains(line, "accounts: [AppAccount!]") {
					sized = strings.Contains(line, "@listSize(") && strings.Contains(line, "assumedSize: 5")
				}
			}
			if !sized {
				t.Errorf("%s supergraph: Person.accounts is not sized 5 by @listSize", composer)
			}
			if n, want := strings.Count(sdl, `@requiresScopes(scopes: [["accounts:write"]])`), presentServiceMutations(); n != want {
				t.Errorf("%s supergraph has %d service-scope rules, want %d (one per service mutation of the schema)", composer, n, want)
			}
			if t.Failed() {
				t.Logf("%s supergraph:\n%s", composer, sdl)
			}
		}
	})

	t.Run("a conflicting subgraph makes composition fail", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "conflict.graphql")
		sdl := `extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
type Person @key(fields: "id") { id: ID! profile: String }
type Query { somebody: Person }
`
		if err := os.WriteFile(path, []byte(sdl), 0o600); err != nil {
			t.Fatal(err)
		}
		code, sum, _ := fedCompose(t, s.URL+"/graphql", "conflict="+path)
		if code != 1 || len(sum.Errors) == 0 {
			t.Fatalf("compose exit %d with errors %+v, want exit 1 with errors", code, sum.Errors)
		}
		if sum.SupergraphSDL != "" {
			t.Errorf("failed composition still printed a supergraph")
		}
	})
}

// fedFixture is the data set of the gateway test: three persons with two linked
// accounts each, and four reviews in the reviews subgraph.
type fedFixture struct {
	alice, bob, carol string // person ids
}

// fedSeed creates, through profilegraph's own API:
//   - Alice: FACEBOOK alice-fb ("Alice Facebook", phone) + INSTAGRAM alice-ig ("Alice
//     Instagram"), consent INSTAGRAM→FACEBOOK PROFILE;
//   - Bob: INSTAGRAM bob-ig ("Bob Instagram", phone) + FACEBOOK bob-fb (no display
//     name), consent INSTAGRAM→FACEBOOK PROFILE;
//   - Carol: INSTAGRAM carol-ig ("Carol Instagram", phone) + THREADS carol-th, no consent.
func fedSeed(tb testing.TB, s *testServer) fedFixture {
	tb.Helper()
	for _, a := range []struct {
		app profile.App
		in  map[string]any
	}{
		{profile.AppFacebook, map[string]any{"appUserId": "alice-fb", "username": "alice_fb", "displayName": "Alice Facebook", "phoneNumber": "+14155550101"}},
		{profile.AppInstagram, map[string]any{"appUserId": "alice-ig", "username": "alice_ig", "displayName": "Alice Instagram"}},
		{profile.AppInstagram, map[string]any{"appUserId": "bob-ig", "username": "bob_ig", "displayName": "Bob Instagram", "phoneNumber": "+14155550102"}},
		{profile.AppFacebook, map[string]any{"appUserId": "bob-fb", "username": "bob_fb"}},
		{profile.AppInstagram, map[string]any{"appUserId": "carol-ig", "username": "carol_ig", "displayName": "Carol Instagram", "phoneNumber": "+14155550103"}},
		{profile.AppThreads, map[string]any{"appUserId": "carol-th", "username": "carol_th"}},
	} {
		s.upsert(tb, a.app, a.in)
	}
	linked := func(app profile.App, sub string, proofApp profile.App, proofSub string) string {
		r := mustOK(tb, s.link(tb, app, sub, proofApp, proofSub))
		id, _ := r.Get("linkAccount.id").(string)
		if id == "" {
			tb.Fatalf("linkAccount returned no person id: %s", r.Raw)
		}
		return id
	}
	f := fedFixture{
		alice: linked(profile.AppFacebook, "alice-fb", profile.AppInstagram, "alice-ig"),
		bob:   linked(profile.AppFacebook, "bob-fb", profile.AppInstagram, "bob-ig"),
		carol: linked(profile.AppInstagram, "carol-ig", profile.AppThreads, "carol-th"),
	}
	for _, sub := range []string{"alice-fb", "bob-fb"} {
		mustOK(tb, s.query(tb, userToken(tb, profile.AppFacebook, sub),
			`mutation($in: ConsentInput!) { grantConsent(input: $in) { grantedAt } }`,
			map[string]any{"in": map[string]any{"sourceApp": "INSTAGRAM", "targetApp": "FACEBOOK", "category": "PROFILE"}}))
	}
	return f
}

// reviewsData is the REVIEWS_DATA of the reviews subgraph for f.
func (f fedFixture) reviewsData(tb testing.TB) string {
	tb.Helper()
	review := func(id, body, author, app, appUserID string) map[string]any {
		return map[string]any{"id": id, "body": body, "authorId": author, "account": map[string]any{"app": app, "appUserId": appUserID}}
	}
	raw, err := json.Marshal(map[string]any{"reviews": []any{
		review("r1", "Alice on Facebook", f.alice, "FACEBOOK", "alice-fb"),
		review("r2", "Bob on Instagram", f.bob, "INSTAGRAM", "bob-ig"),
		review("r3", "Carol on Instagram", f.carol, "INSTAGRAM", "carol-ig"),
		review("r4", "Alice on Instagram", f.alice, "INSTAGRAM", "alice-ig"),
	}})
	if err != nil {
		tb.Fatal(err)
	}
	return string(raw)
}

// fedResult is a GraphQL response with its extensions.
type fedResult struct {
	*gqlResponse
	Extensions struct {
		FTV1          *string           `json:"ftv1"`
		SubgraphCalls []fedSubgraphCall `json:"subgraphCalls"`
	}
}

// fedSubgraphCall is one subgraph fetch as gateway.mjs reports it.
type fedSubgraphCall struct {
	Subgraph        string   `json:"subgraph"`
	Status          int      `json:"status"`
	FTV1Bytes       int      `json:"ftv1Bytes"`
	FTV1Valid       bool     `json:"ftv1Valid"`
	TraceRootFields []string `json:"traceRootFields"`
}

// fedPost posts query to base+"/graphql" (profilegraph or the gateway, which serves any
// path) with token and headers.
func fedPost(tb testing.TB, base, token, query string, vars map[string]any, headers map[string]string) *fedResult {
	tb.Helper()
	r := (&testServer{URL: base}).do(tb, token, map[string]any{"query": query, "variables": vars}, headers)
	out := &fedResult{gqlResponse: r}
	var ext struct {
		Extensions json.RawMessage `json:"extensions"`
	}
	if err := json.Unmarshal([]byte(r.Raw), &ext); err != nil {
		tb.Fatalf("decode extensions: %v", err)
	}
	if len(ext.Extensions) > 0 {
		if err := json.Unmarshal(ext.Extensions, &out.Extensions); err != nil {
			tb.Fatalf("decode extensions: %v\n%s", err, r.Raw)
		}
	}
	return out
}

// fedWantJSON fails unless got marshals to the same JSON as want.
func fedWantJSON(tb testing.TB, what string, got any, want string) {
	tb.Helper()
	var w any
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		tb.Fatalf("bad want JSON: %v", err)
	}
	g, _ := json.Marshal(got)
	wb, _ := json.Marshal(w)
	if !bytes.Equal(g, wb) {
		tb.Errorf("%s =\n%s\nwant\n%s", what, g, wb)
	}
}

func TestFederationGateway(t *testing.T) {
	t.Parallel()
	fedSetup(t)
	s := startServer(t, nil)
	f := fedSeed(t, s)
	reviewsURL := fedStart(t, "reviews-subgraph.mjs", []string{"REVIEWS_DATA=" + f.reviewsData(t), "REVIEWS_PORT=0"})
	gw := fedStart(t, "gateway.mjs", []string{"GATEWAY_PORT=0"},
		"profilegraph="+s.URL+"/graphql", "reviews="+reviewsURL+"/graphql")

	aliceFB := userToken(t, profile.AppFacebook, "alice-fb")
	bobIG := userToken(t, profile.AppInstagram, "bob-ig")

	t.Run("a query across both subgraphs returns each subgraph's data under consent", func(t *testing.T) {
		r := fedPost(t, gw, aliceFB, `{ reviews {
			id body
			author { id reviewCount profile { displayName } }
			account { app appUserId username displayName }
		} }`, nil, nil)
		mustOK(t, r.gqlResponse)
		// Bob's name comes from Instagram under his INSTAGRAM→FACEBOOK consent; Carol
		// gave none, so her values are absent without an error.
		fedWantJSON(t, "reviews", r.Data["reviews"], fmt.Sprintf(`[
			{"id":"r1","body":"Alice on Facebook","author":{"id":%q,"reviewCount":2,"profile":{"displayName":"Alice Facebook"}},
			 "account":{"app":"FACEBOOK","appUserId":"alice-fb","username":"alice_fb","displayName":"Alice Facebook"}},
			{"id":"r2","body":"Bob on Instagram","author":{"id":%q,"reviewCount":1,"profile":{"displayName":"Bob Instagram"}},
			 "account":{"app":"INSTAGRAM","appUserId":"bob-ig","username":"bob_ig","displayName":"Bob Instagram"}},
			{"id":"r3","body":"Carol on Instagram","author":{"id":%q,"reviewCount":1,"profile":{"displayName":null}},
			 "account":{"app":"INSTAGRAM","appUserId":"carol-ig","username":null,"displayName":null}},
			{"id":"r4","body":"Alice on Instagram","author":{"id":%q,"reviewCount":2,"profile":{"displayName":"Alice Facebook"}},
			 "account":{"app":"INSTAGRAM","appUserId":"alice-ig","username":"alice_ig","displayName":"Alice Instagram"}}
		]`, f.alice, f.bob, f.carol, f.alice))
	})

	t.Run("profilegraph root fields are joined with reviews fields", func(t *testing.T) {
		r := fedPost(t, gw, aliceFB, `query($bob: ID!) {
			viewer { id reviewCount }
			person(id: $bob) { id reviewCount profile { displayName } }
			appAccount(app: INSTAGRAM, appUserId: "carol-ig") { appUserId person { id } }
		}`, map[string]any{"bob": f.bob}, nil)
		fedWantJSON(t, "data", r.Data, fmt.Sprintf(`{
			"viewer":{"id":%q,"reviewCount":2},
			"person":{"id":%q,"reviewCount":1,"profile":{"displayName":"Bob Instagram"}},
			"appAccount":{"appUserId":"carol-ig","person":null}
		}`, f.alice, f.bob))
		// AppAccount.person is owner only.
		if e := r.ErrorAt("appAccount.person"); e == nil || e.Code() != string(profile.Forbidden) {
			t.Errorf("appAccount.person error = %+v, want FORBIDDEN\n%s", e, r.Raw)
		}
		if len(r.Errors) != 1 {
			t.Errorf("want exactly one error, got %s", r.Raw)
		}
	})

	t.Run("a non-consented value stays hidden and contact data is forbidden to others", func(t *testing.T) {
		r := fedPost(t, gw, aliceFB, `{ reviews { id author { profile { displayName phoneNumber } } } }`, nil, nil)
		fedWantJSON(t, "reviews", r.Data["reviews"], `[
			{"id":"r1","author":{"profile":{"displayName":"Alice Facebook","phoneNumber":"+14155550101"}}},
			{"id":"r2","author":{"profile":{"displayName":"Bob Instagram","phoneNumber":null}}},
			{"id":"r3","author":{"profile":{"displayName":null,"phoneNumber":null}}},
			{"id":"r4","author":{"profile":{"displayName":"Alice Facebook","phoneNumber":"+14155550101"}}}
		]`)
		for _, i := range []int{1, 2} {
			path := fmt.Sprintf("reviews.%d.author.profile.phoneNumber", i)
			if e := r.ErrorAt(path); e == nil || e.Code() != string(profile.Forbidden) {
				t.Errorf("error at %s = %+v, want FORBIDDEN\n%s", path, e, r.Raw)
			}
		}
		if len(r.Errors) != 2 {
			t.Errorf("want exactly the two FORBIDDEN errors (Carol's hidden name has none), got %s", r.Raw)
		}
	})

	t.Run("owner-only fields are forbidden to others and visible to the owner", func(t *testing.T) {
		const q = `{ reviews { id author { id accounts { app appUserId } } } }`
		for _, tc := range []struct {
			name      string
			token     string
			own       []int // review indexes whose author is the viewer
			forbidden []int
			accounts  string // the viewer's accounts
		}{
			{"alice", aliceFB, []int{0, 3}, []int{1, 2}, `[{"app":"FACEBOOK","appUserId":"alice-fb"},{"app":"INSTAGRAM","appUserId":"alice-ig"}]`},
			{"bob", bobIG, []int{1}, []int{0, 2, 3}, `[{"app":"FACEBOOK","appUserId":"bob-fb"},{"app":"INSTAGRAM","appUserId":"bob-ig"}]`},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := fedPost(t, gw, tc.token, q, nil, nil)
				for _, i := range tc.own {
					accs, _ := r.Get(fmt.Sprintf("reviews.%d.author.accounts", i)).([]any)
					slices.SortFunc(accs, func(a, b any) int {
						return strings.Compare(fmt.Sprint(a.(map[string]any)["app"]), fmt.Sprint(b.(map[string]any)["app"]))
					})
					fedWantJSON(t, fmt.Sprintf("reviews.%d.author.accounts", i), accs, tc.accounts)
				}
				for _, i := range tc.forbidden {
					path := fmt.Sprintf("reviews.%d.author.accounts", i)
					if got := r.Get(path); got != nil {
						t.Errorf("%s = %v, want null", path, got)
					}
					if e := r.ErrorAt(path); e == nil || e.Code() != string(profile.Forbidden) {
						t.Errorf("error at %s = %+v, want FORBIDDEN\n%s", path, e, r.Raw)
					}
					if id := r.Get(fmt.Sprintf("reviews.%d.author.id", i)); id == nil {
						t.Errorf("reviews.%d.author.id is null: the rest of the person must resolve", i)
					}
				}
				if want := len(tc.forbidden); len(r.Errors) != want {
					t.Errorf("want %d errors, got %s", want, r.Raw)
				}
			})
		}
	})

	t.Run("without a token profilegraph refuses the gateway's fetch", func(t *testing.T) {
		r := fedPost(t, gw, "", `{ reviews { id author { profile { displayName } } } }`, nil, nil)
		// The gateway turns profilegraph's HTTP 401 into an UNAUTHENTICATED error.
		if len(r.Errors) != 1 || r.Errors[0].Code() != string(profile.Unauthenticated) {
			t.Fatalf("want one UNAUTHENTICATED error, got %s", r.Raw)
		}
		if status, _ := r.Errors[0].Extensions["response"].(map[string]any)["status"].(float64); status != 401 {
			t.Errorf("subgraph response status = %v, want 401: %s", status, r.Raw)
		}
		if strings.Contains(r.Raw, "Alice Facebook") || strings.Contains(r.Raw, "Bob Instagram") {
			t.Errorf("profile data leaked without a token: %s", r.Raw)
		}
	})

	t.Run("profilegraph returns an ftv1 trace when asked directly", func(t *testing.T) {
		const q = `{ viewer { id profile { displayName } } }`
		r := fedPost(t, s.URL, aliceFB, q, nil, map[string]string{"apollo-federation-include-trace": "ftv1"})
		mustOK(t, r.gqlResponse)
		if r.Extensions.FTV1 == nil || *r.Extensions.FTV1 == "" {
			t.Fatalf("no extensions.ftv1: %s", r.Raw)
		}
		trace, err := base64.StdEncoding.DecodeString(*r.Extensions.FTV1)
		if err != nil || len(trace) == 0 {
			t.Errorf("extensions.ftv1 is not non-empty base64: %v", err)
		}
		plain := fedPost(t, s.URL, aliceFB, q, nil, nil)
		if plain.Extensions.FTV1 != nil {
			t.Errorf("ftv1 returned without the header: %s", plain.Raw)
		}
	})

	t.Run("the gateway receives profilegraph's ftv1 trace for entity fetches", func(t *testing.T) {
		const q = `{ reviews { id author { profile { displayName } } } }`
		r := fedPost(t, gw, aliceFB, q, nil, map[string]string{"apollo-federation-include-trace": "ftv1"})
		mustOK(t, r.gqlResponse)
		var pg *fedSubgraphCall
		for i, c := range r.Extensions.SubgraphCalls {
			if !c.FTV1Valid {
				t.Errorf("%s returned an ftv1 that does not decode as a trace", c.Subgraph)
			}
			if c.Subgraph == "profilegraph" {
				pg = &r.Extensions.SubgraphCalls[i]
			}
		}
		if pg == nil {
			t.Fatalf("the gateway made no profilegraph fetch: %s", r.Raw)
		}
		if pg.FTV1Bytes == 0 || !slices.Contains(pg.TraceRootFields, "_entities") {
			t.Errorf("profilegraph fetch = %+v, want a decoded ftv1 trace with root field _entities", *pg)
		}

		plain := fedPost(t, gw, aliceFB, q, nil, nil)
		mustOK(t, plain.gqlResponse)
		for _, c := range plain.Extensions.SubgraphCalls {
			if c.Subgraph == "profilegraph" && c.FTV1Bytes != 0 {
				t.Errorf("profilegraph traced a request that did not ask for it: %+v", c)
			}
		}
		if len(plain.Extensions.SubgraphCalls) == 0 {
			t.Errorf("gateway reported no subgraph calls: %s", plain.Raw)
		}
	})
}
