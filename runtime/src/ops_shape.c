/*
 * ops_shape.c — copies, dtype conversion, views (view, reshape, transpose, permute,
 * slice, select, expand, squeeze/unsqueeze), cat/stack, index_select/gather, and the
 * sum-to-shape reduction that undoes broadcasting in backward.
 *
 * Key idea: views are new tensor structs over the same storage and version counter;
 * only the geometry changes. Their backward formulas are the "inverse" geometry:
 * reshape back (view, reshape, squeeze, unsqueeze), transpose/permute back, sum over
 * expanded dims, or embed the gradient into zeros of the input's shape (slice,
 * select, cat, index_select, gather). Embedding is itself an op whose backward takes
 * the same view again, so every view is differentiable to any order.
 */
#include "internal.h"

#include <stdlib.h>

static bool is_null(const void *p, const char *fn) {
  if (!p)
    adj_error_null(fn);
  return !p;
}

AdjTensor *adj_zeros_meta(const AdjMeta *m) { return adj_zeros(m->dtype, m->ndim, m->shape); }

AdjTensor *adj_contiguous_raw(const AdjTensor *t) {
  AdjTensor *c = adj_new_raw(t->dtype, t->ndim, t->shape);
  if (c)
    adj_kernel_copy(c, t);
  return c;
}

/* ---- copies -------------------------------------------------------------------------- */

static int identity_backward(AdjNode *n, AdjTensor *const *sv, AdjTensor *g, AdjTensor **gi) {
  (void)n, (void)sv;
  gi[0] = g;
  return 0;
}

static int to_backward(AdjNode *n, AdjTensor *const *sv, AdjTensor *g, AdjTensor **gi) {
  (void)sv;
  return (gi[0] = adj_to_dtype(g, n->in_meta[0].dtype)) ? 0 : -1;
}

AdjTensor *adj_clone(const AdjTensor *t) {
  if (is_null(t, "clone"))
    return NULL;
  AdjTensor *out = adj_contiguous_raw(t);
  if (!out)
    return NULL;
  adj_set_history(out, adj_node_new("CloneBackward0", identity_backward, 1, &t));
  return adj_ret(out);
}

AdjTensor *adj_contiguous(const AdjTensor *t) {
  if (is_null(t, "contiguous"))
    return NULL;
  if (adj_is_contiguous(t))
    return adj_ret(adj_retain(adj_unconst(t)));
  return adj_clone(t);
}

AdjTensor *adj_to_dtype(const AdjTensor *t, AdjDType dtype) {
  if (is_null(t, "to"))
    return NULL;
  if (t->dtype == dtype)
    return adj_ret(adj_retain(adj_unconst(t)));
  AdjTensor *out = adj_new_raw(dtype, t->ndim, t->shape);
  if (!out)
    return NULL;
  adj_kernel_copy(out, t);
  if (adj_dtype_is_float(dtype))
    adj_set_history(out, adj_node_new("ToCopyBackward0", to_backward, 1, &t));
  return adj_ret(out);
}

/* ---- views ------------------------------------------------------------------------- */

/* A view of t with new geometry, recorded as node `name` with `bw`. */
static AdjTensor *make_view(const AdjTensor *t, int ndim, const int64_t *shape,
                            const int64_t *stride, int64_t offset, const char *name,
                            AdjBackwardFn bw, AdjNode **node_out) {
  AdjTensor *v = adj_new_view(t, ndim, shape, stride, offset);
  if (!v)
    return NULL;
  v->view_of_leaf = t->view_of_leaf || (!t->grad_fn && t->requires_grad);
  v->base = adj_retain(t->base ? t->base : adj_unconst(t));
  AdjNode *node = adj_node_new(name, bw, 1, &t);
  if (node_out)
    *node_out = node;
  adj_set_history(v, node);
  return v;
}

static int reshape_backward(AdjNode *n, AdjTensor *const *sv, AdjTensor *g, AdjTensor **gi) {
  (void)sv;
  return (gi[0] = adj_reshape(g, n->in_meta[0].ndim, n->in_meta[0].shape)) ? 0 : -1;
}

/* Infer a -1 entry and check the element count; 0 or -1. */
static int infer_shape(const AdjTensor *t, int ndim, const int64_t *shape, int64_t *out) {
  int64_t numel = adj_numel(t), known = 1;
  int infer = -1;
  if (ndim < 0 || ndim > ADJ_MAX_DIMS || (ndim > 0 && !shape)) {
    adj_error(ADJ_ERR_VALUE, "invalid shape argument (ndim %d)", ndim);
    return -1;
  }
  for (int i = 0; i < ndim; i++) {
    out[i] = shape[i];
    if (shape[i] == -1) {
      if (infer >= 0) {
        adj_error(ADJ_ERR_RUNTIME, "only one dimension can be inferred");
        return -1;
      }
      infer = i;
    } else if (shape[i] < 0) {
      adj_error(ADJ_ERR_RUNTIME, "invalid shape dimension %lld", (long long)shape[i]);
      return -1;
    } else {
      known *= shape[i];
    }
  }
  if (infer >= 0 && known != 0 && numel % known == 0)
    out[infer] = numel / known;
  if ((infer >= 0 && (known == 0 || numel % known != 0)) || (infer < 0 && known != numel)) {
    char buf[128];
    size_t used = (size_t)snprintf(buf, sizeof buf, "[");
    for (int i = 0; i < ndim; i++)
      used += (size_t)snprintf(buf + used, sizeof buf - used, "%s%lld", i ? ", " : "",
                               (long long)shape[i]);
    snprintf(buf + used, sizeof buf - used, "]");
    adj_error(ADJ_ERR_RUNTIME, "shape '%s' is invalid for input of size %lld", buf,
              (long long)numel);
    return -1;
  }
  return 0;
}

/* PyTorch's computeStride: strides for viewing t as shape, or false if impossible. */
static bool view_strides(const AdjTensor *t, int ndim, const int64_t *shape, int64_t *stride) {
  if (adj_numel(t) == 0 || t->ndim == 0) {
    int64_t s = 1;
    for (int i = ndim - 1; i >= 0; i--) {
      stride[i] = s;
      s *= shape[i] > 0 ? shape[i] : 1;
    }
    return true;
  }
  int view_d = ndim - 1;
  int64_t chunk = t->stride[t->ndim - 1], tensor_numel = 1, view_numel = 1;
  for (int d = t->ndim - 1; d >= 0; d--) {
    tensor_numel *= t->shape[d];
    if (d == 0 || (t->shape[d - 1] != 1 && t->stride[d - 1] != tensor_numel * chunk)) {
      while (view_d >= 0 && (view_numel < tensor_numel || shape[view_d] == 1)) {
        stride[view_d] = view_numel * chunk;
        view_numel *= shape[view_d];
        view_d--;
      }
      if (view_numel != tensor_numel)
        return false;
      if (d > 0) {
        chunk = t->stride[d - 1];
        tensor_numel = 1;
        view_numel = 1;
      }
    }
  }
  return view_d == -1;
}

AdjTensor *adj_view(const AdjTensor *t, int ndim, const int64_t *shape) {
  int64_t sh[ADJ_MAX_DIMS], st[ADJ_MAX_DIMS];
  if (is_null(t, "view") || infer_shape(t, ndim, shape, sh) != 0)
    return NULL;
  if (!view_strides(t, ndim, sh, st)) {
    adj_error(ADJ_ERR_RUNTIME,
              "view size is not compatible with input tensor's size and stride (at least one "
              "dimension spans across two contiguous subspaces). Use .reshape(...) instead.");
    return NULL;
  }
  return adj_ret(make_view(t, ndim, sh, st, t->offset, "ViewBackward0", reshape_backward, NULL));
}

AdjTensor *adj_reshape(const AdjTensor *t, int ndim, const int64_t *shape) {
  int64_t sh[ADJ_MAX_DIMS], st[ADJ_MAX_DIMS];
  if (is_null(t, "reshape") || infer_shape(t, ndim, shape, sh) != 0)
    return NULL;
  if (view_strides(t, ndim, sh, st))
    return adj_ret(
        make_view(t, ndim, sh, st, t->offset, "ReshapeAliasBackward0", reshape_backward, NULL));
  adj_scope_begin();
  AdjTensor *c = adj_clone(t);
  AdjTensor *r = NULL;
  if (c) {
    view_strides(c, ndim, sh, st);
    r = adj_new_view(c, ndim, sh, st, 0);
    if (r) {
      r->is_view = false;
      adj_set_history(r, adj_node_new("UnsafeViewBackward0", reshape_backward, 1,
                                      (const AdjTensor *const *)&c));
      adj_ret(r);
    }
  }
  return adj_scope_return(r);
}

AdjTensor *adj_flatten(const AdjTensor *t) {
  int64_t m1 = -1;
  return adj_reshape(t, 1, &m1);
}

static int transpose_backward(AdjNode *n, AdjTensor *const *sv, AdjTensor *g, AdjTensor **gi) {
  (void)sv;
  return (gi[0] = adj_transpose(g, (int)n->ints[0], (int)n->ints[1])) ? 0 : -1;
}

/* A view with dims d0 and d1 swapped (d0 == d1 for a 1-D t()), named `name`. */
static AdjTensor *transpose_impl(const AdjTensor *t, int d0, int d1, const char *name) {
  int a = adj_wrap_dim(d0, t->ndim), b = a < 0 ? -1 : adj_wrap_dim(d1, t->ndim);
  if (a < 0 || b < 0)
    return NULL;
  int64_t sh[ADJ_MAX_DIMS] = {0}, st[ADJ_MAX_DIMS] = {0};
  for (int i = 0; i < t->ndim; i++) {
    sh[i] = t->shape[i];
    st[i] = t->stride[i];
  }
  if (t->ndim > 0) {
    sh[a] = t->shape[b], sh[b] = t->shape[a];
    st[a] = t->stride[b], st[b] = t->stride[a];
  }
  AdjNode *node = NULL;
  AdjTensor *v = make_view(t, t->ndim, sh, st, t->offset, name, transpose_backward, &node);
  if (node) {
    node->ints[0] = a;
    node->ints[1] = b;
  }
  return adj_ret(v);
}

AdjTensor *adj_transpose(const AdjTensor *t, int d0, int d1) {
  if (is_null(t, "transpose"))
    return NULL;
  return transpose_impl(t, d0, d1, "TransposeBackward0");
}

AdjTensor *adj_t(const AdjTensor *t) {
  if (is_null(t, "t"))
    return NULL;
  if (t->ndim > 2) {
    adj_error(ADJ_ERR_RUNTIME, "t() expects a tensor with <= 2 dimensions, but self is %dD",
              t->ndim);
    return NULL;
  }
  return transpose_impl(t, 0, t->ndim < 2 ? 0 : 1, "TBackward0");
}

static int permute_backward(AdjNode *n, AdjTensor *const *sv, AdjTensor *g, AdjTensor **gi) {
  (void)sv;
  int inv[ADJ_MAX_DIMS];
  for (int i = 0; i < n->in_meta[0].ndim; i++)
    inv[n->ints[i]] = i;
  return (gi[0] = adj_permute(g, n->in_meta[0].ndim, inv)) ? 0 : -1;
}

AdjTensor *adj_permute(const AdjTensor *t, int ndim, const int *dims) {
  if (is_null(t, "permute"))
    return NULL;
  if (ndim != t->ndim || (ndim > 0 && !dims)) {
    adj_error(ADJ_ERR_RUNTIME,
              "permute(sparse_coo): number of dimensions in the tensor input does not match the "
              "length of the desired ordering of dimensions i.e. input.dim() = %d is not equal to "
              "len(dims) = %d",
              t->ndim, ndim);
    return NULL;
  }
  int64_t sh[ADJ_MAX_DIMS] = {0}, st[ADJ_MAX_DIMS] = {0};
  bool seen[ADJ_MAX_DIMS] = {false};
  int wd[ADJ_MAX_DIMS];
  for (int i = 0; i < ndim; i++) {
    wd[i] = adj_wrap_dim(dims[i], ndim);
    if (wd[i] < 0)
      return NULL;
    if (seen[wd[i]]) {
      adj_error(ADJ_ERR_RUNTIME, "permute(): duplicate dims are not allowed.");
      return NULL;
    }
    seen[wd[i]] = true;
    sh[i] = t->shape[wd[i]];
    st[i] = t->stride[wd[i]];
  }
  AdjNode *node = NULL;
  AdjTensor *v = make_view(t, ndim, sh, st, t->offset, "PermuteBackward0", permute_backward, &node);
  for (int i = 0; node && i < ndim; i++)
    node->ints[i] = wd[i];
  return adj_ret(v);
}

/* ---- embed / restrict: the differentiable pair behind slice and select backward ---- */

/* Geometry of a view relative to a contiguous base of in_meta's shape, kept in
 * node->sizes as [ndim, shape..., stride..., offset]. */
int64_t *adj_geom_new(int ndim, const int64_t *shape, const int64_t *stride, int64_t off) {
  int64_t *g = malloc(sizeof(int64_t) * (size_t)(2 + 2 * ndim));
  if (!g)
    return NULL;
  g[0] = ndim;
  for (int i = 0; i < ndim; i++) {
    g[1 + i] = shape[i];
    g[1 + ndim + i] = stride[i];
  }
  g[1 + 2 * ndim] = off;
  return g;
}

/* restrict(x): a contiguous copy of the geom view of contiguous(x). */
static int restrict_backward(AdjNode *n, AdjTensor *const *sv, AdjTensor *g, AdjTensor **gi);
static int embed_backward(AdjNode *n, AdjTensor *const *sv, AdjTensor *g, AdjTensor **gi);

static int64_t *geom_copy(const int64_t *geom) {
  int nd = (int)geom[0];
  return adj_geom_new(nd, geom + 1, geom + 1 + nd, geom[1 + 2 * nd]);
}

AdjTensor *adj_restrict(AdjTensor *x, const int64_t *geom) {
  AdjTensor *c = adj_contiguous_raw(x);
  if (!c)
    return NULL;
  int nd = (int)geom[0];
  AdjTensor *v = adj_new_view(c, nd, geom + 1, geom + 1 + nd, geom[1 + 2 * nd]);
  AdjTensor *out = v ? adj_contiguous_raw(v) : NULL;
  adj_release(v);
  adj_release(c);
  if (!out)
    return NULL;
  AdjNode *node =
      adj_node_new("AsStridedBackward0", restrict_backward, 1, (const AdjTensor *const *)&x);
  if (node && !(node->sizes = geom_copy(geom))) {
    adj_node_release(node);
    adj_release(out);
    adj_error(ADJ_ERR_MEMORY, "out of memory");
    return NULL;
  }
  adj_set_history(out, node);
  return adj_ret(out);
}

/* zeros(meta) with g copied into the geom view: the backward of slice and select;
 * its own backward is restrict_op, so it is differentiable to any order. */
AdjTensor *adj_embed(AdjTensor *g, const AdjMeta *meta, const int64_t *geom) {
  AdjTensor *z = adj_new_raw(g->dtype, meta->ndim, meta->shape);
  if (!z)
    return NULL;
  adj_kernel_fill(z, 0.0);
  int nd = (int)geom[0];
  AdjTensor *v = adj_new_view(z, nd, geom + 1, geom + 1 + nd, geom[1 + 2 * nd]);
  if (!v) {
    adj_release(z);
    return NULL;
  }
  adj_kernel_copy(v, g);
  adj_release(v);
  AdjNode *node =
      adj_node_new("SliceBackwardBackward0", embed_backward, 1, (const AdjTensor *const *)&g);
  if (node && !(node->sizes = geom_copy(geom))) {
    adj_node_release(node);
    adj_release(z);
    adj_error(ADJ_ERR_MEMORY, "out of memory");
    return NULL;
  }
  adj_set_history(z, node);
  return adj_ret(z);
}

static int restrict_backward(AdjNode *n, AdjTensor *const *sv, AdjTensor *g, AdjTensor **gi) {
  (void)sv;
  return (gi[0] = adj_embed(g, &n->in_meta[0], n->sizes)) ? 0 : -1;
}

static int embed_backward(AdjNode *n, AdjTensor *const *sv, AdjTensor *g, AdjTensor **gi) {
  (void)sv;
  return (gi[0] = adj_restrict(g, n->sizes)) ? 0 : -1;
}

int adj_view_embed_backward(AdjNode *n, AdjTensor *const *sv, AdjTensor *g, AdjTensor **gi) {
  (void)sv;
  return (gi[0] = adj_embed(g, &n->in_meta[0], n->sizes)) ? 0 : -1;
}

/* Contiguous strides of t's shape. */
static void contiguous_strides(int ndim, const int64_t *shape, int64_t *st) {
  int64_t s = 1;
  for (int i = ndim - 1; i >= 0; i--) {
    st[i] = s;
    s *= shape[i] > 0 ? shape[i] : 1;
  }
}

/* A view recorded with an embedding backward: geometry (shape, cstride, coff) is the
 * same view taken on a contiguous tensor of t's shape. */
static AdjTensor *embed_view(const AdjTensor *t, const char *name, int ndim, const int64_t *shape,
                             const int64_t *stride, int64_t offset, const int64_t *cstride,
                             int64_t coff) {
  AdjNode *node = NULL;
  AdjTensor *v = make_view(t, ndim, shape, stride, offset, name, adj_view_embed_backward, &node);
  if (node && !(node->sizes = adj_geom_new(ndim, shape, cstride, coff))) {
    adj_release(v);
    adj_error(ADJ_ERR_MEMORY, "out of memory");
    return NULL;
  }
  return v;
}

AdjTensor *adj_slice(const AdjTensor *t, int dim, int64_t start, int64_t end, int64_t step) {
  if (is_null(t, "slice"))
    return NULL;
  if (t->ndim == 0) {
    adj_error(ADJ_ERR_INDEX, "slice() cannot be applied to a 0-dim tensor.");
    return NULL;
  }
  int d = adj_wrap_dim(dim, t->ndim);
  if (d < 0)
    return NULL;
  if (step <= 0) {
    adj_error(ADJ_ERR_VALUE, "slice step must be positive");
    return NULL;
  }
  int64_t n = t->shape[d];
  if (start < 0)
    start += n;
  if (end < 0)
    end += n;
  start = start < 0 ? 0 : start > n ? n : start;
  end = end < start ? start : end > n ? n : end;
  int64_t sh[ADJ_MAX_DIMS], st[ADJ_MAX_DIMS], cst[ADJ_MAX_DIMS], cs[ADJ_MAX_DIMS];
  contiguous_strides(t->ndim, t->shape, cs);
  for (int i = 0; i < t->ndim; i++) {
    sh[i] = t->shape[i];
    st[i] = t->stride[i];
    cst[i] = cs[i];
  }
  sh[d] = (end - start + step - 1) / step;
  st[d] *= step;
  cst[d] *= step;
  return adj_ret(embed_view(t, "SliceBackward0", t->ndim, sh, st, t->offset + start * t->stride[d],
                            cst, start * cs[d]));
}

AdjTensor *adj_select(const AdjTensor *t, int dim, int64_t index) {
  if (is_null(t, "select"))
    return NULL;
  if (t->ndim == 0) {
    adj_error(ADJ_ERR_INDEX, "select() cannot be applied to a 0-dim tensor.");
    return NULL;
  }
  int d = adj_wrap_dim(dim, t->ndim);
  if (d < 0)
    return NULL;
  int64_t n = t->shape[d];
  if (index < -n || index >= n) {
    char s[128];
    adj_format_shape(s, sizeof s, t->ndim, t->shape);
    adj_error(ADJ_ERR_INDEX,
              "select(): index %lld out of range for tensor of size %s at "
              "dimension %d",
              (long long)index, s, dim);
    return NULL;
  }
  if (index < 0)
    index += n;
  int64_t sh[ADJ_MAX_DIMS], st[ADJ_MAX_DIMS], cst[ADJ_MAX_DIMS], cs[ADJ_MAX_DIMS];
  contiguous_strides(t->ndim, t->shape, cs);
  int k = 0;
  for (int i = 0; i < t->ndim; i++) {
    if (i == d)
      continue;
    sh[k] = t->shape[i];
    st[k] = t->stride[i];
    cst[k++] = cs[i];
  }
  return adj_ret(embed_view(t, "SelectBackward0", t->ndim - 1, sh, st,
                            t->offset + index * t->stride[d], cst, index * cs[d]));
}

static int expand_backward(AdjNode *n, AdjTensor *const *sv, AdjTensor *g, AdjTensor **gi) {
  (void)sv;
  return (gi[0] = adj_sum_to(g, &n->in_meta[0])) ? 0 : -1;
}

AdjTensor *adj_expand(const AdjTensor *t, int ndim, const int64_t *shape) {
  if (is_null(t, "expand"))
    return NULL;
  if (ndim < t->ndim || ndim > ADJ_MAX_DIMS || (ndim > 0 && !shape)) {
    char s[128];
    adj_format_shape(s, sizeof s, t->ndim, t->shape);
    adj_error(ADJ_ERR_RUNTIME,
              "expand(torch.FloatTensor{%s}, size=[%d dims]): the number of sizes provided (%d) "
              "must be greater or equal to the number of dimensions in the tensor (%d)",
              s, ndim, ndim, t->ndim);
    return NULL;
  }
  int64_t sh[ADJ_MAX_DIMS], st[ADJ_MAX_DIMS];
  int lead = ndim - t->ndim;
  for (int i = 0; i < ndim; i++) {
    int td = i - lead;
    int64_t want = shape[i];
    if (td < 0) {
      if (want < 0) {
        adj_error(ADJ_ERR_RUNTIME,
                  "The expanded size of the tensor (%lld) isn't allowed in a leading, "
                  "non-existing dimension %d",
                  (long long)want, i);
        return NULL;
      }
      sh[i] = want;
      st[i] = 0;
      continue;
    }
    if (want == -1)
      want = t->shape[td];
    if (t->shape[td] == want) {
      sh[i] = want;
      st[i] = t->stride[td];
    } else if (t->shape[td] == 1) {
      sh[i] = want;
      st[i] = 0;
    } else {
      char a[128], b[128];
      adj_format_shape(a, sizeof a, ndim, shape);
      adj_format_shape(b, sizeof b, t->ndim, t->shape);
      adj_error(ADJ_ERR_RUNTIME,
                "The expanded size of the tensor (%lld) must match the existing size (%lld) at "
                "non-singleton dimension %d.  Target sizes: %s.  Tensor sizes: %s",
                (long long)want, (long long)t->shape[td], i, a, b);
      return NULL;
    }
  }
  return adj_ret(make_view(t, ndim, sh, st, t->offset, "ExpandBackward0", expand_backward, NULL));
}

AdjTensor *adj_broadcast_to(const AdjTensor *t, int ndim, const int64_t *shape) {
  return adj_expand(t, ndim, shape);
}

AdjTensor *adj_unsqueeze(const AdjTensor *t, int dim) {
  if (is_null(t, "unsqueeze"))
    return NULL;
  int d = adj_wrap_dim(dim, t->ndim + 1);
  if (d < 0)
    return NULL;
  if (t->ndim + 1 > ADJ_MAX_DIMS) {
    adj_error(ADJ_ERR_VALUE, "adjoint supports at most %d dimensions", ADJ_MAX_DIMS);
    return NULL;
  }
  int64_t sh[ADJ_MAX_DIMS], st[ADJ_MAX_DIMS];
  for (int i = 0, k = 0; i < t->ndim + 1; i++) {
    if (i == d) {
      sh[i] = 1;
      st[i] = k < t->ndim ? t->shape[k] * t->stride[k] : 1;
    } else {
      sh[i] = t->shape[k];
      st[i] = t->stride[k++];
    }
  }
  return adj_ret(
      make_view(t, t->ndim + 1, sh, st, t->offset, "UnsqueezeBackward0", reshape_backward, NULL));
}

/* A view without size-1 dims (only dim d when d >= 0). */
static AdjTensor *squeeze_impl(const AdjTensor *t, int d, const char *name) {
  int64_t sh[ADJ_MAX_DIMS], st[ADJ_MAX_DIMS];
  int k = 0;
  for (int i = 0; i < t->ndim; i++) {
    if (t->shape[i] == 1 && (d < 0 || i == d))
      continue;
    sh[k] = t->shape[i];
    st[k++] = t->stride[i];
  }
  return adj_ret(make_view(t, k, sh, st, t->offset, name, reshape_backward, NULL));
}

AdjTensor *adj_squeeze(const AdjTensor *t, int dim) {
  if (is_null(t, "squeeze"))
    return NULL;
  int d = adj_wrap_dim(dim, t->ndim);
  return d < 0 ? NULL : squeeze_impl(t, d, "SqueezeBackward1");
}

AdjTensor *adj_squeeze_all(const AdjTensor *t) {
  if (is_null(t, "squeeze"))
    return NULL;
  return squeeze_impl(t, -1, "SqueezeBackward0");
}

/* ---- sum_to: undo broadcasting -------------------------------------------------------- */

AdjTensor *adj_sum_to(AdjTensor *g, const AdjMeta *m) {
  int lead = g->ndim - m->ndim;
  if (lead < 0)
    return adj_ret(adj_retain(g));
  int dims[ADJ_MAX_DIMS], nd = 0;
  for (int i = 0; i < g->ndim; i++)
    if (i < lead || (m->shape[i - lead] == 1 && g->shape[i] != 1))
      dims[nd++] = i;
  if (nd == 0)
    return adj_ret(adj_retain(g));
  adj_scope_begin();
  AdjTensor *s = adj_sum_dims(g, nd, dims, true);
  AdjTensor *r = s ? adj_reshape(s, m->ndim, m->shape) : NULL;
  return adj_scope_return(r);
}

/* ---- cat and stack -------------------------------------------------------------- */

static int cat_backward(AdjNode *n, AdjTensor *const *sv, AdjTensor *g, AdjTensor **gi) {
  (void)sv;
  int dim = (int)n->ints[0];
  int64_t at = 0;
  for (int i = 0; i < n->n_next; i++) {
    int64_t len = n->sizes[i];
    const AdjMeta *m = &n->in_meta[i];
    if (m->ndim == 1 && m->shape[0] == 0 && g->ndim != 1) { /* skipped legacy empty */
      if (adj_needs_grad(n, i) && !(gi[i] = adj_zeros_meta(m)))
        return -1;
      continue;
    }
    if (adj_needs_grad(n, i) && !(gi[i] = adj_slice(g, dim, at, at + len, 1)))
      return -1;
    at += len;
  }
  return 0;
}

static int stack_backward(AdjNode *n, AdjTensor *const *sv, AdjTensor *g, AdjTensor **gi) {
  (void)sv;
  for (int i = 0; i < n->n_next; i++)
    if (adj_needs_grad(n, i) && !(gi[i] = adj_select(g, (int)n->ints[0], i)))
      return -1;
  return 0;
}

/* Concatenate ts along d into a new tensor (no history); checks shapes. */
static AdjTensor *cat_raw(int n, AdjTensor *const *ts, int d) {
  const AdjTensor *ref = NULL;
  AdjDType dt = ts[0]->dtype;
  for (int i = 0; i < n; i++) {
    dt = i ? adj_result_type(&(AdjTensor){.dtype = dt, .ndim = 1}, ts[i]) : dt;
    if (ts[i]->ndim == 1 && ts[i]->shape[0] == 0)
      continue; /* legacy: empty 1-D tensors are skipped */
    if (!ref)
      ref = ts[i];
  }
  if (!ref)
    ref = ts[0];
  int64_t total = 0;
  for (int i = 0; i < n; i++) {
    const AdjTensor *t = ts[i];
    if (t->ndim == 1 && t->shape[0] == 0 && t != ref)
      continue;
    if (t->ndim != ref->ndim) {
      adj_error(ADJ_ERR_RUNTIME, "Tensors must have same number of dimensions: got %d and %d",
                ref->ndim, t->ndim);
      return NULL;
    }
    for (int k = 0; k < t->ndim; k++) {
      if (k != d && t->shape[k] != ref->shape[k]) {
        adj_error(ADJ_ERR_RUNTIME,
                  "Sizes of tensors must match except in dimension %d. Expected size %lld but "
                  "got size %lld for tensor number %d in the list.",
                  d, (long long)ref->shape[k], (long long)t->shape[k], i);
        return NULL;
      }
    }
    total += t->shape[d];
  }
  int64_t sh[ADJ_MAX_DIMS];
  for (int k = 0; k < ref->ndim; k++)
    sh[k] = ref->shape[k];
  sh[d] = total;
  AdjTensor *out = adj_new_raw(dt, ref->ndim, sh);
  if (!out)
    return NULL;
  int64_t at = 0;
  for (int i = 0; i < n; i++) {
    const AdjTensor *t = ts[i];
    if (t->ndim != ref->ndim)
      continue;
    int64_t vsh[ADJ_MAX_DIMS];
    for (int k = 0; k < t->ndim; k++)
      vsh[k] = t->shape[k];
    AdjTensor *v = adj_new_view(out, out->ndim, vsh, out->stride, at * out->stride[d]);
    if (!v) {
      adj_release(out);
      return NULL;
    }
    adj_kernel_copy(v, t);
    adj_release(v);
    at += t->shape[d];
  }
  return out;
}

/* A tensor list must be non-empty and NULL-free; 0 or -1. */
static int check_list(int n, AdjTensor *const *ts, const char *fn) {
  if (n <= 0 || !ts) {
    adj_error(ADJ_ERR_RUNTIME, "%s(): expected a non-empty list of Tensors", fn);
    return -1;
  }
  for (int i = 0; i < n; i++)
    if (is_null(ts[i], fn))
      return -1;
  return 0;
}

/* Record a node over n inputs with per-input sizes along the cat dim. */
static AdjTensor *record_list(AdjTensor *out, int n, AdjTensor *const *ts, int d, const char *name,
                              AdjBackwardFn bw) {
  AdjNode *node = adj_node_new(name, bw, n, (const AdjTensor *const *)ts);
  if (node) {
    node->ints[0] = d;
    node->sizes = malloc(sizeof(int64_t) * (size_t)n);
    if (!node->sizes) {
      adj_node_release(node);
      adj_release(out);
      adj_error(ADJ_ERR_MEMORY, "out of memory");
      return NULL;
    }
    for (int i = 0; i < n; i++)
      node->sizes[i] = ts[i]->ndim > d ? ts[i]->shape[d] : 0;
  }
  adj_set_history(out, node);
  return adj_ret(out);
}

AdjTensor *adj_cat(int n, AdjTensor *const *ts, int dim) {
  if (check_list(n, ts, "cat") != 0)
    return NULL;
  int ndim = ts[0]->ndim;
  for (int i = 0; i < n && ndim == 1 && ts[0]->shape[0] == 0; i++)
    ndim = ts[i]->ndim;
  if (ndim == 0) {
    adj_error(ADJ_ERR_RUNTIME, "zero-dimensional tensor (at position 0) cannot be concatenated");
    return NULL;
  }
  int d = adj_wrap_dim(dim, ndim);
  if (d < 0)
    return NULL;
  AdjTensor *out = cat_raw(n, ts, d);
  return out ? record_list(out, n, ts, d, "CatBackward0", cat_backward) : NULL;
}

AdjTensor *adj_stack(int n, AdjTensor *const *ts, int dim) {
  if (check_list(n, ts, "stack") != 0)
    return NULL;
  for (int i = 1; i < n; i++) {
    if (ts[i]->ndim != ts[0]->ndim ||
        memcmp(ts[i]->shape, ts[0]->shape, sizeof(int64_t) * (size_t)ts[0]->ndim) != 0) {
      char a[128], b[128];
      adj_format_shape(a, sizeof a, ts[0]->ndim, ts[0]->shape);
      adj_format_shape(b, sizeof b, ts[i]->ndim, ts[i]->shape);
      adj_error(ADJ_ERR_RUNTIME,
                "stack expects each tensor to be equal size, but got %s at entry 0 and %s at "
                "entry %d",
                a, b, i);
      return NULL;
    }
  }
  int d = adj_wrap_dim(dim, ts[0]->ndim + 1);
  if (d < 0)
    return NULL;
  AdjTensor **us = calloc((size_t)n, sizeof *us);
  if (!us) {
    adj_error(ADJ_ERR_MEMORY, "out of memory");
    return NULL;
  }
  int ok = 1;
  for (int i = 0; i < n && ok; i++) {
    int64_t sh[ADJ_MAX_DIMS], st[ADJ_MAX_DIMS];
    const AdjTensor *t = ts[i];
    for (int k = 0, j = 0; k < t->ndim + 1; k++) {
      sh[k] = k == d ? 1 : t->shape[j];
      st[k] = k == d ? 1 : t->stride[j++];
    }
    ok = (us[i] = adj_new_view(t, t->ndim + 1, sh, st, t->offset)) != NULL;
  }
  AdjTensor *out = ok ? cat_raw(n, us, d) : NULL;
  for (int i = 0; i < n; i++)
    adj_release(us[i]);
  free(us);
  return out ? record_list(out, n, ts, d, "StackBackward0", stack_backward) : NULL;
}

/* ---- index_select and gather ---------------------------------------------------------- */

/* out = zeros(meta); out.index_add_(dim, index, src) (differentiable in src). */
static AdjTensor *index_add_op(const AdjMeta *meta, int dim, AdjTensor *index, AdjTensor *src);

static int index_select_backward(AdjNode *n, AdjTensor *const *sv, AdjTensor *g, AdjTensor **gi) {
  return (gi[0] = index_add_op(&n->in_meta[0], (int)n->ints[0], sv[0], g)) ? 0 : -1;
}

static int index_add_backward(AdjNode *n, AdjTensor *const *sv, AdjTensor *g, AdjTensor **gi) {
  return (gi[0] = adj_index_select(g, (int)n->ints[0], sv[0])) ? 0 : -1;
}

/* Visit (outer, i, inner) triples of a dim-split shape: out[o, i, in] <- src[o, idx[i], in]. */
static void index_copy_loop(AdjTensor *dst, const AdjTensor *src, int dim, const AdjTensor *index,
                            bool to_index, bool add) {
  const AdjTensor *shape_src = to_index ? src : dst;
  int64_t outer = 1, inner = 1, n = adj_numel(index);
  for (int k = 0; k < dim; k++)
    outer *= shape_src->shape[k];
  for (int k = dim + 1; k < shape_src->ndim; k++)
    inner *= shape_src->shape[k];
  int64_t dsz = to_index ? dst->shape[dim] : src->shape[dim];
  for (int64_t o = 0; o < outer; o++)
    for (int64_t i = 0; i < n; i++) {
      int64_t ix = (int64_t)adj_load(index, i);
      if (ix < 0)
        ix += dsz;
      for (int64_t in = 0; in < inner; in++) {
        int64_t a = (o * n + i) * inner + in;    /* position in the compact side */
        int64_t b = (o * dsz + ix) * inner + in; /* position in the indexed side */
        int64_t doff = adj_elem_offset(dst, to_index ? b : a);
        double v = adj_load(src, to_index ? a : b);
        if (add)
          v += adj_read(dst->storage->data, dst->dtype, doff);
        adj_write(dst->storage->data, dst->dtype, doff, v);
      }
    }
}

/* An index tensor must be int64 with entries in [-size, size); 0 or -1. */
static int check_index(const AdjTensor *index, int64_t size, const char *fn) {
  if (index->dtype != ADJ_INT64) {
    adj_error(ADJ_ERR_RUNTIME, "%s(): Expected dtype int64 for index", fn);
    return -1;
  }
  int64_t n = adj_numel(index);
  for (int64_t i = 0; i < n; i++) {
    int64_t ix = (int64_t)adj_load(index, i);
    if (ix < -size || ix >= size) {
      adj_error(ADJ_ERR_RUNTIME, "INDICES element is out of DATA bounds, id=%lld axis_dim=%lld",
                (long long)ix, (long long)size);
      return -1;
    }
  }
  return 0;
}

AdjTensor *adj_index_select(const AdjTensor *t, int dim, const AdjTensor *index) {
  if (is_null(t, "index_select") || is_null(index, "index_select"))
    return NULL;
  int d = adj_wrap_dim(dim, t->ndim);
  if (d < 0)
    return NULL;
  if (index->ndim > 1) {
    adj_error(ADJ_ERR_INDEX, "index_select(): Index is supposed to be a vector");
    return NULL;
  }
  if (check_index(index, t->ndim ? t->shape[d] : 1, "index_select") != 0)
    return NULL;
  int64_t sh[ADJ_MAX_DIMS];
  for (int k = 0; k < t->ndim; k++)
    sh[k] = t->shape[k];
  if (t->ndim)
    sh[d] = adj_numel(index);
  AdjTensor *out = adj_new_raw(t->dtype, t->ndim, sh);
  if (!out)
    return NULL;
  index_copy_loop(out, t, d, index, false, false);
  AdjNode *node = adj_node_new("IndexSelectBackward0", index_select_backward, 1, &t);
  if (node) {
    node->ints[0] = d;
    adj_node_save(node, 0, index, false);
  }
  adj_set_history(out, node);
  return adj_ret(out);
}

static AdjTensor *index_add_op(const AdjMeta *meta, int dim, AdjTensor *index, AdjTensor *src) {
  AdjTensor *out = adj_new_raw(src->dtype, meta->ndim, meta->shape);
  if (!out)
    return NULL;
  adj_kernel_fill(out, 0.0);
  index_copy_loop(out, src, dim, index, true, true);
  AdjNode *node =
      adj_node_new("IndexAddBackward0", index_add_backward, 1, (const AdjTensor *const *)&src);
  if (node) {
    node->ints[0] = dim;
    adj_node_save(node, 0, index, false);
  }
  adj_set_history(out, node);
  return adj_ret(out);
}

/* gather / scatter_add over equal-rank tensors: out[..i_d..] = t[..index[..]..]. */

static int gather_backward(AdjNode *n, AdjTensor *const *sv, AdjTensor *g, AdjTensor **gi) {
  return (gi[0] = adj_scatter_add_op(&n->in_meta[0], (int)n->ints[0], sv[0], g)) ? 0 : -1;
}

static int scatter_add_backward(AdjNode *n, AdjTensor *const *sv, AdjTensor *g, AdjTensor **gi) {
  return (gi[0] = adj_gather(g, (int)n->ints[0], sv[0])) ? 0 : -1;
}

/* For each element e of index (row-major): position of e with coordinate dim replaced
 * by index[e], in a contiguous tensor of `shape`. */
static int64_t gather_pos(const AdjTensor *index, int64_t e, int dim, const int64_t *shape,
                          int ndim) {
  int64_t coord[ADJ_MAX_DIMS], rem = e;
  for (int k = index->ndim - 1; k >= 0; k--) {
    coord[k] = rem % index->shape[k];
    rem /= index->shape[k];
  }
  int64_t ix = (int64_t)adj_load(index, e);
  coord[dim] = ix < 0 ? ix + shape[dim] : ix;
  int64_t pos = 0;
  for (int k = 0; k < ndim; k++)
    pos = pos * shape[k] + coord[k];
  return pos;
}

/* gather's index: int64, same rank as t, entries in range along d; 0 or -1. */
static int check_gather(const AdjTensor *t, int d, const AdjTensor *index) {
  if (index->dtype != ADJ_INT64) {
    adj_error(ADJ_ERR_RUNTIME, "gather(): Expected dtype int64 for index");
    return -1;
  }
  if (index->ndim != t->ndim) {
    adj_error(ADJ_ERR_RUNTIME,
              "Index tensor must have the same number of dimensions as input tensor");
    return -1;
  }
  int64_t n = adj_numel(index);
  for (int64_t e = 0; e < n; e++) {
    int64_t ix = (int64_t)adj_load(index, e);
    if (ix < -t->shape[d] || ix >= t->shape[d]) {
      adj_error(ADJ_ERR_RUNTIME, "index %lld is out of bounds for dimension %d with size %lld",
                (long long)ix, d, (long long)t->shape[d]);
      return -1;
    }
  }
  return 0;
}

AdjTensor *adj_gather(const AdjTensor *t, int dim, const AdjTensor *index) {
  if (is_null(t, "gather") || is_null(index, "gather"))
    return NULL;
  int d = adj_wrap_dim(dim, t->ndim);
  if (d < 0 || check_gather(t, d, index) != 0)
    return NULL;
  AdjTensor *out = adj_new_raw(t->dtype, index->ndim, index->shape);
  if (!out)
    return NULL;
  int64_t n = adj_numel(index);
  for (int64_t e = 0; e < n; e++)
    adj_write(out->storage->data, out->dtype, e,
              adj_load(t, gather_pos(index, e, d, t->shape, t->ndim)));
  AdjNode *node = adj_node_new("GatherBackward0", gather_backward, 1, &t);
  if (node) {
    node->ints[0] = d;
    adj_node_save(node, 0, index, false);
  }
  adj_set_history(out, node);
  return adj_ret(out);
}

AdjTensor *adj_scatter_add_op(const AdjMeta *meta, int dim, AdjTensor *index, AdjTensor *src) {
  AdjTensor *out = adj_new_raw(src->dtype, meta->ndim, meta->shape);
  if (!out)
    return NULL;
  adj_kernel_fill(out, 0.0);
  int64_t n = adj_numel(index);
  for (int64_t e = 0; e < n; e++) {
    int64_t pos = gather_pos(index, e, dim, meta->shape, meta->ndim);
    double v = adj_read(out->storage->data, out->dtype, pos) + adj_load(src, e);
    adj_write(out->storage->data, out->dtype, pos, v);
  }
  AdjNode *node =
      adj_node_new("ScatterAddBackward0", scatter_add_backward, 1, (const AdjTensor *const *)&src);
  if (node) {
    node->ints[0] = dim;
    adj_node_save(node, 0, index, false);
  }
  adj_set_history(out, node);
  return adj_ret(out);
}
