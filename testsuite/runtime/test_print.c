/*
 * test_print.c — adj_repr against PyTorch's repr (golden/print.txt from
 * golden/print.py): modes (integer-valued, fixed, scientific), non-finite values,
 * empty tensors, dtypes, autograd suffixes, line wrapping, summarisation, views.
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
#define F64 ADJ_FLOAT64

static char *golden;

/* The text under "=== name" up to the next section, without the final newline. */
static char *expected(const char *name) {
  char head[128];
  snprintf(head, sizeof head, "=== %s\n", name);
  const char *p = strstr(golden, head);
  if (!p)
    return NULL;
  p += strlen(head);
  const char *e = strstr(p, "\n=== ");
  size_t n = e ? (size_t)(e - p) : strlen(p);
  while (n > 0 && p[n - 1] == '\n')
    n--;
  char *s = malloc(n + 1);
  memcpy(s, p, n);
  s[n] = '\0';
  return s;
}

static void case_(const char *name, const AdjTensor *t) {
  char *want = expected(name), *got = adj_repr(t);
  CHECK(want != NULL);
  if (want && got && strcmp(want, got) != 0)
    fprintf(stderr, "[%s]\n", name);
  CHECK_STR(got, want);
  free(want);
  free(got);
}

int main(void) {
  golden = check_read_file(ADJ_GOLDEN_DIR "/print.txt");
  CHECK(golden != NULL);
  if (!golden)
    return check_summary();
  adj_scope_begin();
  adj_manual_seed(5);
  case_("int_valued", adj_tensor(F32, ADJ_SHAPE(3), ADJ_VALUES(1, 2, 3)));
  case_("fixed", adj_full(F32, ADJ_SHAPE(2, 2), 4.5));
  case_("negative", adj_tensor(F32, ADJ_SHAPE(2, 2), ADJ_VALUES(-1.5, 2.25, 3.125, -40)));
  case_("scalar", adj_scalar(F32, 2.5));
  case_("scalar_int_valued", adj_scalar(F32, 27));
  case_("scalar_f64", adj_scalar(F64, -0.125));
  case_("small_sci", adj_tensor(F32, ADJ_SHAPE(2), ADJ_VALUES(1e-5, 1)));
  case_("large_sci", adj_tensor(F32, ADJ_SHAPE(2), ADJ_VALUES(1e10, 1)));
  case_("ratio_sci", adj_tensor(F32, ADJ_SHAPE(2), ADJ_VALUES(0.001, 2.5)));
  case_("int_sci", adj_tensor(F32, ADJ_SHAPE(2), ADJ_VALUES(1, 100000)));
  case_("nonfinite", adj_tensor(F32, ADJ_SHAPE(4), ADJ_VALUES(NAN, 1, INFINITY, -INFINITY)));
  case_("neg_zero", adj_tensor(F32, ADJ_SHAPE(3), ADJ_VALUES(-0.0, 1, 2)));
  case_("zeros", adj_zeros(F32, ADJ_SHAPE(2, 3)));
  case_("empty_1d", adj_zeros(F32, ADJ_SHAPE(0)));
  case_("empty_2d", adj_zeros(F32, ADJ_SHAPE(0, 3)));
  case_("empty_int", adj_zeros(ADJ_INT64, ADJ_SHAPE(0)));
  case_("empty_f64", adj_zeros(F64, ADJ_SHAPE(2, 0)));
  case_("int64", adj_tensor(ADJ_INT64, ADJ_SHAPE(2, 2), ADJ_VALUES(1, -20, 300, 4)));
  case_("bool", adj_tensor(ADJ_BOOL, ADJ_SHAPE(2, 2), ADJ_VALUES(1, 0, 0, 1)));
  case_("f64", adj_tensor(F64, ADJ_SHAPE(2), ADJ_VALUES(1.5, 2.5)));
  case_("f64_int_valued", adj_tensor(F64, ADJ_SHAPE(2, 2), ADJ_VALUES(1, 2, 3, 4)));
  AdjTensor *rg = adj_requires_grad_(adj_ones(F32, ADJ_SHAPE(2, 2)), true);
  case_("requires_grad", rg);
  case_("grad_fn", adj_mul_scalar(rg, 2));
  case_("grad_fn_f64", adj_sum(adj_requires_grad_(adj_ones(F64, ADJ_SHAPE(2)), true)));
  case_("rand_row", adj_rand(F32, ADJ_SHAPE(30)));
  case_("rand_matrix", adj_sub_scalar(adj_mul_scalar(adj_rand(F32, ADJ_SHAPE(3, 30)), 2), 1));
  case_("rand_3d", adj_rand(F32, ADJ_SHAPE(2, 3, 4)));
  case_("rand_4d", adj_rand(F32, ADJ_SHAPE(2, 1, 2, 3)));
  case_("wrap_suffix",
        adj_mul_scalar(adj_requires_grad_(adj_rand(F32, ADJ_SHAPE(10)), true), 1000));
  case_("wrap_suffix_row",
        adj_mul_scalar(adj_requires_grad_(adj_rand(F32, ADJ_SHAPE(8)), true), -100));
  case_("summarized_1d", adj_arange(F32, 0, 2000, 1));
  case_("summarized_2d",
        adj_div_scalar(adj_reshape(adj_arange(F32, 0, 2000, 1), ADJ_SHAPE(2, 1000)), 7));
  case_("summarized_3d", adj_rand(F32, ADJ_SHAPE(20, 20, 20)));
  case_("summarized_rows", adj_rand(F32, ADJ_SHAPE(1001, 2)));
  case_("summarized_int", adj_arange(ADJ_INT64, 0, 1500, 1));
  case_("transposed", adj_t(adj_reshape(adj_arange(F32, 0, 6, 1), ADJ_SHAPE(2, 3))));
  case_("sliced", adj_slice(adj_arange(F32, 0, 10, 1), 0, 1, 9, 3));
  case_("expanded", adj_expand(adj_tensor(F32, ADJ_SHAPE(2), ADJ_VALUES(1.5, 2)), ADJ_SHAPE(3, 2)));
  adj_manual_seed(7);
  case_("randn_small", adj_randn(F32, ADJ_SHAPE(3)));
  case_("randn_small_again", adj_randn(F32, ADJ_SHAPE(2, 2)));
  case_("randn_block", adj_randn(F32, ADJ_SHAPE(4, 9)));
  case_("randn_f64", adj_randn(F64, ADJ_SHAPE(5, 4)));
  /* print(None) and the stdout printer */
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  adj_fprint(f, NULL);
  adj_fprint(f, adj_scalar(F32, 1));
  fclose(f);
  CHECK_STR(buf, "None\ntensor(1.)\n");
  free(buf);
  adj_scope_end();
  free(golden);
  CHECK(adj_live_tensors() == 0);
  return check_summary();
}
