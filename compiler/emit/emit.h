/*
 * emit.h — IR → C. Writes the input translation unit unchanged, then every
 * generated function: deterministic, one statement per line, `#line` back to the
 * user's source, a comment naming the primal statement above each adjoint block.
 */
#ifndef ADJC_EMIT_H
#define ADJC_EMIT_H

#include "ad/ad.h"

typedef struct EmitOptions {
  const char *input;      /* the input file, copied verbatim first */
  const char *output;     /* output path, for #line directives back into it; may be NULL */
  const char *header;     /* header path, for its include guard; may be NULL */
  bool line_directives;
} EmitOptions;

/* ---- c.c ---- */
/* Write the output file into out and, when header is not NULL, the prototypes of
 * the public generated functions into header. Returns false on error. */
bool emit_c(StrBuf *out, StrBuf *header, const Module *m, const AdResult *ad,
            const EmitOptions *opt);
/* ---- dot.c ---- */
void emit_dot(StrBuf *out, const Module *m);

#endif /* ADJC_EMIT_H */
