/*
 * test_train.c — end to end: a 2-8-1 MLP learns XOR with the dynamic autograd API
 * (forward, binary cross-entropy, backward, SGD under no_grad, zero_grad), the way a
 * PyTorch training loop is written, in scopes that leak nothing step after step.
 */
#include <adjoint.h>
#include <math.h>

#include "check.h"

#define F32 ADJ_FLOAT32

int main(void) {
  adj_scope_begin();
  adj_manual_seed(0);
  AdjTensor *x = adj_tensor(F32, ADJ_SHAPE(4, 2), ADJ_VALUES(0, 0, 0, 1, 1, 0, 1, 1));
  AdjTensor *y = adj_tensor(F32, ADJ_SHAPE(4, 1), ADJ_VALUES(0, 1, 1, 0));
  AdjTensor *w1 = adj_requires_grad_(
      adj_sub_scalar(adj_mul_scalar(adj_rand(F32, ADJ_SHAPE(2, 8)), 2), 1), true);
  AdjTensor *b1 = adj_requires_grad_(adj_zeros(F32, ADJ_SHAPE(8)), true);
  AdjTensor *w2 = adj_requires_grad_(
      adj_sub_scalar(adj_mul_scalar(adj_rand(F32, ADJ_SHAPE(8, 1)), 2), 1), true);
  AdjTensor *b2 = adj_requires_grad_(adj_zeros(F32, ADJ_SHAPE(1)), true);
  AdjTensor *params[4] = {w1, b1, w2, b2};
  long live = adj_live_tensors();
  double first = 0, last = 0;
  for (int step = 0; step < 1500; step++) {
    adj_scope_begin();
    AdjTensor *h = adj_tanh(adj_add(adj_matmul(x, w1), b1));
    AdjTensor *p = adj_sigmoid(adj_add(adj_matmul(h, w2), b2));
    /* binary cross-entropy: mean(-(y log p + (1 - y) log(1 - p))) */
    AdjTensor *ll = adj_add(adj_mul(y, adj_log(p)),
                            adj_mul(adj_rsub_scalar(y, 1), adj_log(adj_rsub_scalar(p, 1))));
    AdjTensor *loss = adj_neg(adj_mean(ll));
    CHECK(loss != NULL);
    if (!loss || adj_backward(loss, NULL, false, false) != 0) {
      adj_scope_end();
      break;
    }
    ADJ_WITH_NO_GRAD {
      for (int i = 0; i < 4; i++) {
        adj_add_(params[i], adj_mul_scalar(adj_grad(params[i]), -0.5));
        adj_zero_grad(params[i], true);
      }
    }
    if (step == 0)
      first = adj_item(loss);
    last = adj_item(loss);
    adj_scope_end();
    if (step % 100 == 0)
      CHECK(adj_live_tensors() == live); /* nothing accumulates across steps */
  }
  CHECK(first > 0.5 && last < 0.05);
  ADJ_WITH_NO_GRAD {
    AdjTensor *p =
        adj_sigmoid(adj_add(adj_matmul(adj_tanh(adj_add(adj_matmul(x, w1), b1)), w2), b2));
    CHECK(adj_equal(adj_gt_scalar(p, 0.5), adj_gt_scalar(y, 0.5)));
    CHECK(!adj_requires_grad(p));
  }
  printf("XOR loss %.4f -> %.4f\n", first, last);
  adj_scope_end();
  CHECK(adj_live_tensors() == 0);
  return check_summary();
}
