/*
 * check.h — the assertions of adjoint's plain-C unit tests.
 *
 * CHECK(cond) prints the failing expression's text with file:line and counts the
 * failure; CHECK_NEAR(a, b, tol) compares doubles with an absolute+relative
 * tolerance and prints both values. A test's main returns check_summary(), which
 * prints "N passed, M failed" and is non-zero when anything failed, so ctest fails.
 */
#ifndef ADJ_CHECK_H
#define ADJ_CHECK_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int check_pass_, check_fail_;

#define CHECK(cond)                                                           \
  do {                                                                        \
    if (cond) {                                                               \
      check_pass_++;                                                          \
    } else {                                                                  \
      check_fail_++;                                                          \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
    }                                                                         \
  } while (0)

/* |a - b| <= tol * (1 + |b|): absolute near zero, relative for large values. */
#define CHECK_NEAR(a, b, tol)                                                    \
  do {                                                                           \
    double a_ = (double)(a), b_ = (double)(b), t_ = (double)(tol);               \
    if (fabs(a_ - b_) <= t_ * (1.0 + fabs(b_))) {                                \
      check_pass_++;                                                             \
    } else {                                                                     \
      check_fail_++;                                                             \
      fprintf(stderr, "%s:%d: CHECK_NEAR failed: %s = %.17g, %s = %.17g (tol %g)\n", \
              __FILE__, __LINE__, #a, a_, #b, b_, t_);                           \
    }                                                                            \
  } while (0)

#define CHECK_STR(a, b)                                                          \
  do {                                                                           \
    const char *a_ = (a), *b_ = (b);                                             \
    if (a_ && b_ && strcmp(a_, b_) == 0) {                                       \
      check_pass_++;                                                             \
    } else {                                                                     \
      check_fail_++;                                                             \
      fprintf(stderr, "%s:%d: CHECK_STR failed: %s\n  got:      %s\n  expected: %s\n", \
              __FILE__, __LINE__, #a, a_ ? a_ : "(null)", b_ ? b_ : "(null)");    \
    }                                                                            \
  } while (0)

/* The whole file at path as a NUL-terminated heap string (free it), or NULL. Tests
 * use it for golden outputs produced once by PyTorch and committed as data. */
static inline char *check_read_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *s = n >= 0 ? (char *)malloc((size_t)n + 1) : NULL;
  if (s && fread(s, 1, (size_t)n, f) != (size_t)n) {
    free(s);
    s = NULL;
  }
  if (s)
    s[n] = '\0';
  fclose(f);
  return s;
}

static inline int check_summary(void) {
  printf("%d passed, %d failed\n", check_pass_, check_fail_);
  return check_fail_ != 0 || check_pass_ == 0;
}

#endif /* ADJ_CHECK_H */
