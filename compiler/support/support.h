/*
 * support.h — the compiler's shared support: arenas, strings, growable arrays,
 * diagnostics. Every stage includes this header and its own stage header.
 *
 * Memory: the compiler allocates from arenas (a per-run one and per-function ones)
 * and never frees individual objects; arena_free releases everything at once, so a
 * run ends clean under LeakSanitizer.
 */
#ifndef ADJC_SUPPORT_H
#define ADJC_SUPPORT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Compiler bugs (never user errors) abort with the location of the check. */
#define unreachable() support_fatal(__FILE__, __LINE__, "unreachable code reached")
#define ensure(cond) \
  ((cond) ? (void)0 : support_fatal(__FILE__, __LINE__, "check failed: " #cond))
_Noreturn void support_fatal(const char *file, int line, const char *what);

/* ---- arena.c ----------------------------------------------------------------- */
typedef struct ArenaChunk ArenaChunk;
typedef struct Arena {
  ArenaChunk *chunks; /* newest first */
  size_t used;        /* bytes handed out, for statistics */
} Arena;

void *arena_alloc(Arena *arena, size_t size);          /* zeroed, 16-byte aligned */
void *arena_realloc(Arena *arena, void *old, size_t old_size, size_t new_size);
char *arena_strdup(Arena *arena, const char *s);
char *arena_strndup(Arena *arena, const char *s, size_t n);
char *arena_printf(Arena *arena, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void arena_free(Arena *arena);                         /* releases every chunk */

#define ARENA_NEW(arena, T) ((T *)arena_alloc((arena), sizeof(T)))
#define ARENA_ARRAY(arena, T, n) ((T *)arena_alloc((arena), sizeof(T) * (size_t)(n)))

/* Growable array in an arena: `Vec(T) v = {0}; vec_push(arena, &v, x);` */
#define Vec(T) struct { T *data; int len, cap; }
#define vec_push(arena, v, x)                                                     \
  do {                                                                             \
    if ((v)->len == (v)->cap) {                                                    \
      int cap_ = (v)->cap ? (v)->cap * 2 : 8;                                      \
      (v)->data = arena_realloc((arena), (v)->data,                                \
                                sizeof(*(v)->data) * (size_t)(v)->cap,             \
                                sizeof(*(v)->data) * (size_t)cap_);                \
      (v)->cap = cap_;                                                             \
    }                                                                              \
    (v)->data[(v)->len++] = (x);                                                   \
  } while (0)

/* ---- str.c ------------------------------------------------------------------- */
/* A growable string buffer on the heap (used by printers and the emitter). */
typedef struct StrBuf {
  char *data;
  size_t len, cap;
} StrBuf;

void sb_putc(StrBuf *sb, char c);
void sb_puts(StrBuf *sb, const char *s);
void sb_putn(StrBuf *sb, const char *s, size_t n);
void sb_printf(StrBuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_vprintf(StrBuf *sb, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
void sb_free(StrBuf *sb);
bool str_eq(const char *a, const char *b);
bool str_starts(const char *s, const char *prefix);

/* ---- diag.c ------------------------------------------------------------------ */
/* A source position: file name (arena-owned or static), 1-based line and column.
 * line == 0 means "no location". */
typedef struct Loc {
  const char *file;
  int line, col;
} Loc;

typedef enum { DIAG_ERROR, DIAG_WARNING, DIAG_NOTE } DiagLevel;

/* Report in clang's format: `file:line:col: error: message`, then the source line
 * and a caret under the column (tabs copied so it stays aligned), then, if given, a
 * `note:`/hint line. Errors are counted (diag_errors), never fatal: stages check
 * the count and stop (`if (diag_errors()) return`). */
void diag_report(DiagLevel level, Loc loc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void diag_vreport(DiagLevel level, Loc loc, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
/* Shorthands; `hint` may be NULL and is printed as a note at the same location. */
void diag_error(Loc loc, const char *hint, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int diag_errors(void);
/* Where diagnostics go (default stderr) and whether to colour them. */
void diag_set_stream(void *file);
/* Register the text of a file so carets can be drawn without re-reading it; the
 * buffer must outlive the run. Files not registered are read from disk on demand. */
void diag_set_source(const char *file, const char *text, size_t len);
void diag_reset(void);

#endif /* ADJC_SUPPORT_H */
