/*
 * test_train.c — end to end: a 2-8-1 MLP learns XOR with the dynamic autograd API
 * (forward, binary cross-entropy, backward, SGD under no_grad, zero_grad), the way a
 * PyTorch training loop is written, in scopes that leak nothing step after step; then
 * two models train concurrently on two threads (grad mode, scopes, generator and
 * errors are thread-local).
 */
#include <adjoint.h>
#include <math.h>
#include <pthread.h>

#include "check.h"

#define F32 ADJ_FLOAT32

/* Train XOR from a seed; returns the final loss (NAN on failure). Uses only
 * thread-local state, so several threads can train independent models at once. */
static double train(uint64_t seed, bool check_live) {
  adj_scope_begin();
  adj_manual_seed(seed);
  AdjTensor *x = adj_tensor(F32, ADJ_SHAPE(4, 2), ADJ_VALUES(0, 0, 0, 1, 1, 0, 1, 1));
  AdjTensor *y = adj_tensor(F32, ADJ_SHAPE(4, 1), ADJ_VALUES(0, 1, 1, 0));
  AdjTensor *w1 = adj_sub_scalar(adj_mul_scalar(adj_rand(F32, ADJ_SHAPE(2, 8)), 2), 1);
  AdjTensor *w2 = adj_sub_scalar(adj_mul_scalar(adj_rand(F32, ADJ_SHAPE(8, 1)), 2), 1);
  AdjTensor *b1 = adj_zeros(F32, ADJ_SHAPE(8)), *b2 = adj_zeros(F32, ADJ_SHAPE(1));
  AdjTensor *params[4] = {w1, b1, w2, b2};
  for (int i = 0; i < 4; i++)
    adj_requires_grad_(params[i], true);
  long live = adj_live_tensors();
  double first = NAN, last = NAN;
  for (int step = 0; step < 1500; step++) {
    adj_scope_begin();
    AdjTensor *h = adj_tanh(adj_add(adj_matmul(x, w1), b1));
    AdjTensor *p = adj_sigmoid(adj_add(adj_matmul(h, w2), b2));
    /* binary cross-entropy: mean(-(y log p + (1 - y) log(1 - p))) */
    AdjTensor *ll = adj_add(adj_mul(y, adj_log(p)),
                            adj_mul(adj_rsub_scalar(y, 1), adj_log(adj_rsub_scalar(p, 1))));
    AdjTensor *loss = adj_neg(adj_mean(ll));
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
    if (check_live && step % 100 == 0)
      CHECK(adj_live_tensors() == live); /* nothing accumulates across steps */
  }
  bool right = false;
  ADJ_WITH_NO_GRAD {
    AdjTensor *p =
        adj_sigmoid(adj_add(adj_matmul(adj_tanh(adj_add(adj_matmul(x, w1), b1)), w2), b2));
    right = adj_equal(adj_gt_scalar(p, 0.5), adj_gt_scalar(y, 0.5)) && !adj_requires_grad(p);
  }
  adj_scope_end();
  return first > 0.5 && right ? last : NAN;
}

static double thread_loss[2];
static void *thread_main(void *arg) {
  int i = (int)(intptr_t)arg;
  thread_loss[i] = train(100 + (uint64_t)i, false);
  return NULL;
}

int main(void) {
  double loss = train(0, true);
  CHECK(loss < 0.05);
  printf("XOR loss -> %.4f\n", loss);
  /* two models trained at the same time on two threads */
  pthread_t th[2];
  for (int i = 0; i < 2; i++)
    CHECK(pthread_create(&th[i], NULL, thread_main, (void *)(intptr_t)i) == 0);
  for (int i = 0; i < 2; i++)
    pthread_join(th[i], NULL);
  CHECK(thread_loss[0] < 0.05 && thread_loss[1] < 0.05);
  /* same seed, same result on another thread: the generator is thread-local */
  CHECK(thread_loss[0] == train(100, false));
  CHECK(adj_live_tensors() == 0);
  return check_summary();
}
