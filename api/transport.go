package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/profilegraph/profilegraph/profile"
)

// Media types of GraphQL over HTTP.
const (
	mediaJSON            = "application/json"
	mediaGraphQLResponse = "application/graphql-response+json"
)

// httpTransport serves GraphQL over HTTP (GET and POST) as the GraphQL-over-HTTP
// specification says, MUST and SHOULD rules alike (SPEC §7):
//   - the response is application/graphql-response+json when the client accepts it,
//     else application/json (also for */* or no Accept), in UTF-8;
//   - a request the transport cannot take is refused with BAD_REQUEST and no data: 400
//     for an undecodable or empty body, a JSON array of operations, parameters of the
//     wrong type or a missing query; 415 for a content type other than
//     application/json; 405 for a mutation over GET or another method; 406 when the
//     client accepts neither media type;
//   - a request error (parse, validation, variable coercion, limits) has no data entry
//     and status 400 under application/graphql-response+json, 200 under
//     application/json, except the auth gate's refusal for want of a token: 401 with
//     WWW-Authenticate: Bearer.
//
// The body is never echoed or logged: error messages name the problem only.
type httpTransport struct{}

var _ graphql.Transport = httpTransport{}

func (httpTransport) Supports(r *http.Request) bool { return r.Method != http.MethodOptions }

// rawBody is the POST body, each parameter kept raw so its JSON type can be checked.
type rawBody struct {
	Query         json.RawMessage `json:"query"`
	OperationName json.RawMessage `json:"operationName"`
	Variables     json.RawMessage `json:"variables"`
	Extensions    json.RawMessage `json:"extensions"`
}

func (httpTransport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	media, ok := negotiate(r.Header.Values("Accept"))
	if !ok {
		writeRefusal(w, mediaJSON, http.StatusNotAcceptable, "the response can only be application/graphql-response+json or application/json")
		return
	}
	start := graphql.Now()
	var params *graphql.RawParams
	var refusal *transportRefusal
	switch {
	case r.Header.Get("Upgrade") != "":
		refusal = refuse(http.StatusBadRequest, "protocol upgrades (websockets) are not supported")
	case r.Method == http.MethodGet:
		params, refusal = getParams(r)
	case r.Method == http.MethodPost:
		params, refusal = postParams(r)
	default:
		w.Header().Set("Allow", "GET, POST, OPTIONS")
		refusal = refuse(http.StatusMethodNotAllowed, "use GET or POST")
	}
	if refusal != nil {
		writeRefusal(w, media, refusal.status, refusal.message)
		return
	}
	params.Headers = r.Header
	params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}

	ctx := r.Context()
	opCtx, errs := exec.CreateOperationContext(ctx, params)
	if errs != nil {
		resp := exec.DispatchError(graphql.WithOperationContext(ctx, opCtx), errs)
		status := http.StatusOK
		switch {
		case refusedForWantOfToken(errs):
			w.Header().Set("WWW-Authenticate", "Bearer")
			status = http.StatusUnauthorized
		case media == mediaGraphQLResponse:
			status = http.StatusBadRequest
		}
		writeResponse(w, media+"; charset=utf-8", status, resp, false)
		return
	}
	if r.Method == http.MethodGet && opCtx.Operation.Operation != ast.Query {
		w.Header().Set("Allow", "POST")
		writeRefusal(w, media, http.StatusMethodNotAllowed, "only queries may be sent with GET; send a "+string(opCtx.Operation.Operation)+" with POST")
		return
	}
	responses, ctx := exec.DispatchOperation(ctx, opCtx)
	resp := responses(ctx)
	if resp == nil { // the client went away
		resp = &graphql.Response{Errors: gqlerror.List{canceledError()}}
		writeResponse(w, media+"; charset=utf-8", http.StatusOK, resp, false)
		return
	}
	writeResponse(w, media+"; charset=utf-8", http.StatusOK, resp, true)
}

// refusedForWantOfToken reports whether the request errors hold the auth gate's
// refusal (UNAUTHENTICATED: no other request error has that code).
func refusedForWantOfToken(errs gqlerror.List) bool {
	for _, e := range errs {
		if e.Extensions["code"] == string(profile.Unauthenticated) {
			return true
		}
	}
	return false
}

type transportRefusal struct {
	status  int
	message string
}

func refuse(status int, message string) *transportRefusal {
	return &transportRefusal{status: status, message: message}
}

// negotiate picks the response media type from the Accept header values.
func negotiate(accept []string) (string, bool) {
	if len(accept) == 0 {
		return mediaJSON, true
	}
	wantJSON, wantAny := false, false
	for _, v := range accept {
		for _, part := range strings.Split(v, ",") {
			mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
			if err != nil {
				continue
			}
			if q, ok := params["q"]; ok {
				if f, err := strconv.ParseFloat(q, 64); err == nil && f == 0 {
					continue
				}
			}
			switch mt {
			case mediaGraphQLResponse:
				return mediaGraphQLResponse, true
			case mediaJSON:
				wantJSON = true
			case "*/*", "application/*":
				wantAny = true
			}
		}
	}
	if wantJSON || wantAny {
		return mediaJSON, true
	}
	return "", false
}

func getParams(r *http.Request) (*graphql.RawParams, *transportRefusal) {
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, refuse(http.StatusBadRequest, "the URL query string could not be decoded")
	}
	p := &graphql.RawParams{Query: q.Get("query"), OperationName: q.Get("operationName")}
	if v := q.Get("variables"); v != "" {
		if p.Variables, err = decodeObject([]byte(v)); err != nil {
			return nil, refuse(http.StatusBadRequest, "variables must be a JSON object")
		}
	}
	if v := q.Get("extensions"); v != "" {
		if p.Extensions, err = decodeObject([]byte(v)); err != nil {
			return nil, refuse(http.StatusBadRequest, "extensions must be a JSON object")
		}
	}
	if p.Query == "" && p.Extensions["persistedQuery"] == nil {
		return nil, refuse(http.StatusBadRequest, "the query parameter is missing")
	}
	return p, nil
}

func postParams(r *http.Request) (*graphql.RawParams, *transportRefusal) {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return nil, refuse(http.StatusUnsupportedMediaType, "Content-Type must be application/json")
	}
	mt, ctParams, err := mime.ParseMediaType(ct)
	if err != nil || mt != mediaJSON {
		return nil, refuse(http.StatusUnsupportedMediaType, "Content-Type must be application/json")
	}
	if cs, ok := ctParams["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return nil, refuse(http.StatusUnsupportedMediaType, "the request body must be UTF-8")
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, refuse(http.StatusBadRequest, "the request body could not be read")
	}
	return decodeBody(body)
}

// decodeBody reads a POST body: one JSON object with a string query (unless a
// persisted query is named), an optional string operationName and optional object
// variables and extensions.
func decodeBody(body []byte) (*graphql.RawParams, *transportRefusal) {
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	switch {
	case len(trimmed) == 0:
		return nil, refuse(http.StatusBadRequest, "the request body is empty")
	case trimmed[0] == '[':
		return nil, refuse(http.StatusBadRequest, "a JSON array of operations (batching) is not supported: send one operation per request")
	case trimmed[0] != '{':
		return nil, refuse(http.StatusBadRequest, "the request body must be a JSON object")
	}
	var raw rawBody
	if err := decodeStrict(trimmed, &raw); err != nil {
		return nil, refuse(http.StatusBadRequest, "the request body is not valid JSON")
	}
	p := &graphql.RawParams{}
	var err error
	if p.Query, err = optionalString(raw.Query); err != nil {
		return nil, refuse(http.StatusBadRequest, "query must be a string")
	}
	if p.OperationName, err = optionalString(raw.OperationName); err != nil {
		return nil, refuse(http.StatusBadRequest, "operationName must be a string")
	}
	if p.Variables, err = optionalObject(raw.Variables); err != nil {
		return nil, refuse(http.StatusBadRequest, "variables must be a JSON object")
	}
	if p.Extensions, err = optionalObject(raw.Extensions); err != nil {
		return nil, refuse(http.StatusBadRequest, "extensions must be a JSON object")
	}
	if p.Query == "" && p.Extensions["persistedQuery"] == nil {
		return nil, refuse(http.StatusBadRequest, "the query parameter is missing")
	}
	return p, nil
}

var errNotObject = errors.New("not a JSON object")

// decodeStrict decodes exactly one JSON value into v (numbers as json.Number), with
// nothing after it.
func decodeStrict(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("data after the JSON value")
	}
	return nil
}

func decodeObject(b []byte) (map[string]any, error) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] != '{' {
		return nil, errNotObject
	}
	var m map[string]any
	if err := decodeStrict(b, &m); err != nil {
		return nil, err
	}
	return m, nil
}

func optionalString(raw json.RawMessage) (string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	var s string
	if raw[0] != '"' {
		return "", errors.New("not a string")
	}
	err := json.Unmarshal(raw, &s)
	return s, err
}

func optionalObject(raw json.RawMessage) (map[string]any, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	return decodeObject(raw)
}

// writeRefusal answers a request the transport refuses, with one BAD_REQUEST error.
func writeRefusal(w http.ResponseWriter, media string, status int, message string) {
	writeResponse(w, media+"; charset=utf-8", status, &graphql.Response{Errors: gqlerror.List{codedError(profile.BadRequest, message)}}, false)
}

// requestCanceled reports whether ctx's client went away.
func requestCanceled(ctx context.Context) bool { return ctx.Err() != nil }
