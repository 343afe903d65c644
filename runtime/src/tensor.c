/*
 * tensor.c — storage, tensor lifetime, creation, properties and element access.
 *
 * Key idea: a tensor is a strided view of a shared storage; creation functions build
 * a contiguous tensor and hand its one reference to the innermost scope or the
 * caller (adj_ret). Element access goes through adj_read/adj_write, which convert
 * between the tensor's dtype and double, so every slow path is dtype-generic.
 */
#include "internal.h"

#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>

static atomic_long live_tensors;

long adj_live_tensors(void) { return atomic_load(&live_tensors); }

size_t adj_dtype_size(AdjDType dtype) {
  switch (dtype) {
  case ADJ_FLOAT32: return sizeof(float);
  case ADJ_FLOAT64: return sizeof(double);
  case ADJ_INT64: return sizeof(int64_t);
  case ADJ_BOOL: return sizeof(bool);
  }
  return 1;
}

bool adj_dtype_is_float(AdjDType dtype) { return dtype == ADJ_FLOAT32 || dtype == ADJ_FLOAT64; }

const char *adj_dtype_name(AdjDType dtype) {
  switch (dtype) {
  case ADJ_FLOAT32: return "torch.float32";
  case ADJ_FLOAT64: return "torch.float64";
  case ADJ_INT64: return "torch.int64";
  case ADJ_BOOL: return "torch.bool";
  }
  return "?";
}

int64_t adj_shape_numel(int ndim, const int64_t *shape) {
  int64_t n = 1;
  for (int i = 0; i < ndim; i++)
    n *= shape[i];
  return n;
}

int adj_wrap_dim(int dim, int ndim) {
  int lo = ndim > 0 ? -ndim : -1, hi = ndim > 0 ? ndim - 1 : 0;
  if (dim < lo || dim > hi) {
    adj_error(ADJ_ERR_INDEX,
              "Dimension out of range (expected to be in range of [%d, %d], but got %d)", lo, hi,
              dim);
    return -1;
  }
  return dim < 0 ? dim + (ndim > 0 ? ndim : 1) : dim;
}

void adj_format_shape(char *buf, size_t n, int ndim, const int64_t *shape) {
  size_t used = (size_t)snprintf(buf, n, "[");
  for (int i = 0; i < ndim && used < n; i++)
    used += (size_t)snprintf(buf + used, n - used, "%s%lld", i ? ", " : "", (long long)shape[i]);
  if (used < n)
    snprintf(buf + used, n - used, "]");
}

/* ---- lifetime ---------------------------------------------------------------- */

static AdjStorage *storage_new(size_t nbytes) {
  AdjStorage *s = malloc(sizeof *s);
  size_t rounded = (nbytes + 63) / 64 * 64;
  void *data = aligned_alloc(64, rounded ? rounded : 64);
  if (!s || !data) {
    free(s);
    free(data);
    return NULL;
  }
  s->refcount = 1;
  s->nbytes = nbytes;
  s->data = data;
  return s;
}

static void storage_release(AdjStorage *s) {
  if (s && --s->refcount == 0) {
    free(s->data);
    free(s);
  }
}

static AdjVersion *version_new(void) {
  AdjVersion *v = malloc(sizeof *v);
  if (v) {
    v->refcount = 1;
    v->value = 0;
  }
  return v;
}

static void version_release(AdjVersion *v) {
  if (v && --v->refcount == 0)
    free(v);
}

/* A tensor struct around an existing storage and version counter (refs taken). */
static AdjTensor *tensor_alloc(AdjDType dtype, int ndim, const int64_t *shape,
                               const int64_t *stride, int64_t offset, AdjStorage *storage,
                               AdjVersion *version) {
  AdjTensor *t = calloc(1, sizeof *t);
  if (!t) {
    adj_error(ADJ_ERR_MEMORY, "out of memory allocating a tensor");
    return NULL;
  }
  t->refcount = 1;
  t->dtype = dtype;
  t->ndim = ndim;
  for (int i = 0; i < ndim; i++) {
    t->shape[i] = shape[i];
    t->stride[i] = stride[i];
  }
  t->offset = offset;
  t->storage = storage;
  storage->refcount++;
  t->version = version;
  version->refcount++;
  atomic_fetch_add(&live_tensors, 1);
  return t;
}

AdjTensor *adj_new_raw(AdjDType dtype, int ndim, const int64_t *shape) {
  if (ndim < 0 || ndim > ADJ_MAX_DIMS) {
    adj_error(ADJ_ERR_VALUE, "adjoint supports at most %d dimensions, got %d", ADJ_MAX_DIMS, ndim);
    return NULL;
  }
  int64_t stride[ADJ_MAX_DIMS];
  int64_t n = 1, total = 1;
  for (int i = ndim - 1; i >= 0; i--) {
    if (shape[i] < 0) {
      adj_error(ADJ_ERR_RUNTIME, "Trying to create tensor with negative dimension %lld",
                (long long)shape[i]);
      return NULL;
    }
    stride[i] = n;
    if (__builtin_mul_overflow(n, shape[i] > 0 ? shape[i] : 1, &n) ||
        __builtin_mul_overflow(total, shape[i], &total) || (uint64_t)total > SIZE_MAX / 16) {
      char dims[256];
      adj_format_shape(dims, sizeof dims, ndim, shape);
      adj_error(ADJ_ERR_RUNTIME, "Storage size calculation overflowed with sizes=%s", dims);
      return NULL;
    }
  }
  n = total;
  AdjStorage *s = storage_new((size_t)n * adj_dtype_size(dtype));
  AdjVersion *v = version_new();
  AdjTensor *t = s && v ? tensor_alloc(dtype, ndim, shape, stride, 0, s, v) : NULL;
  if (!s || !v)
    adj_error(ADJ_ERR_MEMORY, "out of memory allocating %lld elements", (long long)n);
  storage_release(s);
  version_release(v);
  return t;
}

AdjTensor *adj_new_view(const AdjTensor *t, int ndim, const int64_t *shape, const int64_t *stride,
                        int64_t offset) {
  AdjTensor *v = tensor_alloc(t->dtype, ndim, shape, stride, offset, t->storage, t->version);
  if (v)
    v->is_view = true;
  return v;
}

/* A tensor sharing t's storage with a fresh version counter (for .data). */
static AdjTensor *new_alias_fresh_version(const AdjTensor *t) {
  AdjVersion *v = version_new();
  if (!v) {
    adj_error(ADJ_ERR_MEMORY, "out of memory");
    return NULL;
  }
  AdjTensor *r = tensor_alloc(t->dtype, t->ndim, t->shape, t->stride, t->offset, t->storage, v);
  version_release(v);
  return r;
}

AdjTensor *adj_retain(AdjTensor *t) {
  if (t)
    t->refcount++;
  return t;
}

void adj_release(AdjTensor *t) {
  if (!t || --t->refcount > 0)
    return;
  adj_tensor_autograd_free(t);
  adj_release(t->base); /* the root base: never itself a view, so no deep recursion */
  storage_release(t->storage);
  version_release(t->version);
  free(t->hooks.items);
  free(t);
  atomic_fetch_sub(&live_tensors, 1);
}

AdjTensor *adj_ret(AdjTensor *t) {
  if (t)
    adj_scope_add(t);
  return t;
}

void adj_bump_version(AdjTensor *t) { t->version->value++; }

/* ---- element access helpers ---------------------------------------------------- */

double adj_read(const void *base, AdjDType dtype, int64_t off) {
  switch (dtype) {
  case ADJ_FLOAT32: return ((const float *)base)[off];
  case ADJ_FLOAT64: return ((const double *)base)[off];
  case ADJ_INT64: return (double)((const int64_t *)base)[off];
  case ADJ_BOOL: return ((const bool *)base)[off] ? 1.0 : 0.0;
  }
  return 0;
}

void adj_write(void *base, AdjDType dtype, int64_t off, double v) {
  switch (dtype) {
  case ADJ_FLOAT32: ((float *)base)[off] = (float)v; break;
  case ADJ_FLOAT64: ((double *)base)[off] = v; break;
  case ADJ_INT64: /* saturate: out-of-range conversion would be undefined */
    ((int64_t *)base)[off] = !isfinite(v) || isnan(v)      ? (v > 0   ? INT64_MAX
                                                              : v < 0 ? INT64_MIN
                                                                      : 0)
                             : v >= 9223372036854775807.0  ? INT64_MAX
                             : v <= -9223372036854775808.0 ? INT64_MIN
                                                           : (int64_t)v;
    break;
  case ADJ_BOOL: ((bool *)base)[off] = v != 0; break;
  }
}

int64_t adj_elem_offset(const AdjTensor *t, int64_t i) {
  int64_t off = t->offset;
  for (int d = t->ndim - 1; d >= 0; d--) {
    int64_t n = t->shape[d];
    off += (i % n) * t->stride[d];
    i /= n;
  }
  return off;
}

double adj_load(const AdjTensor *t, int64_t i) {
  return adj_read(t->storage->data, t->dtype, adj_elem_offset(t, i));
}

/* ---- creation ---------------------------------------------------------------- */

static bool check_shape_arg(int ndim, const int64_t *shape) {
  if (ndim > 0 && !shape) {
    adj_error(ADJ_ERR_TYPE, "shape is NULL but ndim is %d", ndim);
    return false;
  }
  return true;
}

AdjTensor *adj_empty(AdjDType dtype, int ndim, const int64_t *shape) {
  if (!check_shape_arg(ndim, shape))
    return NULL;
  return adj_ret(adj_new_raw(dtype, ndim, shape));
}

AdjTensor *adj_full(AdjDType dtype, int ndim, const int64_t *shape, double value) {
  if (!check_shape_arg(ndim, shape))
    return NULL;
  AdjTensor *t = adj_new_raw(dtype, ndim, shape);
  if (t)
    adj_kernel_fill(t, value);
  return adj_ret(t);
}

AdjTensor *adj_zeros(AdjDType dtype, int ndim, const int64_t *shape) {
  return adj_full(dtype, ndim, shape, 0.0);
}

AdjTensor *adj_ones(AdjDType dtype, int ndim, const int64_t *shape) {
  return adj_full(dtype, ndim, shape, 1.0);
}

AdjTensor *adj_full_like(const AdjTensor *t, double value) {
  if (!t) {
    adj_error_null("full_like");
    return NULL;
  }
  return adj_full(t->dtype, t->ndim, t->shape, value);
}

AdjTensor *adj_zeros_like(const AdjTensor *t) { return adj_full_like(t, 0.0); }

AdjTensor *adj_ones_like(const AdjTensor *t) { return adj_full_like(t, 1.0); }

AdjTensor *adj_tensor(AdjDType dtype, int ndim, const int64_t *shape, const double *values) {
  if (!check_shape_arg(ndim, shape))
    return NULL;
  AdjTensor *t = adj_new_raw(dtype, ndim, shape);
  if (!t)
    return NULL;
  int64_t n = adj_shape_numel(ndim, shape);
  if (n > 0 && !values) {
    adj_release(t);
    adj_error(ADJ_ERR_TYPE, "tensor(): values is NULL");
    return NULL;
  }
  for (int64_t i = 0; i < n; i++)
    adj_write(t->storage->data, dtype, i, values[i]);
  return adj_ret(t);
}

AdjTensor *adj_from_buffer(AdjDType dtype, int ndim, const int64_t *shape, const void *data) {
  if (!check_shape_arg(ndim, shape))
    return NULL;
  AdjTensor *t = adj_new_raw(dtype, ndim, shape);
  if (!t)
    return NULL;
  size_t nbytes = (size_t)adj_shape_numel(ndim, shape) * adj_dtype_size(dtype);
  if (nbytes > 0 && !data) {
    adj_release(t);
    adj_error(ADJ_ERR_TYPE, "from_buffer(): data is NULL");
    return NULL;
  }
  if (nbytes)
    memcpy(t->storage->data, data, nbytes);
  return adj_ret(t);
}

AdjTensor *adj_scalar(AdjDType dtype, double value) { return adj_full(dtype, 0, NULL, value); }

AdjTensor *adj_arange(AdjDType dtype, double start, double end, double step) {
  if (step == 0 || !isfinite(start) || !isfinite(end)) {
    adj_error(ADJ_ERR_RUNTIME, step == 0 ? "step must be nonzero" : "unsupported range: %g -> %g",
              start, end);
    return NULL;
  }
  if ((step > 0 && start > end) || (step < 0 && start < end)) {
    adj_error(ADJ_ERR_RUNTIME, "upper bound and larger bound inconsistent with step sign");
    return NULL;
  }
  int64_t n = (int64_t)ceil((end - start) / step);
  AdjTensor *t = adj_new_raw(dtype, 1, &n);
  if (!t)
    return NULL;
  for (int64_t i = 0; i < n; i++)
    adj_write(t->storage->data, dtype, i, start + (double)i * step);
  return adj_ret(t);
}

AdjTensor *adj_linspace(AdjDType dtype, double start, double end, int64_t steps) {
  if (steps < 0) {
    adj_error(ADJ_ERR_RUNTIME, "number of steps must be non-negative");
    return NULL;
  }
  AdjTensor *t = adj_new_raw(dtype, 1, &steps);
  if (!t)
    return NULL;
  double step = steps > 1 ? (end - start) / (double)(steps - 1) : 0;
  int64_t half = steps / 2;
  for (int64_t i = 0; i < steps; i++) /* PyTorch fills from both ends */
    adj_write(t->storage->data, dtype, i,
              i < half ? start + step * (double)i : end - step * (double)(steps - i - 1));
  return adj_ret(t);
}

/* ---- properties -------------------------------------------------------------- */

#define CHECK_T(t, fn, ret)                                                                        \
  do {                                                                                             \
    if (!(t)) {                                                                                    \
      adj_error_null(fn);                                                                          \
      return ret;                                                                                  \
    }                                                                                              \
  } while (0)

AdjDType adj_dtype(const AdjTensor *t) { return t ? t->dtype : ADJ_FLOAT32; }
int adj_dim(const AdjTensor *t) { return t ? t->ndim : 0; }

int64_t adj_size(const AdjTensor *t, int d) {
  CHECK_T(t, "size", -1);
  int w = adj_wrap_dim(d, t->ndim);
  if (w < 0 || t->ndim == 0) {
    if (w >= 0)
      adj_error(ADJ_ERR_INDEX, "dimension specified as %d but tensor has no dimensions", d);
    return -1;
  }
  return t->shape[w];
}

const int64_t *adj_shape(const AdjTensor *t) { return t ? t->shape : NULL; }
const int64_t *adj_strides(const AdjTensor *t) { return t ? t->stride : NULL; }
int64_t adj_offset(const AdjTensor *t) { return t ? t->offset : 0; }
int64_t adj_numel(const AdjTensor *t) { return t ? adj_shape_numel(t->ndim, t->shape) : 0; }
uint64_t adj_version(const AdjTensor *t) { return t ? t->version->value : 0; }

bool adj_is_contiguous(const AdjTensor *t) {
  if (!t)
    return false;
  int64_t expect = 1;
  for (int i = t->ndim - 1; i >= 0; i--) {
    if (t->shape[i] == 0)
      return true;
    if (t->shape[i] != 1 && t->stride[i] != expect)
      return false;
    expect *= t->shape[i];
  }
  return true;
}

void *adj_data_ptr(const AdjTensor *t) {
  if (!t)
    return NULL;
  return (char *)t->storage->data + (size_t)t->offset * adj_dtype_size(t->dtype);
}

bool adj_shares_storage(const AdjTensor *a, const AdjTensor *b) {
  return a && b && a->storage == b->storage;
}

double adj_item(const AdjTensor *t) {
  CHECK_T(t, "item", NAN);
  int64_t n = adj_numel(t);
  if (n != 1) {
    adj_error(ADJ_ERR_VALUE, "only one element tensors can be converted to Python scalars");
    return NAN;
  }
  return adj_load(t, 0);
}

/* Offset of t[idx...]; -1 with an IndexError if an index is out of range. */
static int64_t index_offset(const AdjTensor *t, const int64_t *idx) {
  int64_t off = t->offset;
  for (int d = 0; d < t->ndim; d++) {
    int64_t i = idx[d];
    if (i < -t->shape[d] || i >= t->shape[d]) {
      adj_error(ADJ_ERR_INDEX, "index %lld is out of bounds for dimension %d with size %lld",
                (long long)i, d, (long long)t->shape[d]);
      return -1;
    }
    off += (i < 0 ? i + t->shape[d] : i) * t->stride[d];
  }
  return off;
}

double adj_get(const AdjTensor *t, const int64_t *idx) {
  CHECK_T(t, "get", NAN);
  if (t->ndim > 0 && !idx) {
    adj_error(ADJ_ERR_TYPE, "get(): index is NULL");
    return NAN;
  }
  int64_t off = index_offset(t, idx);
  return off < 0 ? NAN : adj_read(t->storage->data, t->dtype, off);
}

int adj_set(AdjTensor *t, const int64_t *idx, double value) {
  CHECK_T(t, "set", -1);
  if (t->ndim > 0 && !idx) {
    adj_error(ADJ_ERR_TYPE, "set(): index is NULL");
    return -1;
  }
  int64_t off = index_offset(t, idx);
  if (off < 0)
    return -1;
  if (adj_grad_enabled_ && adj_requires_grad(t)) { /* t[idx] = v is select(s) + fill_ */
    adj_scope_begin();
    AdjTensor *v = t;
    for (int d = 0; d < t->ndim && v; d++)
      v = adj_select(v, 0, idx[d]);
    int rc = v && adj_fill_(v, value) ? 0 : -1;
    adj_scope_end();
    return rc;
  }
  if (adj_check_inplace(t) != 0)
    return -1;
  adj_write(t->storage->data, t->dtype, off, value);
  adj_bump_version(t);
  return 0;
}

int adj_to_doubles(const AdjTensor *t, double *out) {
  CHECK_T(t, "to_doubles", -1);
  int64_t n = adj_numel(t);
  if (n > 0 && !out) {
    adj_error(ADJ_ERR_TYPE, "to_doubles(): out is NULL");
    return -1;
  }
  for (int64_t i = 0; i < n; i++)
    out[i] = adj_load(t, i);
  return 0;
}

/* ---- detach and data ------------------------------------------------------------ */

AdjTensor *adj_detach(const AdjTensor *t) {
  CHECK_T(t, "detach", NULL);
  AdjTensor *r = adj_new_view(t, t->ndim, t->shape, t->stride, t->offset);
  if (r)
    r->is_view = false;
  return adj_ret(r);
}

AdjTensor *adj_data(const AdjTensor *t) {
  CHECK_T(t, "data", NULL);
  return adj_ret(new_alias_fresh_version(t));
}
