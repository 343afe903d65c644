/*
 * frontend.h — libclang → IR. The only stage that includes clang-c/Index.h.
 *
 * fe_parse parses one C file with libclang and lowers into the module every function
 * that carries an adjoint annotation, plus every function of the translation unit they
 * call, transitively (functions with a body are lowered; functions without one become
 * declarations, has_body == false). Unsupported constructs inside lowered functions
 * are reported as clang-style errors (they accumulate); a file with parse errors is
 * refused after printing libclang's diagnostics.
 */
#ifndef ADJC_FRONTEND_H
#define ADJC_FRONTEND_H

#include "ir/ir.h"

typedef struct FeOptions {
  const char *input;        /* the C file */
  const char **args;        /* compiler flags (after `--` on the command line) */
  int nargs;
  const char *compdb_dir;   /* -p DIR: take flags from DIR/compile_commands.json */
} FeOptions;

typedef struct FeResult {
  Module *module;           /* NULL when parsing failed */
  const char **deps;        /* files the input includes, system headers excluded */
  int ndeps;
} FeResult;

/* Parse and lower. Errors go through diag_*; on error result.module may be NULL
 * (parse failure) or partially lowered (unsupported constructs reported). */
FeResult fe_parse(Arena *arena, const FeOptions *opt);

#endif /* ADJC_FRONTEND_H */
