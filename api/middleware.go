package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"sync/atomic"
	"time"

	"github.com/profilegraph/profilegraph/auth"
	"github.com/profilegraph/profilegraph/profile"
)

type requestIDKey struct{}

// requestIDFrom returns the request id of ctx, or "".
func requestIDFrom(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

var validRequestID = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// withRequestID gives every request an id: the caller's X-Request-Id when it is sane,
// else a random one. It is echoed in the response and put on every log line.
func withRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-Id")
		if !validRequestID.MatchString(id) {
			var b [8]byte
			_, _ = rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		w.Header().Set("X-Request-Id", id)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), requestIDKey{}, id)))
	})
}

// requestIDHandler is a slog.Handler that adds the request id of the record's context.
type requestIDHandler struct{ slog.Handler }

func (h requestIDHandler) Handle(ctx context.Context, r slog.Record) error {
	if id := requestIDFrom(ctx); id != "" {
		r.AddAttrs(slog.String("request_id", id))
	}
	return h.Handler.Handle(ctx, r)
}

func (h requestIDHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return requestIDHandler{h.Handler.WithAttrs(as)}
}

func (h requestIDHandler) WithGroup(name string) slog.Handler {
	return requestIDHandler{h.Handler.WithGroup(name)}
}

// statusWriter records the status and lets the GraphQL layer force 401 for a request
// refused for want of a token.
type statusWriter struct {
	http.ResponseWriter
	status      int
	unauthentic atomic.Bool
	canceled    atomic.Bool
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status != 0 {
		return
	}
	if w.unauthentic.Load() {
		code = http.StatusUnauthorized
		w.Header().Set("WWW-Authenticate", "Bearer")
	}
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

type statusWriterKey struct{}

// markUnauthenticated makes the request's response status 401.
func markUnauthenticated(ctx context.Context) {
	if w, ok := ctx.Value(statusWriterKey{}).(*statusWriter); ok {
		w.unauthentic.Store(true)
	}
}

// markCanceled notes that the request's client went away, for the access log.
func markCanceled(ctx context.Context) {
	if w, ok := ctx.Value(statusWriterKey{}).(*statusWriter); ok {
		w.canceled.Store(true)
	}
}

// withAccessLog logs one line per request with its method, path (never the query
// string or body), status and duration. A request whose client went away is noted on
// that line (canceled=true), once, at INFO: it is neither the server's fault nor worth
// one line per field.
func withAccessLog(logger *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r.WithContext(context.WithValue(r.Context(), statusWriterKey{}, sw)))
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		attrs := []slog.Attr{
			slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.Int("status", sw.status), slog.Duration("duration", time.Since(start)),
		}
		if sw.canceled.Load() || r.Context().Err() != nil {
			attrs = append(attrs, slog.Bool("canceled", true))
		}
		logger.LogAttrs(r.Context(), slog.LevelInfo, "request", attrs...)
	})
}

// withNoStore marks every response as private and not to be stored (SPEC §7): a gateway,
// CDN or browser must not keep consent-gated data past a revoke. It is set before
// anything else runs, so refusals (401, 413, 415) carry it too.
func withNoStore(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "private, no-store")
		next.ServeHTTP(w, r)
	})
}

// withBodyLimit refuses request bodies over limit bytes with 413 before GraphQL sees
// them.
func withBodyLimit(limit int64, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > limit {
			writeJSONError(w, http.StatusRequestEntityTooLarge, string(profile.BadRequest), "request body is larger than 1 MiB")
			return
		}
		if r.Body != nil && r.Body != http.NoBody {
			body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
			if err != nil {
				writeJSONError(w, http.StatusBadRequest, string(profile.BadRequest), "could not read request body")
				return
			}
			if int64(len(body)) > limit {
				writeJSONError(w, http.StatusRequestEntityTooLarge, string(profile.BadRequest), "request body is larger than 1 MiB")
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		next.ServeHTTP(w, r)
	})
}

// writeJSONError writes a GraphQL-shaped error response.
func writeJSONError(w http.ResponseWriter, status int, code, message string) {
	if status == http.StatusUnauthorized {
		auth.WriteUnauthenticated(w, message)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, `{"errors":[{"message":`+jsonString(message)+`,"extensions":{"code":`+jsonString(code)+`}}]}`)
}
