/* parse.c — fe_parse: libclang setup, compile_commands.json, diagnostics,
 * dependencies, annotations, and the choice of functions to lower.
 *
 * Key idea: the translation unit is parsed once; top-level function declarations
 * are grouped by name (C has no overloading), the annotated ones are the roots, and
 * every function reachable from a root through direct calls is put into the module
 * (lowered when it has a body outside system headers, else a declaration). Fns are
 * all created before any body is lowered, so calls and recursion find their callee. */
#define _DEFAULT_SOURCE /* realpath, PATH_MAX */
#include "frontend/fe.h"

#include <clang-c/CXCompilationDatabase.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- functions of the translation unit ---- */

FnInfo *fe_fn_info(Fe *fe, const char *name) {
  for (int i = 0; i < fe->fns.len; i++)
    if (str_eq(fe->fns.data[i]->name, name))
      return fe->fns.data[i];
  return NULL;
}

int fe_math_op(const char *name) {
  if (str_starts(name, "__tg_")) /* <tgmath.h> */
    name += 5;
  size_t n = strlen(name);
  for (int op = 0; op < OP_COUNT; op++) {
    const char *c = ir_ops[op].cname;
    if (ir_ops[op].kind != K_MATH)
      continue;
    size_t k = strlen(c);
    if (str_eq(name, c) || (n == k + 1 && strncmp(name, c, k) == 0 && name[k] == 'f'))
      return op;
  }
  return -1;
}

/* Calls that never become Fns: math ops, adjoint.h intrinsics, builtins. */
static bool is_intrinsic(const FnInfo *info) {
  return (info->in_system && fe_math_op(info->name) >= 0) ||
         str_eq(info->name, "adj_stop_gradient") || str_eq(info->name, "adj__no_grad_scope") ||
         str_starts(info->name, "__builtin_") || str_starts(info->name, "__tg_") ||
         str_starts(info->name, "__assert"); /* glibc assert(), left out */
}

static bool has_annot(const FnInfo *info, const char *kind) {
  size_t n = strlen(kind);
  for (int i = 0; i < info->annots.len; i++) {
    const char *t = info->annots.data[i].text + strlen("adjoint.");
    if (strncmp(t, kind, n) == 0 && t[n] == ':')
      return true;
  }
  return false;
}

/* Inactive functions are opaque to AD: their body (often I/O or code adjc cannot
 * lower) is not lowered unless a request asks for it. */
static bool is_opaque(const FnInfo *info) {
  if (!has_annot(info, "inactive"))
    return false;
  static const char *reqs[] = {"grad", "vjp", "jvp", "hvp", "hessian", "jacobian"};
  for (size_t i = 0; i < sizeof reqs / sizeof reqs[0]; i++)
    if (has_annot(info, reqs[i]))
      return false;
  return true;
}

typedef struct AnnotVisit {
  Fe *fe;
  FnInfo *info;
} AnnotVisit;

static enum CXChildVisitResult visit_annot(CXCursor c, CXCursor parent, CXClientData data) {
  (void)parent;
  AnnotVisit *av = data;
  if (clang_getCursorKind(c) != CXCursor_AnnotateAttr)
    return CXChildVisit_Continue;
  const char *text = fe_str(av->fe, clang_getCursorSpelling(c));
  if (!str_starts(text, "adjoint."))
    return CXChildVisit_Continue;
  for (int i = 0; i < av->info->annots.len; i++)
    if (str_eq(av->info->annots.data[i].text, text))
      return CXChildVisit_Continue;
  Annot a = {text, fe_loc(av->fe, c)};
  vec_push(av->fe->arena, &av->info->annots, a);
  return CXChildVisit_Continue;
}

/* Record one top-level function declaration. */
static void note_function(Fe *fe, CXCursor c) {
  const char *name = fe_str(fe, clang_getCursorSpelling(c));
  FnInfo *info = fe_fn_info(fe, name);
  if (!info) {
    info = ARENA_NEW(fe->arena, FnInfo);
    info->name = name;
    info->decl = c;
    vec_push(fe->arena, &fe->fns, info);
  }
  CXSourceLocation loc = clang_getCursorLocation(c);
  if (clang_Location_isInSystemHeader(loc))
    info->in_system = true;
  if (clang_Location_isFromMainFile(loc))
    info->in_main = true;
  if (clang_isCursorDefinition(c)) {
    info->def = c;
    info->has_def = true;
  }
  if (!info->in_system) {
    AnnotVisit av = {fe, info};
    clang_visitChildren(c, visit_annot, &av);
  }
}

static enum CXChildVisitResult visit_top(CXCursor c, CXCursor parent, CXClientData data) {
  (void)parent;
  Fe *fe = data;
  switch (clang_getCursorKind(c)) {
  case CXCursor_FunctionDecl:
    note_function(fe, c);
    break;
  case CXCursor_TypedefDecl:
    fe_note_typedef(fe, c);
    break;
  case CXCursor_MacroExpansion:
    if (clang_Location_isFromMainFile(clang_getCursorLocation(c))) {
      CXSourceRange r = clang_getCursorExtent(c);
      unsigned b, e;
      clang_getFileLocation(clang_getRangeStart(r), NULL, NULL, NULL, &b);
      clang_getFileLocation(clang_getRangeEnd(r), NULL, NULL, NULL, &e);
      Span s = {b, e};
      vec_push(fe->arena, &fe->macros, s);
    }
    break;
  default:
    break;
  }
  return CXChildVisit_Continue;
}

/* ---- reachability ---- */

typedef struct Reach {
  Fe *fe;
  Vec(FnInfo *) work;
} Reach;

static void reach(Reach *r, FnInfo *info) {
  if (info->reached || is_intrinsic(info))
    return;
  info->reached = true;
  if (info->has_def && !info->in_system && !is_opaque(info)) {
    info->lower = true;
    vec_push(r->fe->arena, &r->work, info);
  }
}

static enum CXChildVisitResult visit_calls(CXCursor c, CXCursor parent, CXClientData data) {
  (void)parent;
  Reach *r = data;
  if (clang_getCursorKind(c) == CXCursor_CallExpr) {
    CXCursor callee = clang_getCursorReferenced(c);
    if (clang_getCursorKind(callee) == CXCursor_FunctionDecl) {
      CXString s = clang_getCursorSpelling(callee);
      FnInfo *info = fe_fn_info(r->fe, clang_getCString(s));
      clang_disposeString(s);
      if (info)
        reach(r, info);
    }
  }
  return CXChildVisit_Recurse;
}

static void find_reachable(Fe *fe) {
  Reach r = {fe, {0}};
  for (int i = 0; i < fe->fns.len; i++) {
    FnInfo *info = fe->fns.data[i];
    if (info->annots.len && info->in_main)
      reach(&r, info);
  }
  for (int i = 0; i < r.work.len; i++)
    clang_visitChildren(r.work.data[i]->def, visit_calls, &r);
}

/* ---- Fns and annotations ---- */

static const char *trim(Fe *fe, const char *b, const char *e) {
  while (b < e && (*b == ' ' || *b == '\t' || *b == '\n'))
    b++;
  while (e > b && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n'))
    e--;
  return arena_strndup(fe->arena, b, (size_t)(e - b));
}

/* Split "w, x[n], f(a, b)" at top-level commas. */
static void split_params(Fe *fe, Request *req, const char *args) {
  Vec(const char *) ps = {0};
  int depth = 0;
  const char *start = args;
  for (const char *p = args;; p++) {
    if (*p == '(' || *p == '[')
      depth++;
    else if (*p == ')' || *p == ']')
      depth--;
    if (*p == 0 || (*p == ',' && depth == 0)) {
      const char *t = trim(fe, start, p);
      if (t[0])
        vec_push(fe->arena, &ps, t);
      start = p + 1;
    }
    if (*p == 0)
      break;
  }
  req->params = ps.data;
  req->nparams = ps.len;
}

static void apply_annot(Fe *fe, Fn *fn, const Annot *a) {
  static const char *kinds[] = {"grad", "vjp", "jvp", "hvp", "hessian", "jacobian"};
  const char *kind = a->text + strlen("adjoint.");
  const char *colon = strchr(kind, ':');
  size_t klen = colon ? (size_t)(colon - kind) : strlen(kind);
  const char *args = colon ? colon + 1 : "";
  for (int k = 0; k < 6; k++) {
    if (strlen(kinds[k]) == klen && strncmp(kind, kinds[k], klen) == 0) {
      fn->reqs = arena_realloc(fe->arena, fn->reqs, sizeof(Request) * (size_t)fn->nreqs,
                               sizeof(Request) * (size_t)(fn->nreqs + 1));
      Request *req = &fn->reqs[fn->nreqs++];
      req->kind = (ReqKind)k;
      req->loc = a->loc;
      split_params(fe, req, args);
      return;
    }
  }
  if (klen == strlen("custom_grad") && strncmp(kind, "custom_grad", klen) == 0) {
    fn->custom_pullback = trim(fe, args, args + strlen(args));
    if (!fn->custom_pullback[0])
      fe_error(fe, fn->loc, "write ADJ_CUSTOM_GRAD(pullback_name)",
               "ADJ_CUSTOM_GRAD needs the name of the pullback function");
  } else if (klen == strlen("inactive") && strncmp(kind, "inactive", klen) == 0) {
    fn->inactive = true;
  } else {
    fe_error(fe, fn->loc,
             "known kinds: grad, vjp, jvp, hvp, hessian, jacobian, custom_grad, inactive",
             "unknown adjoint annotation '%.*s' on '%s'", (int)klen, kind, fn->name);
  }
}

static bool is_static(CXCursor c) {
  return clang_Cursor_getStorageClass(c) == CX_SC_Static;
}

static bool any_static(Fe *fe, const FnInfo *info) {
  if (is_static(info->decl) || (info->has_def && is_static(info->def)))
    return true;
  (void)fe;
  return false;
}

/* Parameters of a declaration: from the cursor when it names them, else from the
 * function type (unnamed parameters get names p0, p1, ...). */
static void add_params(Fe *fe, Fn *fn, CXCursor c) {
  CXType ft = clang_getCursorType(c);
  int ncur = clang_Cursor_getNumArguments(c);
  int n = clang_getNumArgTypes(ft); /* -1 for a K&R definition: use the cursor */
  if (n < ncur)
    n = ncur;
  for (int i = 0; i < n; i++) {
    CXCursor p = i < ncur ? clang_Cursor_getArgument(c, (unsigned)i) : c;
    const char *name = i < ncur ? fe_str(fe, clang_getCursorSpelling(p)) : "";
    if (!name[0])
      name = arena_printf(fe->arena, "p%d", i);
    CXType pt = clang_getCanonicalType(i < ncur ? clang_getCursorType(p) : clang_getArgType(ft, (unsigned)i));
    Type *t;
    if (pt.kind == CXType_ConstantArray || pt.kind == CXType_IncompleteArray ||
        pt.kind == CXType_VariableArray || pt.kind == CXType_DependentSizedArray)
      t = ir_type_ptr(fe->m, fe_array_elem(fe, pt, p));
    else
      t = fe_type(fe, pt, p);
    ir_var_new(fe->m, fn, name, t, VAR_PARAM, fe_loc(fe, p));
  }
  fn->is_variadic = clang_isFunctionTypeVariadic(ft) != 0;
}

/* Create the module's Fn for info. Declarations are typed quietly: an unsupported
 * parameter type of, say, qsort is only an error where a call passes one. */
static Fn *make_fn(Fe *fe, FnInfo *info) {
  CXCursor c = info->has_def ? info->def : info->decl;
  fe->quiet_types = !info->lower;
  Type *ret = fe_type(fe, clang_getResultType(clang_getCursorType(c)), c);
  Fn *fn = ir_fn_new(fe->m, info->name, ret, fe_loc(fe, c));
  info->fn = fn;
  fn->is_static = any_static(fe, info);
  fn->has_body = info->lower;
  add_params(fe, fn, c);
  fe->quiet_types = false;
  for (int i = 0; i < info->annots.len; i++)
    apply_annot(fe, fn, &info->annots.data[i]);
  return fn;
}

Fn *fe_callee_fn(Fe *fe, CXCursor callee) {
  const char *name = fe_str(fe, clang_getCursorSpelling(callee));
  FnInfo *info = fe_fn_info(fe, name);
  if (!info) {
    /* a block-scope declaration: not in the top-level table */
    info = ARENA_NEW(fe->arena, FnInfo);
    info->name = name;
    info->decl = clang_getCanonicalCursor(callee);
    vec_push(fe->arena, &fe->fns, info);
  }
  if (!info->fn) {
    info->reached = true;
    make_fn(fe, info);
  }
  return info->fn;
}

/* ---- libclang setup ---- */

typedef Vec(const char *) Args;

/* Flags from a compile_commands.json entry, minus what must not reach libclang. */
static void compdb_args(Fe *fe, CXCompileCommand cmd, const char *input, Args *out) {
  unsigned n = clang_CompileCommand_getNumArgs(cmd);
  const char *file = fe_str(fe, clang_CompileCommand_getFilename(cmd));
  for (unsigned i = 1; i < n; i++) {
    const char *a = fe_str(fe, clang_CompileCommand_getArg(cmd, i));
    if (str_eq(a, "-c"))
      continue;
    if (str_eq(a, "-o") || str_eq(a, "-MF") || str_eq(a, "-MT") || str_eq(a, "-MQ")) {
      i++;
      continue;
    }
    if (str_starts(a, "-o") || str_starts(a, "-M"))
      continue;
    if (str_eq(a, file) || str_eq(a, input))
      continue;
    char real[PATH_MAX];
    if (a[0] != '-' && realpath(a, real) && str_eq(real, input))
      continue;
    vec_push(fe->arena, out, a);
  }
  const char *dir = fe_str(fe, clang_CompileCommand_getDirectory(cmd));
  fe->workdir = dir;
  vec_push(fe->arena, out, arena_printf(fe->arena, "-working-directory=%s", dir));
}

/* Append the flags of `input`'s entry in DIR/compile_commands.json. */
static bool load_compdb(Fe *fe, const char *dir, const char *input, Args *out) {
  CXCompilationDatabase_Error err;
  CXCompilationDatabase db = clang_CompilationDatabase_fromDirectory(dir, &err);
  if (err != CXCompilationDatabase_NoError) {
    diag_report(DIAG_ERROR, (Loc){0}, "cannot read '%s/compile_commands.json'", dir);
    return false;
  }
  CXCompileCommands cmds = clang_CompilationDatabase_getCompileCommands(db, input);
  bool ok = cmds && clang_CompileCommands_getSize(cmds) > 0;
  if (ok)
    compdb_args(fe, clang_CompileCommands_getCommand(cmds, 0), input, out);
  else
    diag_report(DIAG_ERROR, (Loc){0}, "no entry for '%s' in '%s/compile_commands.json'",
                input, dir);
  if (cmds)
    clang_CompileCommands_dispose(cmds);
  clang_CompilationDatabase_dispose(db);
  return ok;
}

/* A libclang diagnostic's position: presumed (honours #line), its file's text
 * registered for the caret. */
static Loc diag_loc(Fe *fe, CXDiagnostic d) {
  CXSourceLocation sl = clang_getDiagnosticLocation(d);
  Loc loc = fe_loc_of(fe, sl);
  CXString pfile;
  unsigned line, col;
  clang_getPresumedLocation(sl, &pfile, &line, &col);
  if (loc.file && line) {
    loc.file = fe_str(fe, pfile);
    loc.line = (int)line;
    loc.col = (int)col;
  } else {
    clang_disposeString(pfile);
  }
  return loc;
}

static void print_diag(Fe *fe, CXDiagnostic d, DiagLevel level) {
  CXString msg = clang_getDiagnosticSpelling(d);
  diag_report(level, diag_loc(fe, d), "%s", clang_getCString(msg));
  clang_disposeString(msg);
}

/* Print libclang's errors in clang's format, each followed by its notes
 * ("previous definition is here"). Returns the number of errors. */
static int report_clang_diags(Fe *fe) {
  int nerr = 0;
  unsigned n = clang_getNumDiagnostics(fe->tu);
  for (unsigned i = 0; i < n; i++) {
    CXDiagnostic d = clang_getDiagnostic(fe->tu, i);
    if (clang_getDiagnosticSeverity(d) >= CXDiagnostic_Error) {
      print_diag(fe, d, DIAG_ERROR);
      CXDiagnosticSet notes = clang_getChildDiagnostics(d);
      for (unsigned k = 0; k < clang_getNumDiagnosticsInSet(notes); k++) {
        CXDiagnostic note = clang_getDiagnosticInSet(notes, k);
        print_diag(fe, note, DIAG_NOTE);
        clang_disposeDiagnostic(note);
      }
      nerr++;
    }
    clang_disposeDiagnostic(d);
  }
  return nerr;
}

typedef struct Deps {
  Fe *fe;
  Vec(const char *) names;
} Deps;

static void visit_inclusion(CXFile file, CXSourceLocation *stack, unsigned depth,
                            CXClientData data) {
  (void)stack;
  Deps *d = data;
  if (depth == 0)
    return;
  CXSourceLocation start = clang_getLocationForOffset(d->fe->tu, file, 0);
  if (clang_Location_isInSystemHeader(start))
    return;
  const char *name = fe_str(d->fe, clang_getFileName(file));
  char real[PATH_MAX];
  /* names relative to a compile command's directory are made absolute */
  if (d->fe->workdir && name[0] != '/') {
    const char *joined = arena_printf(d->fe->arena, "%s/%s", d->fe->workdir, name);
    name = realpath(joined, real) ? arena_strdup(d->fe->arena, real) : joined;
  }
  for (int i = 0; i < d->names.len; i++)
    if (str_eq(d->names.data[i], name))
      return;
  vec_push(d->fe->arena, &d->names, name);
}

static void collect_deps(Fe *fe, FeResult *res) {
  Deps d = {fe, {0}};
  clang_getInclusions(fe->tu, visit_inclusion, &d);
  res->deps = d.names.data;
  res->ndeps = d.names.len;
}

/* Parse into fe->tu. Returns false (after reporting) when there is nothing to lower. */
static bool parse_tu(Fe *fe, CXIndex index, const FeOptions *opt) {
  Args args = {0};
  const char *input = opt->input;
  if (opt->compdb_dir) {
    char real[PATH_MAX];
    if (realpath(input, real))
      input = arena_strdup(fe->arena, real);
    if (!load_compdb(fe, opt->compdb_dir, input, &args))
      return false;
  }
  for (int i = 0; i < opt->nargs; i++)
    vec_push(fe->arena, &args, opt->args[i]);
  vec_push(fe->arena, &args, "-D__ADJC__");
  vec_push(fe->arena, &args, "-I" ADJC_RUNTIME_INCLUDE_DIR);
  vec_push(fe->arena, &args, "-resource-dir=" ADJC_CLANG_RESOURCE_DIR);
  fe->main_file = input;
  enum CXErrorCode code = clang_parseTranslationUnit2(
      index, input, args.data, args.len, NULL, 0, CXTranslationUnit_DetailedPreprocessingRecord,
      &fe->tu);
  if (code != CXError_Success) {
    diag_report(DIAG_ERROR, (Loc){0}, "cannot parse '%s' (libclang error %d)", input, (int)code);
    return false;
  }
  return report_clang_diags(fe) == 0;
}

FeResult fe_parse(Arena *arena, const FeOptions *opt) {
  FeResult res = {0};
  FILE *f = fopen(opt->input, "r");
  if (!f) {
    diag_report(DIAG_ERROR, (Loc){0}, "cannot open '%s': %s", opt->input, strerror(errno));
    return res;
  }
  fclose(f);
  Fe fe = {0};
  fe.arena = arena;
  CXIndex index = clang_createIndex(0, 0);
  if (parse_tu(&fe, index, opt)) {
    fe.m = ir_module_new(arena, fe.main_file);
    collect_deps(&fe, &res);
    clang_visitChildren(clang_getTranslationUnitCursor(fe.tu), visit_top, &fe);
    find_reachable(&fe);
    for (int i = 0; i < fe.fns.len; i++)
      if (fe.fns.data[i]->reached && !fe.fns.data[i]->fn)
        make_fn(&fe, fe.fns.data[i]);
    for (int i = 0; i < fe.fns.len; i++)
      if (fe.fns.data[i]->lower) {
        int before = diag_errors();
        fe_lower_fn(&fe, fe.fns.data[i]);
        if (diag_errors() > before && fe.fns.data[i]->fn)
          fe.fns.data[i]->fn->broken = true; /* the AD stage leaves it alone */
      }
    res.module = fe.m;
  }
  if (fe.tu)
    clang_disposeTranslationUnit(fe.tu);
  clang_disposeIndex(index);
  return res;
}
