package tenantcontext

import (
	"context"
	"log/slog"
)

// Log attribute keys of a record's tenant.
const (
	LogTenantID = "tenant_id"
	LogTier     = "tier"
)

// logHandler stamps the tenant of a record's context on the record.
type logHandler struct{ inner slog.Handler }

// NewLogHandler wraps inner so that every record logged with a context
// carrying a tenant (slog's *Context methods) holds tenant_id and tier: a
// pooled service's logs are shared by every tenant, and per-tenant queries
// and cost attribution read these fields.
func NewLogHandler(inner slog.Handler) slog.Handler { return logHandler{inner: inner} }

func (h logHandler) Enabled(ctx context.Context, l slog.Level) bool { return h.inner.Enabled(ctx, l) }

func (h logHandler) Handle(ctx context.Context, r slog.Record) error {
	if t, ok := FromContext(ctx); ok {
		r = r.Clone()
		r.AddAttrs(slog.String(LogTenantID, t.ID), slog.String(LogTier, t.Tier))
	}
	return h.inner.Handle(ctx, r)
}

func (h logHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return logHandler{inner: h.inner.WithAttrs(as)}
}

func (h logHandler) WithGroup(name string) slog.Handler {
	return logHandler{inner: h.inner.WithGroup(name)}
}
