package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

// rawResponse is an HTTP answer of /graphql, undecoded.
type rawResponse struct {
	Status int
	Header http.Header
	Body   string
}

// send makes one HTTP request to the server and returns the answer; headers with an
// empty value are left out.
func (s *testServer) send(tb testing.TB, method, path string, headers map[string]string, body string) rawResponse {
	tb.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, s.URL+path, r)
	if err != nil {
		tb.Fatalf("new request: %v", err)
	}
	for k, v := range headers {
		if v != "" {
			req.Header.Set(k, v)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatalf("read response: %v", err)
	}
	return rawResponse{Status: resp.StatusCode, Header: resp.Header, Body: string(b)}
}

// doublingDocument is a document of about 1 KB whose n fragments each spread the next
// one twice: expanded, it has 2^n fields.
func doublingDocument(n int, root, on, leaf string) string {
	var b bytes.Buffer
	fmt.Fprintf(&b, "query Doubling { %s }\n", root)
	for i := range n {
		if i == n-1 {
			fmt.Fprintf(&b, "fragment F%d on %s { %s }\n", i, on, leaf)
			continue
		}
		fmt.Fprintf(&b, "fragment F%d on %s { ...F%d ...F%d }\n", i, on, i+1, i+1)
	}
	return b.String()
}
