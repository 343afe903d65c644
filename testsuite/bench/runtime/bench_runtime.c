/*
 * bench_runtime.c — libadjoint's benchmarks, printed as tables (never timed tests):
 * per-op overhead on tiny tensors, elementwise throughput (fast vs reference paths,
 * 1 vs N threads), matmul against direct CBLAS, and one training step of a small MLP
 * (bench_runtime_torch.py prints the same rows for PyTorch on the CPU).
 */
#define _POSIX_C_SOURCE 200809L
#include <adjoint.h>
#include <cblas.h>
#include <stdlib.h>
#include <time.h>

#define F32 ADJ_FLOAT32

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Seconds per call of fn, repeated until at least 0.2 s have passed. */
static double time_it(void (*fn)(void *), void *ctx) {
  fn(ctx); /* warm up */
  long reps = 1;
  for (;;) {
    double t0 = now();
    for (long i = 0; i < reps; i++)
      fn(ctx);
    double dt = now() - t0;
    if (dt > 0.2)
      return dt / (double)reps;
    reps *= dt < 0.02 ? 10 : 2;
  }
}

typedef struct Ctx {
  AdjTensor *a, *b, *c, *d;
  int n;
} Ctx;

static void tiny_add(void *p) {
  Ctx *c = p;
  adj_scope_begin();
  adj_add(c->a, c->b);
  adj_scope_end();
}

static void tiny_add_grad(void *p) {
  Ctx *c = p;
  adj_scope_begin();
  AdjTensor *y = adj_mul(adj_add(c->a, c->b), c->b);
  adj_backward(y, NULL, false, false);
  adj_zero_grad(c->a, true);
  adj_scope_end();
}

static void big_exp(void *p) {
  Ctx *c = p;
  adj_scope_begin();
  adj_exp(c->c);
  adj_scope_end();
}

static void big_add(void *p) {
  Ctx *c = p;
  adj_scope_begin();
  adj_add(c->c, c->d);
  adj_scope_end();
}

static void big_sum(void *p) {
  Ctx *c = p;
  adj_scope_begin();
  adj_sum(c->c);
  adj_scope_end();
}

static void mm_adj(void *p) {
  Ctx *c = p;
  adj_scope_begin();
  adj_matmul(c->a, c->b);
  adj_scope_end();
}

static void mm_blas(void *p) {
  Ctx *c = p;
  int n = c->n;
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, adj_data_ptr(c->a), n,
              adj_data_ptr(c->b), n, 0.0f, adj_data_ptr(c->c), n);
}

typedef struct Mlp {
  AdjTensor *x, *y, *w1, *b1, *w2, *b2;
} Mlp;

/* One SGD step of a 784-128-10 MLP on a batch of 64. */
static void mlp_step(void *p) {
  Mlp *m = p;
  adj_scope_begin();
  AdjTensor *h = adj_relu(adj_add(adj_matmul(m->x, m->w1), m->b1));
  AdjTensor *logits = adj_add(adj_matmul(h, m->w2), m->b2);
  AdjTensor *loss = adj_cross_entropy(logits, m->y, ADJ_REDUCTION_MEAN);
  adj_backward(loss, NULL, false, false);
  AdjTensor *params[4] = {m->w1, m->b1, m->w2, m->b2};
  ADJ_WITH_NO_GRAD {
    for (int i = 0; i < 4; i++) {
      adj_add_(params[i], adj_mul_scalar(adj_grad(params[i]), -0.01));
      adj_zero_grad(params[i], true);
    }
  }
  adj_scope_end();
}

int main(void) {
  adj_scope_begin();
  adj_manual_seed(0);
  Ctx c = {0};
  printf("%-44s %12s\n", "benchmark", "time");
  c.a = adj_requires_grad_(adj_rand(F32, ADJ_SHAPE(1)), true);
  c.b = adj_rand(F32, ADJ_SHAPE(1));
  ADJ_WITH_NO_GRAD { printf("%-44s %9.0f ns\n", "add, 1 element, no_grad", 1e9 * time_it(tiny_add, &c)); }
  printf("%-44s %9.0f ns\n", "add, 1 element, recording a node", 1e9 * time_it(tiny_add, &c));
  printf("%-44s %9.0f ns\n", "(a+b)*b forward+backward, 1 element", 1e9 * time_it(tiny_add_grad, &c));

  int64_t n = 1 << 20;
  c.c = adj_rand(F32, 1, &n);
  c.d = adj_rand(F32, 1, &n);
  int threads = adj_get_num_threads();
  printf("\n%-44s %12s\n", "elementwise, 2^20 float32", "Melem/s");
  for (int pass = 0; pass < 3; pass++) {
    const char *mode = pass == 0 ? "reference" : pass == 1 ? "fast, 1 thread" : "fast, all threads";
    adj_set_reference_kernels(pass == 0);
    adj_set_num_threads(pass == 2 ? threads : 1);
    char label[64];
    snprintf(label, sizeof label, "exp  (%s)", mode);
    printf("%-44s %12.0f\n", label, (double)n / time_it(big_exp, &c) / 1e6);
    snprintf(label, sizeof label, "add  (%s)", mode);
    printf("%-44s %12.0f\n", label, (double)n / time_it(big_add, &c) / 1e6);
    snprintf(label, sizeof label, "sum  (%s)", mode);
    printf("%-44s %12.0f\n", label, (double)n / time_it(big_sum, &c) / 1e6);
  }
  adj_set_reference_kernels(false);
  adj_set_num_threads(threads);

  printf("\n%-44s %12s\n", "matmul float32 n x n", "GFLOP/s");
  int sizes[3] = {32, 128, 512};
  for (int i = 0; i < 3; i++) {
    int64_t sh[2] = {sizes[i], sizes[i]};
    Ctx m = {adj_rand(F32, 2, sh), adj_rand(F32, 2, sh), adj_rand(F32, 2, sh), NULL, sizes[i]};
    double flop = 2.0 * sizes[i] * sizes[i] * sizes[i];
    char label[64];
    snprintf(label, sizeof label, "n=%d adj_matmul", sizes[i]);
    printf("%-44s %12.2f\n", label, flop / time_it(mm_adj, &m) / 1e9);
    snprintf(label, sizeof label, "n=%d cblas_sgemm directly", sizes[i]);
    printf("%-44s %12.2f\n", label, flop / time_it(mm_blas, &m) / 1e9);
    if (sizes[i] <= 128) {
      adj_set_reference_kernels(true);
      snprintf(label, sizeof label, "n=%d reference triple loop", sizes[i]);
      printf("%-44s %12.2f\n", label, flop / time_it(mm_adj, &m) / 1e9);
      adj_set_reference_kernels(false);
    }
  }

  Mlp m;
  m.x = adj_rand(F32, ADJ_SHAPE(64, 784));
  m.y = adj_arange(ADJ_INT64, 0, 64, 1);
  ADJ_WITH_NO_GRAD { m.y = adj_sub(m.y, adj_mul_scalar(adj_div_scalar(m.y, 10), 10)); }
  m.y = adj_to_dtype(m.y, ADJ_INT64);
  m.w1 = adj_requires_grad_(adj_mul_scalar(adj_randn(F32, ADJ_SHAPE(784, 128)), 0.05), true);
  m.b1 = adj_requires_grad_(adj_zeros(F32, ADJ_SHAPE(128)), true);
  m.w2 = adj_requires_grad_(adj_mul_scalar(adj_randn(F32, ADJ_SHAPE(128, 10)), 0.05), true);
  m.b2 = adj_requires_grad_(adj_zeros(F32, ADJ_SHAPE(10)), true);
  printf("\n%-44s %9.1f us\n", "MLP 784-128-10, batch 64, SGD step", 1e6 * time_it(mlp_step, &m));
  adj_scope_end();
  return 0;
}
