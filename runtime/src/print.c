/*
 * print.c — PyTorch's tensor repr, reproduced exactly (torch/_tensor_str.py, 1.13):
 * precision 4, linewidth 80, summarisation above 1000 elements with 3 edge items.
 *
 * Key idea: one formatter pass over the (summarised) elements picks the mode —
 * integer-valued floats print as "1.", otherwise fixed "%.4f", or scientific "%.4e"
 * when the nonzero magnitudes span more than 1000x, exceed 1e8 or go below 1e-4 —
 * and the common width; then a recursive pass lays out rows exactly as Python does,
 * and the suffixes (dtype, grad_fn, requires_grad) wrap at the line width.
 */
#include "internal.h"

#include <math.h>
#include <stdlib.h>

#define LINEWIDTH 80
#define EDGEITEMS 3
#define THRESHOLD 1000

typedef struct Buf {
  char *data;
  size_t len, cap;
  bool oom;
} Buf;

static void buf_add(Buf *b, const char *s, size_t n) {
  if (b->oom)
    return;
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 256;
    while (b->len + n + 1 > cap)
      cap *= 2;
    char *d = realloc(b->data, cap);
    if (!d) {
      b->oom = true;
      return;
    }
    b->data = d;
    b->cap = cap;
  }
  memcpy(b->data + b->len, s, n);
  b->len += n;
  b->data[b->len] = '\0';
}

static void buf_str(Buf *b, const char *s) { buf_add(b, s, strlen(s)); }

static void buf_spaces(Buf *b, int n) {
  for (int i = 0; i < n; i++)
    buf_add(b, " ", 1);
}

typedef struct Formatter {
  bool floating, int_mode, sci_mode;
  int width;
} Formatter;

/* Format one value without padding, in the formatter's mode. */
static void format_raw(const Formatter *f, AdjDType dtype, double v, char *out, size_t n) {
  if (!f->floating) {
    if (dtype == ADJ_BOOL)
      snprintf(out, n, "%s", v != 0 ? "True" : "False");
    else
      snprintf(out, n, "%lld", (long long)v);
    return;
  }
  if (isnan(v)) {
    snprintf(out, n, "nan");
    return;
  }
  if (isinf(v)) {
    snprintf(out, n, v > 0 ? "inf" : "-inf");
    return;
  }
  if (f->sci_mode)
    snprintf(out, n, "%.4e", v);
  else if (f->int_mode)
    snprintf(out, n, "%.0f.", v);
  else
    snprintf(out, n, "%.4f", v);
}

/* Visit the elements that will be shown (all, or the edges when summarising). */
typedef void (*Visit)(void *ctx, double v);

static void visit_shown(const AdjTensor *t, int dim, int64_t base, bool summarize, Visit fn,
                        void *ctx) {
  if (t->ndim == 0) {
    fn(ctx, adj_read(t->storage->data, t->dtype, t->offset));
    return;
  }
  int64_t n = t->shape[dim];
  for (int64_t i = 0; i < n; i++) {
    if (summarize && n > 2 * EDGEITEMS && i == EDGEITEMS)
      i = n - EDGEITEMS;
    int64_t off = base + i * t->stride[dim];
    if (dim == t->ndim - 1)
      fn(ctx, adj_read(t->storage->data, t->dtype, off));
    else
      visit_shown(t, dim + 1, off, summarize, fn, ctx);
  }
}

typedef struct Stats {
  bool any, int_mode;
  double min_abs, max_abs;
  int int_width; /* for non-floating dtypes */
  AdjDType dtype;
} Stats;

/* First formatter pass: range of nonzero finite magnitudes, integrality, int widths. */
static void collect(void *ctx, double v) {
  Stats *s = ctx;
  if (s->dtype != ADJ_FLOAT32 && s->dtype != ADJ_FLOAT64) {
    char buf[64];
    Formatter f = {false, false, false, 0};
    format_raw(&f, s->dtype, v, buf, sizeof buf);
    int w = (int)strlen(buf);
    if (w > s->int_width)
      s->int_width = w;
    return;
  }
  if (!isfinite(v) || v == 0)
    return;
  double a = fabs(v);
  if (!s->any) {
    s->min_abs = s->max_abs = a;
    s->any = true;
  }
  if (a < s->min_abs)
    s->min_abs = a;
  if (a > s->max_abs)
    s->max_abs = a;
  if (v != ceil(v))
    s->int_mode = false;
}

typedef struct WidthCtx {
  Formatter *f;
  AdjDType dtype;
} WidthCtx;

/* Second pass: the widest formatted nonzero finite value sets the column width. */
static void widen(void *ctx, double v) {
  WidthCtx *w = ctx;
  if (!isfinite(v) || v == 0)
    return;
  char buf[64];
  format_raw(w->f, w->dtype, v, buf, sizeof buf);
  int len = (int)strlen(buf);
  if (len > w->f->width)
    w->f->width = len;
}

/* PyTorch's _Formatter: mode (int, fixed, sci) and width from the shown elements. */
static Formatter make_formatter(const AdjTensor *t, bool summarize) {
  Formatter f = {adj_dtype_is_float(t->dtype), true, false, 1};
  Stats s = {false, true, 0, 0, 1, t->dtype};
  visit_shown(t, 0, t->offset, summarize, collect, &s);
  if (!f.floating) {
    f.width = s.int_width;
    return f;
  }
  if (!s.any)
    return f;
  f.int_mode = s.int_mode;
  if (s.int_mode)
    f.sci_mode = s.max_abs / s.min_abs > 1000.0 || s.max_abs > 1e8;
  else
    f.sci_mode = s.max_abs / s.min_abs > 1000.0 || s.max_abs > 1e8 || s.min_abs < 1e-4;
  if (f.sci_mode)
    f.int_mode = false;
  WidthCtx w = {&f, t->dtype};
  visit_shown(t, 0, t->offset, summarize, widen, &w);
  return f;
}

static void format_value(Buf *b, const Formatter *f, AdjDType dtype, double v) {
  char buf[64];
  format_raw(f, dtype, v, buf, sizeof buf);
  buf_spaces(b, f->width - (int)strlen(buf));
  buf_str(b, buf);
}

static void vector_str(Buf *b, const AdjTensor *t, int64_t base, int indent, bool summarize,
                       const Formatter *f) {
  int64_t n = t->shape[t->ndim - 1], st = t->stride[t->ndim - 1];
  int element_length = f->width + 2;
  int per_line = (int)floor((double)(LINEWIDTH - indent) / element_length);
  if (per_line < 1)
    per_line = 1;
  buf_str(b, "[");
  int on_line = 0;
  bool first = true;
  for (int64_t i = 0; i < n; i++) {
    bool ellipsis = summarize && n > 2 * EDGEITEMS && i == EDGEITEMS;
    if (!first) {
      if (on_line == per_line) {
        buf_str(b, ",\n");
        buf_spaces(b, indent + 1);
        on_line = 0;
      } else {
        buf_str(b, ", ");
      }
    }
    first = false;
    if (ellipsis) {
      buf_str(b, " ...");
      i = n - EDGEITEMS - 1;
    } else {
      format_value(b, f, t->dtype, adj_read(t->storage->data, t->dtype, base + i * st));
    }
    on_line++;
  }
  buf_str(b, "]");
}

static void tensor_str(Buf *b, const AdjTensor *t, int dim, int64_t base, int indent,
                       bool summarize, const Formatter *f) {
  int rest = t->ndim - dim;
  if (rest == 1) {
    AdjTensor view = *t; /* the last dim only */
    view.ndim = 1;
    view.shape[0] = t->shape[dim];
    view.stride[0] = t->stride[dim];
    vector_str(b, &view, base, indent, summarize, f);
    return;
  }
  int64_t n = t->shape[dim];
  buf_str(b, "[");
  for (int64_t i = 0; i < n; i++) {
    if (i > 0) {
      buf_str(b, ",");
      for (int k = 0; k < rest - 1; k++)
        buf_str(b, "\n");
      buf_spaces(b, indent + 1);
    }
    if (summarize && n > 2 * EDGEITEMS && i == EDGEITEMS) {
      buf_str(b, "...");
      i = n - EDGEITEMS - 1;
      continue;
    }
    tensor_str(b, t, dim + 1, base + i * t->stride[dim], indent + 1, summarize, f);
  }
  buf_str(b, "]");
}

/* _add_suffixes: ", suffix" on the last line, or a new line when it would pass 80. */
static void add_suffixes(Buf *b, const char **suffixes, int n, int indent) {
  const char *nl = strrchr(b->data, '\n');
  long last = nl ? (long)(b->len - (size_t)(nl - b->data)) + 1 : (long)b->len + 2;
  for (int i = 0; i < n; i++) {
    long len = (long)strlen(suffixes[i]);
    if (last + len + 2 > LINEWIDTH) {
      buf_str(b, ",\n");
      buf_spaces(b, indent);
      last = indent + len;
    } else {
      buf_str(b, ", ");
      last += len + 2;
    }
    buf_str(b, suffixes[i]);
  }
  buf_str(b, ")");
}

char *adj_repr(const AdjTensor *t) {
  if (!t) {
    adj_error_null("repr");
    return NULL;
  }
  Buf b = {NULL, 0, 0, false};
  const int indent = 7;
  buf_str(&b, "tensor(");
  const char *suffixes[4];
  int ns = 0;
  char size_s[160], dtype_s[40], fn_s[96];
  int64_t numel = adj_numel(t);
  if (numel == 0) {
    buf_str(&b, "[]");
    if (t->ndim != 1) {
      size_t used = (size_t)snprintf(size_s, sizeof size_s, "size=(");
      for (int i = 0; i < t->ndim; i++)
        used += (size_t)snprintf(size_s + used, sizeof size_s - used, "%s%lld", i ? ", " : "",
                                 (long long)t->shape[i]);
      snprintf(size_s + used, sizeof size_s - used, t->ndim == 1 ? ",)" : ")");
      suffixes[ns++] = size_s;
    }
    if (t->dtype != ADJ_FLOAT32) {
      snprintf(dtype_s, sizeof dtype_s, "dtype=%s", adj_dtype_name(t->dtype));
      suffixes[ns++] = dtype_s;
    }
  } else {
    if (t->dtype == ADJ_FLOAT64) {
      snprintf(dtype_s, sizeof dtype_s, "dtype=%s", adj_dtype_name(t->dtype));
      suffixes[ns++] = dtype_s;
    }
    bool summarize = numel > THRESHOLD;
    Formatter f = make_formatter(t, summarize);
    if (t->ndim == 0)
      format_value(&b, &f, t->dtype, adj_read(t->storage->data, t->dtype, t->offset));
    else
      tensor_str(&b, t, 0, t->offset, indent, summarize, &f);
  }
  if (t->grad_fn) {
    snprintf(fn_s, sizeof fn_s, "grad_fn=<%s>", t->grad_fn->name);
    suffixes[ns++] = fn_s;
  } else if (t->requires_grad) {
    suffixes[ns++] = "requires_grad=True";
  }
  add_suffixes(&b, suffixes, ns, indent);
  if (b.oom) {
    free(b.data);
    adj_error(ADJ_ERR_MEMORY, "out of memory printing a tensor");
    return NULL;
  }
  return b.data;
}

void adj_fprint(FILE *out, const AdjTensor *t) {
  if (!t) {
    fputs("None\n", out);
    return;
  }
  char *s = adj_repr(t);
  if (s) {
    fputs(s, out);
    fputc('\n', out);
    free(s);
  }
}

void adj_print(const AdjTensor *t) { adj_fprint(stdout, t); }
