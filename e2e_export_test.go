package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/profilegraph/profilegraph/profile"
)

// exportSchema compiles export.schema.json, asserting formats (date-time, date).
func exportSchema(tb testing.TB) *jsonschema.Schema {
	tb.Helper()
	f, err := os.Open("export.schema.json")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		tb.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("export.schema.json", doc); err != nil {
		tb.Fatal(err)
	}
	sch, err := c.Compile("export.schema.json")
	if err != nil {
		tb.Fatal(err)
	}
	return sch
}

// getExport GETs /export with token ("" sends none) and returns the status, headers
// and body.
func (s *testServer) getExport(tb testing.TB, token string) (int, http.Header, []byte) {
	tb.Helper()
	req, err := http.NewRequest(http.MethodGet, s.URL+"/export", nil)
	if err != nil {
		tb.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return resp.StatusCode, resp.Header, body
}

func TestE2EExport(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	db := openDB(t, s)
	pid, owner := rightsWorld(t, s, "ex")
	// More events than one page of the store read.
	for range 3 {
		mustMutate(t, s, owner, `mutation { updateProfile(input: {bio: "a bio"}) { displayName } }`, nil)
	}
	sch := exportSchema(t)

	t.Run("the person's user token gets the whole document, valid against the schema", func(t *testing.T) {
		status, h, body := s.getExport(t, owner)
		if status != 200 {
			t.Fatalf("status %d: %s", status, body)
		}
		if ct := h.Get("Content-Type"); ct != "application/json" {
			t.Errorf("Content-Type %q", ct)
		}
		if cd := h.Get("Content-Disposition"); !strings.HasPrefix(cd, `attachment; filename="profilegraph-export-`) || !strings.HasSuffix(cd, `.json"`) {
			t.Errorf("Content-Disposition %q", cd)
		}
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
		if err != nil {
			t.Fatalf("not JSON: %v\n%s", err, body)
		}
		if err := sch.Validate(inst); err != nil {
			t.Fatalf("the export does not match export.schema.json: %v\n%s", err, body)
		}
		var doc struct {
			Person   struct{ ID string }
			Accounts []struct {
				App         string
				Email       *string
				PhoneNumber *string
				Bio         *string
				Devices     []struct{ ID string }
			}
			CrossPosts []struct{ ContentID string }
			Consents   []struct{ SourceApp, TargetApp string }
			Settings   struct{ CrossPosting []struct{ From, To string } }
			Activity   []struct {
				ID   string
				Type string
			}
		}
		if err := json.Unmarshal(body, &doc); err != nil {
			t.Fatal(err)
		}
		if doc.Person.ID != pid {
			t.Errorf("person %q, want %q", doc.Person.ID, pid)
		}
		if len(doc.Accounts) != 3 {
			t.Fatalf("%d accounts, want 3", len(doc.Accounts))
		}
		// The person's own data, whatever the consents: FACEBOOK's email, WHATSAPP's phone
		// (no CONTACT consent anywhere), INSTAGRAM's devices.
		byApp := map[string]int{}
		for i, a := range doc.Accounts {
			byApp[a.App] = i
		}
		if a := doc.Accounts[byApp["FACEBOOK"]]; a.Email == nil || *a.Email != "ex@fb.example.com" || a.Bio == nil {
			t.Errorf("FACEBOOK account: %+v", a)
		}
		if a := doc.Accounts[byApp["WHATSAPP"]]; a.PhoneNumber == nil || *a.PhoneNumber != "+442071838750" {
			t.Errorf("WHATSAPP account: %+v", a)
		}
		if a := doc.Accounts[byApp["INSTAGRAM"]]; len(a.Devices) != 1 || a.Devices[0].ID != "ig-phone" {
			t.Errorf("INSTAGRAM devices: %+v", a.Devices)
		}
		if len(doc.CrossPosts) != 1 || doc.CrossPosts[0].ContentID != "post-1" {
			t.Errorf("cross-posts: %+v", doc.CrossPosts)
		}
		if n := dbVal[int](t, db, `SELECT count(*) FROM consents WHERE person_id = $1`, pid); len(doc.Consents) != n || n == 0 {
			t.Errorf("%d consents, the database has %d", len(doc.Consents), n)
		}
		if len(doc.Settings.CrossPosting) != 1 {
			t.Errorf("settings: %+v", doc.Settings)
		}
		n := dbVal[int](t, db, `SELECT count(*) FROM activity WHERE person_id = $1`, pid)
		if len(doc.Activity) != n {
			t.Fatalf("%d events, the database has %d", len(doc.Activity), n)
		}
		if newest := dbVal[string](t, db, `SELECT max(seq)::text FROM activity WHERE person_id = $1`, pid); doc.Activity[0].ID != newest {
			t.Errorf("the first event is %s, want the newest %s", doc.Activity[0].ID, newest)
		}
	})

	t.Run("every other caller gets the statuses of GraphQL", func(t *testing.T) {
		for name, c := range map[string]struct {
			token  string
			status int
			code   string
		}{
			"no token":                 {"", 401, "UNAUTHENTICATED"},
			"a malformed token":        {"not-a-jwt", 401, "UNAUTHENTICATED"},
			"a service token":          {serviceToken(t, profile.AppFacebook), 403, "FORBIDDEN"},
			"an ads request":           {adsToken(t, profile.AppFacebook, "ex-fb"), 403, "FORBIDDEN"},
			"an account of no person":  {userToken(t, profile.AppFacebook, "ex-outsider"), 404, "NOT_FOUND"},
			"an account nobody pushed": {userToken(t, profile.AppThreads, "ex-nobody"), 404, "NOT_FOUND"},
		} {
			status, h, body := s.getExport(t, c.token)
			var resp gqlResponse
			if err := json.Unmarshal(body, &resp); err != nil || status != c.status || len(resp.Errors) != 1 || resp.Errors[0].Code() != c.code {
				t.Errorf("%s: status %d, body %s; want %d with one %s error", name, status, body, c.status, c.code)
			}
			if ct := h.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("%s: Content-Type %q", name, ct)
			}
			if h.Get("Content-Disposition") != "" {
				t.Errorf("%s: an error is an attachment", name)
			}
		}
	})

	t.Run("another person's export holds nothing of this person", func(t *testing.T) {
		other := s.mkPerson(t, account{App: profile.AppFacebook, UserID: "ex2-fb"}, account{App: profile.AppWhatsApp, UserID: "ex2-wa"})
		status, _, body := s.getExport(t, userToken(t, profile.AppWhatsApp, "ex2-wa"))
		if status != 200 || !strings.Contains(string(body), other) || strings.Contains(string(body), pid) || strings.Contains(string(body), "ex-fb") {
			t.Errorf("status %d: %s", status, body)
		}
	})

	t.Run("after the erasure there is nothing to export", func(t *testing.T) {
		mustMutate(t, s, owner, rightsErase, nil)
		if status, _, body := s.getExport(t, owner); status != 404 {
			t.Errorf("status %d: %s", status, body)
		}
	})
}
