/*
 * test_autograd.c — PyTorch's autograd semantics, one test per rule, including the
 * error cases, whose messages are compared with PyTorch's (golden/errors.txt, made by
 * golden/errors.py). Each function names the rule it checks.
 */
#define _POSIX_C_SOURCE 200809L
#include <adjoint.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>

#include "check.h"

#ifndef ADJ_GOLDEN_DIR
#define ADJ_GOLDEN_DIR "runtime/golden"
#endif

#define F32 ADJ_FLOAT32
#define F64 ADJ_FLOAT64

static char *golden;

static const char *kind_name(AdjErrorKind k) {
  switch (k) {
  case ADJ_ERR_INDEX: return "IndexError";
  case ADJ_ERR_VALUE: return "ValueError";
  case ADJ_ERR_TYPE: return "TypeError";
  default: return "RuntimeError";
  }
}

/* The golden line for key, without "key: ". */
static const char *golden_line(const char *key, char *buf, size_t n) {
  size_t kl = strlen(key);
  for (const char *p = golden; p && *p;) {
    const char *e = strchr(p, '\n');
    size_t len = e ? (size_t)(e - p) : strlen(p);
    if (len > kl + 2 && strncmp(p, key, kl) == 0 && p[kl] == ':' && p[kl + 1] == ' ') {
      snprintf(buf, n, "%.*s", (int)(len - kl - 2), p + kl + 2);
      return buf;
    }
    p = e ? e + 1 : p + len;
  }
  return NULL;
}

/* Check that a call failed (or not) exactly like PyTorch in situation `key`. */
static void expect(const char *key, bool failed) {
  char want[2048], got[2048];
  CHECK(golden_line(key, want, sizeof want) != NULL);
  if (failed)
    snprintf(got, sizeof got, "%s: %s", kind_name(adj_last_error_kind()), adj_last_error());
  else
    snprintf(got, sizeof got, "no error");
  if (golden_line(key, want, sizeof want)) {
    if (strcmp(got, want) != 0)
      fprintf(stderr, "[%s]\n", key);
    CHECK_STR(got, want);
  }
  adj_clear_error();
}

static AdjTensor *leaf(void) { return adj_requires_grad_(adj_ones(F32, ADJ_SHAPE(2, 2)), true); }
static double at(const AdjTensor *t, int64_t i) { return adj_get(adj_flatten(t), (int64_t[]){i}); }

/* Rule: a backward without retain_graph frees only the nodes that saved tensors. */
static void test_graph_freeing(void) {
  adj_scope_begin();
  AdjTensor *x = leaf();
  AdjTensor *y = adj_sum(adj_mul_scalar(x, 2));
  CHECK(adj_backward(y, NULL, false, false) == 0);
  expect("backward_twice", adj_backward(y, NULL, false, false) != 0);
  y = adj_sum(adj_add_scalar(x, 1));
  CHECK(adj_backward(y, NULL, false, false) == 0);
  expect("backward_twice_ok", adj_backward(y, NULL, false, false) != 0);
  y = adj_sum(adj_mul_scalar(x, 2));
  CHECK(adj_backward(y, NULL, true, false) == 0);
  CHECK(adj_backward(y, NULL, false, false) == 0); /* retained once */
  CHECK(at(adj_grad(x), 0) == 2 + 1 + 1 + 2 + 2);  /* the failed backward added nothing */
  adj_scope_end();
}

typedef AdjTensor *(*Op1)(AdjTensor *x);
static AdjTensor *tw_add(AdjTensor *x) { return adj_add_scalar(x, 1); }
static AdjTensor *tw_sub(AdjTensor *x) { return adj_sub_scalar(x, 1); }
static AdjTensor *tw_mul(AdjTensor *x) { return adj_mul_scalar(x, 2); }
static AdjTensor *tw_div(AdjTensor *x) { return adj_div_scalar(x, 2); }
static AdjTensor *tw_rsub(AdjTensor *x) { return adj_rsub_scalar(x, 1); }
static AdjTensor *tw_pow(AdjTensor *x) { return adj_pow_scalar(x, 2); }
static AdjTensor *tw_neg(AdjTensor *x) { return adj_neg(x); }
static AdjTensor *tw_exp(AdjTensor *x) { return adj_exp(x); }
static AdjTensor *tw_log(AdjTensor *x) { return adj_log(x); }
static AdjTensor *tw_sqrt(AdjTensor *x) { return adj_sqrt(x); }
static AdjTensor *tw_abs(AdjTensor *x) { return adj_abs(x); }
static AdjTensor *tw_sign(AdjTensor *x) { return adj_sign(x); }
static AdjTensor *tw_sin(AdjTensor *x) { return adj_sin(x); }
static AdjTensor *tw_cos(AdjTensor *x) { return adj_cos(x); }
static AdjTensor *tw_tanh(AdjTensor *x) { return adj_tanh(x); }
static AdjTensor *tw_sigmoid(AdjTensor *x) { return adj_sigmoid(x); }
static AdjTensor *tw_relu(AdjTensor *x) { return adj_relu(x); }
static AdjTensor *tw_clamp(AdjTensor *x) { return adj_clamp(x, 0, 1); }
static AdjTensor *tw_sum(AdjTensor *x) { return adj_sum(x); }
static AdjTensor *tw_mean(AdjTensor *x) { return adj_mean(x); }
static AdjTensor *tw_max(AdjTensor *x) { return adj_max(x); }
static AdjTensor *tw_max_dim(AdjTensor *x) { return adj_max_dim(x, 0, false, NULL); }
static AdjTensor *tw_softmax(AdjTensor *x) { return adj_softmax(x, 0); }
static AdjTensor *tw_log_softmax(AdjTensor *x) { return adj_log_softmax(x, 0); }
static AdjTensor *tw_view(AdjTensor *x) { return adj_view(x, ADJ_SHAPE(2, 2)); }
static AdjTensor *tw_t(AdjTensor *x) { return adj_t(adj_view(x, ADJ_SHAPE(2, 2))); }
static AdjTensor *tw_slice(AdjTensor *x) { return adj_slice(x, 0, 1, INT64_MAX, 1); }
static AdjTensor *tw_select(AdjTensor *x) { return adj_select(x, 0, 1); }
static AdjTensor *tw_expand(AdjTensor *x) { return adj_expand(x, ADJ_SHAPE(2, 4)); }
static AdjTensor *tw_cat(AdjTensor *x) { return adj_cat(2, (AdjTensor *[]){x, x}, 0); }
static AdjTensor *tw_clone(AdjTensor *x) { return adj_clone(x); }
static AdjTensor *tw_index_select(AdjTensor *x) {
  return adj_index_select(x, 0, adj_tensor(ADJ_INT64, ADJ_SHAPE(1), ADJ_VALUES(1)));
}
static AdjTensor *tw_matmul(AdjTensor *x) { return adj_matmul(x, adj_ones(F32, ADJ_SHAPE(4))); }
static AdjTensor *tw_mul_const(AdjTensor *x) { return adj_mul(x, adj_ones(F32, ADJ_SHAPE(4))); }

/* Rule, per op: a second backward fails exactly for the ops that save tensors. */
static void test_which_ops_save(void) {
  static const struct {
    const char *key;
    Op1 f;
  } ops[] = {
      {"twice_add_scalar", tw_add},
      {"twice_sub_scalar", tw_sub},
      {"twice_mul_scalar", tw_mul},
      {"twice_div_scalar", tw_div},
      {"twice_rsub_scalar", tw_rsub},
      {"twice_pow_scalar", tw_pow},
      {"twice_neg", tw_neg},
      {"twice_exp", tw_exp},
      {"twice_log", tw_log},
      {"twice_sqrt", tw_sqrt},
      {"twice_abs", tw_abs},
      {"twice_sign", tw_sign},
      {"twice_sin", tw_sin},
      {"twice_cos", tw_cos},
      {"twice_tanh", tw_tanh},
      {"twice_sigmoid", tw_sigmoid},
      {"twice_relu", tw_relu},
      {"twice_clamp", tw_clamp},
      {"twice_sum", tw_sum},
      {"twice_mean", tw_mean},
      {"twice_max", tw_max},
      {"twice_max_dim", tw_max_dim},
      {"twice_softmax", tw_softmax},
      {"twice_log_softmax", tw_log_softmax},
      {"twice_view", tw_view},
      {"twice_t", tw_t},
      {"twice_slice", tw_slice},
      {"twice_select", tw_select},
      {"twice_expand", tw_expand},
      {"twice_cat", tw_cat},
      {"twice_clone", tw_clone},
      {"twice_index_select", tw_index_select},
      {"twice_matmul_const", tw_matmul},
      {"twice_mul_const", tw_mul_const},
  };
  for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
    adj_scope_begin();
    AdjTensor *x = adj_tensor(F32, ADJ_SHAPE(4), ADJ_VALUES(0.5, 1.5, 2.5, 3.5));
    adj_requires_grad_(x, true);
    AdjTensor *y = adj_sum(ops[i].f(x));
    CHECK(adj_backward(y, NULL, false, false) == 0);
    expect(ops[i].key, adj_backward(y, NULL, false, false) != 0);
    adj_scope_end();
  }
}

/* Rule: "scalar" means one element; otherwise a gradient argument is needed. */
static void test_scalar_outputs(void) {
  adj_scope_begin();
  expect("non_scalar", adj_backward(adj_mul_scalar(leaf(), 2), NULL, false, false) != 0);
  AdjTensor *one = adj_requires_grad_(adj_ones(F32, ADJ_SHAPE(1)), true);
  expect("one_element_ok", adj_backward(adj_mul_scalar(one, 2), NULL, false, false) != 0);
  expect("no_grad_fn", adj_backward(adj_sum(adj_ones(F32, ADJ_SHAPE(2))), NULL, false, false) != 0);
  expect("grad_shape",
         adj_backward(adj_mul_scalar(leaf(), 2), adj_ones(F32, ADJ_SHAPE(3)), false, false) != 0);
  adj_scope_end();
}

/* Rule: version counters; the error comes at backward, naming shape, node, versions. */
static void test_version_counter(void) {
  adj_scope_begin();
  AdjTensor *x = leaf();
  AdjTensor *a = adj_mul_scalar(x, 2), *b = adj_mul(a, a);
  uint64_t v0 = adj_version(a);
  CHECK(adj_add_scalar_(a, 1) == a); /* the in-place op itself succeeds */
  CHECK(adj_version(a) == v0 + 1);
  expect("version_input", adj_backward(adj_sum(b), NULL, false, false) != 0);

  a = adj_exp(leaf());
  adj_add_scalar_(a, 1);
  expect("version_output", adj_backward(adj_sum(a), NULL, false, false) != 0);

  /* whether an operand is saved depends on which operands require grad */
  AdjTensor *w = leaf(), *c = adj_ones(F32, ADJ_SHAPE(2, 2));
  AdjTensor *y = adj_sum(adj_mul(w, c));
  adj_add_scalar_(c, 1);
  expect("version_not_saved_operand", adj_backward(y, NULL, false, false) != 0);
  w = leaf(), c = adj_ones(F32, ADJ_SHAPE(2, 2));
  y = adj_sum(adj_mul(w, c));
  ADJ_WITH_NO_GRAD { adj_add_scalar_(w, 1); }
  expect("version_other_operand_ok", adj_backward(y, NULL, false, false) != 0);
  adj_scope_end();
}

/* Rule: in-place on a leaf that requires grad fails at the op, unless under no_grad. */
static void test_leaf_inplace(void) {
  adj_scope_begin();
  AdjTensor *w = leaf();
  expect("leaf_inplace", adj_add_scalar_(w, 1) == NULL);
  CHECK(adj_version(w) == 0 && at(w, 0) == 1); /* untouched */
  expect("view_leaf_inplace", adj_mul_scalar_(adj_select(w, 0, 0), 2) == NULL);
  AdjTensor *nv = NULL; /* a view taken under no_grad is still a view of a grad leaf */
  ADJ_WITH_NO_GRAD { nv = adj_select(w, 0, 1); }
  AdjTensor *other = adj_requires_grad_(adj_ones(F32, ADJ_SHAPE(2)), true);
  expect("view_leaf_inplace", adj_add_(nv, other) == NULL);
  ADJ_WITH_NO_GRAD { CHECK(adj_add_scalar_(w, 1) == w); }
  CHECK(adj_version(w) == 1 && at(w, 0) == 2);
  CHECK(adj_is_leaf(w) && adj_requires_grad(w));
  CHECK(adj_set(w, (int64_t[]){0, 0}, 5) == -1);
  adj_clear_error();
  /* an in-place op on a tensor without grad, with an operand that requires grad */
  AdjTensor *z = adj_zeros(F32, ADJ_SHAPE(2, 2));
  CHECK(adj_add_(z, w) == z);
  CHECK(!adj_is_leaf(z) && adj_requires_grad(z));
  CHECK_STR(adj_grad_fn_name(z), "AddBackward0");
  CHECK(adj_backward(adj_sum(z), NULL, false, false) == 0);
  CHECK(at(adj_grad(w), 3) == 1);
  adj_scope_end();
}

/* Rule: .data shares storage but not the version counter; detach() shares both. */
static void test_data_detach(void) {
  adj_scope_begin();
  AdjTensor *x = leaf();
  AdjTensor *d = adj_data(x), *t = adj_detach(x);
  CHECK(adj_shares_storage(x, d) && adj_shares_storage(x, t));
  CHECK(!adj_requires_grad(d) && !adj_requires_grad(t) && adj_is_leaf(t));
  adj_mul_scalar_(d, 3);
  CHECK(adj_version(x) == 0 && at(x, 0) == 3);
  adj_mul_scalar_(t, 2);
  CHECK(adj_version(x) == 1 && at(x, 0) == 6);
  /* detach_ makes a non-leaf a leaf without grad */
  AdjTensor *y = adj_mul_scalar(x, 2);
  CHECK(adj_detach_(y) == y && adj_is_leaf(y) && !adj_requires_grad(y));
  expect("detach_view", adj_detach_(adj_select(adj_mul_scalar(x, 2), 0, 0)) == NULL);
  adj_scope_end();
}

/* Rule: grad of a linear function has no graph, even under create_graph. */
static void test_linear_no_graph(void) {
  adj_scope_begin();
  AdjTensor *x = leaf(), *g, *g2;
  AdjTensor *y = adj_sum(adj_mul_scalar(x, 2));
  CHECK(adj_autograd_grad(1, &y, NULL, 1, &x, false, true, false, &g) == 0);
  CHECK(!adj_requires_grad(g) && adj_grad_fn(g) == NULL);
  AdjTensor *s = adj_sum(g);
  expect("linear_no_graph", adj_autograd_grad(1, &s, NULL, 1, &x, false, false, false, &g2) != 0);
  /* a non-linear one has a graph, to any order: d^3/dx^3 x^4 = 24 x */
  AdjTensor *z = adj_requires_grad_(adj_scalar(F64, 1.5), true), *d1, *d2, *d3;
  AdjTensor *f = adj_pow_scalar(z, 4);
  CHECK(adj_autograd_grad(1, &f, NULL, 1, &z, false, true, false, &d1) == 0);
  CHECK(adj_autograd_grad(1, &d1, NULL, 1, &z, false, true, false, &d2) == 0);
  CHECK(adj_autograd_grad(1, &d2, NULL, 1, &z, false, true, false, &d3) == 0);
  CHECK_NEAR(adj_item(d1), 4 * 1.5 * 1.5 * 1.5, 1e-12);
  CHECK_NEAR(adj_item(d2), 12 * 1.5 * 1.5, 1e-12);
  CHECK_NEAR(adj_item(d3), 24 * 1.5, 1e-12);
  adj_scope_end();
}

/* Rule: ties in max split the gradient; relu and abs have gradient 0 at 0. */
static void test_subgradients(void) {
  adj_scope_begin();
  AdjTensor *x = adj_requires_grad_(adj_tensor(F32, ADJ_SHAPE(3), ADJ_VALUES(1, 3, 3)), true);
  CHECK(adj_backward(adj_max(x), NULL, false, false) == 0);
  CHECK(at(adj_grad(x), 0) == 0 && at(adj_grad(x), 1) == 0.5 && at(adj_grad(x), 2) == 0.5);
  adj_zero_grad(x, true);
  CHECK(adj_backward(adj_max_dim(x, 0, false, NULL), NULL, false, false) == 0);
  CHECK(at(adj_grad(x), 1) == 1 && at(adj_grad(x), 2) == 0); /* the index gets it all */
  AdjTensor *m = adj_maximum(x, adj_full(F32, ADJ_SHAPE(3), 3));
  adj_zero_grad(x, true);
  CHECK(adj_backward(adj_sum(m), NULL, false, false) == 0);
  CHECK(at(adj_grad(x), 0) == 0 && at(adj_grad(x), 1) == 0.5);
  AdjTensor *z = adj_requires_grad_(adj_tensor(F32, ADJ_SHAPE(3), ADJ_VALUES(-1, 0, 2)), true);
  CHECK(adj_backward(adj_sum(adj_add(adj_relu(z), adj_abs(z))), NULL, false, false) == 0);
  CHECK(at(adj_grad(z), 0) == -1 && at(adj_grad(z), 1) == 0 && at(adj_grad(z), 2) == 2);
  adj_scope_end();
}

/* Rule: .grad accumulates; zero_grad zeroes in place or sets to None. */
static void test_accumulation(void) {
  adj_scope_begin();
  AdjTensor *x = leaf();
  CHECK(adj_grad(x) == NULL);
  for (int i = 1; i <= 3; i++) {
    CHECK(adj_backward(adj_sum(adj_mul_scalar(x, 3)), NULL, false, false) == 0);
    CHECK(at(adj_grad(x), 0) == 3 * i);
  }
  AdjTensor *g = adj_grad(x);
  adj_zero_grad(x, false);
  CHECK(adj_grad(x) == g && at(g, 0) == 0);
  adj_zero_grad(x, true);
  CHECK(adj_grad(x) == NULL);
  /* grad() does not touch .grad */
  AdjTensor *y = adj_sum(adj_mul_scalar(x, 3)), *r;
  CHECK(adj_autograd_grad(1, &y, NULL, 1, &x, false, false, false, &r) == 0);
  CHECK(adj_grad(x) == NULL && at(r, 0) == 3);
  /* backward under create_graph: the first .grad is a differentiable copy */
  AdjTensor *w = adj_requires_grad_(adj_tensor(F32, ADJ_SHAPE(1), ADJ_VALUES(3)), true);
  CHECK(adj_backward(adj_pow_scalar(w, 2), NULL, false, true) == 0);
  CHECK_STR(adj_grad_fn_name(adj_grad(w)), "CopyBackwards");
  CHECK(adj_backward(adj_pow_scalar(w, 2), NULL, false, true) == 0);
  CHECK_STR(adj_grad_fn_name(adj_grad(w)), "AddBackward0");
  CHECK(at(adj_grad(w), 0) == 12);
  adj_zero_grad(w, true); /* break the grad -> graph -> w reference chain */
  adj_scope_end();
}

/* Rule: non-leaves have no .grad unless retain_grad(). */
static void test_retain_grad(void) {
  adj_scope_begin();
  AdjTensor *x = leaf();
  AdjTensor *a = adj_mul_scalar(x, 2), *b = adj_mul_scalar(x, 3);
  CHECK(adj_retain_grad(a) == 0 && adj_retains_grad(a) && !adj_retains_grad(b));
  AdjTensor *y = adj_sum(adj_mul(a, b));
  CHECK(adj_backward(y, NULL, true, false) == 0);
  CHECK(adj_grad(b) == NULL);
  CHECK(at(adj_grad(a), 0) == 3); /* dy/da = b */
  CHECK(adj_backward(y, NULL, false, false) == 0);
  CHECK(at(adj_grad(a), 0) == 6); /* accumulates like a leaf's */
  expect("retain_grad_no_grad", adj_retain_grad(adj_ones(F32, ADJ_SHAPE(2))) != 0);
  /* backward(inputs=[a]) fills a non-leaf's .grad too */
  AdjTensor *c = adj_mul_scalar(x, 2);
  AdjTensor *z = adj_sum(adj_mul(c, c));
  CHECK(adj_autograd_backward(1, &z, NULL, false, false, 1, &c) == 0);
  CHECK(at(adj_grad(c), 0) == 4);
  adj_scope_end();
}

static int grad_mode_in_thread;
static void *thread_main(void *arg) {
  (void)arg;
  grad_mode_in_thread = adj_is_grad_enabled();
  return NULL;
}

/* Rule: no_grad / enable_grad / set_grad_enabled nest and are thread-local. */
static void test_grad_mode(void) {
  adj_scope_begin();
  AdjTensor *x = leaf(), *y = NULL, *z = NULL;
  CHECK(adj_is_grad_enabled());
  ADJ_WITH_NO_GRAD {
    y = adj_mul_scalar(x, 2);
    ADJ_WITH_ENABLE_GRAD { z = adj_mul_scalar(x, 2); }
    pthread_t th;
    CHECK(pthread_create(&th, NULL, thread_main, NULL) == 0);
    pthread_join(th, NULL);
    CHECK(grad_mode_in_thread == 1);
  }
  CHECK(!adj_requires_grad(y) && adj_requires_grad(z));
  CHECK(adj_set_grad_enabled(false) == true);
  CHECK(!adj_requires_grad(adj_mul_scalar(x, 2)));
  CHECK(adj_set_grad_enabled(true) == false);
  adj_scope_end();
}

static int hook_calls;
static AdjTensor *double_hook(AdjTensor *g, void *ctx) {
  (void)ctx;
  hook_calls++;
  return adj_mul_scalar(g, 2);
}
static AdjTensor *observe_hook(AdjTensor *g, void *ctx) {
  *(double *)ctx = adj_get(adj_flatten(g), (int64_t[]){0});
  return NULL;
}

static AdjTensor *wrong_size_hook(AdjTensor *g, void *ctx) {
  (void)g, (void)ctx;
  return adj_ones(F32, ADJ_SHAPE(3));
}

/* Rule: tensor hooks see the gradient and may replace it; handles remove them. */
static void test_hooks(void) {
  adj_scope_begin();
  AdjTensor *x = leaf();
  int h = adj_register_hook(x, double_hook, NULL);
  CHECK(h > 0);
  CHECK(adj_backward(adj_sum(adj_mul_scalar(x, 3)), NULL, false, false) == 0);
  CHECK(at(adj_grad(x), 0) == 6 && hook_calls == 1);
  CHECK(adj_remove_hook(x, h) == 0);
  CHECK(adj_remove_hook(x, h) == -1);
  adj_clear_error();
  adj_zero_grad(x, true);
  /* a hook on a non-leaf changes what flows further back */
  AdjTensor *a = adj_mul_scalar(x, 3);
  double seen = 0;
  CHECK(adj_register_hook(a, observe_hook, &seen) > 0);
  CHECK(adj_register_hook(a, double_hook, NULL) > 0);
  CHECK(adj_backward(adj_sum(adj_mul_scalar(a, 5)), NULL, false, false) == 0);
  CHECK(seen == 5 && at(adj_grad(x), 0) == 30 && hook_calls == 2);
  AdjTensor *y = leaf();
  CHECK(adj_register_hook(y, wrong_size_hook, NULL) > 0);
  CHECK(adj_backward(adj_sum(adj_mul_scalar(y, 2)), NULL, false, false) != 0);
  /* PyTorch names the hook ('<lambda>'); C hooks have no name */
  CHECK_STR(adj_last_error(), "hook 'hook' has changed the size of value");
  adj_clear_error();
  expect("hook_no_grad", adj_register_hook(adj_ones(F32, ADJ_SHAPE(2)), double_hook, NULL) < 0);
  adj_scope_end();
}

/* Rule: requires_grad_ only on leaves, only floating dtypes; results inherit it. */
static void test_requires_grad(void) {
  adj_scope_begin();
  AdjTensor *x = leaf();
  AdjTensor *y = adj_mul_scalar(x, 2);
  expect("requires_grad_nonleaf", adj_requires_grad_(y, false) == NULL);
  CHECK(adj_requires_grad_(y, true) == y);
  expect("requires_grad_int", adj_requires_grad_(adj_ones(ADJ_INT64, ADJ_SHAPE(2)), true) == NULL);
  AdjTensor *in[2] = {leaf(), adj_ones(F32, ADJ_SHAPE(2))}, *r[2];
  expect("input_no_grad", adj_autograd_grad(1, &y, NULL, 1, &in[1], false, false, false, r) != 0);
  AdjTensor *twice[2] = {x, x}, *gt[2];
  AdjTensor *sq = adj_sum(adj_mul(x, x));
  CHECK(adj_autograd_grad(1, &sq, NULL, 2, twice, false, false, false, gt) == 0);
  CHECK(gt[0] && gt[1] && at(gt[0], 0) == 2 && at(gt[1], 0) == 2);
  AdjTensor *s = adj_sum(adj_mul_scalar(leaf(), 2));
  expect("unused", adj_autograd_grad(1, &s, NULL, 1, &in[0], false, false, false, r) != 0);
  /* next_functions: AccumulateGrad for leaves */
  AdjNode *fn = adj_grad_fn(adj_mul(x, adj_ones(F32, ADJ_SHAPE(2, 2))));
  CHECK(adj_node_num_next(fn) == 2);
  CHECK_STR(adj_node_name(adj_node_next(fn, 0)), "AccumulateGrad");
  CHECK(adj_node_next(fn, 1) == NULL);
  adj_scope_end();
}

/* Broadcast gradients are summed back to each operand's shape and dtype. */
static void test_broadcast_grads(void) {
  adj_scope_begin();
  AdjTensor *a = adj_requires_grad_(adj_ones(F32, ADJ_SHAPE(3, 1)), true);
  AdjTensor *b = adj_requires_grad_(adj_ones(F64, ADJ_SHAPE(4)), true);
  AdjTensor *y = adj_mul(a, b);
  CHECK(adj_dtype(y) == F64 && adj_dim(y) == 2 && adj_size(y, 0) == 3 && adj_size(y, 1) == 4);
  CHECK(adj_backward(adj_sum(y), NULL, false, false) == 0);
  CHECK(adj_dtype(adj_grad(a)) == F32 && adj_size(adj_grad(a), 0) == 3 &&
        adj_size(adj_grad(a), 1) == 1 && at(adj_grad(a), 0) == 4);
  CHECK(adj_dtype(adj_grad(b)) == F64 && adj_dim(adj_grad(b)) == 1 && at(adj_grad(b), 0) == 3);
  /* a 0-dim float64 operand does not promote a float32 tensor */
  CHECK(adj_dtype(adj_add(adj_ones(F32, ADJ_SHAPE(2)), adj_scalar(F64, 1))) == F32);
  adj_scope_end();
}

/* Anomaly mode records file:line of the forward op; NaN in backward is an error. */
static void test_anomaly(void) {
  adj_scope_begin();
  bool prev = adj_set_detect_anomaly(true);
  AdjTensor *x = adj_requires_grad_(adj_tensor(F32, ADJ_SHAPE(2), ADJ_VALUES(-1, 4)), true);
  int line = __LINE__ + 1;
  AdjTensor *y = adj_sqrt(x);
  char want[256];
  snprintf(want, sizeof want, "%s:%d", __FILE__, line);
  CHECK_STR(adj_node_location(adj_grad_fn(y)), want);
  CHECK(adj_backward(adj_sum(y), NULL, false, false) != 0);
  CHECK_STR(adj_last_error(), "Function 'SqrtBackward0' returned nan values in its 0th output.");
  char report[512];
  snprintf(report, sizeof report,
           "Error detected in SqrtBackward0. Traceback of forward call that caused the error:\n"
           "  %s",
           want);
  CHECK_STR(adj_last_anomaly_report(), report);
  adj_clear_error();
  adj_set_detect_anomaly(prev);
  CHECK(adj_node_location(adj_grad_fn(adj_sqrt(x))) == NULL);
  adj_scope_end();
}

static int handler_calls;
static void count_handler(AdjErrorKind kind, const char *msg, void *ctx) {
  (void)msg;
  (void)ctx;
  if (kind != ADJ_OK)
    handler_calls++;
}

/* The error API: kinds, handler, NULL propagation keeps the first message. */
static void test_errors(void) {
  adj_scope_begin();
  adj_clear_error();
  CHECK(adj_last_error_kind() == ADJ_OK && adj_last_error()[0] == '\0');
  AdjErrorHandler old = adj_set_error_handler(count_handler, NULL);
  AdjTensor *r = adj_mul(adj_add(adj_ones(F32, ADJ_SHAPE(2, 3)), adj_ones(F32, ADJ_SHAPE(3, 2))),
                         adj_ones(F32, ADJ_SHAPE(2)));
  CHECK(r == NULL && handler_calls == 1);
  expect("broadcast", true);
  CHECK(adj_exp(NULL) == NULL && adj_last_error_kind() == ADJ_ERR_TYPE);
  adj_clear_error();
  adj_set_error_handler(old, NULL);
  expect("mm_shapes", !adj_matmul(adj_ones(F32, ADJ_SHAPE(2, 3)), adj_ones(F32, ADJ_SHAPE(2, 3))));
  expect("dot_shapes", !adj_matmul(adj_ones(F32, ADJ_SHAPE(3)), adj_ones(F32, ADJ_SHAPE(4))));
  expect("matmul_dtype",
         !adj_matmul(adj_ones(F32, ADJ_SHAPE(2, 3)), adj_ones(F64, ADJ_SHAPE(3, 2))));
  expect("dim_range", !adj_sum_dims(adj_ones(F32, ADJ_SHAPE(2, 3)), ADJ_DIMS(5), false));
  expect("view_size", !adj_view(adj_ones(F32, ADJ_SHAPE(2, 3)), ADJ_SHAPE(4)));
  expect("view_stride", !adj_view(adj_t(adj_ones(F32, ADJ_SHAPE(2, 3))), ADJ_SHAPE(6)));
  expect("view_infer", !adj_view(adj_ones(F32, ADJ_SHAPE(2, 3)), ADJ_SHAPE(-1, -1)));
  expect("item", isnan(adj_item(adj_ones(F32, ADJ_SHAPE(2, 3)))));
  expect("transpose_dim", !adj_transpose(adj_ones(F32, ADJ_SHAPE(2, 3)), 0, 2));
  expect("select_index", !adj_select(adj_ones(F32, ADJ_SHAPE(2, 3)), 0, 5));
  expect("expand", !adj_expand(adj_ones(F32, ADJ_SHAPE(2, 3)), ADJ_SHAPE(3, 3)));
  AdjTensor *pair[2] = {adj_ones(F32, ADJ_SHAPE(2, 3)), adj_ones(F32, ADJ_SHAPE(2, 2))};
  expect("cat_sizes", !adj_cat(2, pair, 0));
  expect("stack_sizes", !adj_stack(2, pair, 0));
  expect("inplace_broadcast",
         !adj_add_(adj_ones(F32, ADJ_SHAPE(2, 3)), adj_ones(F32, ADJ_SHAPE(2, 2, 3))));
  expect("nll_target",
         !adj_nll_loss(adj_ones(F32, ADJ_SHAPE(2, 3)),
                       adj_tensor(ADJ_INT64, ADJ_SHAPE(2), ADJ_VALUES(0, 3)), ADJ_REDUCTION_MEAN));
  expect("index_select_range",
         !adj_index_select(adj_ones(F32, ADJ_SHAPE(2, 3)), 1,
                           adj_tensor(ADJ_INT64, ADJ_SHAPE(1), ADJ_VALUES(3))));
  expect("gather_range", !adj_gather(adj_ones(F32, ADJ_SHAPE(2, 3)), 1,
                                     adj_tensor(ADJ_INT64, ADJ_SHAPE(1, 1), ADJ_VALUES(3))));
  expect("permute_dims", !adj_permute(adj_ones(F32, ADJ_SHAPE(2, 3)), ADJ_DIMS(0)));
  expect("permute_repeat", !adj_permute(adj_ones(F32, ADJ_SHAPE(2, 3)), ADJ_DIMS(0, 0)));
  expect("neg_bool", !adj_neg(adj_ones(ADJ_BOOL, ADJ_SHAPE(2))));
  expect("arange_step", !adj_arange(F32, 0, 1, 0));
  expect("empty_max", !adj_max(adj_ones(F32, ADJ_SHAPE(0))));
  expect("inplace_expanded",
         !adj_add_scalar_(adj_expand(adj_ones(F32, ADJ_SHAPE(1)), ADJ_SHAPE(3)), 1));
  expect("huge", !adj_empty(F32, ADJ_SHAPE(INT64_C(1) << 62, INT64_C(1) << 62)));
  adj_scope_end();
}

/* The engine and the node destructor are loops: a 200000-node chain is fine. */
static void test_deep_graph(void) {
  adj_scope_begin();
  AdjTensor *x = adj_requires_grad_(adj_scalar(F64, 1.0), true);
  AdjTensor *y = x;
  adj_scope_begin();
  for (int i = 0; i < 200000; i++) {
    y = adj_add_scalar(y, 1e-6);
    if (i % 1000 == 999) { /* keep scopes short: only y survives */
      adj_keep(y);
      adj_scope_end();
      adj_scope_begin();
    }
  }
  adj_keep(y);
  adj_scope_end();
  CHECK(adj_backward(y, NULL, false, false) == 0);
  CHECK(adj_item(adj_grad(x)) == 1.0);
  adj_scope_end();
}

/* A custom function: forward fills a raw buffer (as compiled code would), backward
 * uses adj_ ops, so it is differentiable again under create_graph. */
static AdjTensor *cube_forward(void *ctx, int n, AdjTensor *const *in) {
  (void)ctx, (void)n;
  AdjTensor *x = adj_contiguous(in[0]);
  AdjTensor *out = adj_empty(F64, adj_dim(x), adj_shape(x));
  const double *px = adj_data_ptr(x);
  double *po = adj_data_ptr(out);
  for (int64_t i = 0; i < adj_numel(x); i++)
    po[i] = px[i] * px[i] * px[i];
  return out;
}

static int cube_backward(void *ctx, int n, AdjTensor *const *in, AdjTensor *out, AdjTensor *g,
                         AdjTensor **gi) {
  (void)ctx, (void)n, (void)out;
  gi[0] = adj_mul(g, adj_mul_scalar(adj_mul(in[0], in[0]), 3));
  return gi[0] ? 0 : -1;
}

static const AdjFunction cube = {"CubeBackward", cube_forward, cube_backward};

/* The static/dynamic bridge: a user function is one node with PyTorch's rules. */
static void test_custom_function(void) {
  adj_scope_begin();
  AdjTensor *x = adj_requires_grad_(adj_tensor(F64, ADJ_SHAPE(2), ADJ_VALUES(2, -1)), true);
  AdjTensor *y = adj_function_apply(&cube, NULL, 1, &x);
  CHECK(y && at(y, 0) == 8 && at(y, 1) == -1);
  CHECK_STR(adj_grad_fn_name(y), "CubeBackward");
  CHECK(adj_backward(adj_sum(y), NULL, false, false) == 0);
  CHECK(at(adj_grad(x), 0) == 12 && at(adj_grad(x), 1) == 3);
  CHECK(adj_backward(adj_sum(y), NULL, false, false) != 0); /* saved tensors were freed */
  CHECK(strstr(adj_last_error(), "Trying to backward through the graph a second time") != NULL);
  adj_clear_error();
  AdjTensor *g1, *g2;
  y = adj_sum(adj_function_apply(&cube, NULL, 1, &x));
  CHECK(adj_autograd_grad(1, &y, NULL, 1, &x, false, true, false, &g1) == 0);
  AdjTensor *s = adj_sum(g1);
  CHECK(adj_autograd_grad(1, &s, NULL, 1, &x, false, false, false, &g2) == 0);
  CHECK(at(g2, 0) == 12 && at(g2, 1) == -6); /* d/dx 3x^2 = 6x */
  y = adj_function_apply(&cube, NULL, 1, &x);
  ADJ_WITH_NO_GRAD { adj_mul_scalar_(x, 2); }
  CHECK(adj_backward(adj_sum(y), NULL, false, false) != 0);
  CHECK(strstr(adj_last_error(), "is at version 1; expected version 0") != NULL);
  adj_clear_error();
  ADJ_WITH_NO_GRAD { y = adj_function_apply(&cube, NULL, 1, &x); }
  CHECK(y && !adj_requires_grad(y));
  CHECK(!adj_requires_grad(adj_function_apply(&cube, NULL, 1, (AdjTensor *[]){adj_detach(x)})));
  adj_scope_end();
}

int main(void) {
  golden = check_read_file(ADJ_GOLDEN_DIR "/errors.txt");
  CHECK(golden != NULL);
  test_graph_freeing();
  test_which_ops_save();
  test_scalar_outputs();
  test_version_counter();
  test_leaf_inplace();
  test_data_detach();
  test_linear_no_graph();
  test_subgradients();
  test_accumulation();
  test_retain_grad();
  test_grad_mode();
  test_hooks();
  test_requires_grad();
  test_broadcast_grads();
  test_anomaly();
  test_errors();
  test_deep_graph();
  test_custom_function();
  free(golden);
  CHECK(adj_live_tensors() == 0);
  return check_summary();
}
