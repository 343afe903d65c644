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

void adj_tape_free(AdjTape *tape) {
  free(tape->base);
  tape->base = NULL;
  tape->top = tape->cap = 0;
}
