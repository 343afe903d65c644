/*
 * test_seeds.c — the seed documents' PyTorch programs ported to C, their printed
 * output compared line by line with PyTorch's real output (golden/seeds.txt, made by
 * golden/seeds.py). Each section mirrors the Python block of the same name.
 *
 * Run with --print to see this program's output instead of checking it.
 */
#define _POSIX_C_SOURCE 200809L
#include <adjoint.h>
#include <math.h>
#include <stdlib.h>

#include "check.h"

#ifndef ADJ_GOLDEN_DIR
#define ADJ_GOLDEN_DIR "runtime/golden"
#endif

static FILE *OUT;

#define F32 ADJ_FLOAT32
static void S(const char *name) { fprintf(OUT, "=== %s\n", name); }
static void P(const AdjTensor *t) { adj_fprint(OUT, t); }
static const char *B(bool b) { return b ? "True" : "False"; }
static const char *fn_name(const AdjTensor *t) {
  return adj_grad_fn_name(t) ? adj_grad_fn_name(t) : "None";
}

/* err(lambda: ...): the status of a call, printed like the Python helper. */
static void ERR(int failed) {
  if (failed)
    fprintf(OUT, "RuntimeError: %s\n", adj_last_error());
  else
    fprintf(OUT, "no error\n");
  adj_clear_error();
}

/* repr() of a tensor into OUT without the newline. */
static void R(const AdjTensor *t) {
  if (!t) {
    fputs("None", OUT);
    return;
  }
  char *s = adj_repr(t);
  fputs(s, OUT);
  free(s);
}

/* Python's repr of a float: shortest round-trip digits, ".0" for integers. */
static void pyfloat(char *buf, size_t n, double v) {
  for (int prec = 1; prec <= 17; prec++) {
    snprintf(buf, n, "%.*g", prec, v);
    if (strtod(buf, NULL) == v)
      break;
  }
  if (!strpbrk(buf, ".en"))
    strncat(buf, ".0", n - strlen(buf) - 1);
}

static AdjTensor *lit(double v) { return adj_tensor(F32, ADJ_SHAPE(1), ADJ_VALUES(v)); }
static AdjTensor *leaf(double v) { return adj_requires_grad_(lit(v), true); }

/* ---- 000 ------------------------------------------------------------------------------ */

static AdjTensor *Wt;
static AdjTensor *get_logits(AdjTensor *v) {
  return adj_matmul(adj_reshape(v, ADJ_SHAPE(2, 12)), Wt);
}
static AdjTensor *input_diversity(AdjTensor *v) {
  return adj_add_scalar(adj_mul_scalar(v, 0.9), 0.05);
}

static void seed000(void) {
  adj_manual_seed(0);
  AdjTensor *images = adj_rand(F32, ADJ_SHAPE(2, 3, 2, 2));
  AdjTensor *labels = adj_tensor(ADJ_INT64, ADJ_SHAPE(2), ADJ_VALUES(1, 3));
  Wt = adj_rand(F32, ADJ_SHAPE(12, 4));

  S("000.adversarial");
  double eps = 0.3, alpha = 0.1, decay = 1.0;
  AdjTensor *adv = adj_detach(adj_clone(images));
  AdjTensor *momentum = adj_zeros_like(images);
  for (int i = 0; i < 2; i++) {
    adj_requires_grad_(adv, true);
    AdjTensor *adv1 = input_diversity(adv);
    AdjTensor *outputs = get_logits(adv1);
    AdjTensor *cost = adj_cross_entropy(outputs, labels, ADJ_REDUCTION_MEAN);
    AdjTensor *grad;
    CHECK(adj_autograd_grad(1, &cost, NULL, 1, &adv, false, false, false, &grad) == 0);
    ADJ_WITH_NO_GRAD {
      AdjTensor *pred = adj_argmax_dim(adj_detach(outputs), 1, false);
      P(adj_eq(pred, labels));
    }
    grad = adj_div(grad, adj_mean_dims(adj_abs(grad), ADJ_DIMS(1, 2, 3), true));
    grad = adj_add(grad, adj_mul_scalar(momentum, decay));
    momentum = grad;
    adv = adj_add(adj_detach(adv), adj_mul_scalar(adj_sign(grad), alpha));
    AdjTensor *delta = adj_clamp(adj_sub(adv, images), -eps, eps);
    adv = adj_detach(adj_clamp(adj_add(images, delta), 0, 1));
    P(cost);
    P(adj_select(adj_select(grad, 0, 0), 0, 0));
    P(adj_select(adj_select(adv, 0, 1), 0, 2));
  }

  S("000.rebinding");
  AdjTensor *x0 = adj_requires_grad_(adj_clone(images), true);
  AdjTensor *x = input_diversity(x0);
  adj_retain_grad(x);
  AdjTensor *cost = adj_cross_entropy(get_logits(x), labels, ADJ_REDUCTION_MEAN);
  AdjTensor *ins[2] = {x, x0}, *gs[2];
  CHECK(adj_autograd_grad(1, &cost, NULL, 2, ins, false, false, false, gs) == 0);
  P(adj_select(adj_select(gs[0], 0, 0), 0, 0));
  P(adj_select(adj_select(gs[1], 0, 0), 0, 0));
  fprintf(OUT, "%s %s %s\n", B(adj_is_leaf(x)), B(adj_is_leaf(x0)), fn_name(x));
}

/* ---- 001 ------------------------------------------------------------------------------ */

static void seed001(void) {
  adj_manual_seed(1);
  S("001.ex1");
  AdjTensor *x = adj_requires_grad_(adj_rand(F32, ADJ_SHAPE(3, 4)), true);
  P(x);
  AdjTensor *y = adj_sum(x), *g;
  CHECK(adj_autograd_grad(1, &y, NULL, 1, &x, false, false, false, &g) == 0);
  P(g);

  S("001.ex2");
  x = adj_requires_grad_(adj_rand(F32, ADJ_SHAPE(3, 4)), true);
  P(x);
  y = adj_add(adj_select(x, 1, 0), adj_select(x, 1, 1));
  P(y);
  AdjTensor *ones = adj_ones_like(y);
  CHECK(adj_autograd_grad(1, &y, &ones, 1, &x, false, false, false, &g) == 0);
  P(g);

  S("001.ex3");
  x = adj_requires_grad_(adj_rand(F32, ADJ_SHAPE(3, 4)), true);
  P(x);
  y = adj_pow_scalar(x, 2);
  ones = adj_ones_like(y);
  CHECK(adj_autograd_grad(1, &y, &ones, 1, &x, false, true, false, &g) == 0);
  P(g);
  AdjTensor *g2;
  ones = adj_ones_like(g);
  CHECK(adj_autograd_grad(1, &g, &ones, 1, &x, false, false, false, &g2) == 0);
  P(g2);

  S("001.unused");
  x = adj_requires_grad_(adj_rand(F32, ADJ_SHAPE(2)), true);
  AdjTensor *u = adj_requires_grad_(adj_rand(F32, ADJ_SHAPE(2)), true);
  AdjTensor *ins[2] = {x, u}, *gs[2];
  AdjTensor *out = adj_sum(adj_mul_scalar(x, 2));
  ERR(adj_autograd_grad(1, &out, NULL, 2, ins, false, false, false, gs) != 0);
  out = adj_sum(adj_mul_scalar(x, 2));
  CHECK(adj_autograd_grad(1, &out, NULL, 2, ins, false, false, true, gs) == 0);
  fputs("(", OUT);
  R(gs[0]);
  fputs(", ", OUT);
  R(gs[1]);
  fputs(")\n", OUT);
}

/* ---- 002 ------------------------------------------------------------------------------ */

static void seed002(void) {
  S("002.retain_graph");
  AdjTensor *w = leaf(1), *x = leaf(2);
  AdjTensor *a = adj_add(w, x), *b = adj_add_scalar(w, 1), *y = adj_mul(a, b);
  CHECK(adj_backward(y, NULL, true, false) == 0);
  P(adj_grad(w));
  CHECK(adj_backward(y, NULL, false, false) == 0);
  P(adj_grad(w));
  ERR(adj_backward(y, NULL, false, false) != 0);

  S("002.grad_tensors");
  w = leaf(1), x = leaf(2);
  a = adj_add(w, x), b = adj_add_scalar(w, 1);
  AdjTensor *ys[2] = {adj_mul(a, b), adj_add(a, b)};
  AdjTensor *loss = adj_cat(2, ys, 0);
  AdjTensor *grad_tensors = adj_tensor(F32, ADJ_SHAPE(2), ADJ_VALUES(1., 2.));
  CHECK(adj_backward(loss, grad_tensors, false, false) == 0);
  P(adj_grad(w));
  P(loss);

  S("002.create_graph");
  x = leaf(3);
  y = adj_pow_scalar(x, 2);
  AdjTensor *g1, *g2;
  CHECK(adj_autograd_grad(1, &y, NULL, 1, &x, false, true, false, &g1) == 0);
  fputs("(", OUT), R(g1), fputs(",)\n", OUT);
  CHECK(adj_autograd_grad(1, &g1, NULL, 1, &x, false, false, false, &g2) == 0);
  fputs("(", OUT), R(g2), fputs(",)\n", OUT);

  S("002.accumulate");
  w = leaf(1), x = leaf(2);
  for (int i = 0; i < 4; i++) {
    adj_scope_begin();
    y = adj_mul(adj_add(w, x), adj_add_scalar(w, 1));
    CHECK(adj_backward(y, NULL, false, false) == 0);
    P(adj_grad(w));
    adj_scope_end();
  }
  adj_zero_(adj_grad(w));
  P(adj_grad(w));

  S("002.requires_grad");
  w = leaf(1), x = leaf(2);
  a = adj_add(w, x), b = adj_add_scalar(w, 1), y = adj_mul(a, b);
  fprintf(OUT, "%s %s %s\n", B(adj_requires_grad(a)), B(adj_requires_grad(b)),
          B(adj_requires_grad(y)));
  fprintf(OUT, "%s %s %s %s %s\n", B(adj_is_leaf(w)), B(adj_is_leaf(x)), B(adj_is_leaf(a)),
          B(adj_is_leaf(b)), B(adj_is_leaf(y)));
  fprintf(OUT, "%s %s %s %s\n", fn_name(w), fn_name(a), fn_name(b), fn_name(y));
  CHECK(adj_backward(y, NULL, false, false) == 0);
  const AdjTensor *all[5] = {adj_grad(w), adj_grad(x), adj_grad(a), adj_grad(b), adj_grad(y)};
  for (int i = 0; i < 5; i++)
    fputs(i ? " " : "", OUT), R(all[i]);
  fputs("\n", OUT);

  S("002.inplace");
  a = adj_ones(F32, ADJ_SHAPE(1));
  P(a);
  a = adj_add(a, adj_ones(F32, ADJ_SHAPE(1)));
  P(a);
  a = adj_ones(F32, ADJ_SHAPE(1));
  P(a);
  AdjTensor *before = a;
  adj_add_(a, adj_ones(F32, ADJ_SHAPE(1)));
  CHECK(a == before); /* id(a) is unchanged */
  P(a);

  S("002.leaf_inplace");
  w = leaf(1), x = leaf(2);
  y = adj_mul(adj_add(w, x), adj_add_scalar(w, 1));
  ERR(adj_add_scalar_(w, 1) == NULL);
  CHECK(adj_backward(y, NULL, false, false) == 0);
  P(adj_grad(w));
}

/* ---- 003 ------------------------------------------------------------------------------ */

static void seed003(void) {
  S("003.attributes");
  AdjTensor *x = adj_requires_grad_(adj_ones(F32, ADJ_SHAPE(3, 3)), true);
  AdjTensor *y = adj_mul(x, x), *z = adj_add_scalar(x, 1);
  P(x);
  fprintf(OUT, "%s\n", fn_name(x));
  P(y);
  fprintf(OUT, "%s\n", fn_name(y));
  P(z);
  fprintf(OUT, "%s\n", fn_name(z));

  S("003.requires_grad_");
  x = adj_ones(F32, ADJ_SHAPE(3, 3));
  x = adj_add_scalar(adj_mul(x, x), 2);
  fprintf(OUT, "%s\n%s\n", B(adj_requires_grad(x)), fn_name(x));
  adj_requires_grad_(x, true);
  fprintf(OUT, "%s\n%s\n", B(adj_requires_grad(x)), fn_name(x));

  S("003.mean");
  x = adj_requires_grad_(adj_ones(F32, ADJ_SHAPE(2, 2)), true);
  y = adj_add_scalar(x, 2);
  z = adj_mul_scalar(adj_mul(y, y), 3);
  AdjTensor *out = adj_mean(z);
  P(out);
  CHECK(adj_backward(out, NULL, false, false) == 0);
  P(adj_grad(x));
  AdjTensor *out2 = adj_sum(x);
  CHECK(adj_backward(out2, NULL, false, false) == 0);
  P(adj_grad(x));
  P(out2);
  adj_zero_(adj_data(adj_grad(x)));
  P(adj_grad(x));

  S("003.non_scalar");
  ERR(adj_backward(adj_mul_scalar(x, 2), NULL, false, false) != 0);
  x = adj_requires_grad_(adj_tensor(F32, ADJ_SHAPE(4), ADJ_VALUES(1.0, 2.0, 3.0, 4.5)), true);
  y = adj_add_scalar(adj_mul(x, x), 2);
  z = adj_view(y, ADJ_SHAPE(2, 2));
  AdjTensor *w = adj_tensor(F32, ADJ_SHAPE(2, 2), ADJ_VALUES(1.0, 0.1, 1.0, 0.01));
  CHECK(adj_backward(z, w, false, false) == 0);
  P(adj_grad(x));
  P(z);

  S("003.no_grad");
  x = adj_requires_grad_(adj_scalar(F32, 1.), true);
  AdjTensor *y1 = adj_pow_scalar(x, 2), *y2 = NULL;
  ADJ_WITH_NO_GRAD { y2 = adj_pow_scalar(x, 3); }
  AdjTensor *y3 = adj_add(y1, y2);
  CHECK(adj_backward(y3, NULL, false, false) == 0);
  char buf[64];
  pyfloat(buf, sizeof buf, adj_item(adj_grad(x)));
  fprintf(OUT, "x.grad = %s\n", buf);
  fprintf(OUT, "y2.requires_grad = %s\n", B(adj_requires_grad(y2)));
  P(y2);
  P(y3);

  S("003.data");
  x = adj_requires_grad_(adj_ones(F32, ADJ_SHAPE(1)), true);
  P(adj_data(x));
  fprintf(OUT, "%s\n", B(adj_requires_grad(adj_data(x))));
  y = adj_mul_scalar(x, 2);
  CHECK(adj_mul_scalar_(adj_data(x), 100) != NULL);
  CHECK(adj_backward(y, NULL, false, false) == 0);
  P(x);
  P(adj_grad(x));
}

/* ---- 004 ------------------------------------------------------------------------------ */

static AdjTensor *Ws[4], *Bs[4];
static AdjTensor *lin(int i, AdjTensor *v) { return adj_add(adj_matmul(v, adj_t(Ws[i])), Bs[i]); }

static void seed004(void) {
  adj_manual_seed(0);
  AdjTensor *xin = adj_rand(F32, ADJ_SHAPE(2, 2));
  for (int i = 0; i < 4; i++)
    Ws[i] = adj_requires_grad_(adj_rand(F32, ADJ_SHAPE(2, 2)), true);
  for (int i = 0; i < 4; i++)
    Bs[i] = adj_requires_grad_(adj_rand(F32, ADJ_SHAPE(2)), true);

  S("004.detach");
  AdjTensor *x = adj_requires_grad_(adj_clone(xin), true);
  AdjTensor *x1 = lin(0, x), *x2 = lin(1, x1);
  x2 = adj_detach(x2);
  AdjTensor *x3 = lin(2, x2), *x4 = lin(3, x3);
  CHECK(adj_backward(adj_sum(x4), NULL, false, false) == 0);
  for (int i = 0; i < 4; i++)
    P(adj_grad(Ws[i]));
  P(x4);

  S("004.requires_grad_false");
  for (int i = 0; i < 4; i++) {
    adj_set_grad(Ws[i], NULL);
    adj_set_grad(Bs[i], NULL);
  }
  adj_requires_grad_(Ws[2], false);
  adj_requires_grad_(Bs[2], false);
  x1 = lin(0, x), x2 = lin(1, x1), x3 = lin(2, x2), x4 = lin(3, x3);
  CHECK(adj_backward(adj_sum(x4), NULL, false, false) == 0);
  for (int i = 0; i < 4; i++)
    P(adj_grad(Ws[i]));

  S("004.zero_grad");
  adj_zero_grad(Ws[0], false);
  P(adj_grad(Ws[0]));
  adj_zero_grad(Ws[0], true);
  P(adj_grad(Ws[0]));

  S("004.anomaly");
  adj_manual_seed(0);
  bool prev = adj_set_detect_anomaly(true);
  AdjTensor *a = adj_requires_grad_(adj_rand(F32, ADJ_SHAPE(1)), true);
  AdjTensor *c = adj_requires_grad_(adj_rand(F32, ADJ_SHAPE(1)), true);
  AdjTensor *b = adj_mul(adj_pow_scalar(a, 2), adj_pow_scalar(c, 2));
  adj_add_scalar_(b, 1);
  adj_mul_(b, adj_add(c, a));
  AdjTensor *d = adj_exp_(b);
  adj_mul_scalar_(d, 5);
  ERR(adj_backward(b, NULL, false, false) != 0);
  P(b);

  S("004.anomaly_nan");
  x = adj_requires_grad_(adj_tensor(F32, ADJ_SHAPE(2), ADJ_VALUES(-1., 4.)), true);
  AdjTensor *y = adj_sum(adj_sqrt(x));
  ERR(adj_backward(y, NULL, false, false) != 0);
  adj_set_detect_anomaly(prev);

  S("004.version_no_anomaly");
  a = adj_requires_grad_(adj_rand(F32, ADJ_SHAPE(1)), true);
  c = adj_requires_grad_(adj_rand(F32, ADJ_SHAPE(1)), true);
  b = adj_mul(adj_pow_scalar(a, 2), adj_pow_scalar(c, 2));
  adj_add_scalar_(b, 1);
  adj_mul_(b, adj_add(c, a));
  d = adj_exp_(b);
  adj_mul_scalar_(d, 5);
  ERR(adj_backward(b, NULL, false, false) != 0);

  S("004.two_losses");
  AdjTensor *w = adj_requires_grad_(adj_tensor(F32, ADJ_SHAPE(2), ADJ_VALUES(1., 2.)), true);
  AdjTensor *h = adj_mul_scalar(w, 3);
  AdjTensor *loss1 = adj_sum(adj_pow_scalar(h, 2)), *loss2 = adj_sum(h);
  CHECK(adj_backward(loss1, NULL, true, false) == 0);
  CHECK(adj_backward(loss2, NULL, false, false) == 0);
  P(adj_grad(w));

  S("004.step_then_backward");
  w = adj_requires_grad_(adj_tensor(F32, ADJ_SHAPE(2), ADJ_VALUES(1., 2.)), true);
  AdjTensor *loss = adj_sum(adj_pow_scalar(w, 2));
  CHECK(adj_backward(loss, NULL, true, false) == 0);
  ADJ_WITH_NO_GRAD { adj_sub_(w, adj_mul_scalar(adj_grad(w), 0.1)); } /* optimizer.step() */
  ERR(adj_backward(loss, NULL, false, false) != 0);
  P(w);
}

/* nn.Linear(in, out) with PyTorch's default init: kaiming_uniform_(a=sqrt(5)) for the
 * weight, then uniform_(-1/sqrt(in), 1/sqrt(in)) for the bias, under no_grad. */
typedef struct Linear {
  AdjTensor *weight, *bias;
} Linear;

static Linear nn_linear(int in, int out) {
  Linear l;
  double gain = sqrt(2.0 / (1 + 5.0)), std = gain / sqrt((double)in);
  double wb = sqrt(3.0) * std, bb = 1 / sqrt((double)in);
  l.weight = adj_requires_grad_(adj_empty(F32, ADJ_SHAPE(out, in)), true);
  l.bias = adj_requires_grad_(adj_empty(F32, ADJ_SHAPE(out)), true);
  ADJ_WITH_NO_GRAD {
    adj_uniform_(l.weight, -wb, wb);
    adj_uniform_(l.bias, -bb, bb);
  }
  return l;
}

static AdjTensor *forward(Linear l, AdjTensor *x) { return adj_linear(x, l.weight, l.bias); }

static void seed004_nn(void) {
  S("004.detach_nn");
  adj_manual_seed(0);
  AdjTensor *x = adj_requires_grad_(adj_randn(F32, ADJ_SHAPE(2, 2)), true);
  Linear lin0 = nn_linear(2, 2), lin1 = nn_linear(2, 2), lin2 = nn_linear(2, 2);
  Linear lin3 = nn_linear(2, 2);
  AdjTensor *x1 = forward(lin0, x), *x2 = forward(lin1, x1);
  x2 = adj_detach(x2); /* gradients stop here */
  AdjTensor *x3 = forward(lin2, x2), *x4 = forward(lin3, x3);
  CHECK(adj_backward(adj_sum(x4), NULL, false, false) == 0);
  P(adj_grad(lin0.weight));
  P(adj_grad(lin1.weight));
  P(adj_grad(lin2.weight));
  P(adj_grad(lin3.weight));
  P(x4);

  S("004.requires_grad_false_nn");
  adj_manual_seed(0);
  x = adj_requires_grad_(adj_randn(F32, ADJ_SHAPE(2, 2)), true);
  lin0 = nn_linear(2, 2), lin1 = nn_linear(2, 2), lin2 = nn_linear(2, 2);
  lin3 = nn_linear(2, 2);
  x1 = forward(lin0, x), x2 = forward(lin1, x1);
  adj_requires_grad_(lin2.weight, false);
  adj_requires_grad_(lin2.bias, false);
  x3 = forward(lin2, x2), x4 = forward(lin3, x3);
  CHECK(adj_backward(adj_sum(x4), NULL, false, false) == 0);
  P(adj_grad(lin0.weight));
  P(adj_grad(lin1.weight));
  P(adj_grad(lin2.weight));
  P(adj_grad(lin3.weight));
}

/* ---- comparison with the golden file --------------------------------------------------- */

/* Compare line by line; report each differing line with its section. */
static void compare(const char *got, const char *want) {
  const char *g = got, *w = want, *section = "";
  int line = 1;
  char sec[128] = "";
  while (*g || *w) {
    const char *ge = strchr(g, '\n'), *we = strchr(w, '\n');
    size_t gl = ge ? (size_t)(ge - g) : strlen(g), wl = we ? (size_t)(we - w) : strlen(w);
    if (wl > 4 && strncmp(w, "=== ", 4) == 0) {
      snprintf(sec, sizeof sec, "%.*s", (int)wl, w);
      section = sec;
    }
    bool same = gl == wl && strncmp(g, w, gl) == 0;
    CHECK(same);
    if (!same)
      fprintf(stderr, "  line %d (%s):\n    got:  %.*s\n    want: %.*s\n", line, section, (int)gl,
              g, (int)wl, w);
    g = ge ? ge + 1 : g + gl;
    w = we ? we + 1 : w + wl;
    line++;
  }
}

int main(int argc, char **argv) {
  char *got = NULL;
  size_t len = 0;
  OUT = open_memstream(&got, &len);
  if (!OUT)
    return 1;
  adj_scope_begin();
  seed000();
  seed001();
  seed002();
  seed003();
  seed004();
  seed004_nn();
  adj_scope_end();
  fclose(OUT);
  CHECK(adj_live_tensors() == 0);
  if (argc > 1 && strcmp(argv[1], "--print") == 0) {
    fputs(got, stdout);
    free(got);
    return 0;
  }
  char *want = check_read_file(ADJ_GOLDEN_DIR "/seeds.txt");
  CHECK(want != NULL);
  if (want)
    compare(got, want);
  free(want);
  free(got);
  return check_summary();
}
