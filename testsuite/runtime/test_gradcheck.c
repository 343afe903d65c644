/*
 * test_gradcheck.c — every differentiable op's backward, checked against central
 * finite differences in float64 (gradcheck), and its second derivative through
 * create_graph checked the same way (gradgradcheck).
 *
 * For an op y = f(x1..xk) with random cotangent v, the first check compares
 * autograd.grad(y, x, v) with (<v, f(x + h e_j)> - <v, f(x - h e_j)>) / 2h for every
 * input element j. The second differentiates s(x) = sum_i <grad_i(x), u_i> (random
 * u, gradients computed with create_graph) and compares with differences of s.
 * Tolerance: |analytic - numeric| <= 1e-5 + 1e-4 |numeric|, step h = 1e-6.
 */
#include <adjoint.h>
#include <math.h>
#include <stdlib.h>

#include "check.h"

#define F64 ADJ_FLOAT64
#define MAXIN 4

typedef AdjTensor *(*OpFn)(AdjTensor **x);

typedef struct Case {
  const char *name;
  OpFn fn;
  int nin;
  int ndim[MAXIN];
  int64_t shape[MAXIN][4];
  double lo, hi; /* input range */
} Case;

/* ---- the ops under test ------------------------------------------------------------ */

static AdjTensor *op_neg(AdjTensor **x) { return adj_neg(x[0]); }
static AdjTensor *op_exp(AdjTensor **x) { return adj_exp(x[0]); }
static AdjTensor *op_log(AdjTensor **x) { return adj_log(x[0]); }
static AdjTensor *op_sqrt(AdjTensor **x) { return adj_sqrt(x[0]); }
static AdjTensor *op_abs(AdjTensor **x) { return adj_abs(x[0]); }
static AdjTensor *op_sign(AdjTensor **x) { return adj_mul(adj_sign(x[0]), x[0]); }
static AdjTensor *op_sin(AdjTensor **x) { return adj_sin(x[0]); }
static AdjTensor *op_cos(AdjTensor **x) { return adj_cos(x[0]); }
static AdjTensor *op_tanh(AdjTensor **x) { return adj_tanh(x[0]); }
static AdjTensor *op_sigmoid(AdjTensor **x) { return adj_sigmoid(x[0]); }
static AdjTensor *op_relu(AdjTensor **x) { return adj_mul(adj_relu(x[0]), x[0]); }
static AdjTensor *op_clamp(AdjTensor **x) { return adj_mul(adj_clamp(x[0], -0.5, 0.5), x[0]); }
static AdjTensor *op_add(AdjTensor **x) { return adj_add(x[0], x[1]); }
static AdjTensor *op_sub(AdjTensor **x) { return adj_sub(x[0], x[1]); }
static AdjTensor *op_mul(AdjTensor **x) { return adj_mul(x[0], x[1]); }
static AdjTensor *op_div(AdjTensor **x) { return adj_div(x[0], x[1]); }
static AdjTensor *op_pow(AdjTensor **x) { return adj_pow(x[0], x[1]); }
static AdjTensor *op_minimum(AdjTensor **x) { return adj_minimum(x[0], x[1]); }
static AdjTensor *op_maximum(AdjTensor **x) { return adj_maximum(x[0], x[1]); }
static AdjTensor *op_add_s(AdjTensor **x) { return adj_add_scalar(x[0], 1.5); }
static AdjTensor *op_sub_s(AdjTensor **x) { return adj_sub_scalar(x[0], 1.5); }
static AdjTensor *op_rsub_s(AdjTensor **x) { return adj_rsub_scalar(x[0], 1.5); }
static AdjTensor *op_mul_s(AdjTensor **x) { return adj_mul_scalar(x[0], -2.5); }
static AdjTensor *op_div_s(AdjTensor **x) { return adj_div_scalar(x[0], 3.0); }
static AdjTensor *op_pow_s(AdjTensor **x) { return adj_pow_scalar(x[0], 2.5); }
static AdjTensor *op_pow_3(AdjTensor **x) { return adj_pow_scalar(x[0], 3.0); }
static AdjTensor *op_sum(AdjTensor **x) { return adj_sum(adj_mul(x[0], x[0])); }
static AdjTensor *op_sum_d(AdjTensor **x) {
  return adj_sum_dims(adj_mul(x[0], x[0]), ADJ_DIMS(1), false);
}
static AdjTensor *op_sum_k(AdjTensor **x) {
  return adj_sum_dims(adj_mul(x[0], x[0]), ADJ_DIMS(0, 2), true);
}
static AdjTensor *op_mean(AdjTensor **x) { return adj_mean(adj_mul(x[0], x[0])); }
static AdjTensor *op_mean_d(AdjTensor **x) {
  return adj_mean_dims(adj_exp(x[0]), ADJ_DIMS(-1), true);
}
static AdjTensor *op_max(AdjTensor **x) { return adj_max(adj_mul(x[0], x[0])); }
static AdjTensor *op_min(AdjTensor **x) { return adj_min(adj_exp(x[0])); }
static AdjTensor *op_max_dim(AdjTensor **x) { return adj_max_dim(adj_exp(x[0]), 1, false, NULL); }
static AdjTensor *op_min_dim(AdjTensor **x) { return adj_min_dim(adj_exp(x[0]), 0, true, NULL); }
static AdjTensor *op_softmax(AdjTensor **x) { return adj_softmax(x[0], 1); }
static AdjTensor *op_softmax0(AdjTensor **x) { return adj_softmax(x[0], 0); }
static AdjTensor *op_log_softmax(AdjTensor **x) { return adj_log_softmax(x[0], -1); }
static AdjTensor *target(void) { return adj_tensor(ADJ_INT64, ADJ_SHAPE(3), ADJ_VALUES(2, 0, 3)); }
static AdjTensor *op_nll(AdjTensor **x) {
  return adj_nll_loss(adj_log_softmax(x[0], 1), target(), ADJ_REDUCTION_MEAN);
}
static AdjTensor *op_nll_sum(AdjTensor **x) {
  return adj_nll_loss(x[0], target(), ADJ_REDUCTION_SUM);
}
static AdjTensor *op_nll_none(AdjTensor **x) {
  return adj_nll_loss(adj_mul(x[0], x[0]), target(), ADJ_REDUCTION_NONE);
}
static AdjTensor *op_ce(AdjTensor **x) {
  return adj_cross_entropy(x[0], target(), ADJ_REDUCTION_MEAN);
}
static AdjTensor *op_matmul(AdjTensor **x) { return adj_matmul(x[0], x[1]); }
static AdjTensor *op_view(AdjTensor **x) { return adj_mul(adj_view(x[0], ADJ_SHAPE(4, -1)), x[1]); }
static AdjTensor *op_reshape_copy(AdjTensor **x) {
  return adj_mul(adj_reshape(adj_t(x[0]), ADJ_SHAPE(12)), adj_flatten(x[0]));
}
static AdjTensor *op_transpose(AdjTensor **x) { return adj_mul(adj_transpose(x[0], 0, 2), x[1]); }
static AdjTensor *op_permute(AdjTensor **x) {
  return adj_mul(adj_permute(x[0], ADJ_DIMS(2, 0, 1)), adj_permute(x[0], ADJ_DIMS(2, 0, 1)));
}
static AdjTensor *op_slice(AdjTensor **x) { return adj_pow_scalar(adj_slice(x[0], 1, 1, 5, 2), 2); }
static AdjTensor *op_select(AdjTensor **x) { return adj_pow_scalar(adj_select(x[0], 0, -1), 3); }
static AdjTensor *op_expand(AdjTensor **x) {
  return adj_mul(adj_expand(x[0], ADJ_SHAPE(2, 3, 4)), x[1]);
}
static AdjTensor *op_squeeze(AdjTensor **x) {
  return adj_mul(adj_unsqueeze(adj_squeeze(x[0], 1), 0), adj_squeeze_all(x[0]));
}
static AdjTensor *op_cat(AdjTensor **x) { return adj_pow_scalar(adj_cat(2, x, 1), 2); }
static AdjTensor *op_stack(AdjTensor **x) { return adj_pow_scalar(adj_stack(2, x, 1), 2); }
static AdjTensor *op_index_select(AdjTensor **x) {
  AdjTensor *idx = adj_tensor(ADJ_INT64, ADJ_SHAPE(4), ADJ_VALUES(2, 0, 2, 1));
  return adj_pow_scalar(adj_index_select(x[0], 1, idx), 2);
}
static AdjTensor *op_gather(AdjTensor **x) {
  AdjTensor *idx = adj_tensor(ADJ_INT64, ADJ_SHAPE(2, 2), ADJ_VALUES(0, 2, 1, 1));
  return adj_pow_scalar(adj_gather(x[0], 1, idx), 2);
}
static AdjTensor *op_where(AdjTensor **x) {
  return adj_mul(adj_where(adj_gt(x[0], x[1]), x[0], x[1]), x[1]);
}
static AdjTensor *op_clone(AdjTensor **x) {
  return adj_mul(adj_clone(x[0]), adj_contiguous(adj_t(x[0])));
}
static AdjTensor *op_mul_(AdjTensor **x) { return adj_mul_(adj_mul_scalar(x[0], 1.0), x[1]); }
static AdjTensor *op_div_(AdjTensor **x) { return adj_div_(adj_add_scalar(x[0], 0.5), x[1]); }
static AdjTensor *op_add_(AdjTensor **x) { return adj_add_(adj_mul(x[0], x[0]), x[1]); }
static AdjTensor *op_exp_(AdjTensor **x) { return adj_exp_(adj_mul_scalar(x[0], 0.5)); }
static AdjTensor *op_clamp_(AdjTensor **x) {
  return adj_mul(adj_clamp_(adj_clone(x[0]), -0.5, 0.5), x[0]);
}
static AdjTensor *op_copy_(AdjTensor **x) {
  AdjTensor *t = adj_mul(x[0], x[0]);
  return adj_mul(adj_copy_(t, adj_exp(x[1])), x[0]);
}
static AdjTensor *op_sub_(AdjTensor **x) { return adj_sub_(adj_sin(x[0]), adj_mul(x[1], x[1])); }
static AdjTensor *op_scalar_(AdjTensor **x) {
  return adj_mul(adj_add_scalar_(adj_mul_scalar_(adj_mul(x[0], x[0]), 3), 1), x[0]);
}
static AdjTensor *op_fill_(AdjTensor **x) {
  AdjTensor *t = adj_mul(x[0], x[1]);
  return adj_add(adj_fill_(adj_add_scalar(x[0], 0), 2), t);
}
static AdjTensor *op_zero_(AdjTensor **x) {
  return adj_add(adj_zero_(adj_add_scalar(x[0], 1)), adj_mul(x[0], x[1]));
}
static AdjTensor *cube_fwd(void *ctx, int n, AdjTensor *const *in) {
  (void)ctx, (void)n;
  return adj_pow_scalar(in[0], 3);
}
static int cube_bwd(void *ctx, int n, AdjTensor *const *in, AdjTensor *out, AdjTensor *g,
                    AdjTensor **gi) {
  (void)ctx, (void)n, (void)out;
  return (gi[0] = adj_mul(g, adj_mul_scalar(adj_mul(in[0], in[0]), 3))) ? 0 : -1;
}
static const AdjFunction cube = {"CubeBackward", cube_fwd, cube_bwd};
static AdjTensor *op_function(AdjTensor **x) {
  return adj_mul(adj_function_apply(&cube, NULL, 1, x), x[1]);
}
static AdjTensor *op_view_inplace(AdjTensor **x) {
  AdjTensor *b = adj_mul(x[0], x[0]);
  adj_mul_(adj_select(b, 0, 1), x[1]); /* CopySlices(MulBackward0) */
  adj_exp_(adj_slice(b, 1, 0, 3, 2));  /* CopySlices(ExpBackward0) */
  return b;
}
static AdjTensor *op_setitem(AdjTensor **x) {
  AdjTensor *b = adj_sin(x[0]);
  adj_set(b, (int64_t[]){0, 1}, 0.5);
  return adj_mul(b, x[0]);
}
/* The static/dynamic bridge to second order, with raw loops standing in for code
 * generated by adjc: f(w) = sum(w^3), f_vjp(w, g) = 3 g w^2, and the HVP of f_vjp.
 * f's backward applies f_vjp as a function whose own backward is the HVP, so the
 * compiled backward is differentiable again under create_graph. */
static double *buf(AdjTensor *t) { return adj_data_ptr(t); }

static AdjTensor *f_forward(void *ctx, int n, AdjTensor *const *in) {
  (void)ctx, (void)n;
  AdjTensor *w = adj_contiguous(in[0]), *out = adj_zeros(F64, 0, NULL);
  for (int64_t i = 0; i < adj_numel(w); i++)
    buf(out)[0] += buf(w)[i] * buf(w)[i] * buf(w)[i];
  return out;
}

static AdjTensor *vjp_forward(void *ctx, int n, AdjTensor *const *in) {
  (void)ctx, (void)n;
  AdjTensor *w = adj_contiguous(in[0]), *out = adj_empty(F64, adj_dim(w), adj_shape(w));
  double g = adj_item(in[1]);
  for (int64_t i = 0; i < adj_numel(w); i++)
    buf(out)[i] = 3 * g * buf(w)[i] * buf(w)[i];
  return out;
}

/* d(3 g w^2)/dw . v = 6 g w v ;  d(3 g w^2)/dg . v = sum(3 w^2 v) */
static int vjp_backward(void *ctx, int n, AdjTensor *const *in, AdjTensor *out, AdjTensor *v,
                        AdjTensor **gi) {
  (void)ctx, (void)n, (void)out;
  AdjTensor *w = adj_contiguous(in[0]), *vv = adj_contiguous(v);
  double g = adj_item(in[1]), dg = 0;
  gi[0] = adj_empty(F64, adj_dim(w), adj_shape(w));
  for (int64_t i = 0; i < adj_numel(w); i++) {
    buf(gi[0])[i] = 6 * g * buf(w)[i] * buf(vv)[i];
    dg += 3 * buf(w)[i] * buf(w)[i] * buf(vv)[i];
  }
  gi[1] = adj_scalar(F64, dg);
  return 0;
}

static const AdjFunction vjp_fn = {"CompiledVjpBackward", vjp_forward, vjp_backward};

static int f_backward(void *ctx, int n, AdjTensor *const *in, AdjTensor *out, AdjTensor *g,
                      AdjTensor **gi) {
  (void)n, (void)out;
  AdjTensor *args[2] = {in[0], g};
  return (gi[0] = adj_function_apply(&vjp_fn, ctx, 2, args)) ? 0 : -1;
}

static const AdjFunction f_fn = {"CompiledBackward", f_forward, f_backward};
static AdjTensor *op_bridge(AdjTensor **x) { return adj_function_apply(&f_fn, NULL, 1, x); }

static AdjTensor *op_addmm(AdjTensor **x) { return adj_addmm(x[0], x[1], x[2]); }
static AdjTensor *op_linear(AdjTensor **x) { return adj_linear(x[0], x[1], x[2]); }
static AdjTensor *op_linear_nobias(AdjTensor **x) { return adj_linear(x[0], x[1], NULL); }
static AdjTensor *op_mlp(AdjTensor **x) {
  AdjTensor *h = adj_tanh(adj_add(adj_matmul(x[0], x[1]), x[2]));
  return adj_sum(adj_sigmoid(adj_matmul(h, x[3])));
}

#define S1(a)                                                                                      \
  1, { a }
#define SH(...)                                                                                    \
  { __VA_ARGS__ }

static const Case cases[] = {
    {"neg", op_neg, 1, {2}, {{3, 4}}, -2, 2},
    {"exp", op_exp, 1, {2}, {{3, 4}}, -2, 2},
    {"log", op_log, 1, {2}, {{3, 4}}, 0.5, 3},
    {"sqrt", op_sqrt, 1, {2}, {{3, 4}}, 0.5, 3},
    {"abs", op_abs, 1, {1}, {{7}}, 0.2, 2},
    {"abs_neg", op_abs, 1, {1}, {{7}}, -2, -0.2},
    {"sign", op_sign, 1, {1}, {{7}}, 0.2, 2},
    {"sin", op_sin, 1, {2}, {{3, 4}}, -3, 3},
    {"cos", op_cos, 1, {2}, {{3, 4}}, -3, 3},
    {"tanh", op_tanh, 1, {2}, {{3, 4}}, -2, 2},
    {"sigmoid", op_sigmoid, 1, {2}, {{3, 4}}, -3, 3},
    {"relu", op_relu, 1, {1}, {{9}}, 0.1, 2},
    {"relu_neg", op_relu, 1, {1}, {{9}}, -2, -0.1},
    {"clamp", op_clamp, 1, {1}, {{9}}, 0.6, 2},
    {"clamp_in", op_clamp, 1, {1}, {{9}}, -0.4, 0.4},
    {"add_bcast", op_add, 2, {2, 2}, {{3, 1}, {1, 4}}, -2, 2},
    {"sub_bcast", op_sub, 2, {2, 1}, {{2, 3}, {3}}, -2, 2},
    {"mul_bcast", op_mul, 2, {3, 2}, {{2, 3, 4}, {3, 1}}, -2, 2},
    {"div", op_div, 2, {2, 2}, {{2, 3}, {2, 3}}, 0.5, 2},
    {"div_bcast", op_div, 2, {2, 0}, {{2, 3}, {0}}, 0.5, 2},
    {"pow", op_pow, 2, {2, 2}, {{2, 3}, {2, 3}}, 0.5, 2},
    {"minimum", op_minimum, 2, {2, 2}, {{2, 3}, {2, 3}}, -2, 2},
    {"maximum", op_maximum, 2, {2, 1}, {{2, 3}, {3}}, -2, 2},
    {"add_scalar", op_add_s, 1, {2}, {{2, 3}}, -2, 2},
    {"sub_scalar", op_sub_s, 1, {2}, {{2, 3}}, -2, 2},
    {"rsub_scalar", op_rsub_s, 1, {2}, {{2, 3}}, -2, 2},
    {"mul_scalar", op_mul_s, 1, {2}, {{2, 3}}, -2, 2},
    {"div_scalar", op_div_s, 1, {2}, {{2, 3}}, -2, 2},
    {"pow_scalar", op_pow_s, 1, {2}, {{2, 3}}, 0.5, 2},
    {"pow_3", op_pow_3, 1, {2}, {{2, 3}}, -2, 2},
    {"sum", op_sum, 1, {2}, {{3, 4}}, -2, 2},
    {"sum_dim", op_sum_d, 1, {3}, {{2, 3, 4}}, -2, 2},
    {"sum_keepdim", op_sum_k, 1, {3}, {{2, 3, 4}}, -2, 2},
    {"mean", op_mean, 1, {2}, {{3, 4}}, -2, 2},
    {"mean_dim", op_mean_d, 1, {2}, {{3, 4}}, -2, 2},
    {"max", op_max, 1, {2}, {{3, 4}}, -2, 2},
    {"min", op_min, 1, {2}, {{3, 4}}, -2, 2},
    {"max_dim", op_max_dim, 1, {2}, {{3, 4}}, -2, 2},
    {"min_dim", op_min_dim, 1, {2}, {{3, 4}}, -2, 2},
    {"softmax", op_softmax, 1, {2}, {{3, 4}}, -2, 2},
    {"softmax0", op_softmax0, 1, {2}, {{3, 4}}, -2, 2},
    {"log_softmax", op_log_softmax, 1, {3}, {{2, 3, 4}}, -2, 2},
    {"nll_loss", op_nll, 1, {2}, {{3, 4}}, -2, 2},
    {"nll_loss_sum", op_nll_sum, 1, {2}, {{3, 4}}, -2, 2},
    {"nll_loss_none", op_nll_none, 1, {2}, {{3, 4}}, -2, 2},
    {"cross_entropy", op_ce, 1, {2}, {{3, 4}}, -2, 2},
    {"dot", op_matmul, 2, {1, 1}, {{4}, {4}}, -2, 2},
    {"mv", op_matmul, 2, {2, 1}, {{3, 4}, {4}}, -2, 2},
    {"vm", op_matmul, 2, {1, 2}, {{3}, {3, 4}}, -2, 2},
    {"mm", op_matmul, 2, {2, 2}, {{3, 4}, {4, 2}}, -2, 2},
    {"bmm", op_matmul, 2, {3, 3}, {{2, 3, 4}, {2, 4, 2}}, -2, 2},
    {"matmul_bcast", op_matmul, 2, {3, 2}, {{2, 3, 4}, {4, 2}}, -2, 2},
    {"matmul_bcast2", op_matmul, 2, {1, 3}, {{4}, {2, 4, 3}}, -2, 2},
    {"matmul_bcast3", op_matmul, 2, {4, 3}, {{2, 1, 2, 3}, {2, 3, 2}}, -2, 2},
    {"view", op_view, 2, {2, 2}, {{2, 6}, {4, 3}}, -2, 2},
    {"reshape_copy", op_reshape_copy, 1, {2}, {{3, 4}}, -2, 2},
    {"transpose", op_transpose, 2, {3, 3}, {{2, 3, 4}, {4, 3, 2}}, -2, 2},
    {"permute", op_permute, 1, {3}, {{2, 3, 4}}, -2, 2},
    {"slice", op_slice, 1, {2}, {{3, 6}}, -2, 2},
    {"select", op_select, 1, {2}, {{3, 4}}, -2, 2},
    {"expand", op_expand, 2, {2, 3}, {{3, 1}, {2, 3, 4}}, -2, 2},
    {"squeeze", op_squeeze, 1, {3}, {{3, 1, 4}}, -2, 2},
    {"cat", op_cat, 2, {2, 2}, {{2, 3}, {2, 2}}, -2, 2},
    {"stack", op_stack, 2, {2, 2}, {{2, 3}, {2, 3}}, -2, 2},
    {"index_select", op_index_select, 1, {2}, {{2, 3}}, -2, 2},
    {"gather", op_gather, 1, {2}, {{2, 3}}, -2, 2},
    {"where", op_where, 2, {2, 2}, {{2, 3}, {2, 3}}, -2, 2},
    {"clone", op_clone, 1, {2}, {{3, 3}}, -2, 2},
    {"mul_", op_mul_, 2, {2, 1}, {{2, 3}, {3}}, -2, 2},
    {"div_", op_div_, 2, {2, 2}, {{2, 3}, {2, 3}}, 0.5, 2},
    {"add_", op_add_, 2, {2, 0}, {{2, 3}, {0}}, -2, 2},
    {"exp_", op_exp_, 1, {2}, {{2, 3}}, -2, 2},
    {"clamp_", op_clamp_, 1, {1}, {{9}}, 0.6, 2},
    {"copy_", op_copy_, 2, {2, 2}, {{2, 3}, {2, 3}}, -1, 1},
    {"sub_", op_sub_, 2, {2, 2}, {{2, 3}, {2, 3}}, -1, 1},
    {"scalar_inplace", op_scalar_, 1, {2}, {{2, 3}}, -1, 1},
    {"fill_", op_fill_, 2, {2, 2}, {{2, 3}, {2, 3}}, -1, 1},
    {"zero_", op_zero_, 2, {2, 2}, {{2, 3}, {2, 3}}, -1, 1},
    {"function", op_function, 2, {2, 2}, {{2, 3}, {2, 3}}, -1, 1},
    {"inplace_on_view", op_view_inplace, 2, {2, 1}, {{2, 3}, {3}}, -1, 1},
    {"setitem", op_setitem, 1, {2}, {{2, 3}}, -1, 1},
    {"compiled_bridge", op_bridge, 1, {2}, {{2, 3}}, -1, 1},
    {"addmm", op_addmm, 3, {1, 2, 2}, {{4}, {3, 2}, {2, 4}}, -1, 1},
    {"linear_2d", op_linear, 3, {2, 2, 1}, {{3, 4}, {2, 4}, {2}}, -1, 1},
    {"linear_3d", op_linear, 3, {3, 2, 1}, {{2, 3, 4}, {2, 4}, {2}}, -1, 1},
    {"linear_1d_nobias", op_linear_nobias, 2, {1, 2}, {{4}, {3, 4}}, -1, 1},
    {"mlp", op_mlp, 4, {2, 2, 1, 2}, {{3, 4}, {4, 5}, {5}, {5, 2}}, -1, 1},
};

/* ---- harness ---------------------------------------------------------------------------- */

static uint64_t rng_state = 88172645463325252ull;
static double urand(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return (double)(rng_state >> 11) / 9007199254740992.0;
}

static AdjTensor *random_tensor(int ndim, const int64_t *shape, double lo, double hi) {
  AdjTensor *t = adj_empty(F64, ndim, shape);
  double *p = adj_data_ptr(t);
  for (int64_t i = 0; i < adj_numel(t); i++)
    p[i] = lo + (hi - lo) * urand();
  return t;
}

static double dot(const AdjTensor *a, const AdjTensor *b) {
  double s = 0;
  for (int64_t i = 0; i < adj_numel(a); i++)
    s += adj_get(adj_flatten(a), (int64_t[]){i}) * adj_get(adj_flatten(b), (int64_t[]){i});
  return s;
}

/* <v, f(x)> evaluated without recording a graph. */
static double eval_dot(const Case *c, AdjTensor **x, const AdjTensor *v) {
  adj_scope_begin();
  double r = NAN;
  ADJ_WITH_NO_GRAD {
    AdjTensor *y = c->fn(x);
    r = y ? dot(y, v) : NAN;
  }
  adj_scope_end();
  return r;
}

/* s(x) = sum_i <grad_i(x), u_i>, with grad_i = d<v, f>/dx_i (plain backward). */
static double eval_s(const Case *c, AdjTensor **x, AdjTensor *v, AdjTensor **u) {
  adj_scope_begin();
  AdjTensor *y = c->fn(x), *g[MAXIN];
  double s = NAN;
  if (y && adj_autograd_grad(1, &y, &v, c->nin, x, false, false, true, g) == 0) {
    s = 0;
    for (int i = 0; i < c->nin; i++)
      if (g[i])
        s += dot(g[i], u[i]);
  }
  adj_scope_end();
  return s;
}

static bool close_enough(double a, double n) { return fabs(a - n) <= 1e-5 + 1e-4 * fabs(n); }

/* Compare analytic gradients g[i] (NULL = zero) with central differences of fn. */
static int check_numeric(const Case *c, AdjTensor **x, AdjTensor **g, const char *what,
                         double (*fn)(const Case *, AdjTensor **, void *), void *ctx) {
  const double h = 1e-6;
  int bad = 0;
  for (int i = 0; i < c->nin; i++) {
    double *p = adj_data_ptr(x[i]);
    for (int64_t j = 0; j < adj_numel(x[i]); j++) {
      double keep = p[j];
      p[j] = keep + h;
      double fp = fn(c, x, ctx);
      p[j] = keep - h;
      double fm = fn(c, x, ctx);
      p[j] = keep;
      double num = (fp - fm) / (2 * h);
      double ana = g[i] ? adj_get(adj_flatten(g[i]), (int64_t[]){j}) : 0.0;
      if (!close_enough(ana, num)) {
        if (bad++ < 3)
          fprintf(stderr, "  %s %s: input %d elem %lld analytic %.10g numeric %.10g\n", c->name,
                  what, i, (long long)j, ana, num);
      }
    }
  }
  return bad;
}

typedef struct Ctx2 {
  AdjTensor *v;
  AdjTensor **u;
} Ctx2;

static double first_fn(const Case *c, AdjTensor **x, void *ctx) {
  return eval_dot(c, x, (const AdjTensor *)ctx);
}

static double second_fn(const Case *c, AdjTensor **x, void *ctx) {
  Ctx2 *k = ctx;
  return eval_s(c, x, k->v, k->u);
}

static void run_case(const Case *c) {
  adj_scope_begin();
  AdjTensor *x[MAXIN], *g[MAXIN], *u[MAXIN], *gg[MAXIN];
  for (int i = 0; i < c->nin; i++)
    x[i] = adj_requires_grad_(random_tensor(c->ndim[i], c->shape[i], c->lo, c->hi), true);
  AdjTensor *y = c->fn(x);
  CHECK(y != NULL);
  if (!y) {
    fprintf(stderr, "  %s: %s\n", c->name, adj_last_error());
    adj_scope_end();
    return;
  }
  AdjTensor *v = random_tensor(adj_dim(y), adj_shape(y), -1, 1);
  int rc = adj_autograd_grad(1, &y, &v, c->nin, x, false, true, true, g);
  CHECK(rc == 0);
  if (rc != 0) {
    fprintf(stderr, "  %s: %s\n", c->name, adj_last_error());
    adj_scope_end();
    return;
  }
  int bad = check_numeric(c, x, g, "gradcheck", first_fn, v);
  CHECK(bad == 0);
  /* second order through the create_graph gradients */
  AdjTensor *s = NULL;
  for (int i = 0; i < c->nin; i++) {
    u[i] = random_tensor(c->ndim[i], c->shape[i], -1, 1);
    if (g[i] && adj_requires_grad(g[i])) {
      AdjTensor *term = adj_sum(adj_mul(g[i], u[i]));
      s = s ? adj_add(s, term) : term;
    }
  }
  for (int i = 0; i < c->nin; i++)
    gg[i] = NULL;
  if (s)
    CHECK(adj_autograd_grad(1, &s, NULL, c->nin, x, false, false, true, gg) == 0);
  Ctx2 k = {v, u};
  bad = check_numeric(c, x, gg, "gradgradcheck", second_fn, &k);
  CHECK(bad == 0);
  adj_scope_end();
}

/* Random DAGs: each node applies a random op to one or two earlier nodes, so values
 * are shared along many paths and the engine's dependency counting, buffer sums and
 * ordering are exercised; the output mixes the last nodes. The graph is a function
 * of graph_seed, so every evaluation builds the same one. */
static unsigned graph_seed;
static AdjTensor *op_random_graph(AdjTensor **x) {
  unsigned r = graph_seed;
  AdjTensor *v[16] = {x[0], x[1], x[2]};
  int n = 3;
  for (; n < 16; n++) {
    r = r * 1103515245u + 12345u;
    AdjTensor *a = v[(r >> 8) % (unsigned)n], *b = v[(r >> 16) % (unsigned)n];
    switch ((r >> 24) % 8) {
    case 0: v[n] = adj_add(a, b); break;
    case 1: v[n] = adj_mul(a, b); break;
    case 2: v[n] = adj_sin(a); break;
    case 3: v[n] = adj_tanh(adj_sub(a, b)); break;
    case 4: v[n] = adj_mul_scalar(a, 0.7); break;
    case 5: v[n] = adj_expand(adj_sum_dims(a, ADJ_DIMS(0), true), ADJ_SHAPE(3)); break;
    case 6: v[n] = adj_sigmoid(adj_mul(a, a)); break;
    default:
      v[n] = adj_cat(2, (AdjTensor *[]){adj_slice(a, 0, 0, 1, 1), adj_slice(b, 0, 1, 3, 1)}, 0);
    }
  }
  return adj_add(adj_add(v[13], v[14]), v[15]);
}

int main(void) {
  for (unsigned seed = 1; seed <= 30; seed++) {
    Case c = {"random_graph", op_random_graph, 3, {1, 1, 1}, {{3}, {3}, {3}}, -1, 1};
    graph_seed = seed * 2654435761u;
    int before = check_fail_;
    run_case(&c);
    if (check_fail_ != before)
      fprintf(stderr, "FAILED: random graph %u\n", seed);
  }
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    int before = check_fail_;
    run_case(&cases[i]);
    if (check_fail_ != before)
      fprintf(stderr, "FAILED: %s\n", cases[i].name);
  }
  CHECK(adj_live_tensors() == 0);
  return check_summary();
}
