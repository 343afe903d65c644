/* arena.c — bump allocation in large chunks, released all at once.
 * Passes never free: an arena's lifetime is a run or one function's processing. */
#include "support/support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ArenaChunk {
  ArenaChunk *next;
  size_t size, used;
  _Alignas(16) unsigned char data[];
};

enum { CHUNK_MIN = 64 * 1024 };

_Noreturn void support_fatal(const char *file, int line, const char *what) {
  fprintf(stderr, "adjc: internal error at %s:%d: %s\n", file, line, what);
  abort();
}

void *arena_alloc(Arena *arena, size_t size) {
  size = (size + 15) & ~(size_t)15;
  ArenaChunk *c = arena->chunks;
  if (!c || c->size - c->used < size) {
    size_t cap = size > CHUNK_MIN ? size : CHUNK_MIN;
    c = malloc(sizeof(ArenaChunk) + cap);
    if (!c) {
      fprintf(stderr, "adjc: out of memory\n");
      exit(1);
    }
    c->size = cap;
    c->used = 0;
    c->next = arena->chunks;
    arena->chunks = c;
  }
  void *p = c->data + c->used;
  c->used += size;
  arena->used += size;
  memset(p, 0, size);
  return p;
}

void *arena_realloc(Arena *arena, void *old, size_t old_size, size_t new_size) {
  void *p = arena_alloc(arena, new_size);
  if (old)
    memcpy(p, old, old_size < new_size ? old_size : new_size);
  return p;
}

char *arena_strndup(Arena *arena, const char *s, size_t n) {
  char *p = arena_alloc(arena, n + 1);
  memcpy(p, s, n);
  p[n] = 0;
  return p;
}

char *arena_strdup(Arena *arena, const char *s) {
  return arena_strndup(arena, s, strlen(s));
}

char *arena_printf(Arena *arena, const char *fmt, ...) {
  va_list ap, ap2;
  va_start(ap, fmt);
  va_copy(ap2, ap);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  char *p = arena_alloc(arena, (size_t)n + 1);
  vsnprintf(p, (size_t)n + 1, fmt, ap2);
  va_end(ap2);
  return p;
}

void arena_free(Arena *arena) {
  ArenaChunk *c = arena->chunks;
  while (c) {
    ArenaChunk *next = c->next;
    free(c);
    c = next;
  }
  arena->chunks = NULL;
  arena->used = 0;
}
