/* tape.c — growth and release of the tape stack used by generated reverse code.
 * The fast paths (push, pop) are inline in adjoint.h; this file holds the slow ones.
 *
 * Each thread keeps the storage of the largest tape it freed (one block) and hands it
 * to the next tape that grows: a gradient called in a loop then reuses one warm
 * buffer instead of asking the kernel for fresh pages (and their page faults) on every
 * call. adj_tape_release_cache frees the block; a thread's block is freed when the
 * thread exits. */
#include "adjoint.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct TapeCache {
  unsigned char *base;
  size_t cap;
} TapeCache;

static _Thread_local AdjTapeStats tape_stats;
static _Thread_local TapeCache cache;
static _Thread_local bool cache_registered;
static pthread_key_t cache_key;
static pthread_once_t cache_once = PTHREAD_ONCE_INIT;

/* At thread exit: the thread's cache (registered once) frees its block. */
static void cache_destroy(void *arg) {
  TapeCache *c = arg;
  free(c->base);
  c->base = NULL;
  c->cap = 0;
}

static void cache_key_init(void) {
  if (pthread_key_create(&cache_key, cache_destroy) != 0)
    cache_key = 0;
}

/* Keep block (capacity cap) for reuse, or free it when the cache holds a larger one. */
static void cache_put(unsigned char *block, size_t cap) {
  if (!block)
    return;
  if (cap <= cache.cap) {
    free(block);
    return;
  }
  free(cache.base);
  cache.base = block;
  cache.cap = cap;
  if (!cache_registered) {
    pthread_once(&cache_once, cache_key_init);
    pthread_setspecific(cache_key, &cache);
    cache_registered = true;
  }
}

void adj_tape_release_cache(void) {
  free(cache.base);
  cache.base = NULL;
  cache.cap = 0;
}

void adj_tape_reserve(AdjTape *tape, size_t need) {
  if (!tape->base && cache.base && cache.cap >= need) {
    /* an empty tape takes the thread's cached block */
    tape->base = cache.base;
    tape->cap = cache.cap;
    cache.base = NULL;
    cache.cap = 0;
    return;
  }
  size_t cap = tape->cap ? tape->cap : 4096;
  while (cap - tape->top < need) {
    if (cap > (size_t)-1 / 2) {
      cap = (size_t)-1;
      break;
    }
    cap *= 2;
  }
  unsigned char *base = realloc(tape->base, cap);
  if (!base) {
    fprintf(stderr, "adjoint: out of memory growing the tape to %zu bytes\n", cap);
    abort();
  }
  tape->base = base;
  tape->cap = cap;
}

AdjTapeStats adj_tape_stats(void) { return tape_stats; }

void adj_tape_stats_reset(void) {
  tape_stats.peak_bytes = 0;
  tape_stats.tapes_freed = 0;
}

void adj_tape_free(AdjTape *tape) {
  if (tape->peak > tape_stats.peak_bytes)
    tape_stats.peak_bytes = tape->peak;
  tape_stats.tapes_freed++;
  cache_put(tape->base, tape->cap);
  tape->base = NULL;
  tape->top = tape->cap = tape->peak = 0;
}
