package ceiling

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// The ceiling answers a recorded request with the recorded bytes, per viewer, and
// null for a key it did not record.
func TestHandlerReplaysRecordedShape(t *testing.T) {
	const query = `query($r:[_Any!]!){ _entities(representations:$r){ ... on Person { id profile { displayName username avatar { url } } } } }`
	body := `{"query":"` + strings.ReplaceAll(query, `"`, `\"`) + `","variables":{"r":[{"__typename":"Person","id":"p1"},{"__typename":"Person","id":"p2"}]}}`
	resp := `{"data":{"_entities":[{"id":"p1","profile":{"displayName":"Ann","username":null,"avatar":{"url":"https://a/1"}}},null]}}`
	acct := `{"query":"query($r:[_Any!]!){ _entities(representations:$r){ ... on AppAccount { username person { id } } } }","variables":{"r":[{"__typename":"AppAccount","app":"INSTAGRAM","appUserId":"s1-ig-1"}]}}`
	acctResp := `{"data":{"_entities":[{"username":"ann","person":{"id":"p1"}}]}}`
	h, err := NewHandler([]Recorded{
		{Auth: "Bearer a", Body: []byte(body), Response: []byte(resp)},
		{Auth: "Bearer a", Body: []byte(acct), Response: []byte(acctResp)},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ auth, body, want string }{
		{"Bearer a", body, resp},
		{"Bearer a", acct, acctResp},
		{"Bearer b", body, `{"data":{"_entities":[null,null]}}`}, // another viewer: nothing recorded
	} {
		req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(c.body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", c.auth)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		got, _ := io.ReadAll(rec.Body)
		if rec.Code != http.StatusOK || string(got) != c.want {
			t.Errorf("%s: HTTP %d %s\nwant %s", c.auth, rec.Code, got, c.want)
		}
	}
	if _, err := NewHandler([]Recorded{{Body: []byte(body), Response: []byte(`{"data":{"_entities":[]}}`)}}); err == nil {
		t.Error("NewHandler accepted a response with fewer entities than representations")
	}
}
