/*
 * ops_linalg.c — torch.matmul in all its forms, addmm and F.linear (dot, mv, mm, batched with
 * broadcast batch dims) on CBLAS, with a scalar reference path, and its backward.
 *
 * Key idea: 1-D operands are promoted to matrices ([k] -> [1, k] on the left,
 * [k, 1] on the right), every case becomes a batch of GEMMs over broadcast batch
 * dims, and the promoted dims are dropped from the result. Backward does the same
 * promotion on the gradient:  dA = dC · Bᵀ,  dB = Aᵀ · dC  (summed over broadcast
 * batch dims), written with adj_matmul itself, so it is differentiable again.
 */
#include "internal.h"

#include <cblas.h>
#include <stdlib.h>

static const char *type_word(AdjDType d) {
  switch (d) {
  case ADJ_FLOAT32: return "Float";
  case ADJ_FLOAT64: return "Double";
  case ADJ_INT64: return "Long";
  case ADJ_BOOL: return "Bool";
  }
  return "?";
}

/* View a 1-D operand as a matrix (untracked, caller-owned), or retain a >= 2-D one. */
static AdjTensor *as_matrix(const AdjTensor *t, bool left) {
  if (t->ndim >= 2)
    return adj_retain(adj_unconst(t));
  int64_t sh[2], st[2];
  if (left) {
    sh[0] = 1, sh[1] = t->shape[0];
    st[0] = t->shape[0] * t->stride[0], st[1] = t->stride[0];
  } else {
    sh[0] = t->shape[0], sh[1] = 1;
    st[0] = t->stride[0], st[1] = 1;
  }
  AdjTensor *v = adj_new_view(t, 2, sh, st, t->offset);
  if (v)
    v->is_view = false;
  return v;
}

/* Leading dimension and transpose flag for a strided matrix usable by BLAS, or 0. */
static int blas_layout(const int64_t *st, int64_t rows, int64_t cols, CBLAS_TRANSPOSE *tr) {
  if ((st[1] == 1 || cols == 1) && st[0] >= (cols > 1 ? cols : 1)) {
    *tr = CblasNoTrans;
    return (int)(st[0] > 0 ? st[0] : 1);
  }
  if ((st[0] == 1 || rows == 1) && st[1] >= (rows > 1 ? rows : 1)) {
    *tr = CblasTrans;
    return (int)(st[1] > 0 ? st[1] : 1);
  }
  return 0;
}

/* C[n, m] = A[n, k] · B[k, m] for one batch entry; offsets in elements. */
static void gemm_one(AdjTensor *c, int64_t coff, const AdjTensor *a, int64_t aoff,
                     const int64_t *ast, const AdjTensor *b, int64_t boff, const int64_t *bst,
                     int64_t n, int64_t k, int64_t m) {
  CBLAS_TRANSPOSE ta = CblasNoTrans, tb = CblasNoTrans;
  int lda = blas_layout(ast, n, k, &ta), ldb = blas_layout(bst, k, m, &tb);
  bool blas = !adj_reference_kernels() && lda && ldb && n > 0 && m > 0 && k > 0 && n < INT32_MAX &&
              m < INT32_MAX && k < INT32_MAX;
  if (blas && c->dtype == ADJ_FLOAT64) {
    cblas_dgemm(CblasRowMajor, ta, tb, (int)n, (int)m, (int)k, 1.0,
                (const double *)a->storage->data + aoff, lda,
                (const double *)b->storage->data + boff, ldb, 0.0,
                (double *)c->storage->data + coff, (int)(m > 0 ? m : 1));
    return;
  }
  if (blas && c->dtype == ADJ_FLOAT32) {
    cblas_sgemm(CblasRowMajor, ta, tb, (int)n, (int)m, (int)k, 1.0f,
                (const float *)a->storage->data + aoff, lda, (const float *)b->storage->data + boff,
                ldb, 0.0f, (float *)c->storage->data + coff, (int)(m > 0 ? m : 1));
    return;
  }
  for (int64_t i = 0; i < n; i++) /* reference: double accumulation */
    for (int64_t j = 0; j < m; j++) {
      double s = 0;
      for (int64_t p = 0; p < k; p++)
        s += adj_read(a->storage->data, a->dtype, aoff + i * ast[0] + p * ast[1]) *
             adj_read(b->storage->data, b->dtype, boff + p * bst[0] + j * bst[1]);
      adj_write(c->storage->data, c->dtype, coff + i * m + j, s);
    }
}

/* Batched product of matrices a2 [..., n, k] and b2 [..., k, m] into a new tensor. */
static AdjTensor *bmm_raw(const AdjTensor *a2, const AdjTensor *b2) {
  int na = a2->ndim - 2, nb = b2->ndim - 2, nbatch;
  int64_t batch[ADJ_MAX_DIMS];
  if (adj_broadcast_shape(na, a2->shape, nb, b2->shape, &nbatch, batch) != 0)
    return NULL;
  int64_t n = a2->shape[na], k = a2->shape[na + 1], m = b2->shape[nb + 1];
  int64_t shape[ADJ_MAX_DIMS];
  for (int i = 0; i < nbatch; i++)
    shape[i] = batch[i];
  shape[nbatch] = n, shape[nbatch + 1] = m;
  AdjTensor *c = adj_new_raw(a2->dtype, nbatch + 2, shape);
  if (!c)
    return NULL;
  int64_t nb_total = adj_shape_numel(nbatch, batch);
  for (int64_t bi = 0; bi < nb_total; bi++) {
    int64_t rem = bi, aoff = a2->offset, boff = b2->offset;
    for (int d = nbatch - 1; d >= 0; d--) {
      int64_t idx = rem % batch[d];
      rem /= batch[d];
      int da = d - (nbatch - na), db = d - (nbatch - nb);
      if (da >= 0 && a2->shape[da] != 1)
        aoff += idx * a2->stride[da];
      if (db >= 0 && b2->shape[db] != 1)
        boff += idx * b2->stride[db];
    }
    gemm_one(c, bi * n * m, a2, aoff, a2->stride + na, b2, boff, b2->stride + nb, n, k, m);
  }
  return c;
}

/* Re-insert the dims that 1-D operands dropped from the result, so g is a batch of
 * matrices like the promoted product. */
static AdjTensor *promote_grad(const AdjNode *node, AdjTensor *g) {
  if (node->ints[0] == 1)
    g = adj_unsqueeze(g, g ? g->ndim - (node->ints[1] == 1 ? 0 : 1) : 0);
  if (g && node->ints[1] == 1)
    g = adj_unsqueeze(g, g->ndim);
  return g;
}

static int matmul_backward(AdjNode *n, AdjTensor *const *sv, AdjTensor *g, AdjTensor **gi) {
  AdjTensor *g2 = promote_grad(n, g);
  if (!g2)
    return -1;
  if (adj_needs_grad(n, 0)) {
    const AdjTensor *b = sv[1];
    AdjTensor *b2 = b->ndim == 1 ? adj_unsqueeze(b, 1) : adj_unconst(b);
    AdjTensor *ga = b2 ? adj_matmul(g2, adj_transpose(b2, -1, -2)) : NULL;
    AdjMeta m2 = n->in_meta[0];
    if (m2.ndim == 1)
      m2.ndim = 2, m2.shape[1] = m2.shape[0], m2.shape[0] = 1;
    ga = ga ? adj_sum_to(ga, &m2) : NULL;
    if (!ga || !(gi[0] = adj_reshape(ga, n->in_meta[0].ndim, n->in_meta[0].shape)))
      return -1;
  }
  if (adj_needs_grad(n, 1)) {
    const AdjTensor *a = sv[0];
    AdjTensor *a2 = a->ndim == 1 ? adj_unsqueeze(a, 0) : adj_unconst(a);
    AdjTensor *gb = a2 ? adj_matmul(adj_transpose(a2, -1, -2), g2) : NULL;
    AdjMeta m2 = n->in_meta[1];
    if (m2.ndim == 1)
      m2.ndim = 2, m2.shape[1] = 1;
    gb = gb ? adj_sum_to(gb, &m2) : NULL;
    if (!gb || !(gi[1] = adj_reshape(gb, n->in_meta[1].ndim, n->in_meta[1].shape)))
      return -1;
  }
  return 0;
}

/* The node PyTorch's matmul ends in for these ranks. */
static const char *matmul_name(const AdjTensor *a, const AdjTensor *b) {
  if (a->ndim == 1 && b->ndim == 1)
    return "DotBackward0";
  if (a->ndim == 2 && b->ndim == 1)
    return "MvBackward0";
  if (a->ndim == 1 && b->ndim == 2)
    return "SqueezeBackward3";
  if (a->ndim == 2 && b->ndim == 2)
    return "MmBackward0";
  return "UnsafeViewBackward0";
}

/* Ranks, dtypes and inner sizes of a matmul, with PyTorch's messages; 0 or -1. */
static int check_matmul(const AdjTensor *a, const AdjTensor *b) {
  if (a->ndim == 0 || b->ndim == 0) {
    adj_error(ADJ_ERR_RUNTIME,
              "both arguments to matmul need to be at least 1D, but they are "
              "%dD and %dD",
              a->ndim, b->ndim);
    return -1;
  }
  if (a->dtype != b->dtype) {
    adj_error(ADJ_ERR_RUNTIME, "expected scalar type %s but found %s", type_word(a->dtype),
              type_word(b->dtype));
    return -1;
  }
  if (!adj_dtype_is_float(a->dtype)) {
    adj_error(ADJ_ERR_RUNTIME, "\"addmm_impl_cpu_\" not implemented for '%s'", type_word(a->dtype));
    return -1;
  }
  int64_t ka = a->shape[a->ndim - 1], kb = b->ndim == 1 ? b->shape[0] : b->shape[b->ndim - 2];
  if (ka == kb)
    return 0;
  if (a->ndim == 1 && b->ndim == 1)
    adj_error(ADJ_ERR_RUNTIME,
              "inconsistent tensor size, expected tensor [%lld] and src [%lld] to have the same "
              "number of elements, but got %lld and %lld elements respectively",
              (long long)ka, (long long)kb, (long long)ka, (long long)kb);
  else if (b->ndim == 1)
    adj_error(ADJ_ERR_RUNTIME, "size mismatch, got %lld, %lldx%lld,%lld",
              (long long)a->shape[a->ndim - 2], (long long)a->shape[a->ndim - 2], (long long)ka,
              (long long)kb);
  else
    adj_error(ADJ_ERR_RUNTIME,
              "mat1 and mat2 shapes cannot be multiplied (%lldx%lld and "
              "%lldx%lld)",
              (long long)(a->ndim == 1 ? 1 : a->shape[a->ndim - 2]), (long long)ka, (long long)kb,
              (long long)b->shape[b->ndim - 1]);
  return -1;
}

AdjTensor *adj_matmul(const AdjTensor *a, const AdjTensor *b) {
  if (!a || !b) {
    adj_error_null("matmul");
    return NULL;
  }
  if (check_matmul(a, b) != 0)
    return NULL;
  AdjTensor *a2 = as_matrix(a, true), *b2 = a2 ? as_matrix(b, false) : NULL;
  AdjTensor *c = b2 ? bmm_raw(a2, b2) : NULL;
  adj_release(a2);
  adj_release(b2);
  if (!c)
    return NULL;
  /* drop the promoted dims: batch + [n if a is 2-D+] + [m if b is 2-D+] */
  if (a->ndim == 1 || b->ndim == 1) {
    int nbatch = c->ndim - 2, nd = nbatch;
    int64_t n = c->shape[nbatch], m = c->shape[nbatch + 1];
    if (a->ndim > 1)
      c->shape[nd++] = n;
    if (b->ndim > 1)
      c->shape[nd++] = m;
    c->ndim = nd;
    int64_t s = 1;
    for (int i = nd - 1; i >= 0; i--) {
      c->stride[i] = s;
      s *= c->shape[i];
    }
  }
  const AdjTensor *in[2] = {a, b};
  AdjNode *node = adj_node_new(matmul_name(a, b), matmul_backward, 2, in);
  if (node) {
    node->ints[0] = a->ndim;
    node->ints[1] = b->ndim;
    if (adj_needs_grad(node, 1))
      adj_node_save(node, 0, a, false);
    if (adj_needs_grad(node, 0))
      adj_node_save(node, 1, b, false);
  }
  adj_set_history(c, node);
  return adj_ret(c);
}

/* ---- addmm and linear ------------------------------------------------------------- */

/* d(input + m1 m2) = g (summed to input's shape by the engine), g m2^T, m1^T g. */
static int addmm_backward(AdjNode *n, AdjTensor *const *sv, AdjTensor *g, AdjTensor **gi) {
  gi[0] = adj_needs_grad(n, 0) ? g : NULL;
  if (adj_needs_grad(n, 1) && !(gi[1] = adj_matmul(g, adj_t(sv[2]))))
    return -1;
  if (adj_needs_grad(n, 2) && !(gi[2] = adj_matmul(adj_t(sv[1]), g)))
    return -1;
  return 0;
}

AdjTensor *adj_addmm(const AdjTensor *input, const AdjTensor *m1, const AdjTensor *m2) {
  if (!input || !m1 || !m2) {
    adj_error_null("addmm");
    return NULL;
  }
  if (m1->ndim != 2 || m2->ndim != 2) {
    adj_error(ADJ_ERR_RUNTIME, "%s must be a matrix", m1->ndim != 2 ? "mat1" : "mat2");
    return NULL;
  }
  if (check_matmul(m1, m2) != 0)
    return NULL;
  if (input->dtype != m1->dtype) {
    adj_error(ADJ_ERR_RUNTIME, "expected scalar type %s but found %s", type_word(m1->dtype),
              type_word(input->dtype));
    return NULL;
  }
  int nd;
  int64_t shape[ADJ_MAX_DIMS];
  int64_t out_shape[2] = {m1->shape[0], m2->shape[1]};
  if (adj_broadcast_shape(input->ndim, input->shape, 2, out_shape, &nd, shape) != 0)
    return NULL;
  if (nd != 2 || shape[0] != out_shape[0] || shape[1] != out_shape[1]) {
    char a[128];
    adj_format_shape(a, sizeof a, input->ndim, input->shape);
    adj_error(ADJ_ERR_RUNTIME,
              "The expanded size of the tensor (%lld) must match the existing "
              "size of input %s",
              (long long)out_shape[1], a);
    return NULL;
  }
  AdjTensor *c = bmm_raw(m1, m2);
  if (!c)
    return NULL;
  adj_kernel_binary(B_ADD, c, c, input);
  const AdjTensor *in[3] = {input, m1, m2};
  AdjNode *node = adj_node_new("AddmmBackward0", addmm_backward, 3, in);
  if (node) {
    if (adj_needs_grad(node, 2))
      adj_node_save(node, 1, m1, false);
    if (adj_needs_grad(node, 1))
      adj_node_save(node, 2, m2, false);
  }
  adj_set_history(c, node);
  return adj_ret(c);
}

AdjTensor *adj_linear(const AdjTensor *x, const AdjTensor *w, const AdjTensor *b) {
  if (!x || !w) {
    adj_error_null("linear");
    return NULL;
  }
  adj_scope_begin();
  AdjTensor *wt = adj_t(w), *r = NULL;
  if (b && x->ndim == 2) { /* PyTorch's fused path */
    r = adj_addmm(b, x, wt);
  } else if (b && x->ndim == 3 && adj_is_contiguous(x)) {
    AdjTensor *x2 = adj_view(x, ADJ_SHAPE(x->shape[0] * x->shape[1], x->shape[2]));
    AdjTensor *y = x2 ? adj_addmm(b, x2, wt) : NULL;
    r = y ? adj_view(y, ADJ_SHAPE(x->shape[0], x->shape[1], y->shape[1])) : NULL;
  } else {
    r = adj_matmul(x, wt);
    if (r && b && !adj_add_(r, b))
      r = NULL;
  }
  return adj_scope_return(r);
}
