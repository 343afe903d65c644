/* c.c — write C from the IR.
 *
 * The output is the input file, unchanged, followed by the generated functions:
 * prototypes first (so generated functions may call each other in any order), then
 * each definition. Within a function:
 *  - every variable is declared once at the top, zero-initialized, so values the
 *    reverse sweep reads are never indeterminate; unused ones are not declared;
 *  - a temporary used exactly once, by the very next statement, is folded into that
 *    statement as an expression (`d_a += dy * b;` rather than two lines); operands
 *    are parenthesized by C precedence, and a right operand of equal precedence is
 *    always parenthesized so evaluation order (and rounding) is exactly the IR's;
 *  - a comment names the source statement a group of statements comes from, and a
 *    `#line` directive maps them back to the user's file (unless --no-line).
 * Output is deterministic: names depend only on the IR. */
#include "emit/emit.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct Em {
  StrBuf *out;
  const Fn *fn;
  const EmitOptions *opt;
  const char **names; /* per variable */
  int *uses;          /* operand uses per variable */
  int *defs;          /* definitions per variable */
  bool *inlined;      /* temporaries folded into their single use */
  const Stmt **def_of;
  int depth;
  int line;           /* current output line (1-based) */
  Loc last_loc;       /* for #line */
  const char *last_src;
  Arena *arena;
} Em;

/* ---- output helpers: track the line number for #line directives ----------------- */

static void put(Em *e, const char *s) {
  for (const char *p = s; *p; p++)
    if (*p == '\n')
      e->line++;
  sb_puts(e->out, s);
}

static void putf(Em *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(Em *e, const char *fmt, ...) {
  StrBuf sb = {0};
  va_list ap;
  va_start(ap, fmt);
  sb_vprintf(&sb, fmt, ap);
  va_end(ap);
  if (sb.data)
    put(e, sb.data);
  sb_free(&sb);
}

static void indent(Em *e) {
  for (int i = 0; i < e->depth; i++)
    put(e, "  ");
}

/* Point diagnostics for the following lines back at the output file itself. */
static void line_here(Em *e) {
  if (!e->opt->line_directives || !e->opt->output)
    return;
  putf(e, "#line %d \"%s\"\n", e->line + 1, e->opt->output);
  e->last_loc = (Loc){0};
}

/* ---- names ----------------------------------------------------------------------- */

static bool name_used(Em *e, int upto, const char *name) {
  for (int i = 0; i < upto; i++)
    if (e->names[i] && strcmp(e->names[i], name) == 0)
      return true;
  return false;
}

/* Unique names: parameters and globals keep theirs; a local or temporary whose name
 * is taken gets the next free numeric suffix; temporaries are always numbered. */
static void assign_names(Em *e) {
  const Fn *fn = e->fn;
  for (int v = 0; v < fn->nvars; v++) {
    const Var *var = &fn->vars[v];
    if (v < fn->nparams || var->kind == VAR_GLOBAL) {
      e->names[v] = var->name;
      continue;
    }
    if ((!e->uses[v] && !e->defs[v] && !(fn->has_tape && v == fn->tape)) || e->inlined[v])
      continue; /* never printed */
    /* temporaries are numbered from 1; named variables get a number only on a clash */
    /* "t" and its derivatives' "d_t", "t_t": numbered from 1 */
    size_t len = strlen(var->name);
    bool numbered = var->kind == VAR_TEMP &&
                    (strcmp(var->name, "t") == 0 || (len > 2 && strcmp(var->name + len - 2, "_t") == 0));
    const char *name = numbered ? arena_printf(e->arena, "%s1", var->name) : var->name;
    for (int k = 2; name_used(e, fn->nvars, name); k++)
      name = arena_printf(e->arena, "%s%d", var->name, k);
    e->names[v] = name;
  }
}

/* ---- use counts and inlining ------------------------------------------------------ */

static void count_opd(Em *e, Operand o) {
  if (o.kind == OPD_VAR)
    e->uses[o.var]++;
}

static void count_place(Em *e, const Place *p) {
  e->uses[p->var]++;
  for (int i = 0; i < p->nproj; i++)
    if (p->proj[i].kind == PJ_INDEX)
      count_opd(e, p->proj[i].index);
}

static void count_block(Em *e, const Block *b);

static void count_stmt(Em *e, const Stmt *s) {
  switch (s->kind) {
  case ST_INST: {
    const Inst *in = &s->inst;
    for (int i = 0; i < ir_ops[in->op].arity && i < 3; i++)
      count_opd(e, in->args[i]);
    for (int i = 0; i < in->ncall_args; i++)
      count_opd(e, in->call_args[i]);
    if (in->place)
      count_place(e, in->place);
    if (in->op == OP_PUSH || in->op == OP_POP) {
      e->uses[e->fn->tape]++;
      if (in->op == OP_PUSH && in->args[0].kind == OPD_VAR)
        e->uses[in->args[0].var] += 2; /* its address is taken: never fold it */
    }
    if (in->dst >= 0) {
      e->defs[in->dst]++;
      e->def_of[in->dst] = s;
      if (in->op == OP_POP)
        e->uses[in->dst] += 2;
    }
    return;
  }
  case ST_IF:
    count_opd(e, s->if_.cond);
    count_block(e, &s->if_.then_b);
    count_block(e, &s->if_.else_b);
    return;
  case ST_LOOP:
    count_block(e, &s->loop.cond_b);
    count_opd(e, s->loop.cond);
    count_block(e, &s->loop.body);
    count_block(e, &s->loop.step);
    return;
  case ST_RETURN:
    count_opd(e, s->value);
    return;
  default:
    return;
  }
}

static void count_block(Em *e, const Block *b) {
  for (int i = 0; i < b->len; i++)
    count_stmt(e, b->items[i]);
}

/* May the value of statement s be folded into the statement after it? */
static bool foldable(Em *e, const Stmt *s) {
  if (s->kind != ST_INST)
    return false;
  const Inst *in = &s->inst;
  if (in->dst < 0 || e->fn->vars[in->dst].kind != VAR_TEMP)
    return false;
  if (e->uses[in->dst] != 1 || e->defs[in->dst] != 1)
    return false;
  OpKind k = ir_ops[in->op].kind;
  return k == K_ARITH || k == K_MATH || k == K_CMP || k == K_INT || in->op == OP_LOAD;
}

/* Does statement s read variable v (as an operand, not a place root)? */
static bool reads_var(const Stmt *s, int v) {
  switch (s->kind) {
  case ST_INST:
    for (int i = 0; i < ir_ops[s->inst.op].arity && i < 3; i++)
      if (s->inst.args[i].kind == OPD_VAR && s->inst.args[i].var == v)
        return true;
    for (int i = 0; i < s->inst.ncall_args; i++)
      if (s->inst.call_args[i].kind == OPD_VAR && s->inst.call_args[i].var == v)
        return true;
    if (s->inst.place)
      for (int i = 0; i < s->inst.place->nproj; i++)
        if (s->inst.place->proj[i].kind == PJ_INDEX && s->inst.place->proj[i].index.kind == OPD_VAR &&
            s->inst.place->proj[i].index.var == v)
          return true;
    return false;
  case ST_IF:
    return s->if_.cond.kind == OPD_VAR && s->if_.cond.var == v;
  case ST_RETURN:
    return s->value.kind == OPD_VAR && s->value.var == v;
  default:
    return false;
  }
}

static void mark_inlined(Em *e, const Block *b);

/* Add to `set` the variables statement s reads as operands or indices. */
static void reads_of(Em *e, const Stmt *s, bool *set) {
  int n = e->fn->nvars;
  for (int v = 0; v < n; v++)
    if (!set[v] && reads_var(s, v))
      set[v] = true;
}

static void mark_stmt(Em *e, const Stmt *s) {
  if (s->kind == ST_IF) {
    mark_inlined(e, &s->if_.then_b);
    mark_inlined(e, &s->if_.else_b);
  } else if (s->kind == ST_LOOP) {
    const Loop *l = &s->loop;
    mark_inlined(e, &l->cond_b);
    /* the last condition statement folds into the loop test */
    if (l->cond_b.len && l->cond.kind == OPD_VAR) {
      const Stmt *last = l->cond_b.items[l->cond_b.len - 1];
      if (foldable(e, last) && last->inst.dst == l->cond.var && !e->inlined[l->cond.var])
        e->inlined[l->cond.var] = true;
    }
    mark_inlined(e, &l->body);
    mark_inlined(e, &l->step);
  }
}

/* Fold, into each statement, the run of single-use temporaries defined right before
 * it that its expression reads (directly or through temporaries already folded):
 * they are pure, so evaluating them inside the statement changes nothing. The run
 * stops at the first statement that is not such a temporary (a store, a call, a
 * temporary read elsewhere), so nothing moves across a side effect. */
static void mark_inlined(Em *e, const Block *b) {
  bool *set = ARENA_ARRAY(e->arena, bool, e->fn->nvars + 1);
  for (int j = 0; j < b->len; j++) {
    const Stmt *s = b->items[j];
    mark_stmt(e, s);
    if (s->kind == ST_LOOP || (s->kind == ST_INST && s->inst.dst >= 0 && e->inlined[s->inst.dst]))
      continue;
    memset(set, 0, sizeof(bool) * (size_t)(e->fn->nvars + 1));
    reads_of(e, s, set);
    for (int k = j - 1; k >= 0; k--) {
      const Stmt *d = b->items[k];
      if (!foldable(e, d) || e->inlined[d->inst.dst])
        break;
      if (!set[d->inst.dst])
        continue; /* a pure temporary of some later statement: step over it */
      e->inlined[d->inst.dst] = true;
      reads_of(e, d, set);
    }
  }
}

/* ---- expressions ------------------------------------------------------------------ */

enum { PREC_TERNARY = 3, PREC_OR = 6, PREC_XOR = 7, PREC_AND = 8, PREC_EQ = 9, PREC_REL = 10,
       PREC_SHIFT = 11, PREC_ADD = 12, PREC_MUL = 13, PREC_UNARY = 14, PREC_PRIMARY = 16 };

static int prec_of(Op op) {
  switch (op) {
  case OP_ADD: case OP_SUB: return PREC_ADD;
  case OP_MUL: case OP_DIV: case OP_REM: return PREC_MUL;
  case OP_SHL: case OP_SHR: return PREC_SHIFT;
  case OP_LT: case OP_LE: case OP_GT: case OP_GE: return PREC_REL;
  case OP_EQ: case OP_NE: return PREC_EQ;
  case OP_BAND: return PREC_AND;
  case OP_BXOR: return PREC_XOR;
  case OP_BOR: return PREC_OR;
  case OP_SELECT: return PREC_TERNARY;
  case OP_NEG: case OP_BNOT: case OP_LNOT: case OP_CAST: return PREC_UNARY;
  default: return PREC_PRIMARY;
  }
}

/* Shortest decimal spelling of v that reads back exactly, as a C literal of type t. */
static void float_literal(StrBuf *sb, double v, const Type *t) {
  char buf[64];
  if (isinf(v)) {
    snprintf(buf, sizeof buf, "%sHUGE_VAL%s", v < 0 ? "-" : "", t->kind == TY_F32 ? "F" : "");
    sb_puts(sb, buf);
    return;
  }
  for (int p = 1; p <= 17; p++) {
    snprintf(buf, sizeof buf, "%.*g", p, v);
    if (strtod(buf, NULL) == v)
      break;
  }
  if (!strpbrk(buf, ".eEn"))
    strcat(buf, ".0");
  sb_puts(sb, buf);
  if (t->kind == TY_F32)
    sb_putc(sb, 'f');
}

static void expr_inst(Em *e, StrBuf *sb, const Inst *in);

static void operand(Em *e, StrBuf *sb, Operand o, int ctx_prec, bool right) {
  switch (o.kind) {
  case OPD_NONE:
    sb_puts(sb, "0");
    return;
  case OPD_INT:
    if (o.spelling)
      sb_puts(sb, o.spelling);
    else if (o.type && o.type->kind == TY_PTR && o.ival == 0)
      sb_puts(sb, "NULL");
    else if (o.ival < 0 && ctx_prec >= PREC_UNARY)
      sb_printf(sb, "(%lld)", o.ival);
    else
      sb_printf(sb, "%lld", o.ival);
    return;
  case OPD_FLOAT:
    if (o.spelling) {
      sb_puts(sb, o.spelling);
    } else if (o.fval < 0 && ctx_prec >= PREC_UNARY) {
      sb_putc(sb, '(');
      float_literal(sb, o.fval, o.type);
      sb_putc(sb, ')');
    } else {
      float_literal(sb, o.fval, o.type);
    }
    return;
  case OPD_VAR:
    if (e->inlined[o.var]) {
      const Inst *in = &e->def_of[o.var]->inst;
      if (in->op == OP_MOV || in->op == OP_STOPGRAD) {
        operand(e, sb, in->args[0], ctx_prec, right); /* a copy is transparent */
        return;
      }
      int p = prec_of(in->op);
      bool paren = p < ctx_prec || (right && p == ctx_prec && p != PREC_PRIMARY);
      /* operands of comparisons, shifts and bitwise operators: parenthesize any
       * binary operation, as gcc's -Wparentheses asks */
      if (ctx_prec <= PREC_SHIFT && ctx_prec > PREC_TERNARY && p < PREC_UNARY)
        paren = true;
      if (paren)
        sb_putc(sb, '(');
      expr_inst(e, sb, in);
      if (paren)
        sb_putc(sb, ')');
      return;
    }
    sb_puts(sb, e->names[o.var]);
    return;
  }
}

/* A place as a C lvalue. `whole` is false when it is an operand of an operator (a
 * bare `*p` is then parenthesized: `a / *p` would open a comment). */
static Type *assignable(Em *e, Type *t);

static void place(Em *e, StrBuf *sb, const Place *p, bool whole) {
  StrBuf cur = {0};
  sb_puts(&cur, e->names[p->var]);
  const Type *ty = e->fn->vars[p->var].type;
  for (int i = 0; i < p->nproj; i++) {
    const Proj *pj = &p->proj[i];
    StrBuf next = {0};
    if (whole && pj->kind != PJ_FIELD && ty->kind == TY_PTR && ty->elem->is_const) {
      /* writing an adjoint through a pointer the user's type declares const (a
       * shadow struct's `const double *data`): the shadow memory is the caller's
       * writable d_ array, so the const is cast away here */
      StrBuf cast = {0};
      StrBuf decl = {0};
      Type ptr = *ty;
      ptr.elem = assignable(e, ty->elem);
      ir_type_decl(&decl, &ptr, "");
      sb_printf(&cast, "((%s)%s)", decl.data, cur.data);
      sb_free(&decl);
      sb_free(&cur);
      cur = cast;
    }
    ty = pj->kind == PJ_DEREF && i + 1 < p->nproj && p->proj[i + 1].kind == PJ_FIELD ? p->proj[i + 1].type
                                                                                     : pj->type;
    switch (pj->kind) {
    case PJ_DEREF:
      if (i + 1 < p->nproj && p->proj[i + 1].kind == PJ_FIELD) {
        sb_printf(&next, "%s->%s", cur.data, p->proj[i + 1].field);
        i++;
      } else if (i + 1 == p->nproj && whole) {
        sb_printf(&next, "*%s", cur.data);
      } else {
        sb_printf(&next, "(*%s)", cur.data);
      }
      break;
    case PJ_INDEX:
      sb_printf(&next, "%s[", cur.data);
      operand(e, &next, pj->index, 0, false);
      sb_putc(&next, ']');
      break;
    case PJ_FIELD:
      sb_printf(&next, "%s.%s", cur.data, pj->field);
      break;
    }
    sb_free(&cur);
    cur = next;
  }
  sb_puts(sb, cur.data);
  sb_free(&cur);
}

static void math_name(StrBuf *sb, const Inst *in) {
  sb_puts(sb, ir_ops[in->op].cname);
  if (in->type->kind == TY_F32)
    sb_putc(sb, 'f');
}

/* The right-hand side of an instruction. */
static void expr_inst(Em *e, StrBuf *sb, const Inst *in) {
  const OpInfo *info = &ir_ops[in->op];
  int p = prec_of(in->op);
  switch (in->op) {
  case OP_MOV:
  case OP_STOPGRAD:
    operand(e, sb, in->args[0], 0, false);
    return;
  case OP_NEG: case OP_BNOT: case OP_LNOT:
    sb_puts(sb, info->cname);
    operand(e, sb, in->args[0], PREC_UNARY + 1, false);
    return;
  case OP_CAST:
    sb_putc(sb, '(');
    ir_type_decl(sb, in->type, "");
    sb_putc(sb, ')');
    operand(e, sb, in->args[0], PREC_UNARY, false);
    return;
  case OP_SELECT:
    operand(e, sb, in->args[0], PREC_TERNARY + 1, false);
    sb_puts(sb, " ? ");
    operand(e, sb, in->args[1], PREC_TERNARY + 1, false);
    sb_puts(sb, " : ");
    operand(e, sb, in->args[2], PREC_TERNARY, false);
    return;
  case OP_LOAD:
    place(e, sb, in->place, false);
    return;
  case OP_ADDR:
    if (in->place->nproj && in->place->proj[in->place->nproj - 1].kind == PJ_DEREF) {
      /* &*p is p */
      Place q = *in->place;
      q.nproj--;
      place(e, sb, &q, false);
      return;
    }
    sb_putc(sb, '&');
    place(e, sb, in->place, false);
    return;
  case OP_CALL:
    sb_printf(sb, "%s(", in->callee);
    for (int i = 0; i < in->ncall_args; i++) {
      if (i)
        sb_puts(sb, ", ");
      operand(e, sb, in->call_args[i], 2, false);
    }
    sb_putc(sb, ')');
    return;
  default:
    break;
  }
  if (info->kind == K_MATH) {
    math_name(sb, in);
    sb_putc(sb, '(');
    for (int i = 0; i < info->arity; i++) {
      if (i)
        sb_puts(sb, ", ");
      operand(e, sb, in->args[i], 2, false);
    }
    sb_putc(sb, ')');
    return;
  }
  /* binary operators */
  operand(e, sb, in->args[0], p, false);
  sb_printf(sb, " %s ", info->cname);
  operand(e, sb, in->args[1], p, true);
}

/* ---- statements ------------------------------------------------------------------- */

static void block(Em *e, const Block *b);
static void stmt(Em *e, const Stmt *s);

/* Source comment and #line for a statement that starts a new group. */
static void locate(Em *e, const Stmt *s) {
  if (s->src && s->src != e->last_src && (!e->last_src || strcmp(s->src, e->last_src) != 0)) {
    indent(e);
    put(e, "/* ");
    /* never let the source text close the comment early */
    for (const char *c = s->src; *c; c++) {
      if (c[0] == '*' && c[1] == '/') {
        put(e, "* /");
        c++;
      } else {
        char one[2] = {*c, 0};
        put(e, one);
      }
    }
    put(e, " */\n");
  }
  e->last_src = s->src;
  if (e->opt->line_directives && s->loc.line &&
      (s->loc.line != e->last_loc.line || !str_eq(s->loc.file, e->last_loc.file))) {
    putf(e, "#line %d \"%s\"\n", s->loc.line, s->loc.file);
    e->last_loc = s->loc;
  }
}

/* A pure instruction whose temporary result nothing reads: not written at all. */
static bool dead(Em *e, const Inst *in) {
  if (in->dst < 0 || e->uses[in->dst] || e->fn->vars[in->dst].kind != VAR_TEMP)
    return false;
  OpKind k = ir_ops[in->op].kind;
  return k == K_ARITH || k == K_MATH || k == K_CMP || k == K_INT || in->op == OP_LOAD ||
         in->op == OP_ADDR;
}

static void inst_stmt(Em *e, const Stmt *s) {
  const Inst *in = &s->inst;
  if (in->dst >= 0 && e->inlined[in->dst])
    return; /* printed inside its use */
  if (dead(e, in))
    return;
  locate(e, s);
  indent(e);
  StrBuf sb = {0};
  const char *tape = e->fn->has_tape ? e->names[e->fn->tape] : "tape";
  switch (in->op) {
  case OP_STORE:
    place(e, &sb, in->place, true);
    sb_puts(&sb, " = ");
    operand(e, &sb, in->args[0], 0, false);
    break;
  case OP_ADDTO:
    place(e, &sb, in->place, true);
    sb_puts(&sb, " += ");
    operand(e, &sb, in->args[0], 0, false);
    break;
  case OP_PUSH:
    sb_printf(&sb, "adj_tape_push(%s, &", tape);
    operand(e, &sb, in->args[0], PREC_PRIMARY, false);
    sb_puts(&sb, ", sizeof ");
    operand(e, &sb, in->args[0], PREC_PRIMARY, false);
    sb_putc(&sb, ')');
    break;
  case OP_POP:
    sb_printf(&sb, "adj_tape_pop(%s, &%s, sizeof %s)", tape, e->names[in->dst], e->names[in->dst]);
    break;
  default:
    if (in->dst >= 0 && (in->op != OP_CALL || e->uses[in->dst]))
      sb_printf(&sb, "%s = ", e->names[in->dst]);
    expr_inst(e, &sb, in);
    break;
  }
  sb_puts(&sb, ";\n");
  put(e, sb.data);
  sb_free(&sb);
}

static void cond_text(Em *e, StrBuf *sb, Operand c) { operand(e, sb, c, 0, false); }

static void if_stmt(Em *e, const Stmt *s) {
  locate(e, s);
  StrBuf sb = {0};
  cond_text(e, &sb, s->if_.cond);
  indent(e);
  putf(e, "if (%s) {\n", sb.data);
  sb_free(&sb);
  e->depth++;
  e->last_src = s->src;
  block(e, &s->if_.then_b);
  e->depth--;
  if (s->if_.else_b.len) {
    indent(e);
    put(e, "} else {\n");
    e->depth++;
    e->last_src = s->src;
    block(e, &s->if_.else_b);
    e->depth--;
  }
  indent(e);
  put(e, "}\n");
  e->last_src = s->src;
}

static void loop_stmt(Em *e, const Stmt *s) {
  const Loop *l = &s->loop;
  locate(e, s);
  /* condition statements other than a folded last one */
  bool folded = l->cond.kind == OPD_VAR && e->inlined[l->cond.var];
  int pre = l->cond_b.len - (folded ? 1 : 0);
  StrBuf cond = {0};
  if (l->cond.kind == OPD_NONE)
    sb_puts(&cond, "1");
  else
    cond_text(e, &cond, l->cond);
  if (!l->test_after && pre == 0) {
    indent(e);
    if (l->cond.kind == OPD_NONE)
      put(e, "for (;;) {\n");
    else
      putf(e, "while (%s) {\n", cond.data);
  } else if (!l->test_after) {
    indent(e);
    put(e, "for (;;) {\n");
    e->depth++;
    for (int i = 0; i < pre; i++)
      stmt(e, l->cond_b.items[i]);
    indent(e);
    putf(e, "if (!(%s))\n", cond.data);
    indent(e);
    put(e, "  break;\n");
    e->depth--;
  } else {
    indent(e);
    put(e, "do {\n");
  }
  e->depth++;
  e->last_src = s->src;
  block(e, &l->body);
  block(e, &l->step);
  if (l->test_after)
    for (int i = 0; i < pre; i++)
      stmt(e, l->cond_b.items[i]);
  e->depth--;
  indent(e);
  if (l->test_after)
    putf(e, "} while (%s);\n", cond.data);
  else
    put(e, "}\n");
  sb_free(&cond);
  e->last_src = s->src;
}

static void stmt(Em *e, const Stmt *s) {
  switch (s->kind) {
  case ST_INST:
    inst_stmt(e, s);
    return;
  case ST_IF:
    if_stmt(e, s);
    return;
  case ST_LOOP:
    loop_stmt(e, s);
    return;
  case ST_RETURN: {
    if (e->fn->owns_tape && e->uses[e->fn->tape]) {
      indent(e);
      putf(e, "adj_tape_free(%s);\n", e->names[e->fn->tape]);
    }
    indent(e);
    if (s->value.kind == OPD_NONE) {
      put(e, "return;\n");
    } else {
      StrBuf sb = {0};
      operand(e, &sb, s->value, 0, false);
      putf(e, "return %s;\n", sb.data);
      sb_free(&sb);
    }
    return;
  }
  case ST_BREAK:
  case ST_CONTINUE:
    unreachable(); /* emitted code is structurized */
  }
}

static void block(Em *e, const Block *b) {
  for (int i = 0; i < b->len; i++)
    stmt(e, b->items[i]);
}

/* ---- functions ------------------------------------------------------------------ */

static void prototype(StrBuf *sb, const Fn *fn, const char **names, bool is_static) {
  if (is_static)
    sb_puts(sb, "static ");
  StrBuf head = {0};
  sb_printf(&head, "%s(", fn->name);
  for (int i = 0; i < fn->nparams; i++) {
    if (i)
      sb_puts(&head, ", ");
    ir_type_decl(&head, fn->vars[i].type, names ? names[i] : fn->vars[i].name);
  }
  if (!fn->nparams)
    sb_puts(&head, "void");
  sb_putc(&head, ')');
  ir_type_decl(sb, fn->ret, head.data);
  sb_free(&head);
}

/* The type of a local as generated code declares it: without const on the variable
 * itself or its array elements, since generated code assigns it after declaring. */
static Type *assignable(Em *e, Type *t) {
  if (!t->is_const && t->kind != TY_ARRAY)
    return t;
  Type *c = ARENA_NEW(e->arena, Type);
  *c = *t;
  c->is_const = false;
  if (t->kind == TY_ARRAY)
    c->elem = assignable(e, t->elem);
  return c;
}

static void function(Em *e, const Generated *g) {
  const Fn *fn = g->fn;
  int n = fn->nvars;
  e->fn = fn;
  e->names = ARENA_ARRAY(e->arena, const char *, n + 1);
  e->uses = ARENA_ARRAY(e->arena, int, n + 1);
  e->defs = ARENA_ARRAY(e->arena, int, n + 1);
  e->inlined = ARENA_ARRAY(e->arena, bool, n + 1);
  e->def_of = ARENA_ARRAY(e->arena, const Stmt *, n + 1);
  e->last_src = NULL;
  e->last_loc = (Loc){0};
  count_block(e, &fn->body);
  mark_inlined(e, &fn->body);
  assign_names(e);

  put(e, "\n");
  line_here(e);
  putf(e, "/* %s */\n", g->summary);
  StrBuf sb = {0};
  prototype(&sb, fn, e->names, !g->is_public);
  putf(e, "%s {\n", sb.data);
  sb_free(&sb);
  e->depth = 1;
  for (int v = 0; v < fn->nparams; v++)
    if (!e->uses[v] && !e->defs[v]) {
      indent(e);
      putf(e, "(void)%s;\n", e->names[v]);
    }
  for (int v = fn->nparams; v < n; v++) {
    const Var *var = &fn->vars[v];
    if (var->kind == VAR_GLOBAL || e->inlined[v] || !e->names[v])
      continue;
    if (!e->uses[v] && e->defs[v] == 1 && dead(e, &e->def_of[v]->inst))
      continue; /* its only assignment is not written either */
    if (fn->has_tape && v == fn->tape) {
      if (fn->owns_tape && e->uses[v]) {
        /* the tape's storage: a name no variable of the function has */
        const char *st = arena_printf(e->arena, "%s_storage", e->names[v]);
        for (int k = 2; name_used(e, fn->nvars, st); k++)
          st = arena_printf(e->arena, "%s_storage%d", e->names[v], k);
        indent(e);
        putf(e, "AdjTape %s = ADJ_TAPE_INIT;\n", st);
        indent(e);
        putf(e, "AdjTape *%s = &%s;\n", e->names[v], st);
      }
      continue;
    }
    StrBuf d = {0};
    ir_type_decl(&d, assignable(e, var->type), e->names[v]);
    bool agg = var->type->kind == TY_ARRAY || var->type->kind == TY_STRUCT;
    indent(e);
    putf(e, "%s = %s;\n", d.data, agg ? "{0}" : "0");
    sb_free(&d);
  }
  block(e, &fn->body);
  e->depth = 0;
  line_here(e);
  put(e, "}\n");
}

/* Copy the input file; make sure it ends with a newline. */
static bool copy_input(Em *e, const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    diag_report(DIAG_ERROR, (Loc){0}, "cannot read '%s'", path);
    return false;
  }
  char buf[8192];
  size_t n;
  StrBuf in = {0};
  while ((n = fread(buf, 1, sizeof buf, f)) > 0)
    sb_putn(&in, buf, n);
  fclose(f);
  if (in.len) {
    put(e, in.data);
    if (in.data[in.len - 1] != '\n')
      put(e, "\n");
  }
  sb_free(&in);
  return true;
}

/* Mark the generated functions reachable from the public ones through calls: only
 * those are written (a gradient built only to be differentiated again, say for a
 * Hessian-vector product, is not called by anything and is left out). */
static void reach_block(const AdResult *ad, bool *keep, const Block *b);

static void reach_fn(const AdResult *ad, bool *keep, const Fn *fn) {
  for (int i = 0; i < ad->ngens; i++)
    if (ad->gens[i].fn == fn) {
      if (keep[i])
        return;
      keep[i] = true;
      reach_block(ad, keep, &fn->body);
    }
}

static void reach_block(const AdResult *ad, bool *keep, const Block *b) {
  for (int i = 0; i < b->len; i++) {
    const Stmt *s = b->items[i];
    if (s->kind == ST_INST && s->inst.op == OP_CALL && s->inst.callee_fn)
      reach_fn(ad, keep, s->inst.callee_fn);
    else if (s->kind == ST_IF) {
      reach_block(ad, keep, &s->if_.then_b);
      reach_block(ad, keep, &s->if_.else_b);
    } else if (s->kind == ST_LOOP) {
      reach_block(ad, keep, &s->loop.cond_b);
      reach_block(ad, keep, &s->loop.body);
      reach_block(ad, keep, &s->loop.step);
    }
  }
}

bool emit_c(StrBuf *out, StrBuf *header, const Module *m, const AdResult *ad,
            const EmitOptions *opt) {
  Arena arena = {0};
  Em e = {.out = out, .opt = opt, .arena = &arena, .line = 1};
  if (opt->line_directives && opt->output)
    putf(&e, "#line 1 \"%s\"\n", opt->input);
  if (!copy_input(&e, opt->input)) {
    arena_free(&arena);
    return false;
  }
  put(&e, "\n");
  line_here(&e);
  put(&e, "/* ---- generated by adjc " ADJC_VERSION ": derivatives of the code above ---- */\n");
  put(&e, "#include <adjoint.h>\n#include <limits.h>\n#include <math.h>\n#include <stddef.h>\n#include <stdlib.h>\n\n");
  bool *keep = ARENA_ARRAY(&arena, bool, ad->ngens + 1);
  for (int i = 0; i < ad->ngens; i++)
    if (ad->gens[i].is_public)
      reach_fn(ad, keep, ad->gens[i].fn);
  for (int i = 0; i < ad->ngens; i++) {
    if (!keep[i])
      continue;
    StrBuf sb = {0};
    prototype(&sb, ad->gens[i].fn, NULL, !ad->gens[i].is_public);
    putf(&e, "%s;\n", sb.data);
    sb_free(&sb);
  }
  for (int i = 0; i < ad->ngens; i++)
    if (keep[i])
      function(&e, &ad->gens[i]);

  if (header) {
    sb_printf(header, "/* Generated by adjc %s from %s: prototypes of the derivatives. */\n",
              ADJC_VERSION, opt->input);
    /* include guard from the header's file name: model.adj.h -> ADJC_MODEL_ADJ_H */
    StrBuf guard = {0};
    const char *base = strrchr(opt->header, '/');
    sb_puts(&guard, "ADJC_");
    for (const char *c = base ? base + 1 : opt->header; *c; c++)
      sb_putc(&guard, (char)((*c >= 'a' && *c <= 'z') ? *c - 'a' + 'A'
                             : ((*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9')) ? *c
                                                                                         : '_'));
    sb_printf(header, "#ifndef %s\n#define %s\n#include <adjoint.h>\n\n", guard.data, guard.data);
    sb_free(&guard);
    for (int i = 0; i < ad->ngens; i++) {
      if (!ad->gens[i].is_public)
        continue;
      sb_printf(header, "/* %s */\n", ad->gens[i].summary);
      prototype(header, ad->gens[i].fn, NULL, false);
      sb_puts(header, ";\n");
    }
    sb_puts(header, "\n#endif\n");
  }
  (void)m;
  arena_free(&arena);
  return true;
}
