/* test_arena.c — unit tests of support/arena.c: alignment, zeroing, realloc, chunk
 * growth and release. Run under ASan/LSan (asan.unit.arena), they also show that
 * arena_free releases every chunk and no allocation overlaps another. */
#include "check.h"
#include "support/support.h"

#include <stdint.h>
#include <stdlib.h>

static int is_zero(const unsigned char *p, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (p[i])
      return 0;
  return 1;
}

/* Every allocation is 16-byte aligned and zeroed, whatever its size. */
static void test_alignment_and_zeroing(void) {
  Arena a = {0};
  static const size_t sizes[] = {1, 3, 8, 15, 16, 17, 31, 100, 4096};
  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
    unsigned char *p = arena_alloc(&a, sizes[i]);
    CHECK(p != NULL);
    CHECK(((uintptr_t)p & 15) == 0);
    CHECK(is_zero(p, sizes[i]));
    memset(p, 0xab, sizes[i]); /* dirty it: the next allocation must still be zero */
  }
  double *d = ARENA_ARRAY(&a, double, 7);
  CHECK(((uintptr_t)d & 15) == 0);
  CHECK(d[0] == 0.0 && d[6] == 0.0);
  arena_free(&a);
  CHECK(a.chunks == NULL);
  CHECK(a.used == 0);
}

/* Consecutive allocations do not overlap. */
static void test_no_overlap(void) {
  Arena a = {0};
  char *p = arena_alloc(&a, 10);
  char *q = arena_alloc(&a, 10);
  CHECK(q >= p + 10 || p >= q + 10);
  memset(p, 'p', 10);
  memset(q, 'q', 10);
  CHECK(p[9] == 'p' && q[0] == 'q');
  arena_free(&a);
}

/* arena_realloc copies the old contents (truncating when shrinking). */
static void test_realloc(void) {
  Arena a = {0};
  int *v = ARENA_ARRAY(&a, int, 4);
  for (int i = 0; i < 4; i++)
    v[i] = i * 11;
  int *w = arena_realloc(&a, v, 4 * sizeof(int), 100 * sizeof(int));
  CHECK(w != v);
  CHECK(w[0] == 0 && w[3] == 33);
  CHECK(w[4] == 0 && w[99] == 0);
  int *s = arena_realloc(&a, w, 100 * sizeof(int), 2 * sizeof(int));
  CHECK(s[0] == 0 && s[1] == 11);
  int *n = arena_realloc(&a, NULL, 0, 8);
  CHECK(n != NULL && n[0] == 0 && n[1] == 0);
  arena_free(&a);
}

/* Many allocations span many chunks; a request larger than a chunk gets its own. */
static void test_many_chunks(void) {
  Arena a = {0};
  enum { N = 20000 };
  long **ptrs = malloc(sizeof(long *) * N);
  for (int i = 0; i < N; i++) {
    ptrs[i] = ARENA_NEW(&a, long);
    *ptrs[i] = i;
  }
  int ok = 1;
  for (int i = 0; i < N; i++)
    ok &= *ptrs[i] == i;
  CHECK(ok);
  /* 20000 objects rounded up to 16 bytes fill several 64 KiB chunks; under ASan a
   * chunk overrun or a lost chunk would be reported */
  CHECK(a.used >= (size_t)N * 16);
  unsigned char *big = arena_alloc(&a, 1 << 20);
  CHECK(big != NULL && is_zero(big, 1 << 20));
  big[(1 << 20) - 1] = 1; /* ASan would flag writing past the chunk */
  CHECK(*ptrs[N - 1] == N - 1);
  free(ptrs);
  arena_free(&a);
  CHECK(a.chunks == NULL);
}

static void test_strings(void) {
  Arena a = {0};
  char *s = arena_strdup(&a, "adjoint");
  CHECK_STR(s, "adjoint");
  CHECK_STR(arena_strndup(&a, "gradient", 4), "grad");
  CHECK_STR(arena_strndup(&a, "", 0), "");
  CHECK_STR(arena_printf(&a, "%s_%d", "d_w", 3), "d_w_3");
  char *long_s = arena_printf(&a, "%0500d", 7);
  CHECK(strlen(long_s) == 500 && long_s[499] == '7');
  arena_free(&a);
}

/* Vec(T) grows through arena_realloc and keeps its elements. */
static void test_vec(void) {
  Arena a = {0};
  Vec(int) v = {0};
  for (int i = 0; i < 1000; i++)
    vec_push(&a, &v, i * 2);
  CHECK(v.len == 1000);
  CHECK(v.cap >= 1000);
  CHECK(v.data[0] == 0 && v.data[500] == 1000 && v.data[999] == 1998);
  arena_free(&a);
}

int main(void) {
  test_alignment_and_zeroing();
  test_no_overlap();
  test_realloc();
  test_many_chunks();
  test_strings();
  test_vec();
  return check_summary();
}
