package api

import (
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"sync/atomic"
	"time"

	"github.com/profilegraph/profilegraph/profile"
)

type requestIDKey struct{}

// requestIDFrom returns the request id of ctx, or "".
func requestIDFrom(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

var validRequestID = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// RequestID gives every request an id: the caller's X-Request-Id when it is sane,
// else a random one. It is echoed in the response and put on every log line.
func RequestID(next http.Handler) http.Handler {
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

// NewLogHandler returns a slog.Handler that adds the request id of the record's context
// (RequestID) to what h logs.
func NewLogHandler(h slog.Handler) slog.Handler { return requestIDHandler{h} }

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

// statusWriter records the status a handler answered (for the access log, the route
// metrics and the server span; one per request, see recordStatus) and, for the access
// log, whether the request's client went away.
type statusWriter struct {
	http.ResponseWriter
	status   int
	canceled atomic.Bool
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status != 0 {
		return
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

// Unwrap lets http.ResponseController reach the connection.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// code is the status answered: 200 when the handler wrote no header.
func (w *statusWriter) code() int { return cmp.Or(w.status, http.StatusOK) }

// recordStatus returns the statusWriter of w: w itself when a layer outside already
// records the status (AccessLog around Metrics.Route around the tracing middleware), so
// a request has one whatever number of layers read its status; else a new one around w.
func recordStatus(w http.ResponseWriter) *statusWriter {
	if sw, ok := w.(*statusWriter); ok {
		return sw
	}
	return &statusWriter{ResponseWriter: w}
}

type statusWriterKey struct{}

// markCanceled notes that the request's client went away, for the access log.
func markCanceled(ctx context.Context) {
	if w, ok := ctx.Value(statusWriterKey{}).(*statusWriter); ok {
		w.canceled.Store(true)
	}
}

// AccessLog logs one line per request with its method, path (never the query
// string or body), status and duration. A request whose client went away is noted on
// that line (canceled=true), once, at INFO: it is neither the server's fault nor worth
// one line per field.
func AccessLog(logger *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := recordStatus(w)
		next.ServeHTTP(sw, r.WithContext(context.WithValue(r.Context(), statusWriterKey{}, sw)))
		attrs := []slog.Attr{
			slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.Int("status", sw.code()), slog.Duration("duration", time.Since(start)),
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
// them (http.MaxBytesReader: the transport reads the body whole).
func withBodyLimit(limit int64, next http.Handler) http.Handler {
	tooLarge := fmt.Sprintf("request body is larger than %s", byteSize(limit))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > limit {
			writeError(w, http.StatusRequestEntityTooLarge, profile.BadRequest, tooLarge)
			return
		}
		if r.Body != nil && r.Body != http.NoBody {
			body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
			var maxBytes *http.MaxBytesError
			switch {
			case errors.As(err, &maxBytes):
				writeError(w, http.StatusRequestEntityTooLarge, profile.BadRequest, tooLarge)
				return
			case err != nil:
				writeError(w, http.StatusBadRequest, profile.BadRequest, "could not read request body")
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		next.ServeHTTP(w, r)
	})
}

// byteSize writes n bytes as people read them: "1 MiB", "512 KiB", "1000 bytes".
func byteSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
