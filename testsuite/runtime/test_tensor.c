/*
 * test_tensor.c — the tensor core: creation, properties, element access, copies and
 * conversions, views sharing storage, shape ops' values, and the ownership rules
 * (scopes, adj_keep, retain/release) checked by counting live tensors.
 */
#define _POSIX_C_SOURCE 200809L
#include <adjoint.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

#define F32 ADJ_FLOAT32
#define F64 ADJ_FLOAT64
#define I64 ADJ_INT64

typedef AdjTensor *(*Unary1)(const AdjTensor *);
typedef AdjTensor *(*Binary2)(const AdjTensor *, const AdjTensor *);

static double at(const AdjTensor *t, int64_t i) { return adj_get(adj_flatten(t), (int64_t[]){i}); }

static bool values_are(const AdjTensor *t, int n, const double *want) {
  if (!t || adj_numel(t) != n)
    return false;
  for (int i = 0; i < n; i++)
    if (at(t, i) != want[i])
      return false;
  return true;
}

static void test_creation(void) {
  adj_scope_begin();
  AdjTensor *t = adj_tensor(F32, ADJ_SHAPE(2, 3), ADJ_VALUES(1, 2, 3, 4, 5, 6));
  CHECK(adj_dim(t) == 2 && adj_size(t, 0) == 2 && adj_size(t, -1) == 3 && adj_numel(t) == 6);
  CHECK(adj_strides(t)[0] == 3 && adj_strides(t)[1] == 1 && adj_is_contiguous(t));
  CHECK(adj_get(t, (int64_t[]){1, 2}) == 6 && adj_get(t, (int64_t[]){-1, -3}) == 4);
  CHECK(values_are(adj_arange(F64, 0, 1, 0.25), 4, ADJ_VALUES(0, 0.25, 0.5, 0.75)));
  CHECK(values_are(adj_arange(I64, 5, 0, -2), 3, ADJ_VALUES(5, 3, 1)));
  CHECK(values_are(adj_linspace(F64, 0, 1, 5), 5, ADJ_VALUES(0, 0.25, 0.5, 0.75, 1)));
  CHECK(values_are(adj_full(F32, ADJ_SHAPE(2), 7.5), 2, ADJ_VALUES(7.5, 7.5)));
  float raw[3] = {1.5f, -2.f, 3.f};
  AdjTensor *b = adj_from_buffer(F32, ADJ_SHAPE(3), raw);
  CHECK(values_are(b, 3, ADJ_VALUES(1.5, -2, 3)) && adj_data_ptr(b) != (void *)raw);
  CHECK(adj_dim(adj_scalar(F64, 3)) == 0 && adj_item(adj_scalar(F64, 3)) == 3);
  AdjTensor *z = adj_zeros_like(t);
  CHECK(adj_dtype(z) == F32 && adj_numel(z) == 6 && at(z, 5) == 0);
  CHECK(adj_numel(adj_empty(F64, ADJ_SHAPE(0, 4))) == 0);
  CHECK(adj_tensor(F32, 2, NULL, NULL) == NULL && adj_last_error_kind() == ADJ_ERR_TYPE);
  adj_clear_error();
  CHECK(adj_zeros(F32, ADJ_SHAPE(-1)) == NULL);
  CHECK_STR(adj_last_error(), "Trying to create tensor with negative dimension -1");
  adj_clear_error();
  CHECK(adj_size(t, 2) == -1 && adj_last_error_kind() == ADJ_ERR_INDEX);
  adj_clear_error();
  CHECK(isnan(adj_get(t, (int64_t[]){2, 0})));
  CHECK_STR(adj_last_error(), "index 2 is out of bounds for dimension 0 with size 2");
  adj_clear_error();
  CHECK_STR(adj_dtype_name(F64), "torch.float64");
  CHECK_STR(adj_dtype_name(ADJ_BOOL), "torch.bool");
  CHECK(adj_offset(adj_select(t, 0, 1)) == 3);
  AdjTensor *bt =
      adj_broadcast_to(adj_tensor(F32, ADJ_SHAPE(3), ADJ_VALUES(1, 2, 3)), ADJ_SHAPE(2, 3));
  CHECK(adj_size(bt, 0) == 2 && adj_get(bt, (int64_t[]){1, 2}) == 3);
  CHECK(!adj_is_anomaly_enabled());
  adj_print(adj_scalar(F32, 1.5)); /* stdout: tensor(1.5000) */
  double out[6];
  CHECK(adj_to_doubles(adj_t(t), out) == 0 && out[1] == 4 && out[2] == 2);
  /* the generator: same seed, same values; float64 draws differ from float32 */
  adj_manual_seed(1);
  AdjTensor *r1 = adj_rand(F32, ADJ_SHAPE(5));
  adj_manual_seed(1);
  CHECK(adj_equal(r1, adj_rand(F32, ADJ_SHAPE(5))));
  AdjTensor *n = adj_randn(F64, ADJ_SHAPE(10000));
  CHECK(fabs(adj_item(adj_mean(n))) < 0.05);
  CHECK(fabs(adj_item(adj_mean(adj_mul(n, n))) - 1) < 0.05);
  adj_scope_end();
}

static void test_views(void) {
  adj_scope_begin();
  AdjTensor *t = adj_arange(F32, 0, 12, 1);
  AdjTensor *m = adj_view(t, ADJ_SHAPE(3, -1));
  CHECK(adj_size(m, 1) == 4 && adj_shares_storage(t, m));
  AdjTensor *tr = adj_transpose(m, 0, 1);
  CHECK(!adj_is_contiguous(tr) && adj_get(tr, (int64_t[]){3, 2}) == 11);
  AdjTensor *s = adj_slice(m, 1, 1, 100, 2); /* columns 1, 3 */
  CHECK(adj_size(s, 1) == 2 && adj_get(s, (int64_t[]){2, 1}) == 11);
  CHECK(adj_size(adj_slice(m, 0, -2, -1, 1), 0) == 1);
  AdjTensor *row = adj_select(m, 0, -1);
  CHECK(values_are(row, 4, ADJ_VALUES(8, 9, 10, 11)));
  CHECK(adj_set(row, (int64_t[]){0}, 100) == 0); /* writes through to the base */
  CHECK(at(t, 8) == 100 && adj_version(t) == 1);
  AdjTensor *e =
      adj_expand(adj_view(adj_arange(F32, 0, 3, 1), ADJ_SHAPE(3, 1)), ADJ_SHAPE(2, 3, 4));
  CHECK(adj_dim(e) == 3 && adj_strides(e)[0] == 0 && adj_get(e, (int64_t[]){1, 2, 3}) == 2);
  AdjTensor *r = adj_reshape(tr, ADJ_SHAPE(12)); /* needs a copy */
  CHECK(!adj_shares_storage(r, t) && at(r, 1) == 4);
  CHECK(adj_shares_storage(adj_reshape(m, ADJ_SHAPE(2, 6)), t));
  AdjTensor *p = adj_permute(adj_view(t, ADJ_SHAPE(2, 3, 2)), ADJ_DIMS(2, 0, 1));
  CHECK(adj_size(p, 0) == 2 && adj_size(p, 2) == 3 && adj_get(p, (int64_t[]){1, 1, 2}) == 11);
  AdjTensor *u = adj_unsqueeze(m, 1);
  CHECK(adj_dim(u) == 3 && adj_size(u, 1) == 1);
  CHECK(adj_dim(adj_squeeze(u, 1)) == 2 &&
        adj_dim(adj_squeeze_all(adj_zeros(F32, ADJ_SHAPE(1, 2, 1)))) == 1);
  CHECK(adj_dim(adj_flatten(adj_scalar(F32, 1))) == 1);
  /* copies are independent */
  AdjTensor *c = adj_clone(m);
  adj_fill_(c, 0);
  CHECK(at(m, 0) == 0 && at(m, 1) == 1 && at(c, 1) == 0);
  AdjTensor *ci = adj_to_dtype(adj_tensor(F32, ADJ_SHAPE(3), ADJ_VALUES(1.7, -1.7, 0)), I64);
  CHECK(adj_dtype(ci) == I64 && values_are(ci, 3, ADJ_VALUES(1, -1, 0)));
  AdjTensor *cb = adj_to_dtype(ci, ADJ_BOOL);
  CHECK(values_are(cb, 3, ADJ_VALUES(1, 1, 0)));
  AdjTensor *big = adj_to_dtype(adj_tensor(F64, ADJ_SHAPE(3), ADJ_VALUES(1e300, -1e300, NAN)), I64);
  CHECK(at(big, 0) == (double)INT64_MAX && at(big, 1) == (double)INT64_MIN && at(big, 2) == 0);
  AdjTensor *cont = adj_contiguous(tr);
  CHECK(adj_is_contiguous(cont) && adj_equal(cont, tr));
  CHECK(adj_contiguous(m) == m);
  adj_scope_end();
}

static void test_shape_ops(void) {
  adj_scope_begin();
  AdjTensor *a = adj_tensor(F32, ADJ_SHAPE(2, 2), ADJ_VALUES(1, 2, 3, 4));
  AdjTensor *b = adj_tensor(F32, ADJ_SHAPE(2, 1), ADJ_VALUES(5, 6));
  AdjTensor *ab[2] = {a, b};
  CHECK(values_are(adj_cat(2, ab, 1), 6, ADJ_VALUES(1, 2, 5, 3, 4, 6)));
  AdjTensor *aa[2] = {a, a};
  AdjTensor *st = adj_stack(2, aa, 1);
  CHECK(adj_size(st, 1) == 2 && values_are(st, 8, ADJ_VALUES(1, 2, 1, 2, 3, 4, 3, 4)));
  AdjTensor *idx = adj_tensor(I64, ADJ_SHAPE(3), ADJ_VALUES(1, 0, 1));
  CHECK(values_are(adj_index_select(a, 1, idx), 6, ADJ_VALUES(2, 1, 2, 4, 3, 4)));
  AdjTensor *gi = adj_tensor(I64, ADJ_SHAPE(2, 1), ADJ_VALUES(1, 0));
  CHECK(values_are(adj_gather(a, 1, gi), 2, ADJ_VALUES(2, 3)));
  AdjTensor *w = adj_where(adj_gt_scalar(a, 2.5), a, adj_scalar(F32, -1));
  CHECK(values_are(w, 4, ADJ_VALUES(-1, -1, 3, 4)));
  CHECK(adj_dtype(adj_eq(a, a)) == ADJ_BOOL && values_are(adj_lt(a, b), 4, ADJ_VALUES(1, 1, 1, 1)));
  CHECK(values_are(adj_ge(a, adj_scalar(F32, 2)), 4, ADJ_VALUES(0, 1, 1, 1)));
  CHECK(values_are(adj_ne(a, adj_scalar(F32, 2)), 4, ADJ_VALUES(1, 0, 1, 1)));
  CHECK(values_are(adj_le(a, adj_scalar(F32, 2)), 4, ADJ_VALUES(1, 1, 0, 0)));
  CHECK(values_are(adj_eq_scalar(a, 4), 4, ADJ_VALUES(0, 0, 0, 1)));
  CHECK(values_are(adj_lt_scalar(a, 2), 4, ADJ_VALUES(1, 0, 0, 0)));
  CHECK(adj_equal(a, adj_clone(a)) && !adj_equal(a, b));
  CHECK(adj_allclose(a, adj_add_scalar(a, 1e-9), 1e-5, 1e-8));
  CHECK(adj_item(adj_argmax(a)) == 3 &&
        values_are(adj_argmax_dim(a, 0, false), 2, ADJ_VALUES(1, 1)));
  CHECK(values_are(adj_argmin_dim(a, 1, true), 2, ADJ_VALUES(0, 0)));
  CHECK(adj_item(adj_min(a)) == 1 && adj_item(adj_max(a)) == 4);
  CHECK(
      values_are(adj_softmax(adj_zeros(F64, ADJ_SHAPE(4)), 0), 4, ADJ_VALUES(.25, .25, .25, .25)));
  CHECK(values_are(adj_clamp(a, 1.5, 3.5), 4, ADJ_VALUES(1.5, 2, 3, 3.5)));
  CHECK(values_are(adj_clamp(a, -INFINITY, 2), 4, ADJ_VALUES(1, 2, 2, 2)));
  CHECK(values_are(adj_sum_dims(a, ADJ_DIMS(0), false), 2, ADJ_VALUES(4, 6)));
  CHECK(values_are(adj_mean_dims(a, ADJ_DIMS(-1), true), 2, ADJ_VALUES(1.5, 3.5)));
  /* in-place ops on plain tensors, with broadcasting and dtype casting */
  AdjTensor *x = adj_clone(a);
  CHECK(adj_add_(x, adj_tensor(F64, ADJ_SHAPE(2), ADJ_VALUES(10, 20))) == x);
  CHECK(adj_dtype(x) == F32 && values_are(x, 4, ADJ_VALUES(11, 22, 13, 24)));
  adj_sub_(x, b);
  adj_div_(x, adj_scalar(F32, 2));
  adj_mul_(x, adj_scalar(F32, 4));
  CHECK(values_are(x, 4, ADJ_VALUES(12, 34, 14, 36)));
  adj_clamp_(x, 13, 35);
  CHECK(values_are(x, 4, ADJ_VALUES(13, 34, 14, 35)));
  adj_copy_(x, b);
  CHECK(values_are(x, 4, ADJ_VALUES(5, 5, 6, 6)) && adj_version(x) == 6);
  adj_exp_(adj_zero_(x));
  CHECK(values_are(x, 4, ADJ_VALUES(1, 1, 1, 1)));
  /* integer arithmetic and true division */
  AdjTensor *i = adj_tensor(I64, ADJ_SHAPE(2), ADJ_VALUES(3, 4));
  CHECK(adj_dtype(adj_add(i, i)) == I64 && adj_dtype(adj_div(i, i)) == F32);
  CHECK(adj_dtype(adj_mul_scalar(i, 2.5)) == F32 && at(adj_mul_scalar(i, 2.5), 1) == 10);
  adj_scope_end();
}

static AdjTensor *scoped_square(AdjTensor *x) {
  adj_scope_begin();
  AdjTensor *y = adj_mul(adj_add_scalar(x, 0), x);
  return adj_scope_return(y);
}

/* Ownership rules R1, R2, R5 with live-tensor counts. */
static void test_ownership(void) {
  long base = adj_live_tensors();
  /* R1 without a scope: the caller owns results */
  AdjTensor *x = adj_ones(F32, ADJ_SHAPE(2));
  AdjTensor *y = adj_add(x, x);
  CHECK(adj_live_tensors() == base + 2);
  adj_release(y);
  /* R1 with a scope: expression temporaries go with it */
  adj_scope_begin();
  AdjTensor *w = adj_requires_grad_(adj_ones(F32, ADJ_SHAPE(2)), true);
  AdjTensor *one = adj_ones(F32, ADJ_SHAPE(2));
  AdjTensor *z = adj_mul(adj_add(w, x), adj_add(w, one));
  CHECK(adj_backward(adj_sum(z), NULL, false, false) == 0);
  CHECK(adj_scope_depth() == 1);
  /* R2: keep moves z out of the scope, to the caller */
  adj_keep(z);
  adj_scope_end();
  CHECK(adj_scope_depth() == 0);
  CHECK(adj_live_tensors() > base + 1); /* z keeps its graph, and w through it */
  adj_release(z);
  CHECK(adj_live_tensors() == base + 1);
  /* keep into an enclosing scope, and keep of a borrowed tensor */
  adj_scope_begin();
  AdjTensor *sq = scoped_square(x);
  CHECK(sq && at(sq, 0) == 1);
  AdjTensor *g = adj_requires_grad_(adj_ones(F32, ADJ_SHAPE(1)), true);
  CHECK(adj_backward(adj_mul_scalar(g, 3), NULL, false, false) == 0);
  adj_scope_begin();
  AdjTensor *kept = adj_keep(adj_grad(g)); /* borrowed: keep takes a new reference */
  adj_scope_end();
  adj_scope_end(); /* ... which this scope drops */
  (void)kept;
  CHECK(adj_live_tensors() == base + 1);
  /* retain / release */
  adj_retain(x);
  adj_release(x);
  adj_release(x);
  CHECK(adj_live_tensors() == base);
  /* NULL-safety */
  adj_release(NULL);
  CHECK(adj_retain(NULL) == NULL && adj_keep(NULL) == NULL);
  adj_scope_end(); /* unmatched: an error, not a crash */
  CHECK(adj_last_error_kind() == ADJ_ERR_RUNTIME);
  adj_clear_error();
}

/* Every entry point given NULL (or a NULL array) returns an error value, never crashes. */
static void test_null_safety(void) {
  adj_scope_begin();
  AdjTensor *x = adj_ones(F32, ADJ_SHAPE(2, 2)), *n = NULL, *idx = x;
  AdjTensor *lst[2] = {x, NULL}, *res[1];
  Unary1 unary[] = {adj_neg,         adj_exp,    adj_log,        adj_sqrt,       adj_abs,
                    adj_sign,        adj_sin,    adj_cos,        adj_tanh,       adj_sigmoid,
                    adj_relu,        adj_sum,    adj_mean,       adj_max,        adj_min,
                    adj_argmax,      adj_clone,  adj_contiguous, adj_flatten,    adj_t,
                    adj_squeeze_all, adj_detach, adj_data,       adj_zeros_like, adj_ones_like};
  for (size_t i = 0; i < sizeof unary / sizeof unary[0]; i++) {
    adj_clear_error();
    CHECK(unary[i](NULL) == NULL && adj_last_error_kind() == ADJ_ERR_TYPE);
  }
  Binary2 binary[] = {adj_add, adj_sub, adj_mul, adj_div, adj_pow, adj_minimum, adj_maximum,
                      adj_eq,  adj_ne,  adj_lt,  adj_le,  adj_gt,  adj_ge,      adj_matmul};
  for (size_t i = 0; i < sizeof binary / sizeof binary[0]; i++) {
    CHECK(binary[i](x, NULL) == NULL);
    CHECK(binary[i](NULL, x) == NULL);
  }
  adj_clear_error();
  CHECK(!adj_add_scalar(n, 1) && !adj_pow_scalar(n, 2) && !adj_clamp(n, 0, 1));
  CHECK(!adj_view(n, ADJ_SHAPE(4)) && !adj_reshape(n, ADJ_SHAPE(4)) && !adj_view(x, 2, NULL));
  CHECK(!adj_transpose(n, 0, 1) && !adj_permute(n, ADJ_DIMS(0)) && !adj_permute(x, 2, NULL));
  CHECK(!adj_slice(n, 0, 0, 1, 1) && !adj_select(n, 0, 0) && !adj_expand(n, ADJ_SHAPE(2)));
  CHECK(!adj_expand(x, 2, NULL) && !adj_unsqueeze(n, 0) && !adj_squeeze(n, 0));
  CHECK(!adj_cat(2, lst, 0) && !adj_stack(2, lst, 0) && !adj_cat(0, NULL, 0));
  CHECK(!adj_index_select(x, 0, NULL) && !adj_gather(n, 0, idx) && !adj_where(n, x, x));
  CHECK(!adj_sum_dims(n, ADJ_DIMS(0), false) && !adj_sum_dims(x, 1, NULL, false));
  CHECK(!adj_mean_dims(x, 2, NULL, true) && !adj_max_dim(n, 0, false, res) && res[0] == NULL);
  CHECK(!adj_argmax_dim(n, 0, false) && !adj_argmin_dim(n, 0, false) &&
        !adj_min_dim(n, 0, 0, NULL));
  CHECK(!adj_softmax(n, 0) && !adj_log_softmax(n, 0) && !adj_to_dtype(n, F64));
  CHECK(!adj_nll_loss(n, x, ADJ_REDUCTION_MEAN) && !adj_cross_entropy(x, n, ADJ_REDUCTION_SUM));
  CHECK(!adj_add_(n, x) && !adj_add_(x, n) && !adj_mul_(n, x) && !adj_sub_(x, n) &&
        !adj_div_(n, x));
  CHECK(!adj_add_scalar_(n, 1) && !adj_mul_scalar_(n, 1) && !adj_exp_(n) && !adj_clamp_(n, 0, 1));
  CHECK(!adj_zero_(n) && !adj_fill_(n, 1) && !adj_copy_(n, x) && !adj_copy_(x, n));
  CHECK(!adj_requires_grad_(n, true) && !adj_detach_(n) && !adj_repr(n));
  CHECK(adj_backward(n, NULL, false, false) == -1 && adj_set_grad(n, NULL) == -1);
  CHECK(adj_autograd_backward(0, NULL, NULL, false, false, 0, NULL) == -1);
  CHECK(adj_autograd_grad(1, &n, NULL, 1, &x, false, false, false, res) == -1);
  CHECK(adj_autograd_grad(1, &x, NULL, 1, &x, false, false, false, NULL) == -1);
  CHECK(adj_retain_grad(n) == -1 && adj_register_hook(n, NULL, NULL) == -1 &&
        adj_remove_hook(n, 1) == -1);
  CHECK(adj_function_apply(NULL, NULL, 1, &x) == NULL);
  CHECK(isnan(adj_item(n)) && isnan(adj_get(n, NULL)) && isnan(adj_get(x, NULL)));
  CHECK(adj_set(n, NULL, 1) == -1 && adj_set(x, NULL, 1) == -1 && adj_to_doubles(n, NULL) == -1);
  CHECK(adj_to_doubles(x, NULL) == -1 && adj_size(n, 0) == -1);
  CHECK(!adj_full_like(n, 1) && !adj_rand(F32, 2, NULL) && !adj_randn(F32, 2, NULL));
  CHECK(!adj_from_buffer(F32, ADJ_SHAPE(2), NULL) && !adj_empty(F32, 3, NULL));
  CHECK(!adj_requires_grad(n) && !adj_is_leaf(n) && !adj_grad(n) && !adj_grad_fn(n));
  CHECK(!adj_grad_fn_name(n) && !adj_node_name(NULL) && adj_node_num_next(NULL) == 0);
  CHECK(!adj_equal(n, x) && !adj_allclose(x, n, 0, 0) && adj_numel(n) == 0 && !adj_data_ptr(n));
  adj_zero_grad(n, true);
  adj_fprint(stderr, n);
  CHECK(adj_last_error_kind() != ADJ_OK);
  adj_clear_error();
  adj_scope_end();
}

/* adj_error_abort: a process that asks for it aborts on the first error. */
static void test_abort_handler(void) {
  fflush(NULL);
  pid_t pid = fork();
  if (pid == 0) {
    adj_set_error_handler(adj_error_abort, NULL);
    adj_view(adj_ones(F32, ADJ_SHAPE(2, 3)), ADJ_SHAPE(4)); /* leaks: the child aborts */
    _exit(0);
  }
  int status = 0;
  CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
  CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
}

int main(void) {
  test_creation();
  test_views();
  test_shape_ops();
  test_ownership();
  test_null_safety();
  test_abort_handler();
  CHECK(adj_live_tensors() == 0);
  return check_summary();
}
