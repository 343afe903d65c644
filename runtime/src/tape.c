/* tape.c — growth and release of the tape stack used by generated reverse code.
 * The fast paths (push, pop) are inline in adjoint.h; this file holds the slow ones. */
#include "adjoint.h"

#include <stdio.h>
#include <stdlib.h>

void adj_tape_reserve(AdjTape *tape, size_t need) {
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

static _Thread_local AdjTapeStats tape_stats;

AdjTapeStats adj_tape_stats(void) { return tape_stats; }

void adj_tape_stats_reset(void) {
  tape_stats.peak_bytes = 0;
  tape_stats.tapes_freed = 0;
}

void adj_tape_free(AdjTape *tape) {
  if (tape->peak > tape_stats.peak_bytes)
    tape_stats.peak_bytes = tape->peak;
  tape_stats.tapes_freed++;
  free(tape->base);
  tape->base = NULL;
  tape->top = tape->cap = tape->peak = 0;
}
