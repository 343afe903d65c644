/*
 * test_tape.c — the tape stack used by generated reverse-mode code: values come back
 * in reverse order with their exact bits, mixed sizes interleave, growth keeps the
 * contents, peak records the high-water mark when marked, free leaves a reusable empty tape and
 * the thread statistics keep the largest peak freed, and a freed block is reused.
 */
#include <adjoint.h>
#include <pthread.h>
#include <stdint.h>

#include "check.h"

/* A thread that leaves a block in its cache: freed when the thread exits (the
 * sanitized build's leak check fails otherwise). */
static void *thread_tape(void *arg) {
  AdjTape t = ADJ_TAPE_INIT;
  for (int i = 0; i < 50000; i++)
    adj_tape_push(&t, &i, sizeof i);
  adj_tape_free(&t);
  *(int *)arg = 1;
  return NULL;
}

int main(void) {
  AdjTape tape = ADJ_TAPE_INIT;
  CHECK(tape.base == NULL && tape.top == 0 && tape.cap == 0);
  /* enough values to force several reallocations */
  for (int i = 0; i < 10000; i++) {
    double d = i * 0.5;
    int32_t k = -i;
    unsigned char b = (unsigned char)(i & 1);
    adj_tape_push(&tape, &d, sizeof d);
    adj_tape_push(&tape, &k, sizeof k);
    adj_tape_push(&tape, &b, sizeof b);
  }
  size_t full = tape.top;
  CHECK(tape.peak == 0); /* push does not track it */
  adj_tape_mark_peak(&tape);
  CHECK(full == 10000 * (sizeof(double) + sizeof(int32_t) + 1));
  CHECK(tape.cap >= full && tape.peak == full);
  int ok = 1;
  for (int i = 9999; i >= 0; i--) {
    double d;
    int32_t k;
    unsigned char b;
    adj_tape_pop(&tape, &b, sizeof b);
    adj_tape_pop(&tape, &k, sizeof k);
    adj_tape_pop(&tape, &d, sizeof d);
    ok &= d == i * 0.5 && k == -i && b == (unsigned char)(i & 1);
  }
  CHECK(ok);
  CHECK(tape.top == 0 && tape.peak == full);
  /* reserve makes room without changing the contents */
  double x = 3.25, y;
  adj_tape_push(&tape, &x, sizeof x);
  adj_tape_reserve(&tape, 1 << 20);
  CHECK(tape.cap - tape.top >= (size_t)1 << 20);
  adj_tape_pop(&tape, &y, sizeof y);
  CHECK(y == x);
  adj_tape_free(&tape);
  CHECK(tape.base == NULL && tape.top == 0 && tape.cap == 0 && tape.peak == 0);
  /* the thread's statistics remember the largest peak of the tapes freed */
  AdjTapeStats st = adj_tape_stats();
  CHECK(st.peak_bytes == full && st.tapes_freed == 1);
  adj_tape_push(&tape, &x, sizeof x); /* reusable after free */
  adj_tape_pop(&tape, &y, sizeof y);
  CHECK(y == x);
  adj_tape_free(&tape);
  st = adj_tape_stats();
  CHECK(st.peak_bytes == full && st.tapes_freed == 2); /* a smaller tape keeps the max */
  adj_tape_stats_reset();
  st = adj_tape_stats();
  CHECK(st.peak_bytes == 0 && st.tapes_freed == 0);

  /* a freed block is kept and handed to the next tape that grows, contents intact */
  AdjTape big = ADJ_TAPE_INIT;
  for (int i = 0; i < 100000; i++)
    adj_tape_push(&big, &x, sizeof x);
  unsigned char *block = big.base;
  size_t block_cap = big.cap;
  adj_tape_free(&big);
  AdjTape next = ADJ_TAPE_INIT;
  adj_tape_push(&next, &x, sizeof x);
  CHECK(next.base == block && next.cap == block_cap);
  for (int i = 0; i < 200000; i++) /* grows beyond the cached block */
    adj_tape_push(&next, &i, sizeof i);
  ok = 1;
  for (int i = 199999; i >= 0; i--) {
    int k;
    adj_tape_pop(&next, &k, sizeof k);
    ok &= k == i;
  }
  adj_tape_pop(&next, &y, sizeof y);
  CHECK(ok && y == x && next.top == 0);
  adj_tape_free(&next);
  adj_tape_release_cache();
  AdjTape fresh = ADJ_TAPE_INIT; /* after the release, a fresh small block */
  adj_tape_push(&fresh, &x, sizeof x);
  CHECK(fresh.cap == 4096);
  adj_tape_free(&fresh);
  adj_tape_release_cache();
  int ran = 0;
  pthread_t th;
  CHECK(pthread_create(&th, NULL, thread_tape, &ran) == 0);
  CHECK(pthread_join(th, NULL) == 0 && ran == 1);
  return check_summary();
}
