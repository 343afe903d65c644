/* print.c — the stable text form of the IR (--emit=ir, lit tests, debugging).
 *
 *   func double sq(double x) {          ; requests: grad(x)
 *     var double y
 *     %0 = mul x, x                     ; 3:10
 *     ret %0
 *   }
 *
 * Temporaries print as %N (their variable id); a named variable whose name is not
 * unique in the function prints as name.N. Loops print their four parts. */
#include "ir/ir.h"

#include <string.h>

static const char *req_names[] = {"grad", "vjp", "jvp", "hvp", "hessian", "jacobian"};

static bool name_unique(const Fn *fn, int var) {
  for (int i = 0; i < fn->nvars; i++)
    if (i != var && fn->vars[i].kind != VAR_TEMP &&
        strcmp(fn->vars[i].name, fn->vars[var].name) == 0)
      return false;
  return true;
}

static void print_var(StrBuf *sb, const Fn *fn, int var) {
  const Var *v = &fn->vars[var];
  if (v->kind == VAR_TEMP)
    sb_printf(sb, "%%%d", var);
  else if (name_unique(fn, var))
    sb_puts(sb, v->name);
  else
    sb_printf(sb, "%s.%d", v->name, var);
}

void ir_print_operand(StrBuf *sb, const Fn *fn, Operand o) {
  switch (o.kind) {
  case OPD_NONE:
    sb_puts(sb, "_");
    break;
  case OPD_VAR:
    print_var(sb, fn, o.var);
    break;
  case OPD_INT:
    if (o.spelling)
      sb_puts(sb, o.spelling);
    else
      sb_printf(sb, "%lld", o.ival);
    break;
  case OPD_FLOAT:
    if (o.spelling)
      sb_puts(sb, o.spelling);
    else
      sb_printf(sb, "%.17g", o.fval);
    break;
  }
}

void ir_print_place(StrBuf *sb, const Fn *fn, const Place *p) {
  print_var(sb, fn, p->var);
  for (int i = 0; i < p->nproj; i++) {
    const Proj *pj = &p->proj[i];
    switch (pj->kind) {
    case PJ_DEREF:
      sb_puts(sb, ".*");
      break;
    case PJ_INDEX:
      sb_putc(sb, '[');
      ir_print_operand(sb, fn, pj->index);
      sb_putc(sb, ']');
      break;
    case PJ_FIELD:
      sb_printf(sb, ".%s", pj->field);
      break;
    }
  }
}

static void indent(StrBuf *sb, int depth) {
  for (int i = 0; i < depth; i++)
    sb_puts(sb, "  ");
}

static void print_type(StrBuf *sb, const Type *t) { ir_type_decl(sb, t, ""); }

static void print_inst(StrBuf *sb, const Fn *fn, const Inst *in) {
  const OpInfo *info = &ir_ops[in->op];
  if (in->dst >= 0) {
    print_var(sb, fn, in->dst);
    sb_puts(sb, " = ");
  }
  /* lower-case mnemonic */
  for (const char *c = info->name; *c; c++)
    sb_putc(sb, (char)(*c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c));
  if (in->op == OP_CAST) {
    sb_puts(sb, " (");
    print_type(sb, in->type);
    sb_puts(sb, ")");
  }
  if (in->op == OP_CALL) {
    sb_printf(sb, " %s(", in->callee);
    for (int i = 0; i < in->ncall_args; i++) {
      if (i)
        sb_puts(sb, ", ");
      ir_print_operand(sb, fn, in->call_args[i]);
    }
    sb_putc(sb, ')');
    return;
  }
  bool first = true;
  if (in->place) {
    sb_putc(sb, ' ');
    ir_print_place(sb, fn, in->place);
    first = false;
  }
  int arity = info->arity;
  for (int i = 0; i < arity; i++) {
    sb_puts(sb, first ? " " : ", ");
    first = false;
    ir_print_operand(sb, fn, in->args[i]);
  }
}

static void print_block(StrBuf *sb, const Fn *fn, const Block *b, int depth);

void ir_print_fn_stmt(StrBuf *sb, const Fn *fn, const Stmt *s) {
  if (s->kind == ST_INST)
    print_inst(sb, fn, &s->inst);
}

static void print_stmt(StrBuf *sb, const Fn *fn, const Stmt *s, int depth) {
  indent(sb, depth);
  switch (s->kind) {
  case ST_INST: {
    size_t start = sb->len;
    print_inst(sb, fn, &s->inst);
    if (s->inst.nograd)
      sb_puts(sb, " nograd");
    if (s->loc.line) {
      size_t w = sb->len - start + (size_t)depth * 2;
      for (; w < 40; w++)
        sb_putc(sb, ' ');
      sb_printf(sb, " ; %d:%d", s->loc.line, s->loc.col);
    }
    sb_putc(sb, '\n');
    return;
  }
  case ST_IF:
    sb_puts(sb, "if ");
    ir_print_operand(sb, fn, s->if_.cond);
    sb_puts(sb, " {\n");
    print_block(sb, fn, &s->if_.then_b, depth + 1);
    if (s->if_.else_b.len) {
      indent(sb, depth);
      sb_puts(sb, "} else {\n");
      print_block(sb, fn, &s->if_.else_b, depth + 1);
    }
    indent(sb, depth);
    sb_puts(sb, "}\n");
    return;
  case ST_LOOP: {
    const Loop *l = &s->loop;
    sb_printf(sb, "loop L%d%s {\n", l->id, l->test_after ? " test-after" : "");
    indent(sb, depth);
    sb_puts(sb, "cond:\n");
    print_block(sb, fn, &l->cond_b, depth + 1);
    indent(sb, depth + 1);
    sb_puts(sb, "while ");
    ir_print_operand(sb, fn, l->cond);
    sb_putc(sb, '\n');
    indent(sb, depth);
    sb_puts(sb, "body:\n");
    print_block(sb, fn, &l->body, depth + 1);
    if (l->step.len) {
      indent(sb, depth);
      sb_puts(sb, "step:\n");
      print_block(sb, fn, &l->step, depth + 1);
    }
    indent(sb, depth);
    sb_puts(sb, "}\n");
    return;
  }
  case ST_BREAK:
    sb_printf(sb, "break L%d\n", s->target);
    return;
  case ST_CONTINUE:
    sb_printf(sb, "continue L%d\n", s->target);
    return;
  case ST_RETURN:
    sb_puts(sb, "ret");
    if (s->value.kind != OPD_NONE) {
      sb_putc(sb, ' ');
      ir_print_operand(sb, fn, s->value);
    }
    sb_putc(sb, '\n');
    return;
  }
}

static void print_block(StrBuf *sb, const Fn *fn, const Block *b, int depth) {
  for (int i = 0; i < b->len; i++)
    print_stmt(sb, fn, b->items[i], depth);
}

void ir_print_fn(StrBuf *sb, const Fn *fn) {
  sb_puts(sb, fn->has_body ? "func " : "declare ");
  print_type(sb, fn->ret);
  sb_printf(sb, " %s(", fn->name);
  for (int i = 0; i < fn->nparams; i++) {
    if (i)
      sb_puts(sb, ", ");
    ir_type_decl(sb, fn->vars[i].type, fn->vars[i].name);
  }
  if (fn->is_variadic)
    sb_puts(sb, fn->nparams ? ", ..." : "...");
  sb_putc(sb, ')');
  if (fn->nreqs || fn->inactive || fn->custom_pullback) {
    sb_puts(sb, "  ;");
    for (int r = 0; r < fn->nreqs; r++) {
      sb_printf(sb, " %s(", req_names[fn->reqs[r].kind]);
      for (int p = 0; p < fn->reqs[r].nparams; p++)
        sb_printf(sb, "%s%s", p ? ", " : "", fn->reqs[r].params[p]);
      sb_putc(sb, ')');
    }
    if (fn->inactive)
      sb_puts(sb, " inactive");
    if (fn->custom_pullback)
      sb_printf(sb, " custom_grad(%s)", fn->custom_pullback);
  }
  if (!fn->has_body) {
    sb_putc(sb, '\n');
    return;
  }
  sb_puts(sb, " {\n");
  for (int i = fn->nparams; i < fn->nvars; i++) {
    const Var *v = &fn->vars[i];
    static const char *kinds[] = {"param", "var", "temp", "global"};
    sb_printf(sb, "  %s ", kinds[v->kind]);
    StrBuf name = {0};
    print_var(&name, fn, i);
    ir_type_decl(sb, v->type, name.data);
    sb_free(&name);
    sb_putc(sb, '\n');
  }
  print_block(sb, fn, &fn->body, 1);
  sb_puts(sb, "}\n");
}

void ir_print_module(StrBuf *sb, const Module *m) {
  for (int i = 0; i < m->nfns; i++) {
    if (i)
      sb_putc(sb, '\n');
    ir_print_fn(sb, m->fns[i]);
  }
}
