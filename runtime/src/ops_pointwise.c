/*
 * ops_pointwise.c — elementwise ops (unary, binary with broadcasting, scalar forms,
 * clamp, where, comparisons), their in-place variants, and their backward formulas.
 *
 * Key idea: each op is forward (a kernel into a fresh tensor, untracked) plus, when a
 * node must be recorded, the tensors its backward needs — saved only for the inputs
 * that will receive a gradient, as PyTorch does. Backward formulas use the public ops,
 * so under create_graph they build a differentiable graph; gradients of broadcast
 * operands are summed back to the operand's shape by the engine.
 *
 * Math of the rules (g is the incoming gradient, r the result):
 *   add: g, g          sub: g, -g          mul: g*b, g*a       div: g/b, -g*a/b^2
 *   pow(a,s): g*s*a^(s-1)   pow(a,b): g*b*a^(b-1), g*r*log(a)   neg: -g
 *   exp: g*r   log: g/a   sqrt: g/(2r)   abs: g*sign(a)   sign: 0   sin: g*cos(a)
 *   cos: -g*sin(a)   tanh: g*(1-r^2)   sigmoid: g*r*(1-r)   relu: g*(r>0)
 *   clamp: g*(lo<=a<=hi)   minimum/maximum: g to the smaller/larger, split on ties
 */
#include "internal.h"

#include <math.h>
#include <stdlib.h>

/* ---- helpers ------------------------------------------------------------------ */

static int category(AdjDType d) { return d == ADJ_BOOL ? 0 : d == ADJ_INT64 ? 1 : 2; }

static AdjDType promote(AdjDType a, AdjDType b) {
  static const int rank[] = {[ADJ_BOOL] = 0, [ADJ_INT64] = 1, [ADJ_FLOAT32] = 2, [ADJ_FLOAT64] = 3};
  return rank[a] >= rank[b] ? a : b;
}

/* PyTorch's result_type: a 0-dim operand only decides when it is of a higher category. */
AdjDType adj_result_type(const AdjTensor *a, const AdjTensor *b) {
  bool za = a->ndim == 0, zb = b->ndim == 0;
  if (za == zb)
    return promote(a->dtype, b->dtype);
  const AdjTensor *dim = za ? b : a, *zero = za ? a : b;
  if (category(zero->dtype) > category(dim->dtype))
    return zero->dtype;
  return dim->dtype;
}

int adj_broadcast_shape(int na, const int64_t *sa, int nb, const int64_t *sb, int *nout,
                        int64_t *out) {
  int n = na > nb ? na : nb;
  for (int i = n - 1; i >= 0; i--) {
    int ia = i - (n - na), ib = i - (n - nb);
    int64_t da = ia >= 0 ? sa[ia] : 1, db = ib >= 0 ? sb[ib] : 1;
    if (da != db && da != 1 && db != 1) {
      adj_error(ADJ_ERR_RUNTIME,
                "The size of tensor a (%lld) must match the size of tensor b (%lld) at "
                "non-singleton dimension %d",
                (long long)da, (long long)db, i);
      return -1;
    }
    out[i] = da == 1 ? db : da;
  }
  *nout = n;
  return 0;
}

/* A constant (untracked, scope-owned) tensor of dtype from an elementwise predicate
 * of a (and b), used as a mask in backward formulas. */
static AdjTensor *mask_of(AdjBinaryOp op, const AdjTensor *a, const AdjTensor *b, AdjDType dt) {
  int nd;
  int64_t shape[ADJ_MAX_DIMS];
  if (adj_broadcast_shape(a->ndim, a->shape, b->ndim, b->shape, &nd, shape) != 0)
    return NULL;
  AdjTensor *m = adj_new_raw(dt, nd, shape);
  if (m)
    adj_kernel_binary(op, m, a, b);
  return adj_ret(m);
}

/* s as a 0-dim tensor (caller-owned), typed like PyTorch's wrapped number: a's
 * dtype if a is floating, else int64 for integral s and float32 otherwise. */
static AdjTensor *scalar_like(const AdjTensor *a, double s) {
  AdjDType dt = adj_dtype_is_float(a->dtype)        ? a->dtype
                : (s == floor(s) && fabs(s) < 9e18) ? ADJ_INT64
                                                    : ADJ_FLOAT32;
  AdjTensor *t = adj_new_raw(dt, 0, NULL);
  if (t)
    adj_kernel_fill(t, s);
  return t;
}

/* ---- backward formulas ------------------------------------------------------------- */

static int add_backward(AdjNode *n, AdjTensor *const *sv, AdjTensor *g, AdjTensor **gi) {
  (void)sv;
  gi[0] = adj_needs_grad(n, 0) ? g : NULL;
  gi[1] = adj_needs_grad(n, 1) ? g : NULL;
  return 0;
}

static int sub_backward(AdjNode *n, AdjTensor *const *sv, AdjTensor *g, AdjTensor **gi) {
  (void)sv;
  gi[0] = adj_needs_grad(n, 0) ? g : NULL;
  gi[1] = adj_needs_grad(n, 1) ? adj_neg(g) : NULL;
  return adj_needs_grad(n, 1) && !gi[1] ? -1 : 0;
}

static int mul_backward(AdjNode *n, AdjTensor *const *sv, AdjTensor *g, AdjTensor **gi) {
  if (adj_needs_grad(n, 0) && !(gi[0] = adj_mul(g, sv[1])))
    return -1;
  if (adj_needs_grad(n, 1) && !(gi[1] = adj_mul(g, sv[0])))
    return -1;
  return 0;
}

static int div_backward(AdjNode *n, AdjTensor *const *sv, AdjTensor *g, AdjTensor **gi) {
  if (adj_needs_grad(n, 0) && !(gi[0] = adj_div(g, sv[1])))
    return -1;
  if (adj_needs_grad(n, 1) && !(gi[1] = adj_neg(adj_div(adj_mul(g, sv[0]), adj_mul(sv[1], sv[1])))))
    return -1;
  return 0;
}

/* d/da a^b = b * a^(b-1), 0 where b == 0 (PyTorch's pow_backward masking). */
static int pow_backward(AdjNode *n, AdjTensor *const *sv, AdjTensor *g, AdjTensor **gi) {
  AdjTensor *a = sv[0], *b = sv[1];
  if (adj_needs_grad(n, 0)) {
    AdjTensor *d = adj_mul(b, adj_pow(a, adj_sub_scalar(b, 1.0)));
    AdjTensor *zero = d ? adj_zeros(d->dtype, 0, NULL) : NULL;
    AdjTensor *bz = zero ? adj_eq_scalar(b, 0.0) : NULL;
    if (!bz || !(gi[0] = adj_mul(g, adj_where(bz, zero, d))))
      return -1;
  }
  if (adj_needs_grad(n, 1)) { /* g * r * log(a), 0 where a == 0 and b >= 0 */
    AdjTensor *d = adj_mul(sv[2], adj_log(a));
    AdjTensor *zero = d ? adj_zeros(d->dtype, 0, NULL) : NULL;
    AdjTensor *m = zero ? mask_of(B_EQ, a, zero, ADJ_BOOL) : NULL;
    AdjTensor *m2 = m ? mask_of(B_GE, b, zero, ADJ_BOOL) : NULL;
    AdjTensor *both = m2 ? mask_of(B_MUL, m, m2, ADJ_BOOL) : NULL;
    if (!both || !(gi[1] = adj_mul(g, adj_where(both, zero, d))))
      return -1;
  }
  return 0;
}

static int pow_scalar_backward(AdjNode *n, AdjTensor *const *sv, AdjTensor *g, AdjTensor **gi) {
  (void)n;
  double s = n->scalar[0];
  if (s == 0.0)
    gi[0] = adj_zeros_like(g);
  else
    gi[0] = adj_mul(g, adj_mul_scalar(adj_pow_scalar(sv[0], s - 1.0), s));
  return gi[0] ? 0 : -1;
}

/* Ties split: mask m is 1 where a wins, 0.5 on ties, 0 where b wins. */
static int minmax_backward(AdjNode *n, AdjTensor *const *sv, AdjTensor *g, AdjTensor **gi) {
  bool is_max = n->ints[0];
  AdjTensor *a = sv[0], *b = sv[1];
  AdjTensor *win = mask_of(is_max ? B_GT : B_LT, a, b, g->dtype);
  AdjTensor *tie = mask_of(B_EQ, a, b, g->dtype);
  if (!win || !tie)
    return -1;
  AdjTensor *m = adj_add(win, adj_mul_scalar(tie, 0.5));
  if (adj_needs_grad(n, 0) && !(gi[0] = adj_mul(g, m)))
    return -1;
  if (adj_needs_grad(n, 1) && !(gi[1] = adj_mul(g, adj_rsub_scalar(m, 1.0))))
    return -1;
  return 0;
}

static int neg_backward(AdjNode *n, AdjTensor *const *sv, AdjTensor *g, AdjTensor **gi) {
  (void)n, (void)sv;
  return (gi[0] = adj_neg(g)) ? 0 : -1;
}

static int exp_backward(AdjNode *n, AdjTensor *const *sv, AdjTensor *g, AdjTensor **gi) {
  (void)n;
  return (gi[0] = adj_mul(g, sv[0])) ? 0 : -1;
}

static int log_backward(AdjNode *n, AdjTensor *const *sv, AdjTensor *g, AdjTensor **gi) {
  (void)n;
  return (gi[0] = adj_div(g, sv[0])) ? 0 : -1;
}

static int sqrt_backward(AdjNode *n, AdjTensor *const *sv, AdjTensor *g, AdjTensor **gi) {
  (void)n;
  return (gi[0] = adj_div(g, adj_mul_scalar(sv[0], 2.0))) ? 0 : -1;
}

static int abs_backward(AdjNode *n, AdjTensor *const *sv, AdjTensor *g, AdjTensor **gi) {
  (void)n;
  return (gi[0] = adj_mul(g, adj_sign(sv[0]))) ? 0 : -1;
}

static int sign_backward(AdjNode *n, AdjTensor *const *sv, AdjTensor *g, AdjTensor **gi) {
  (void)n, (void)sv;
  return (gi[0] = adj_zeros_like(g)) ? 0 : -1;
}

static int sin_backward(AdjNode *n, AdjTensor *const *sv, AdjTensor *g, AdjTensor **gi) {
  (void)n;
  return (gi[0] = adj_mul(g, adj_cos(sv[0]))) ? 0 : -1;
}

static int cos_backward(AdjNode *n, AdjTensor *const *sv, AdjTensor *g, AdjTensor **gi) {
  (void)n;
  return (gi[0] = adj_mul(g, adj_neg(adj_sin(sv[0])))) ? 0 : -1;
}

static int tanh_backward(AdjNode *n, AdjTensor *const *sv, AdjTensor *g, AdjTensor **gi) {
  (void)n;
  return (gi[0] = adj_mul(g, adj_rsub_scalar(adj_mul(sv[0], sv[0]), 1.0))) ? 0 : -1;
}

static int sigmoid_backward(AdjNode *n, AdjTensor *const *sv, AdjTensor *g, AdjTensor **gi) {
  (void)n;
  return (gi[0] = adj_mul(g, adj_mul(sv[0], adj_rsub_scalar(sv[0], 1.0)))) ? 0 : -1;
}

static int relu_backward(AdjNode *n, AdjTensor *const *sv, AdjTensor *g, AdjTensor **gi) {
  (void)n;
  AdjTensor *zero = adj_zeros(sv[0]->dtype, 0, NULL);
  AdjTensor *m = zero ? mask_of(B_GT, sv[0], zero, g->dtype) : NULL;
  return m && (gi[0] = adj_mul(g, m)) ? 0 : -1;
}

static int clamp_backward(AdjNode *n, AdjTensor *const *sv, AdjTensor *g, AdjTensor **gi) {
  AdjTensor *lo = adj_scalar(sv[0]->dtype, n->scalar[0]);
  AdjTensor *hi = adj_scalar(sv[0]->dtype, n->scalar[1]);
  AdjTensor *m1 = lo && hi ? mask_of(B_GE, sv[0], lo, g->dtype) : NULL;
  AdjTensor *m2 = m1 ? mask_of(B_LE, sv[0], hi, g->dtype) : NULL;
  return m2 && (gi[0] = adj_mul(g, adj_mul(m1, m2))) ? 0 : -1;
}

static int where_backward(AdjNode *n, AdjTensor *const *sv, AdjTensor *g, AdjTensor **gi) {
  AdjTensor *zero = adj_zeros(g->dtype, 0, NULL);
  if (!zero)
    return -1;
  if (adj_needs_grad(n, 1) && !(gi[1] = adj_where(sv[0], g, zero)))
    return -1;
  if (adj_needs_grad(n, 2) && !(gi[2] = adj_where(sv[0], zero, g)))
    return -1;
  return 0;
}

/* ---- unary ops -------------------------------------------------------------------- */

typedef struct UnaryDef {
  const char *fn, *node;
  AdjUnaryOp op;
  AdjBackwardFn backward;
  int save;       /* 0 nothing, 1 input, 2 output */
  bool keeps_int; /* int inputs keep their dtype (neg, abs, sign, relu) */
} UnaryDef;

/* A unary op: kernel into a new tensor, then the node with what d says to save. */
static AdjTensor *unary(const UnaryDef *d, const AdjTensor *a) {
  if (!a) {
    adj_error_null(d->fn);
    return NULL;
  }
  AdjDType dt = adj_dtype_is_float(a->dtype) || d->keeps_int ? a->dtype : ADJ_FLOAT32;
  if (a->dtype == ADJ_BOOL && d->op == U_NEG) {
    adj_error(ADJ_ERR_RUNTIME,
              "Negation, the `-` operator, on a bool tensor is not supported. If you are trying "
              "to invert a mask, use the `~` or `logical_not()` operator instead.");
    return NULL;
  }
  AdjTensor *out = adj_new_raw(dt, a->ndim, a->shape);
  if (!out)
    return NULL;
  adj_kernel_unary(d->op, out, a);
  AdjNode *node = adj_node_new(d->node, d->backward, 1, &a);
  if (node && d->save == 1)
    adj_node_save(node, 0, a, false);
  if (node && d->save == 2)
    adj_node_save(node, 0, out, true);
  adj_set_history(out, node);
  return adj_ret(out);
}

#define UNARY(name, NODE, OP, BW, SAVE, KEEPINT)                                                   \
  AdjTensor *adj_##name(const AdjTensor *a) {                                                      \
    static const UnaryDef def = {#name, NODE, OP, BW, SAVE, KEEPINT};                              \
    return unary(&def, a);                                                                         \
  }

UNARY(neg, "NegBackward0", U_NEG, neg_backward, 0, true)
UNARY(exp, "ExpBackward0", U_EXP, exp_backward, 2, false)
UNARY(log, "LogBackward0", U_LOG, log_backward, 1, false)
UNARY(sqrt, "SqrtBackward0", U_SQRT, sqrt_backward, 2, false)
UNARY(abs, "AbsBackward0", U_ABS, abs_backward, 1, true)
UNARY(sign, "SignBackward0", U_SIGN, sign_backward, 0, true)
UNARY(sin, "SinBackward0", U_SIN, sin_backward, 1, false)
UNARY(cos, "CosBackward0", U_COS, cos_backward, 1, false)
UNARY(tanh, "TanhBackward0", U_TANH, tanh_backward, 2, false)
UNARY(sigmoid, "SigmoidBackward0", U_SIGMOID, sigmoid_backward, 2, false)
UNARY(relu, "ReluBackward0", U_RELU, relu_backward, 2, true)

AdjTensor *adj_clamp(const AdjTensor *a, double lo, double hi) {
  if (!a) {
    adj_error_null("clamp");
    return NULL;
  }
  if (isnan(lo) || isnan(hi)) {
    adj_error(ADJ_ERR_RUNTIME, "torch.clamp: min and max must not be NaN");
    return NULL;
  }
  AdjTensor *out = adj_new_raw(a->dtype, a->ndim, a->shape);
  if (!out)
    return NULL;
  adj_kernel_clamp(out, a, lo, hi);
  AdjNode *node = adj_node_new("ClampBackward1", clamp_backward, 1, &a);
  if (node) {
    adj_node_save(node, 0, a, false);
    node->scalar[0] = lo;
    node->scalar[1] = hi;
  }
  adj_set_history(out, node);
  return adj_ret(out);
}

/* ---- binary ops ------------------------------------------------------------------ */

typedef struct BinaryDef {
  const char *fn, *node;
  AdjBinaryOp op;
  AdjBackwardFn backward;
  void (*save)(AdjNode *node, const AdjTensor *a, const AdjTensor *b, const AdjTensor *out);
} BinaryDef;

/* Saves: each operand only when the other one needs a gradient (slot 0: a, slot 1: b). */
static void save_mul(AdjNode *n, const AdjTensor *a, const AdjTensor *b, const AdjTensor *out) {
  (void)out;
  if (adj_needs_grad(n, 1))
    adj_node_save(n, 0, a, false);
  if (adj_needs_grad(n, 0))
    adj_node_save(n, 1, b, false);
}

static void save_div(AdjNode *n, const AdjTensor *a, const AdjTensor *b, const AdjTensor *out) {
  (void)out;
  if (adj_needs_grad(n, 1))
    adj_node_save(n, 0, a, false);
  adj_node_save(n, 1, b, false);
}

static void save_pow(AdjNode *n, const AdjTensor *a, const AdjTensor *b, const AdjTensor *out) {
  adj_node_save(n, 0, a, false);
  adj_node_save(n, 1, b, false);
  if (adj_needs_grad(n, 1))
    adj_node_save(n, 2, out, true);
}

static void save_both(AdjNode *n, const AdjTensor *a, const AdjTensor *b, const AdjTensor *out) {
  (void)out;
  adj_node_save(n, 0, a, false);
  adj_node_save(n, 1, b, false);
}

static bool is_arith(AdjBinaryOp op) { return op <= B_MAX; }

/* A broadcasting binary op: result dtype by promotion (bool for comparisons), the
 * kernel, then the node (if d has a backward) and d's saves. */
static AdjTensor *binary(const BinaryDef *d, const AdjTensor *a, const AdjTensor *b) {
  if (!a || !b) {
    adj_error_null(d->fn);
    return NULL;
  }
  int nd;
  int64_t shape[ADJ_MAX_DIMS];
  if (adj_broadcast_shape(a->ndim, a->shape, b->ndim, b->shape, &nd, shape) != 0)
    return NULL;
  AdjDType dt = adj_result_type(a, b);
  if (d->op == B_DIV && !adj_dtype_is_float(dt))
    dt = ADJ_FLOAT32; /* true division */
  if (!is_arith(d->op))
    dt = ADJ_BOOL;
  else if (dt == ADJ_BOOL && d->op == B_SUB) {
    adj_error(ADJ_ERR_RUNTIME,
              "Subtraction, the `-` operator, with two bool tensors is not supported. Use the "
              "`^` or `logical_xor()` operator instead.");
    return NULL;
  }
  AdjTensor *out = adj_new_raw(dt, nd, shape);
  if (!out)
    return NULL;
  adj_kernel_binary(d->op, out, a, b);
  if (d->backward) {
    const AdjTensor *in[2] = {a, b};
    AdjNode *node = adj_node_new(d->node, d->backward, 2, in);
    if (node && d->save)
      d->save(node, a, b, out);
    adj_set_history(out, node);
  }
  return adj_ret(out);
}

#define BINARY(name, NODE, OP, BW, SAVE)                                                           \
  AdjTensor *adj_##name(const AdjTensor *a, const AdjTensor *b) {                                  \
    static const BinaryDef def = {#name, NODE, OP, BW, SAVE};                                      \
    return binary(&def, a, b);                                                                     \
  }

BINARY(add, "AddBackward0", B_ADD, add_backward, NULL)
BINARY(sub, "SubBackward0", B_SUB, sub_backward, NULL)
BINARY(mul, "MulBackward0", B_MUL, mul_backward, save_mul)
BINARY(div, "DivBackward0", B_DIV, div_backward, save_div)
BINARY(pow, "PowBackward1", B_POW, pow_backward, save_pow)
BINARY(eq, NULL, B_EQ, NULL, NULL)
BINARY(ne, NULL, B_NE, NULL, NULL)
BINARY(lt, NULL, B_LT, NULL, NULL)
BINARY(le, NULL, B_LE, NULL, NULL)
BINARY(gt, NULL, B_GT, NULL, NULL)
BINARY(ge, NULL, B_GE, NULL, NULL)

static AdjTensor *minmax(const AdjTensor *a, const AdjTensor *b, bool is_max) {
  static const BinaryDef defs[2] = {
      {"minimum", "MinimumBackward0", B_MIN, minmax_backward, save_both},
      {"maximum", "MaximumBackward0", B_MAX, minmax_backward, save_both}};
  AdjTensor *r = binary(&defs[is_max], a, b);
  if (r && r->grad_fn)
    r->grad_fn->ints[0] = is_max;
  return r;
}

AdjTensor *adj_minimum(const AdjTensor *a, const AdjTensor *b) { return minmax(a, b, false); }
AdjTensor *adj_maximum(const AdjTensor *a, const AdjTensor *b) { return minmax(a, b, true); }

/* a op s with s wrapped as a 0-dim tensor (PyTorch's wrapped number); swap: s op a. */
static AdjTensor *with_scalar(const BinaryDef *d, const AdjTensor *a, double s, bool swap) {
  if (!a) {
    adj_error_null(d->fn);
    return NULL;
  }
  AdjTensor *w = scalar_like(a, s);
  if (!w)
    return NULL;
  AdjTensor *r = swap ? binary(d, w, a) : binary(d, a, w);
  adj_release(w);
  return r;
}

#define SCALAR_OP(name, NODE, OP, BW, SAVE, SWAP)                                                  \
  AdjTensor *adj_##name(const AdjTensor *a, double s) {                                            \
    static const BinaryDef def = {#name, NODE, OP, BW, SAVE};                                      \
    return with_scalar(&def, a, s, SWAP);                                                          \
  }

SCALAR_OP(add_scalar, "AddBackward0", B_ADD, add_backward, NULL, false)
SCALAR_OP(sub_scalar, "SubBackward0", B_SUB, sub_backward, NULL, false)
SCALAR_OP(rsub_scalar, "RsubBackward1", B_SUB, sub_backward, NULL, true)
SCALAR_OP(mul_scalar, "MulBackward0", B_MUL, mul_backward, save_mul, false)
SCALAR_OP(div_scalar, "DivBackward0", B_DIV, div_backward, save_div, false)
SCALAR_OP(gt_scalar, NULL, B_GT, NULL, NULL, false)
SCALAR_OP(lt_scalar, NULL, B_LT, NULL, NULL, false)
SCALAR_OP(eq_scalar, NULL, B_EQ, NULL, NULL, false)

AdjTensor *adj_pow_scalar(const AdjTensor *a, double s) {
  if (!a) {
    adj_error_null("pow_scalar");
    return NULL;
  }
  AdjTensor *out =
      adj_new_raw(adj_dtype_is_float(a->dtype) ? a->dtype : ADJ_FLOAT32, a->ndim, a->shape);
  AdjTensor *w = out ? scalar_like(a, s) : NULL;
  if (!w) {
    adj_release(out);
    return NULL;
  }
  adj_kernel_binary(B_POW, out, a, w);
  adj_release(w);
  AdjNode *node = adj_node_new("PowBackward0", pow_scalar_backward, 1, &a);
  if (node) {
    adj_node_save(node, 0, a, false);
    node->scalar[0] = s;
  }
  adj_set_history(out, node);
  return adj_ret(out);
}

AdjTensor *adj_where(const AdjTensor *cond, const AdjTensor *a, const AdjTensor *b) {
  if (!cond || !a || !b) {
    adj_error_null("where");
    return NULL;
  }
  if (cond->dtype != ADJ_BOOL) {
    adj_error(ADJ_ERR_RUNTIME,
              "where expected condition to be a boolean tensor, but got a "
              "tensor with dtype %s",
              adj_dtype_name(cond->dtype) + 6);
    return NULL;
  }
  int n1, nd;
  int64_t s1[ADJ_MAX_DIMS], shape[ADJ_MAX_DIMS];
  if (adj_broadcast_shape(a->ndim, a->shape, b->ndim, b->shape, &n1, s1) != 0 ||
      adj_broadcast_shape(cond->ndim, cond->shape, n1, s1, &nd, shape) != 0)
    return NULL;
  AdjTensor *out = adj_new_raw(adj_result_type(a, b), nd, shape);
  if (!out)
    return NULL;
  adj_kernel_where(out, cond, a, b);
  const AdjTensor *in[3] = {cond, a, b};
  AdjNode *node = adj_node_new("WhereBackward0", where_backward, 3, in);
  if (node)
    adj_node_save(node, 0, cond, false);
  adj_set_history(out, node);
  return adj_ret(out);
}

/* ---- comparisons as values ------------------------------------------------------- */

bool adj_equal(const AdjTensor *a, const AdjTensor *b) {
  if (!a || !b || a->ndim != b->ndim)
    return false;
  for (int d = 0; d < a->ndim; d++)
    if (a->shape[d] != b->shape[d])
      return false;
  int64_t n = adj_numel(a);
  for (int64_t i = 0; i < n; i++)
    if (adj_load(a, i) != adj_load(b, i))
      return false;
  return true;
}

bool adj_allclose(const AdjTensor *a, const AdjTensor *b, double rtol, double atol) {
  if (!a || !b || a->ndim != b->ndim)
    return false;
  for (int d = 0; d < a->ndim; d++)
    if (a->shape[d] != b->shape[d])
      return false;
  int64_t n = adj_numel(a);
  for (int64_t i = 0; i < n; i++) {
    double x = adj_load(a, i), y = adj_load(b, i);
    if (!(fabs(x - y) <= atol + rtol * fabs(y)) && !(x == y))
      return false;
  }
  return true;
}

/* ---- in-place ops ----------------------------------------------------------------- */

static int zero_backward(AdjNode *n, AdjTensor *const *sv, AdjTensor *g, AdjTensor **gi) {
  (void)sv;
  if (adj_needs_grad(n, 0) && !(gi[0] = adj_zeros_like(g)))
    return -1;
  return 0;
}

static int copy_backward(AdjNode *n, AdjTensor *const *sv, AdjTensor *g, AdjTensor **gi) {
  (void)sv;
  if (adj_needs_grad(n, 0) && !(gi[0] = adj_zeros_like(g)))
    return -1;
  gi[1] = adj_needs_grad(n, 1) ? g : NULL;
  return 0;
}

/* Checks shared by in-place ops: t is modifiable and other broadcasts to t. */
static int inplace_check(const char *fn, AdjTensor *t, const AdjTensor *other) {
  if (!t || (other == NULL && fn[0] == '\0')) {
    adj_error_null(fn);
    return -1;
  }
  if (adj_check_inplace(t) != 0)
    return -1;
  for (int d = 0; d < t->ndim; d++) {
    if (t->stride[d] == 0 && t->shape[d] > 1) {
      adj_error(ADJ_ERR_RUNTIME,
                "unsupported operation: more than one element of the written-to tensor refers to "
                "a single memory location. Please clone() the tensor before performing the "
                "operation.");
      return -1;
    }
  }
  if (other) {
    int nd;
    int64_t shape[ADJ_MAX_DIMS];
    if (adj_broadcast_shape(t->ndim, t->shape, other->ndim, other->shape, &nd, shape) != 0)
      return -1;
    if (nd != t->ndim || memcmp(shape, t->shape, sizeof(int64_t) * (size_t)nd) != 0) {
      char a[128], b[128];
      adj_format_shape(a, sizeof a, t->ndim, t->shape);
      adj_format_shape(b, sizeof b, nd, shape);
      adj_error(ADJ_ERR_RUNTIME, "output with shape %s doesn't match the broadcast shape %s", a, b);
      return -1;
    }
    if (!adj_dtype_is_float(t->dtype) && adj_dtype_is_float(other->dtype)) {
      adj_error(ADJ_ERR_RUNTIME, "result type Float can't be cast to the desired output type %s",
                t->dtype == ADJ_INT64 ? "Long" : "Bool");
      return -1;
    }
    if (t->is_view && adj_grad_enabled_ && adj_requires_grad(other) && !adj_view_can_rebase(t)) {
      adj_error(ADJ_ERR_RUNTIME,
                "in-place operations on views of non-contiguous tensors that require grad are "
                "not supported by adjoint; use the out-of-place op");
      return -1;
    }
  }
  return 0;
}

/* A clone of t that keeps its history (PyTorch saves original_self = self.clone() for
 * in-place ops that need it, so double backward still reaches t's inputs);
 * caller-owned. */
static AdjTensor *tracked_clone(const AdjTensor *t) {
  adj_scope_begin();
  AdjTensor *c = adj_retain(adj_clone(t));
  adj_scope_end();
  return c;
}

/* The node of an in-place op on t with optional other; NULL if nothing requires grad. */
static AdjNode *inplace_node(const char *name, AdjBackwardFn bw, AdjTensor *t,
                             const AdjTensor *other) {
  const AdjTensor *in[2] = {t, other};
  return adj_node_new(name, bw, other ? 2 : 1, in);
}

/* t op= other. Saves for mul_/div_ follow the out-of-place ops; the original t is
 * cloned when its value is needed, since the op overwrites it. */
static AdjTensor *inplace_binary(const char *fn, const char *name, AdjBinaryOp op, AdjBackwardFn bw,
                                 int saves, AdjTensor *t, const AdjTensor *other) {
  if (!t || !other) {
    adj_error_null(fn);
    return NULL;
  }
  if (inplace_check(fn, t, other) != 0)
    return NULL;
  AdjNode *node = inplace_node(name, bw, t, other);
  AdjTensor *orig = NULL, *oth = NULL;
  if (node && saves) {
    bool need_self = adj_needs_grad(node, 1) && (saves == 1 || saves == 2);
    if (need_self)
      orig = tracked_clone(t);
    /* other aliasing t would be overwritten: save a copy */
    oth = adj_shares_storage(t, other) ? tracked_clone(other) : adj_retain(adj_unconst(other));
    if ((need_self && !orig) || !oth) {
      adj_release(orig);
      adj_release(oth);
      adj_node_release(node);
      return NULL;
    }
    if (orig)
      adj_node_save(node, 0, orig, false);
    if (adj_needs_grad(node, 0) || saves == 2)
      adj_node_save(node, 1, oth, false);
  }
  adj_kernel_binary(op, t, t, other);
  adj_bump_version(t);
  adj_rebase_history(t, node);
  adj_release(orig);
  adj_release(oth);
  return t;
}

AdjTensor *adj_add_(AdjTensor *t, const AdjTensor *o) {
  return inplace_binary("add_", "AddBackward0", B_ADD, add_backward, 0, t, o);
}
AdjTensor *adj_sub_(AdjTensor *t, const AdjTensor *o) {
  return inplace_binary("sub_", "SubBackward0", B_SUB, sub_backward, 0, t, o);
}
AdjTensor *adj_mul_(AdjTensor *t, const AdjTensor *o) {
  return inplace_binary("mul_", "MulBackward0", B_MUL, mul_backward, 1, t, o);
}
AdjTensor *adj_div_(AdjTensor *t, const AdjTensor *o) {
  return inplace_binary("div_", "DivBackward0", B_DIV, div_backward, 2, t, o);
}

static AdjTensor *inplace_scalar(const char *fn, const char *name, AdjBinaryOp op, AdjBackwardFn bw,
                                 int saves, AdjTensor *t, double s) {
  if (!t) {
    adj_error_null(fn);
    return NULL;
  }
  AdjTensor *w = scalar_like(t, s);
  if (!w)
    return NULL;
  AdjTensor *r = inplace_binary(fn, name, op, bw, saves, t, w);
  adj_release(w);
  return r;
}

AdjTensor *adj_add_scalar_(AdjTensor *t, double s) {
  return inplace_scalar("add_", "AddBackward0", B_ADD, add_backward, 0, t, s);
}
AdjTensor *adj_mul_scalar_(AdjTensor *t, double s) {
  return inplace_scalar("mul_", "MulBackward0", B_MUL, mul_backward, 1, t, s);
}

AdjTensor *adj_exp_(AdjTensor *t) {
  if (!t) {
    adj_error_null("exp_");
    return NULL;
  }
  if (!adj_dtype_is_float(t->dtype)) {
    adj_error(ADJ_ERR_RUNTIME, "result type Float can't be cast to the desired output type %s",
              t->dtype == ADJ_INT64 ? "Long" : "Bool");
    return NULL;
  }
  if (inplace_check("exp_", t, NULL) != 0)
    return NULL;
  AdjNode *node = inplace_node("ExpBackward0", exp_backward, t, NULL);
  adj_kernel_unary(U_EXP, t, t);
  adj_bump_version(t);
  adj_rebase_history(t, node);
  if (node)
    adj_node_save(node, 0, t, true);
  return t;
}

AdjTensor *adj_clamp_(AdjTensor *t, double lo, double hi) {
  if (!t) {
    adj_error_null("clamp_");
    return NULL;
  }
  if (inplace_check("clamp_", t, NULL) != 0)
    return NULL;
  AdjNode *node = inplace_node("ClampBackward1", clamp_backward, t, NULL);
  if (node) {
    AdjTensor *orig = tracked_clone(t);
    if (!orig) {
      adj_node_release(node);
      return NULL;
    }
    adj_node_save(node, 0, orig, false);
    adj_release(orig);
    node->scalar[0] = lo;
    node->scalar[1] = hi;
  }
  adj_kernel_clamp(t, t, lo, hi);
  adj_bump_version(t);
  adj_rebase_history(t, node);
  return t;
}

/* fill_ / zero_: overwrite t; its gradient becomes zero (the node name says which). */
static AdjTensor *fill_impl(const char *fn, const char *name, AdjTensor *t, double v) {
  if (!t) {
    adj_error_null(fn);
    return NULL;
  }
  if (inplace_check(fn, t, NULL) != 0)
    return NULL;
  AdjNode *node = inplace_node(name, zero_backward, t, NULL);
  adj_kernel_fill(t, v);
  adj_bump_version(t);
  adj_rebase_history(t, node);
  return t;
}

AdjTensor *adj_zero_(AdjTensor *t) { return fill_impl("zero_", "ZeroBackward0", t, 0.0); }

AdjTensor *adj_uniform_(AdjTensor *t, double from, double to) {
  if (!t) {
    adj_error_null("uniform_");
    return NULL;
  }
  if (!adj_dtype_is_float(t->dtype)) {
    adj_error(ADJ_ERR_RUNTIME, "\"check_uniform_bounds\" not implemented for '%s'",
              t->dtype == ADJ_INT64 ? "Long" : "Bool");
    return NULL;
  }
  if (!(from <= to)) {
    adj_error(ADJ_ERR_RUNTIME,
              "uniform_ expects to return a [from, to) range, but found from=%g > to=%g", from, to);
    return NULL;
  }
  if (inplace_check("uniform_", t, NULL) != 0)
    return NULL;
  AdjNode *node = inplace_node("UniformBackward0", zero_backward, t, NULL);
  adj_uniform_fill(t, from, to);
  adj_bump_version(t);
  adj_rebase_history(t, node);
  return t;
}
AdjTensor *adj_fill_(AdjTensor *t, double v) { return fill_impl("fill_", "FillBackward0", t, v); }

AdjTensor *adj_copy_(AdjTensor *t, const AdjTensor *src) {
  if (!t || !src) {
    adj_error_null("copy_");
    return NULL;
  }
  if (inplace_check("copy_", t, src) != 0)
    return NULL;
  AdjNode *node = inplace_node("CopyBackwards", copy_backward, t, src);
  if (adj_shares_storage(t, src)) {
    AdjTensor *tmp = adj_contiguous_raw(src);
    if (!tmp) {
      adj_node_release(node);
      return NULL;
    }
    adj_kernel_copy(t, tmp);
    adj_release(tmp);
  } else {
    adj_kernel_copy(t, src);
  }
  adj_bump_version(t);
  adj_rebase_history(t, node);
  return t;
}
