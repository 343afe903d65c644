/* lower_stmt.c — C statements → IR statements.
 *
 * Compound statements flatten into the current block (scopes only matter for name
 * lookup, and every declaration is its own variable). if/for/while/do map to ST_IF
 * and ST_LOOP; a for's init goes before the loop. `switch` becomes a loop that runs
 * once: the scrutinee is evaluated into a temporary, each case label sets a
 * `fall` flag (`fall |= s == v`), and each run of statements runs under
 * `if (fall)`, so fallthrough works and `break` leaves the once-loop. Unsupported
 * statements (goto, asm, ...) are reported and skipped. */
#include "frontend/fe.h"

#include <string.h>

static void stmt_inner(Lower *l, CXCursor s);

static Type *int_type(Lower *l) { return ir_type_int(l->m, "int", 4, true); }

static void push(Lower *l, Stmt *s) { ir_block_push(l->m, l->cur, s); }

static void unsupported(Lower *l, CXCursor s, const char *hint, const char *what) {
  fe_error(l->fe, fe_loc_start(l->fe, s), hint, "%s", what);
}

/* ---- declarations ---- */

/* A local's type without const at its own level (or its elements', for arrays):
 * lowering initializes it with instructions and stores. */
static Type *writable(Lower *l, Type *t) {
  if (t->kind == TY_ARRAY)
    return ir_type_array(l->m, writable(l, t->elem), t->len);
  return ir_type_unqual(l->m, t);
}

static void local_var(Lower *l, CXCursor d) {
  enum CX_StorageClass sc = clang_Cursor_getStorageClass(d);
  if (sc == CX_SC_Extern)
    return; /* a block-scope extern: resolved as a global where it is used */
  if (sc == CX_SC_Static)
    unsupported(l, d, "move it to file scope",
                "static local variables are not supported in differentiated code");
  fe_check_volatile(l, d);
  Type *t = writable(l, fe_type(l->fe, clang_getCursorType(d), d));
  const char *name = fe_str(l->fe, clang_getCursorSpelling(d));
  int v = ir_var_new(l->m, l->fn, name, t, VAR_LOCAL, fe_loc(l->fe, d));
  fe_bind(l, d, v);
  CXCursor init = clang_Cursor_getVarDeclInitializer(d);
  if (!clang_Cursor_isNull(init) && sc != CX_SC_Static)
    fe_init(l, v, init);
}

static void decl_stmt(Lower *l, CXCursor s) {
  int n;
  CXCursor *kids = fe_kids(l->fe, s, &n);
  for (int i = 0; i < n; i++)
    if (clang_getCursorKind(kids[i]) == CXCursor_VarDecl)
      local_var(l, kids[i]);
}

/* ---- control flow ---- */

/* ADJ_NO_GRAD expands to `if (adj__no_grad_scope())`. */
static bool is_no_grad(Lower *l, CXCursor cond) {
  CXCursor e = fe_strip_parens(cond);
  CXCursor inner;
  while (clang_getCursorKind(e) == CXCursor_UnexposedExpr &&
         !clang_Cursor_isNull(inner = fe_child(e, 0)) && fe_children(e, NULL, 0) == 1)
    e = fe_strip_parens(inner);
  if (clang_getCursorKind(e) != CXCursor_CallExpr)
    return false;
  const char *name = fe_str(l->fe, clang_getCursorSpelling(clang_getCursorReferenced(e)));
  return str_eq(name, "adj__no_grad_scope");
}

/* Lower s into block b (then restore the current block). */
static void lower_into(Lower *l, Block *b, CXCursor s) {
  Block *saved = l->cur;
  l->cur = b;
  stmt_inner(l, s);
  l->cur = saved;
}

static void if_stmt(Lower *l, CXCursor s) {
  CXCursor kids[3];
  int n = fe_children(s, kids, 3);
  if (is_no_grad(l, kids[0])) {
    bool saved = l->nograd;
    l->nograd = true;
    fe_stmt(l, kids[1]);
    l->nograd = saved;
    return;
  }
  Stmt *st = ir_stmt_new(l->m, ST_IF, l->loc, l->src);
  st->if_.cond = fe_cond(l, kids[0]);
  push(l, st);
  lower_into(l, &st->if_.then_b, kids[1]);
  if (n > 2)
    lower_into(l, &st->if_.else_b, kids[2]);
}

static Stmt *new_loop(Lower *l) {
  Stmt *st = ir_stmt_new(l->m, ST_LOOP, l->loc, l->src);
  st->loop.id = l->fn->nloops++;
  st->loop.cond = (Operand){.kind = OPD_NONE};
  push(l, st);
  return st;
}

/* The body of a loop, with break and continue aimed at it. */
static void loop_body(Lower *l, Stmt *st, CXCursor body) {
  int brk = l->brk, cont = l->cont;
  l->brk = l->cont = st->loop.id;
  lower_into(l, &st->loop.body, body);
  l->brk = brk;
  l->cont = cont;
}

static void loop_cond(Lower *l, Stmt *st, CXCursor cond) {
  Block *saved = l->cur;
  l->cur = &st->loop.cond_b;
  st->loop.cond = fe_cond(l, cond);
  l->cur = saved;
}

static void while_stmt(Lower *l, CXCursor s) {
  CXCursor kids[2];
  fe_children(s, kids, 2);
  Stmt *st = new_loop(l);
  loop_cond(l, st, kids[0]);
  loop_body(l, st, kids[1]);
}

static void do_stmt(Lower *l, CXCursor s) {
  CXCursor kids[2];
  fe_children(s, kids, 2);
  l->src = "do";
  Stmt *st = new_loop(l);
  st->loop.test_after = true;
  loop_body(l, st, kids[0]);
  const char *ct = fe_text(l->fe, kids[1], false);
  l->src = ct ? arena_printf(l->m->arena, "while (%s);", ct) : NULL;
  loop_cond(l, st, kids[1]);
}

/* Offsets of the two ';' of a for header, found in its tokens. */
static bool for_semicolons(Lower *l, CXCursor s, CXCursor body, unsigned semi[2]) {
  CXSourceRange r = clang_getRange(clang_getRangeStart(clang_getCursorExtent(s)),
                                   clang_getRangeStart(clang_getCursorExtent(body)));
  CXToken *toks = NULL;
  unsigned n = 0, found = 0;
  int depth = 0;
  clang_tokenize(l->fe->tu, r, &toks, &n);
  for (unsigned i = 0; i < n && found < 2; i++) {
    CXString sp = clang_getTokenSpelling(l->fe->tu, toks[i]);
    const char *t = clang_getCString(sp);
    if (str_eq(t, "("))
      depth++;
    else if (str_eq(t, ")"))
      depth--;
    else if (str_eq(t, ";") && depth == 1) {
      unsigned line, col;
      CXFile f;
      clang_getExpansionLocation(clang_getTokenLocation(l->fe->tu, toks[i]), &f, &line, &col,
                                 &semi[found++]);
    }
    clang_disposeString(sp);
  }
  clang_disposeTokens(l->fe->tu, toks, n);
  return found == 2;
}

/* ForStmt omits empty slots: classify the children by the header's ';'s. */
static bool for_parts(Lower *l, CXCursor s, CXCursor *init, CXCursor *cond, CXCursor *step,
                      CXCursor *body) {
  CXCursor kids[4];
  int n = fe_children(s, kids, 4);
  *init = *cond = *step = clang_getNullCursor();
  *body = kids[n - 1];
  if (n == 4) {
    *init = kids[0], *cond = kids[1], *step = kids[2];
    return true;
  }
  if (n == 2 && clang_getCursorKind(kids[0]) == CXCursor_DeclStmt) {
    *init = kids[0];
    return true;
  }
  unsigned semi[2];
  if (n > 1 && (fe_in_macro(s) || !for_semicolons(l, s, *body, semi))) {
    unsupported(l, s, "write the loop header without macros, or fill every slot",
                "cannot tell the parts of this for loop header apart (it comes from a macro)");
    return false;
  }
  for (int i = 0; i < n - 1; i++) {
    unsigned b, e;
    fe_offsets(l->fe, kids[i], &b, &e);
    if (b < semi[0])
      *init = kids[i];
    else if (b < semi[1])
      *cond = kids[i];
    else
      *step = kids[i];
  }
  return true;
}

static void for_stmt(Lower *l, CXCursor s) {
  CXCursor init, cond, step, body;
  if (!for_parts(l, s, &init, &cond, &step, &body))
    return;
  if (!clang_Cursor_isNull(init))
    stmt_inner(l, init);
  Stmt *st = new_loop(l);
  if (!clang_Cursor_isNull(cond))
    loop_cond(l, st, cond);
  loop_body(l, st, body);
  if (!clang_Cursor_isNull(step)) {
    Block *saved = l->cur;
    l->cur = &st->loop.step;
    fe_expr(l, step, DST_DISCARD);
    l->cur = saved;
  }
}

/* ---- switch ---- */

typedef struct Switch {
  Stmt *loop;
  Operand scrut;
  int fall;        /* int temp: a label matched, execution falls through */
  int dflt;        /* int temp: no case value matches (-1 without default) */
  Block *guard;    /* the open `if (fall)` block, or NULL */
} Switch;

static bool is_label(CXCursor c) {
  enum CXCursorKind k = clang_getCursorKind(c);
  return k == CXCursor_CaseStmt || k == CXCursor_DefaultStmt;
}

/* The value of a case label, keeping an enum constant's or literal's spelling. */
static Operand case_value(Lower *l, CXCursor label, Type *t) {
  CXCursor kids[3];
  int n = fe_children(label, kids, 3);
  if (n > 2) {
    unsupported(l, label, "list the case values one by one",
                "case ranges are not supported by adjc");
  }
  Operand v = fe_expr(l, kids[0], DST_TEMP);
  if (v.kind == OPD_INT)
    v.type = t;
  return v;
}

/* The sub-statement of a case/default label. */
static CXCursor label_body(CXCursor label) {
  CXCursor kids[3];
  int n = fe_children(label, kids, 3);
  return kids[n - 1];
}

/* Precompute `dflt = s != v1 & s != v2 & ...` over every case label. */
static void collect_cases(Lower *l, Switch *sw, CXCursor c, bool *has_default) {
  while (is_label(c)) {
    if (clang_getCursorKind(c) == CXCursor_DefaultStmt) {
      *has_default = true;
    } else if (sw->dflt >= 0) {
      Loc loc = fe_loc(l->fe, c);
      Operand v = case_value(l, c, sw->scrut.type);
      int t = fe_temp(l, int_type(l));
      Inst *ne = fe_emit(l, OP_NE, int_type(l), t, loc);
      ne->args[0] = sw->scrut, ne->args[1] = v;
      Inst *and = fe_emit(l, OP_BAND, int_type(l), sw->dflt, loc);
      and->args[0] = ir_opd_var(l->fn, sw->dflt), and->args[1] = ir_opd_var(l->fn, t);
    }
    c = label_body(c);
  }
}

/* `fall |= (s == v)` (or `fall |= dflt`) for each label of a chain; returns the
 * statement under the labels. */
static CXCursor open_labels(Lower *l, Switch *sw, CXCursor c) {
  while (is_label(c)) {
    Loc loc = fe_loc(l->fe, c);
    Operand m;
    if (clang_getCursorKind(c) == CXCursor_DefaultStmt) {
      m = ir_opd_var(l->fn, sw->dflt);
    } else {
      int t = fe_temp(l, int_type(l));
      Inst *eq = fe_emit(l, OP_EQ, int_type(l), t, loc);
      eq->args[0] = sw->scrut, eq->args[1] = case_value(l, c, sw->scrut.type);
      m = ir_opd_var(l->fn, t);
    }
    Inst *o = fe_emit(l, OP_BOR, int_type(l), sw->fall, loc);
    o->args[0] = ir_opd_var(l->fn, sw->fall), o->args[1] = m;
    c = label_body(c);
  }
  return c;
}

/* Lower a statement of the switch body under `if (fall)`. */
static void guarded(Lower *l, Switch *sw, CXCursor s) {
  if (!sw->guard) {
    Stmt *st = ir_stmt_new(l->m, ST_IF, l->loc, l->src);
    st->if_.cond = ir_opd_var(l->fn, sw->fall);
    push(l, st);
    sw->guard = &st->if_.then_b;
  }
  Block *saved = l->cur;
  l->cur = sw->guard;
  fe_stmt(l, s);
  l->cur = saved;
}

static void switch_stmt(Lower *l, CXCursor s) {
  CXCursor kids[2];
  fe_children(s, kids, 2);
  Switch sw = {0};
  sw.loop = new_loop(l);
  Block *saved = l->cur;
  l->cur = &sw.loop->loop.body;
  int n = 1;
  CXCursor *items = &kids[1];
  if (clang_getCursorKind(kids[1]) == CXCursor_CompoundStmt)
    items = fe_kids(l->fe, kids[1], &n);
  /* the scrutinee, once, in a temporary */
  Operand s0 = fe_expr(l, kids[0], DST_TEMP);
  if (s0.kind != OPD_VAR || l->fn->vars[s0.var].kind != VAR_TEMP) {
    int t = fe_temp(l, s0.type);
    Inst *mv = fe_emit(l, OP_MOV, l->fn->vars[t].type, t, l->loc);
    mv->args[0] = s0;
    s0 = ir_opd_var(l->fn, t);
  }
  sw.scrut = s0;
  Loc loc = l->loc;
  /* default: matches when no case value does */
  bool has_default = false;
  sw.dflt = -1;
  for (int i = 0; i < n; i++)
    collect_cases(l, &sw, items[i], &has_default);
  if (has_default) {
    sw.dflt = fe_temp(l, int_type(l));
    Inst *d1 = fe_emit(l, OP_MOV, int_type(l), sw.dflt, loc);
    d1->args[0] = ir_opd_int(l->m, 1);
    for (int i = 0; i < n; i++)
      collect_cases(l, &sw, items[i], &has_default);
  }
  sw.fall = fe_temp(l, int_type(l));
  Inst *f0 = fe_emit(l, OP_MOV, int_type(l), sw.fall, loc);
  f0->args[0] = ir_opd_int(l->m, 0);
  int brk = l->brk;
  l->brk = sw.loop->loop.id;
  for (int i = 0; i < n; i++) {
    CXCursor c = items[i];
    if (is_label(c)) {
      sw.guard = NULL;
      c = open_labels(l, &sw, c);
    }
    guarded(l, &sw, c);
  }
  l->brk = brk;
  Stmt *b = ir_stmt_new(l->m, ST_BREAK, l->loc, l->src);
  b->target = sw.loop->loop.id;
  push(l, b);
  l->cur = saved;
}

/* ---- jumps ---- */

static void jump(Lower *l, CXCursor s, StmtKind kind) {
  int target = kind == ST_BREAK ? l->brk : l->cont;
  if (target < 0) {
    unsupported(l, s, NULL, "break or continue outside a loop");
    return;
  }
  Stmt *st = ir_stmt_new(l->m, kind, l->loc, l->src);
  st->target = target;
  push(l, st);
}

static void return_stmt(Lower *l, CXCursor s) {
  CXCursor e = fe_child(s, 0);
  Operand v = {.kind = OPD_NONE};
  if (!clang_Cursor_isNull(e))
    v = fe_expr(l, e, l->fn->ret->kind == TY_VOID ? DST_DISCARD : DST_TEMP);
  if (l->fn->ret->kind == TY_VOID)
    v = (Operand){.kind = OPD_NONE};
  Stmt *st = ir_stmt_new(l->m, ST_RETURN, l->loc, l->src);
  st->value = v;
  push(l, st);
}

/* ---- dispatch ---- */

static void compound(Lower *l, CXCursor s) {
  int n;
  CXCursor *kids = fe_kids(l->fe, s, &n);
  for (int i = 0; i < n; i++)
    fe_stmt(l, kids[i]);
}

/* Is s an `assert(...)` (the statement starts with that macro's name)? glibc's
 * expansion holds a statement expression and string literals; an assertion
 * carries no derivative, so it is left out of the lowered code. */
static bool is_assert(Lower *l, CXCursor s) {
  if (!fe_in_macro(s))
    return false;
  CXFile file;
  unsigned line, col, off;
  clang_getExpansionLocation(clang_getRangeStart(clang_getCursorExtent(s)), &file, &line, &col,
                             &off);
  if (!file)
    return false;
  CXSourceRange r = clang_getRange(clang_getLocationForOffset(l->fe->tu, file, off),
                                   clang_getLocationForOffset(l->fe->tu, file, off + 6));
  CXToken *toks = NULL;
  unsigned n = 0;
  clang_tokenize(l->fe->tu, r, &toks, &n);
  bool yes = false;
  if (n >= 1) {
    CXString sp = clang_getTokenSpelling(l->fe->tu, toks[0]);
    yes = str_eq(clang_getCString(sp), "assert");
    clang_disposeString(sp);
  }
  clang_disposeTokens(l->fe->tu, toks, n);
  return yes;
}

/* Lower s with the current statement location and text. */
static void stmt_inner(Lower *l, CXCursor s) {
  enum CXCursorKind k = clang_getCursorKind(s);
  switch (k) {
  case CXCursor_CompoundStmt: compound(l, s); return;
  case CXCursor_DeclStmt: decl_stmt(l, s); return;
  case CXCursor_IfStmt: if_stmt(l, s); return;
  case CXCursor_WhileStmt: while_stmt(l, s); return;
  case CXCursor_DoStmt: do_stmt(l, s); return;
  case CXCursor_ForStmt: for_stmt(l, s); return;
  case CXCursor_SwitchStmt: switch_stmt(l, s); return;
  case CXCursor_BreakStmt: jump(l, s, ST_BREAK); return;
  case CXCursor_ContinueStmt: jump(l, s, ST_CONTINUE); return;
  case CXCursor_ReturnStmt: return_stmt(l, s); return;
  case CXCursor_NullStmt: return;
  case CXCursor_CaseStmt:
  case CXCursor_DefaultStmt:
    unsupported(l, s, "put every case label directly in the switch body",
                "case labels inside nested statements are not supported by adjc");
    return;
  case CXCursor_GotoStmt:
  case CXCursor_IndirectGotoStmt:
    unsupported(l, s, "restructure the loop with break, continue or a flag variable",
                k == CXCursor_GotoStmt ? "goto is not supported by adjc"
                                       : "computed goto is not supported by adjc");
    return;
  case CXCursor_LabelStmt:
    unsupported(l, s, "restructure the loop with break, continue or a flag variable",
                "labels are not supported by adjc");
    fe_stmt(l, fe_child(s, 0));
    return;
  case CXCursor_GCCAsmStmt:
  case CXCursor_MSAsmStmt:
    unsupported(l, s, "move the assembly into a function marked ADJ_INACTIVE or ADJ_CUSTOM_GRAD",
                "inline assembly is not supported by adjc");
    return;
  case CXCursor_UnexposedStmt: {
    /* attributed statements ([[fallthrough]], __attribute__((...))) */
    int n;
    CXCursor *kids = fe_kids(l->fe, s, &n);
    for (int i = 0; i < n; i++)
      if (clang_isStatement(clang_getCursorKind(kids[i])) ||
          clang_isExpression(clang_getCursorKind(kids[i])))
        stmt_inner(l, kids[i]);
    return;
  }
  default:
    if (clang_isExpression(k)) {
      if (!is_assert(l, s))
        fe_expr(l, s, DST_DISCARD);
      return;
    }
    unsupported(l, s, NULL, "this statement is not supported by adjc");
  }
}

/* The one-line text of a statement: loop and if headers only, `;` appended to
 * expression and jump statements (libclang's extent stops before it). */
static const char *stmt_text(Lower *l, CXCursor s) {
  enum CXCursorKind k = clang_getCursorKind(s);
  bool header = k == CXCursor_ForStmt || k == CXCursor_WhileStmt || k == CXCursor_IfStmt ||
                k == CXCursor_SwitchStmt;
  const char *t = fe_text(l->fe, s, header);
  if (!t || header || k == CXCursor_DeclStmt || k == CXCursor_CompoundStmt)
    return t;
  size_t n = strlen(t);
  if (n && t[n - 1] != ';' && t[n - 1] != '}')
    t = arena_printf(l->m->arena, "%s;", t);
  return t;
}

void fe_stmt(Lower *l, CXCursor s) {
  Loc loc = l->loc;
  const char *src = l->src;
  if (clang_getCursorKind(s) != CXCursor_CompoundStmt) {
    l->loc = fe_loc_start(l->fe, s);
    l->src = stmt_text(l, s);
  }
  stmt_inner(l, s);
  l->loc = loc;
  l->src = src;
}

void fe_lower_fn(Fe *fe, FnInfo *info) {
  Lower l = {0};
  l.fe = fe;
  l.m = fe->m;
  l.fn = info->fn;
  l.info = info;
  l.cur = &info->fn->body;
  l.brk = l.cont = -1;
  l.loc = info->fn->loc;
  fe->fn_serial++;
  int nparams = clang_Cursor_getNumArguments(info->def);
  for (int i = 0; i < nparams && i < info->fn->nparams; i++)
    fe_bind(&l, clang_Cursor_getArgument(info->def, (unsigned)i), i);
  for (int i = 0; i < nparams; i++)
    fe_check_volatile(&l, clang_Cursor_getArgument(info->def, (unsigned)i));
  if (info->fn->is_variadic)
    fe_error(fe, info->fn->loc, "pass an array and a count instead",
             "variadic functions are not supported in differentiated code");
  int n;
  CXCursor *kids = fe_kids(fe, info->def, &n);
  for (int i = 0; i < n; i++)
    if (clang_getCursorKind(kids[i]) == CXCursor_CompoundStmt)
      fe_stmt(&l, kids[i]);
}
