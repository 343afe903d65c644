/*
 * ops_reduce.c — reductions (sum, mean, max/min, argmax/argmin), softmax and
 * log_softmax, and the losses nll_loss / cross_entropy, with their backward formulas.
 *
 * Key idea: every reduction runs through one kernel over a dims mask; backward
 * formulas re-insert the reduced dims (unsqueeze) and expand, so they are ordinary
 * differentiable ops and second derivatives come for free.
 *
 *   sum: g expanded     mean: g expanded / N     max (all): g split evenly over ties
 *   max(dim): g scattered to the index           softmax: r * (g - sum(g * r))
 *   log_softmax: g - exp(r) * sum(g)             nll: -g at each target (/ count for mean)
 */
#include "internal.h"

#include <math.h>
#include <stdlib.h>

/* Parse a dims list into a mask; ndims == 0 means all dims. */
static int dims_mask(const AdjTensor *t, int ndims, const int *dims, bool *mask) {
  if (ndims > 0 && !dims) {
    adj_error(ADJ_ERR_TYPE, "dims is NULL but ndims is %d", ndims);
    return -1;
  }
  for (int d = 0; d < ADJ_MAX_DIMS; d++)
    mask[d] = ndims == 0 || !dims;
  if (ndims == 0 || !dims)
    return 0;
  for (int i = 0; i < ndims; i++) {
    int d = adj_wrap_dim(dims[i], t->ndim);
    if (d < 0)
      return -1;
    if (t->ndim == 0)
      continue;
    if (mask[d] && ndims > 1) {
      adj_error(ADJ_ERR_RUNTIME, "dim %d appears multiple times in the list of dims", d);
      return -1;
    }
    mask[d] = true;
  }
  return 0;
}

/* Output shape of a reduction: reduced dims dropped, or kept as 1 with keepdim. */
static int reduced_shape(const AdjTensor *t, const bool *mask, bool keepdim, int64_t *shape) {
  int k = 0;
  for (int d = 0; d < t->ndim; d++) {
    if (!mask[d])
      shape[k++] = t->shape[d];
    else if (keepdim)
      shape[k++] = 1;
  }
  return k;
}

static AdjTensor *reduce_raw(AdjReduceOp op, const AdjTensor *t, const bool *mask, bool keepdim,
                             AdjDType dt) {
  int64_t shape[ADJ_MAX_DIMS];
  int nd = reduced_shape(t, mask, keepdim, shape);
  AdjTensor *out = adj_new_raw(dt, nd, shape);
  if (out)
    adj_kernel_reduce(op, out, t, mask);
  return out;
}

/* g (reduced shape) back to the input's shape: unsqueeze dropped dims, expand. */
static AdjTensor *unreduce(AdjNode *n, AdjTensor *g) {
  const AdjMeta *m = &n->in_meta[0];
  bool keepdim = n->ints[ADJ_MAX_DIMS];
  AdjTensor *x = g;
  if (!keepdim)
    for (int d = 0; d < m->ndim && x; d++)
      if (n->ints[d])
        x = adj_unsqueeze(x, d);
  return x ? adj_expand(x, m->ndim, m->shape) : NULL;
}

/* Record the reduced dims and keepdim in the node for unreduce(). */
static void store_mask(AdjNode *n, const bool *mask, bool keepdim, int ndim) {
  for (int d = 0; d < ndim; d++)
    n->ints[d] = mask[d];
  n->ints[ADJ_MAX_DIMS] = keepdim;
}

static int sum_backward(AdjNode *n, AdjTensor *const *sv, AdjTensor *g, AdjTensor **gi) {
  (void)sv;
  return (gi[0] = unreduce(n, g)) ? 0 : -1;
}

static int mean_backward(AdjNode *n, AdjTensor *const *sv, AdjTensor *g, AdjTensor **gi) {
  (void)sv;
  AdjTensor *e = unreduce(n, g);
  return e && (gi[0] = adj_div_scalar(e, n->scalar[0])) ? 0 : -1;
}

static AdjTensor *sum_impl(const char *fn, const char *name, const AdjTensor *t, int ndims,
                           const int *dims, bool keepdim, bool mean) {
  bool mask[ADJ_MAX_DIMS];
  if (!t) {
    adj_error_null(fn);
    return NULL;
  }
  if (dims_mask(t, ndims, dims, mask) != 0)
    return NULL;
  if (mean && !adj_dtype_is_float(t->dtype)) {
    adj_error(ADJ_ERR_RUNTIME,
              "mean(): could not infer output dtype. Input dtype must be either a floating point "
              "or complex dtype. Got: %s",
              t->dtype == ADJ_INT64 ? "Long" : "Bool");
    return NULL;
  }
  AdjDType dt = adj_dtype_is_float(t->dtype) ? t->dtype : ADJ_INT64;
  AdjTensor *out = reduce_raw(R_SUM, t, mask, keepdim, dt);
  if (!out)
    return NULL;
  double count = 1;
  for (int d = 0; d < t->ndim; d++)
    if (mask[d])
      count *= (double)t->shape[d];
  if (mean) {
    int64_t n = adj_numel(out);
    for (int64_t i = 0; i < n; i++)
      adj_write(out->storage->data, out->dtype, i, adj_load(out, i) / count);
  }
  AdjNode *node = adj_node_new(name, mean ? mean_backward : sum_backward, 1, &t);
  if (node) {
    store_mask(node, mask, keepdim, t->ndim);
    node->scalar[0] = count;
  }
  adj_set_history(out, node);
  return adj_ret(out);
}

AdjTensor *adj_sum(const AdjTensor *t) {
  return sum_impl("sum", "SumBackward0", t, 0, NULL, false, false);
}
AdjTensor *adj_sum_dims(const AdjTensor *t, int ndims, const int *dims, bool keepdim) {
  return sum_impl("sum", "SumBackward1", t, ndims, dims, keepdim, false);
}
AdjTensor *adj_mean(const AdjTensor *t) {
  return sum_impl("mean", "MeanBackward0", t, 0, NULL, false, true);
}
AdjTensor *adj_mean_dims(const AdjTensor *t, int ndims, const int *dims, bool keepdim) {
  return sum_impl("mean", "MeanBackward1", t, ndims, dims, keepdim, true);
}

/* ---- max / min ---------------------------------------------------------------------------- */

/* evenly_distribute_backward: mask = (self == result), g * mask / mask.sum(). */
static int max_all_backward(AdjNode *n, AdjTensor *const *sv, AdjTensor *g, AdjTensor **gi) {
  (void)n;
  AdjTensor *mask = adj_to_dtype(adj_eq(sv[0], sv[1]), g->dtype);
  AdjTensor *count = mask ? adj_sum(mask) : NULL;
  return count && (gi[0] = adj_mul(mask, adj_div(g, count))) ? 0 : -1;
}

/* max()/min() over all elements; saves input and output for the tie-splitting backward. */
static AdjTensor *max_all(const AdjTensor *t, bool is_max) {
  const char *fn = is_max ? "max" : "min";
  if (!t) {
    adj_error_null(fn);
    return NULL;
  }
  if (adj_numel(t) == 0) {
    adj_error(ADJ_ERR_RUNTIME,
              "%s(): Expected reduction dim to be specified for input.numel() == 0. Specify the "
              "reduction dim with the 'dim' argument.",
              fn);
    return NULL;
  }
  bool mask[ADJ_MAX_DIMS];
  dims_mask(t, 0, NULL, mask);
  AdjTensor *out = reduce_raw(is_max ? R_MAX : R_MIN, t, mask, false, t->dtype);
  if (!out)
    return NULL;
  AdjNode *node = adj_node_new(is_max ? "MaxBackward1" : "MinBackward1", max_all_backward, 1, &t);
  if (node) {
    adj_node_save(node, 0, t, false);
    adj_node_save(node, 1, out, true);
  }
  adj_set_history(out, node);
  return adj_ret(out);
}

AdjTensor *adj_max(const AdjTensor *t) { return max_all(t, true); }
AdjTensor *adj_min(const AdjTensor *t) { return max_all(t, false); }

static int max_dim_backward(AdjNode *n, AdjTensor *const *sv, AdjTensor *g, AdjTensor **gi) {
  int d = (int)n->ints[0];
  bool keepdim = n->ints[1];
  AdjTensor *gg = g, *idx = sv[0];
  if (!keepdim && n->in_meta[0].ndim > 0) {
    gg = adj_unsqueeze(g, d);
    idx = adj_unsqueeze(sv[0], d);
  }
  return gg && idx && (gi[0] = adj_scatter_add_op(&n->in_meta[0], d, idx, gg)) ? 0 : -1;
}

static AdjTensor *arg_reduce(const AdjTensor *t, int dim, bool keepdim, bool is_max, bool all,
                             int *d_out) {
  bool mask[ADJ_MAX_DIMS];
  if (all) {
    dims_mask(t, 0, NULL, mask);
    keepdim = false;
  } else {
    int d = adj_wrap_dim(dim, t->ndim);
    if (d < 0)
      return NULL;
    if (t->ndim > 0 && t->shape[d] == 0) {
      adj_error(ADJ_ERR_INDEX, "%s(): Expected reduction dim %d to have non-zero size.",
                is_max ? "argmax" : "argmin", d);
      return NULL;
    }
    for (int k = 0; k < ADJ_MAX_DIMS; k++)
      mask[k] = k == d;
    *d_out = d;
  }
  if (all && adj_numel(t) == 0) {
    adj_error(ADJ_ERR_RUNTIME, "argmax(): Expected reduction dim to be specified for "
                               "input.numel() == 0.");
    return NULL;
  }
  return reduce_raw(is_max ? R_ARGMAX : R_ARGMIN, t, mask, keepdim, ADJ_INT64);
}

static AdjTensor *max_dim(const AdjTensor *t, int dim, bool keepdim, AdjTensor **indices,
                          bool is_max) {
  if (indices)
    *indices = NULL;
  if (!t) {
    adj_error_null(is_max ? "max" : "min");
    return NULL;
  }
  int d = 0;
  AdjTensor *idx = arg_reduce(t, dim, keepdim, is_max, false, &d);
  if (!idx)
    return NULL;
  AdjTensor *vals = adj_new_raw(t->dtype, idx->ndim, idx->shape);
  if (!vals) {
    adj_release(idx);
    return NULL;
  }
  int64_t n = adj_numel(idx);
  for (int64_t e = 0; e < n; e++) { /* values = t.gather(d, idx) */
    int64_t coord[ADJ_MAX_DIMS], rem = e, off = t->offset;
    for (int k = idx->ndim - 1; k >= 0; k--) {
      coord[k] = rem % idx->shape[k];
      rem /= idx->shape[k];
    }
    for (int k = 0, j = 0; k < t->ndim; k++) {
      int64_t c = k == d ? (int64_t)adj_load(idx, e) : coord[j];
      if (k != d || keepdim)
        j++;
      off += c * t->stride[k];
    }
    adj_write(vals->storage->data, vals->dtype, e, adj_read(t->storage->data, t->dtype, off));
  }
  AdjNode *node = adj_node_new(is_max ? "MaxBackward0" : "MinBackward0", max_dim_backward, 1, &t);
  if (node) {
    node->ints[0] = d;
    node->ints[1] = keepdim;
    adj_node_save(node, 0, idx, false);
  }
  adj_set_history(vals, node);
  if (indices)
    *indices = adj_ret(idx);
  else
    adj_release(idx);
  return adj_ret(vals);
}

AdjTensor *adj_max_dim(const AdjTensor *t, int dim, bool keepdim, AdjTensor **indices) {
  return max_dim(t, dim, keepdim, indices, true);
}
AdjTensor *adj_min_dim(const AdjTensor *t, int dim, bool keepdim, AdjTensor **indices) {
  return max_dim(t, dim, keepdim, indices, false);
}

AdjTensor *adj_argmax(const AdjTensor *t) {
  if (!t) {
    adj_error_null("argmax");
    return NULL;
  }
  int d;
  return adj_ret(arg_reduce(t, 0, false, true, true, &d));
}

AdjTensor *adj_argmax_dim(const AdjTensor *t, int dim, bool keepdim) {
  if (!t) {
    adj_error_null("argmax");
    return NULL;
  }
  int d;
  return adj_ret(arg_reduce(t, dim, keepdim, true, false, &d));
}

AdjTensor *adj_argmin_dim(const AdjTensor *t, int dim, bool keepdim) {
  if (!t) {
    adj_error_null("argmin");
    return NULL;
  }
  int d;
  return adj_ret(arg_reduce(t, dim, keepdim, false, false, &d));
}

/* ---- softmax family ---------------------------------------------------------------------- */

static int softmax_backward(AdjNode *n, AdjTensor *const *sv, AdjTensor *g, AdjTensor **gi) {
  int d = (int)n->ints[0];
  AdjTensor *r = sv[0];
  AdjTensor *s = adj_sum_dims(adj_mul(g, r), 1, &d, true);
  return s && (gi[0] = adj_mul(r, adj_sub(g, s))) ? 0 : -1;
}

static int log_softmax_backward(AdjNode *n, AdjTensor *const *sv, AdjTensor *g, AdjTensor **gi) {
  int d = (int)n->ints[0];
  AdjTensor *s = adj_sum_dims(g, 1, &d, true);
  return s && (gi[0] = adj_sub(g, adj_mul(adj_exp(sv[0]), s))) ? 0 : -1;
}

/* Stable (log-)softmax along d into a new contiguous tensor. */
static AdjTensor *softmax_raw(const AdjTensor *t, int d, bool log_) {
  AdjTensor *out = adj_new_raw(t->dtype, t->ndim, t->shape);
  if (!out)
    return NULL;
  int64_t outer = 1, inner = 1, len = t->ndim ? t->shape[d] : 1;
  for (int k = 0; k < d; k++)
    outer *= t->shape[k];
  for (int k = d + 1; k < t->ndim; k++)
    inner *= t->shape[k];
  int64_t step = t->ndim ? t->stride[d] : 0;
  for (int64_t o = 0; o < outer; o++)
    for (int64_t i = 0; i < inner; i++) {
      int64_t base = adj_elem_offset(t, o * len * inner + i), obase = o * len * inner + i;
      double mx = -INFINITY, sum = 0;
      for (int64_t k = 0; k < len; k++) {
        double x = adj_read(t->storage->data, t->dtype, base + k * step);
        mx = x > mx || isnan(x) ? x : mx;
      }
      if (isinf(mx) && mx < 0)
        mx = 0;
      for (int64_t k = 0; k < len; k++)
        sum += exp(adj_read(t->storage->data, t->dtype, base + k * step) - mx);
      double lse = log(sum);
      for (int64_t k = 0; k < len; k++) {
        double z = adj_read(t->storage->data, t->dtype, base + k * step) - mx;
        adj_write(out->storage->data, out->dtype, obase + k * inner, log_ ? z - lse : exp(z) / sum);
      }
    }
  return out;
}

/* softmax / log_softmax along dim; the node saves the output. */
static AdjTensor *softmax_impl(const AdjTensor *t, int dim, bool log_) {
  const char *fn = log_ ? "log_softmax" : "softmax";
  if (!t) {
    adj_error_null(fn);
    return NULL;
  }
  if (!adj_dtype_is_float(t->dtype)) {
    adj_error(ADJ_ERR_RUNTIME, "\"%s_lastdim_kernel_impl\" not implemented for '%s'", fn,
              t->dtype == ADJ_INT64 ? "Long" : "Bool");
    return NULL;
  }
  int d = adj_wrap_dim(dim, t->ndim);
  if (d < 0)
    return NULL;
  AdjTensor *out = softmax_raw(t, d, log_);
  if (!out)
    return NULL;
  AdjNode *node = adj_node_new(log_ ? "LogSoftmaxBackward0" : "SoftmaxBackward0",
                               log_ ? log_softmax_backward : softmax_backward, 1, &t);
  if (node) {
    node->ints[0] = d;
    adj_node_save(node, 0, out, true);
  }
  adj_set_history(out, node);
  return adj_ret(out);
}

AdjTensor *adj_softmax(const AdjTensor *t, int dim) { return softmax_impl(t, dim, false); }
AdjTensor *adj_log_softmax(const AdjTensor *t, int dim) { return softmax_impl(t, dim, true); }

/* ---- nll_loss and cross_entropy ---------------------------------------------------------- */

#define IGNORE_INDEX (-100)

/* d loss / d logp: -w at each (n, target[n]); w = 1/count (mean) or 1; times g. */
static int nll_backward(AdjNode *n, AdjTensor *const *sv, AdjTensor *g, AdjTensor **gi) {
  const AdjMeta *m = &n->in_meta[0];
  AdjReduction red = (AdjReduction)n->ints[0];
  AdjTensor *coef = adj_zeros(g->dtype, m->ndim, m->shape);
  if (!coef)
    return -1;
  int64_t rows = m->ndim == 2 ? m->shape[0] : 1, classes = m->shape[m->ndim - 1];
  double w = red == ADJ_REDUCTION_MEAN ? -1.0 / n->scalar[0] : -1.0;
  for (int64_t r = 0; r < rows; r++) {
    int64_t c = (int64_t)adj_load(sv[0], r);
    if (c != IGNORE_INDEX)
      adj_write(coef->storage->data, coef->dtype, r * classes + c, w);
  }
  AdjTensor *gg = g;
  if (red == ADJ_REDUCTION_NONE && m->ndim == 2)
    gg = adj_unsqueeze(g, 1);
  return gg && (gi[0] = adj_mul(coef, gg)) ? 0 : -1;
}

AdjTensor *adj_nll_loss(const AdjTensor *logp, const AdjTensor *target, AdjReduction red) {
  if (!logp || !target) {
    adj_error_null("nll_loss");
    return NULL;
  }
  if (logp->ndim < 1 || logp->ndim > 2) {
    adj_error(ADJ_ERR_VALUE, "Expected 2 or fewer dimensions (got %d)", logp->ndim);
    return NULL;
  }
  if (target->dtype != ADJ_INT64) {
    adj_error(ADJ_ERR_RUNTIME, "expected scalar type Long but found %s",
              target->dtype == ADJ_BOOL      ? "Bool"
              : target->dtype == ADJ_FLOAT32 ? "Float"
                                             : "Double");
    return NULL;
  }
  int64_t rows = logp->ndim == 2 ? logp->shape[0] : 1, classes = logp->shape[logp->ndim - 1];
  if (target->ndim != logp->ndim - 1 || (logp->ndim == 2 && target->shape[0] != rows)) {
    adj_error(ADJ_ERR_VALUE,
              "Expected input batch_size (%lld) to match target batch_size "
              "(%lld).",
              (long long)rows, (long long)(target->ndim ? target->shape[0] : 1));
    return NULL;
  }
  double total = 0, count = 0;
  int64_t one = rows;
  AdjTensor *out = red == ADJ_REDUCTION_NONE ? adj_new_raw(logp->dtype, logp->ndim - 1, &one)
                                             : adj_new_raw(logp->dtype, 0, NULL);
  if (!out)
    return NULL;
  for (int64_t r = 0; r < rows; r++) {
    int64_t c = (int64_t)adj_load(target, r);
    double v = 0;
    if (c != IGNORE_INDEX) {
      if (c < 0 || c >= classes) {
        adj_release(out);
        adj_error(ADJ_ERR_INDEX, "Target %lld is out of bounds.", (long long)c);
        return NULL;
      }
      v = -adj_load(logp, r * classes + c);
      count += 1;
    }
    total += v;
    if (red == ADJ_REDUCTION_NONE)
      adj_write(out->storage->data, out->dtype, r, v);
  }
  if (red != ADJ_REDUCTION_NONE)
    adj_write(out->storage->data, out->dtype, 0, red == ADJ_REDUCTION_MEAN ? total / count : total);
  AdjNode *node = adj_node_new("NllLossBackward0", nll_backward, 1, &logp);
  if (node) {
    node->ints[0] = red;
    node->scalar[0] = count;
    adj_node_save(node, 0, target, false);
  }
  adj_set_history(out, node);
  return adj_ret(out);
}

AdjTensor *adj_cross_entropy(const AdjTensor *logits, const AdjTensor *target, AdjReduction red) {
  if (!logits || !target) {
    adj_error_null("cross_entropy");
    return NULL;
  }
  adj_scope_begin();
  AdjTensor *lp = adj_log_softmax(logits, logits->ndim == 1 ? 0 : 1);
  return adj_scope_return(lp ? adj_nll_loss(lp, target, red) : NULL);
}
