package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"
)

// Tracer counts database round trips: it calls its count function once per query, per
// batch (however many statements it holds) and per COPY. Install it as a pgx
// ConnConfig.Tracer, or let WithQueryCounter do so.
type Tracer struct {
	count func(ctx context.Context)
}

var (
	_ pgx.QueryTracer    = (*Tracer)(nil)
	_ pgx.BatchTracer    = (*Tracer)(nil)
	_ pgx.CopyFromTracer = (*Tracer)(nil)
)

// NewTracer returns a Tracer that calls count, with the context of the query, once per
// round trip. count must be safe for concurrent use.
func NewTracer(count func(ctx context.Context)) *Tracer { return &Tracer{count: count} }

// TraceQueryStart counts a query.
func (t *Tracer) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	t.count(ctx)
	return ctx
}

// TraceQueryEnd does nothing.
func (t *Tracer) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// TraceBatchStart counts a batch as one round trip.
func (t *Tracer) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	t.count(ctx)
	return ctx
}

// TraceBatchQuery does nothing: the batch was counted once.
func (t *Tracer) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) {}

// TraceBatchEnd does nothing.
func (t *Tracer) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData) {}

// TraceCopyFromStart counts a COPY FROM.
func (t *Tracer) TraceCopyFromStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceCopyFromStartData) context.Context {
	t.count(ctx)
	return ctx
}

// TraceCopyFromEnd does nothing.
func (t *Tracer) TraceCopyFromEnd(context.Context, *pgx.Conn, pgx.TraceCopyFromEndData) {}
