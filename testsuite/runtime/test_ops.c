/*
 * test_ops.c — forward values and gradients of every op, on fixed inputs and edge
 * cases (ties, clamp boundaries, zeros, infinities, empty tensors), printed and
 * compared with PyTorch's output (golden/ops.txt from golden/ops.py). Each case
 * mirrors the Python run() call of the same name.
 */
#define _POSIX_C_SOURCE 200809L
#include <adjoint.h>
#include <math.h>
#include <stdlib.h>

#include "check.h"

#ifndef ADJ_GOLDEN_DIR
#define ADJ_GOLDEN_DIR "runtime/golden"
#endif

#define F32 ADJ_FLOAT32
#define I64 ADJ_INT64

static FILE *OUT;
static AdjTensor *A, *B, *POS, *EDGE, *T;

static void section(const char *name) { fprintf(OUT, "=== %s\n", name); }

typedef AdjTensor *(*Fn)(AdjTensor **x);

/* run(name, f, inputs..., grad=...): print f(x), then each input's gradient. */
static void run(const char *name, Fn f, int n, AdjTensor *const *inputs, AdjTensor *grad) {
  adj_scope_begin();
  section(name);
  AdjTensor *xs[4];
  for (int i = 0; i < n; i++) {
    xs[i] = adj_clone(inputs[i]);
    if (adj_dtype(xs[i]) == F32)
      adj_requires_grad_(xs[i], true);
  }
  AdjTensor *y = f(xs);
  CHECK(y != NULL);
  if (!y) {
    fprintf(stderr, "%s: %s\n", name, adj_last_error());
    adj_clear_error();
    adj_scope_end();
    return;
  }
  adj_fprint(OUT, y);
  CHECK(adj_backward(y, grad ? grad : adj_ones_like(y), false, false) == 0);
  for (int i = 0; i < n; i++)
    if (adj_requires_grad(xs[i]))
      adj_fprint(OUT, adj_grad(xs[i]));
  adj_scope_end();
}

#define RUN1(name, x, body)                                                                        \
  do {                                                                                             \
    AdjTensor *in_[1] = {x};                                                                       \
    run(#name, op_##name, 1, in_, NULL);                                                           \
  } while (0)
#define RUN2(name, x, y)                                                                           \
  do {                                                                                             \
    AdjTensor *in_[2] = {x, y};                                                                    \
    run(#name, op_##name, 2, in_, NULL);                                                           \
  } while (0)
#define OP(name, expr)                                                                             \
  static AdjTensor *op_##name(AdjTensor **x) {                                                     \
    (void)x;                                                                                       \
    return expr;                                                                                   \
  }

static AdjTensor *ar(double n) { return adj_arange(F32, 0, n, 1); }
static AdjTensor *row(const AdjTensor *t, int i) { return adj_select(t, 0, i); }

OP(add, adj_add(x[0], x[1]))
OP(sub_bcast, adj_sub(x[0], x[1]))
OP(mul_bcast, adj_mul(x[0], x[1]))
OP(div, adj_div(x[0], x[1]))
OP(div_zero, adj_div(x[0], x[1]))
OP(pow, adj_pow(x[0], x[1]))
OP(pow_zero_base, adj_pow(x[0], x[1]))
OP(pow_scalar, adj_pow_scalar(x[0], 3))
OP(pow_scalar_zero, adj_pow_scalar(x[0], 0))
OP(pow_scalar_half, adj_pow_scalar(x[0], 0.5))
OP(neg, adj_neg(x[0]))
OP(exp, adj_exp(x[0]))
OP(log, adj_log(x[0]))
OP(sqrt, adj_sqrt(x[0]))
OP(abs_edge, adj_abs(x[0]))
OP(sign_edge, adj_sign(x[0]))
OP(sin, adj_sin(x[0]))
OP(cos, adj_cos(x[0]))
OP(tanh, adj_tanh(x[0]))
OP(sigmoid, adj_sigmoid(x[0]))
OP(relu_edge, adj_relu(x[0]))
OP(clamp_edge, adj_clamp(x[0], -0.5, 0.5))
OP(clamp_min, adj_clamp(x[0], 0.0, INFINITY))
OP(minimum_ties, adj_minimum(x[0], x[1]))
OP(maximum_ties, adj_maximum(x[0], x[1]))
OP(add_scalar, adj_add_scalar(x[0], 2.5))
OP(rsub_scalar, adj_rsub_scalar(x[0], 2.5))
OP(mul_scalar, adj_mul_scalar(x[0], -3))
OP(div_scalar, adj_div_scalar(x[0], 4))
OP(sum, adj_sum(x[0]))
OP(sum_dim, adj_sum_dims(x[0], ADJ_DIMS(1), false))
OP(sum_keepdim, adj_sum_dims(x[0], ADJ_DIMS(0), true))
OP(sum_empty, adj_sum_dims(x[0], ADJ_DIMS(0), false))
OP(mean, adj_mean(x[0]))
OP(mean_dims, adj_mean_dims(x[0], ADJ_DIMS(0, 1), true))
OP(max_ties, adj_max(x[0]))
OP(min, adj_min(x[0]))
OP(max_dim, adj_max_dim(x[0], 1, false, NULL))
OP(max_dim_keepdim, adj_max_dim(x[0], 0, true, NULL))
OP(min_dim, adj_min_dim(x[0], 1, false, NULL))
OP(softmax, adj_softmax(x[0], 1))
OP(softmax_inf, adj_softmax(x[0], 0))
OP(log_softmax, adj_log_softmax(x[0], 0))
OP(log_softmax_large, adj_log_softmax(x[0], 0))
OP(nll_mean, adj_nll_loss(x[0], T, ADJ_REDUCTION_MEAN))
OP(nll_sum, adj_nll_loss(x[0], T, ADJ_REDUCTION_SUM))
OP(nll_none, adj_nll_loss(x[0], T, ADJ_REDUCTION_NONE))
OP(nll_ignore,
   adj_nll_loss(x[0], adj_tensor(I64, ADJ_SHAPE(2), ADJ_VALUES(2, -100)), ADJ_REDUCTION_MEAN))
OP(cross_entropy, adj_cross_entropy(x[0], T, ADJ_REDUCTION_MEAN))
OP(cross_entropy_1d, adj_cross_entropy(x[0], adj_scalar(I64, 1), ADJ_REDUCTION_MEAN))
OP(dot, adj_matmul(x[0], x[1]))
OP(mv, adj_matmul(x[0], x[1]))
OP(vm, adj_matmul(x[0], x[1]))
OP(mm, adj_matmul(x[0], x[1]))
OP(bmm, adj_matmul(x[0], x[1]))
OP(matmul_bcast, adj_matmul(x[0], x[1]))
OP(cat, adj_cat(2, x, 0))
OP(cat_empty, adj_cat(2, x, 0))
OP(stack, adj_stack(2, x, 2))
OP(view_t, adj_mul(adj_reshape(adj_t(x[0]), ADJ_SHAPE(6)), ar(6)))
OP(slice_step, adj_mul_scalar(adj_slice(x[0], 1, 0, INT64_MAX, 2), 3))
OP(select_neg, adj_pow_scalar(adj_select(x[0], 1, -1), 2))
OP(expand, adj_mul(adj_expand(x[0], ADJ_SHAPE(3, 2, 3)), adj_reshape(ar(18), ADJ_SHAPE(3, 2, 3))))
OP(index_select_dup, adj_index_select(x[0], 1, adj_tensor(I64, ADJ_SHAPE(3), ADJ_VALUES(2, 2, 0))))
OP(gather, adj_gather(x[0], 1, adj_tensor(I64, ADJ_SHAPE(2, 2), ADJ_VALUES(0, 0, 2, 1))))
OP(where, adj_where(adj_gt(x[0], x[1]), x[0], x[1]))
OP(argmax_ties, adj_mul(adj_to_dtype(adj_argmax_dim(x[0], 1, false), F32), adj_sum(x[0])))

static void run_with_grad(const char *name, Fn f, AdjTensor *x, AdjTensor *g) {
  AdjTensor *in[1] = {x};
  run(name, f, 1, in, g);
}

static void cases(void) {
  adj_manual_seed(2);
  A = adj_sub_scalar(adj_mul_scalar(adj_rand(F32, ADJ_SHAPE(2, 3)), 4), 2);
  B = adj_sub_scalar(adj_mul_scalar(adj_rand(F32, ADJ_SHAPE(2, 3)), 4), 2);
  POS = adj_add_scalar(adj_rand(F32, ADJ_SHAPE(2, 3)), 0.5);
  EDGE = adj_tensor(F32, ADJ_SHAPE(5), ADJ_VALUES(-1.0, -0.5, 0.0, 0.5, 1.0));
  T = adj_tensor(I64, ADJ_SHAPE(2), ADJ_VALUES(2, 0));
  AdjTensor *z3 = adj_zeros(F32, ADJ_SHAPE(3)), *z5 = adj_zeros(F32, ADJ_SHAPE(5));
  RUN2(add, A, B);
  RUN2(sub_bcast, A, row(B, 0));
  RUN2(mul_bcast, A, adj_slice(B, 1, 0, 1, 1));
  RUN2(div, A, POS);
  RUN2(div_zero, adj_tensor(F32, ADJ_SHAPE(3), ADJ_VALUES(1, -1, 0)), z3);
  RUN2(pow, POS, B);
  RUN2(pow_zero_base, adj_tensor(F32, ADJ_SHAPE(3), ADJ_VALUES(0, 0, 2)),
       adj_tensor(F32, ADJ_SHAPE(3), ADJ_VALUES(0, 2, 0)));
  RUN1(pow_scalar, A, 0);
  RUN1(pow_scalar_zero, A, 0);
  RUN1(pow_scalar_half, POS, 0);
  RUN1(neg, A, 0);
  RUN1(exp, A, 0);
  RUN1(log, POS, 0);
  RUN1(sqrt, POS, 0);
  RUN1(abs_edge, EDGE, 0);
  RUN1(sign_edge, EDGE, 0);
  RUN1(sin, A, 0);
  RUN1(cos, A, 0);
  RUN1(tanh, A, 0);
  RUN1(sigmoid, A, 0);
  RUN1(relu_edge, EDGE, 0);
  RUN1(clamp_edge, EDGE, 0);
  RUN1(clamp_min, EDGE, 0);
  RUN2(minimum_ties, EDGE, z5);
  RUN2(maximum_ties, EDGE, z5);
  RUN1(add_scalar, A, 0);
  RUN1(rsub_scalar, A, 0);
  RUN1(mul_scalar, A, 0);
  RUN1(div_scalar, A, 0);
  RUN1(sum, A, 0);
  RUN1(sum_dim, A, 0);
  RUN1(sum_keepdim, A, 0);
  RUN1(sum_empty, adj_zeros(F32, ADJ_SHAPE(0, 3)), 0);
  RUN1(mean, A, 0);
  RUN1(mean_dims, A, 0);
  RUN1(max_ties, adj_tensor(F32, ADJ_SHAPE(2, 2), ADJ_VALUES(1, 5, 5, 2)), 0);
  RUN1(min, A, 0);
  RUN1(max_dim, adj_tensor(F32, ADJ_SHAPE(2, 3), ADJ_VALUES(1, 5, 5, 7, 2, 7)), 0);
  RUN1(max_dim_keepdim, A, 0);
  RUN1(min_dim, A, 0);
  run_with_grad("softmax", op_softmax, A, B);
  run_with_grad("softmax_inf", op_softmax_inf,
                adj_tensor(F32, ADJ_SHAPE(3), ADJ_VALUES(0, -INFINITY, 1)),
                adj_tensor(F32, ADJ_SHAPE(3), ADJ_VALUES(1, 2, 3)));
  run_with_grad("log_softmax", op_log_softmax, A, B);
  RUN1(log_softmax_large, adj_tensor(F32, ADJ_SHAPE(3), ADJ_VALUES(1000, 0, -1000)), 0);
  RUN1(nll_mean, A, 0);
  RUN1(nll_sum, A, 0);
  RUN1(nll_none, A, 0);
  RUN1(nll_ignore, A, 0);
  RUN1(cross_entropy, A, 0);
  RUN1(cross_entropy_1d, row(A, 0), 0);
  RUN2(dot, row(A, 0), row(B, 1));
  RUN2(mv, A, row(B, 0));
  RUN2(vm, adj_select(A, 1, 0), B);
  RUN2(mm, A, adj_t(B));
  AdjTensor *ab[2] = {A, B}, *btat[2] = {adj_t(B), adj_t(A)};
  RUN2(bmm, adj_stack(2, ab, 0), adj_stack(2, btat, 0));
  RUN2(matmul_bcast, adj_stack(2, ab, 0), adj_t(POS));
  RUN2(cat, A, adj_slice(B, 0, 0, 1, 1));
  RUN2(cat_empty, A, adj_zeros(F32, ADJ_SHAPE(0)));
  RUN2(stack, A, B);
  RUN1(view_t, A, 0);
  RUN1(slice_step, A, 0);
  RUN1(select_neg, A, 0);
  RUN1(expand, adj_slice(A, 0, 0, 1, 1), 0);
  RUN1(index_select_dup, A, 0);
  RUN1(gather, A, 0);
  RUN2(where, A, B);
  RUN1(argmax_ties, adj_tensor(F32, ADJ_SHAPE(2, 3), ADJ_VALUES(1, 3, 3, 2, 2, 0)), 0);

  section("comparisons");
  char *s1 = adj_repr(adj_gt(A, B)), *s2 = adj_repr(adj_eq(A, A));
  char *s3 = adj_repr(
      adj_eq(adj_ones(I64, ADJ_SHAPE(2)), adj_tensor(I64, ADJ_SHAPE(2), ADJ_VALUES(1, 2))));
  fprintf(OUT, "%s %s %s\n", s1, s2, s3);
  free(s1), free(s2), free(s3);
  section("int_ops");
  AdjTensor *i7 = adj_tensor(I64, ADJ_SHAPE(2), ADJ_VALUES(7, -7));
  s1 = adj_repr(adj_add(i7, adj_tensor(I64, ADJ_SHAPE(2), ADJ_VALUES(2, 2))));
  s2 = adj_repr(adj_div_scalar(i7, 2));
  s3 = adj_repr(adj_mul_scalar(adj_tensor(I64, ADJ_SHAPE(1), ADJ_VALUES(3)), 1.5));
  fprintf(OUT, "%s %s %s\n", s1, s2, s3);
  free(s1), free(s2), free(s3);
  section("mixed_dtype");
  s1 = adj_repr(adj_add(adj_ones(F32, ADJ_SHAPE(2)), adj_ones(ADJ_FLOAT64, ADJ_SHAPE(2))));
  s2 = adj_repr(adj_mul(adj_ones(F32, ADJ_SHAPE(2)), adj_scalar(ADJ_FLOAT64, 2)));
  fprintf(OUT, "%s %s\n", s1, s2);
  free(s1), free(s2);
  section("mean_empty");
  s1 = adj_repr(adj_mean(adj_zeros(F32, ADJ_SHAPE(0))));
  s2 = adj_repr(adj_sum(adj_zeros(F32, ADJ_SHAPE(0))));
  fprintf(OUT, "%s %s\n", s1, s2);
  free(s1), free(s2);
}

static const char *fn_name(const AdjTensor *t) {
  return adj_grad_fn_name(t) ? adj_grad_fn_name(t) : "None";
}

/* In-place ops on views of tensors with history: PyTorch's CopySlices. */
static void inplace_views(void) {
  section("inplace_view_mul");
  AdjTensor *x = adj_requires_grad_(adj_ones(F32, ADJ_SHAPE(2, 3)), true);
  AdjTensor *y = adj_mul_scalar(x, 2), *v = adj_select(y, 0, 0);
  adj_mul_scalar_(v, 3);
  char *s = adj_repr(y);
  fprintf(OUT, "%s %s %s\n", s, fn_name(y), fn_name(v));
  free(s);
  CHECK(adj_backward(adj_sum(y), NULL, false, false) == 0);
  adj_fprint(OUT, adj_grad(x));

  section("inplace_view_other");
  AdjTensor *z = adj_zeros(F32, ADJ_SHAPE(4));
  AdjTensor *w = adj_requires_grad_(adj_ones(F32, ADJ_SHAPE(2)), true);
  adj_add_(adj_slice(z, 0, 1, 3, 1), adj_mul_scalar(w, 2));
  adj_fprint(OUT, z);
  CHECK(adj_backward(adj_sum(z), NULL, false, false) == 0);
  adj_fprint(OUT, adj_grad(w));

  section("setitem");
  adj_set_grad(x, NULL);
  AdjTensor *a = adj_mul_scalar(x, 1);
  CHECK(adj_set(a, (int64_t[]){1, 2}, 10) == 0);
  adj_fprint(OUT, a);
  CHECK(adj_backward(adj_sum(a), NULL, false, false) == 0);
  adj_fprint(OUT, adj_grad(x));

  section("inplace_view_exp");
  adj_set_grad(x, NULL);
  AdjTensor *b = adj_mul_scalar(x, 1), *c = adj_select(b, 1, 1);
  adj_exp_(c);
  fprintf(OUT, "%s %s\n", fn_name(c), fn_name(b));
  CHECK(adj_backward(adj_sum(adj_mul(b, b)), NULL, false, false) == 0);
  adj_fprint(OUT, adj_grad(x));

  section("inplace_view_chain");
  adj_set_grad(x, NULL);
  b = adj_mul_scalar(x, 1);
  c = adj_slice(adj_t(b), 0, 1, INT64_MAX, 1);
  adj_clamp_(c, 0, 1.5);
  adj_mul_(c, adj_view(adj_tensor(F32, ADJ_SHAPE(2), ADJ_VALUES(1, 2)), ADJ_SHAPE(2, 1)));
  adj_fprint(OUT, b);
  CHECK(adj_backward(adj_sum(adj_pow_scalar(b, 2)), NULL, false, false) == 0);
  adj_fprint(OUT, adj_grad(x));
}

int main(int argc, char **argv) {
  char *got = NULL;
  size_t len = 0;
  OUT = open_memstream(&got, &len);
  adj_scope_begin();
  cases();
  inplace_views();
  adj_scope_end();
  fclose(OUT);
  if (argc > 1 && strcmp(argv[1], "--print") == 0) {
    fputs(got, stdout);
    free(got);
    return 0;
  }
  char *want = check_read_file(ADJ_GOLDEN_DIR "/ops.txt");
  CHECK(want != NULL);
  /* line-by-line comparison, reporting the section of each difference */
  const char *g = got, *w = want ? want : "";
  char sec[128] = "";
  while (*g || *w) {
    const char *ge = strchr(g, '\n'), *we = strchr(w, '\n');
    size_t gl = ge ? (size_t)(ge - g) : strlen(g), wl = we ? (size_t)(we - w) : strlen(w);
    if (wl > 4 && strncmp(w, "=== ", 4) == 0)
      snprintf(sec, sizeof sec, "%.*s", (int)wl, w);
    bool same = gl == wl && strncmp(g, w, gl) == 0;
    CHECK(same);
    if (!same)
      fprintf(stderr, "  %s\n    got:  %.*s\n    want: %.*s\n", sec, (int)gl, g, (int)wl, w);
    g = ge ? ge + 1 : g + gl;
    w = we ? we + 1 : w + wl;
  }
  free(want);
  free(got);
  CHECK(adj_live_tensors() == 0);
  return check_summary();
}
