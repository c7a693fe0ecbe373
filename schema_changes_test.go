package main

// The breaking-change check (tools/schema-check/check.mjs, `make schema-check`): run on
// throw-away git repositories, it passes additions, fails a break of the published SDL,
// and fails a commit that publishes a break without a changelog line.

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const schemaCheckDir = "tools/schema-check"

// schemaCheckNode holds the pinned packages of tools/schema-check.
var schemaCheckNode = &nodeProject{dir: schemaCheckDir, marker: "@graphql-inspector/core"}

// schemaRepo is a git repository holding schema.graphqls, the published copy and the
// changelog.
type schemaRepo struct {
	tb  testing.TB
	dir string
}

func newSchemaRepo(tb testing.TB, sdl string) *schemaRepo {
	tb.Helper()
	r := &schemaRepo{tb: tb, dir: tb.TempDir()}
	r.git("init", "-q")
	r.write("schema.graphqls", sdl)
	r.write("schema/published.graphqls", sdl)
	r.write("schema/CHANGELOG.md", "# Schema changelog\n")
	r.commit("first")
	return r
}

func (r *schemaRepo) git(args ...string) {
	r.tb.Helper()
	cmd := exec.Command("git", append([]string{"-C", r.dir, "-c", "user.name=t", "-c", "user.email=t@example.com"}, args...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		r.tb.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

func (r *schemaRepo) write(name, content string) {
	r.tb.Helper()
	p := filepath.Join(r.dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		r.tb.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		r.tb.Fatal(err)
	}
}

func (r *schemaRepo) commit(msg string) {
	r.tb.Helper()
	r.git("add", "-A")
	r.git("commit", "-q", "-m", msg)
}

// check runs the schema check on the repository and returns its exit code and output.
func (r *schemaRepo) check() (int, string) {
	r.tb.Helper()
	cmd := exec.Command("node", filepath.Join(schemaCheckDir, "check.mjs"), r.dir)
	out, err := cmd.CombinedOutput()
	if exitErr, ok := err.(*exec.ExitError); ok {
		return exitErr.ExitCode(), string(out)
	} else if err != nil {
		r.tb.Fatalf("run check.mjs: %v", err)
	}
	return 0, string(out)
}

func TestSchemaBreakingChangeCheck(t *testing.T) {
	t.Parallel()
	schemaCheckNode.setup(t)
	const base = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@authenticated"])
"A person."
type Person @key(fields: "id") { "Id." id: ID! "Name." name: String }
"Root."
type Query { "Viewer." viewer: Person @authenticated "Old." legacy: String }
`
	t.Run("the repository's own schema does not break its published copy", func(t *testing.T) {
		out, err := exec.Command("node", filepath.Join(schemaCheckDir, "check.mjs"), ".").CombinedOutput()
		if err != nil {
			t.Fatalf("schema check of this repository: %v\n%s", err, out)
		}
	})
	t.Run("an addition passes", func(t *testing.T) {
		r := newSchemaRepo(t, base)
		r.write("schema.graphqls", strings.Replace(base, `"Old." legacy: String`, `"Old." legacy: String "New." devices: [String!]`, 1))
		r.commit("add a field")
		if code, out := r.check(); code != 0 {
			t.Errorf("exit %d, want 0:\n%s", code, out)
		}
	})
	broken := strings.Replace(base, ` "Old." legacy: String`, "", 1)
	t.Run("a removed field fails against the published copy", func(t *testing.T) {
		r := newSchemaRepo(t, base)
		r.write("schema.graphqls", broken)
		r.commit("remove legacy")
		code, out := r.check()
		if code != 1 || !strings.Contains(out, "BREAKING") || !strings.Contains(out, "legacy") {
			t.Errorf("exit %d, want 1 naming the removed field:\n%s", code, out)
		}
	})
	t.Run("publishing the break without a changelog line fails", func(t *testing.T) {
		r := newSchemaRepo(t, base)
		r.write("schema.graphqls", broken)
		r.write("schema/published.graphqls", broken)
		r.commit("remove legacy and publish")
		code, out := r.check()
		if code != 1 || !strings.Contains(out, "without a line in schema/CHANGELOG.md") {
			t.Errorf("exit %d, want 1 asking for a changelog line:\n%s", code, out)
		}
	})
	t.Run("publishing the break with a changelog line in the same commit passes", func(t *testing.T) {
		r := newSchemaRepo(t, base)
		r.write("schema.graphqls", broken)
		r.write("schema/published.graphqls", broken)
		r.write("schema/CHANGELOG.md", "# Schema changelog\n- Query.legacy removed: nobody used it.\n")
		r.commit("remove legacy, publish, changelog")
		if code, out := r.check(); code != 0 {
			t.Errorf("exit %d, want 0:\n%s", code, out)
		}
	})
}
