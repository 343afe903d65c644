/* inline.c — small helpers are differentiated inside their caller.
 *
 * A call to another function of the file becomes, in reverse mode, a split pair: the
 * callee's forward sweep runs in its own frame and must hand every value its reverse
 * sweep reads to g_rev through the tape, and pointer arguments are taped as offsets.
 * For a small helper (a norm, a cross product, a sigmoid) that traffic costs more
 * than the helper. Before reverse mode, such calls are replaced by the helper's body:
 * its parameters and locals become fresh variables of the caller, arguments are
 * copied into the parameters (or a parameter names the argument itself when it is an
 * unchanged variable of the same type), and the result goes to the call's result.
 * The copied statements keep the helper's source locations, so `#line` and the
 * "adjoint of" comments still point into the helper.
 *
 * A callee is inlined when it has a body, is not recursive (directly or through the
 * helpers it calls), has no custom derivative and is not ADJ_INACTIVE, is not
 * variadic, is structurized to a single final return, calls no function of the file
 * inside a loop (measured: inlining a time-step loop of cell calls into the LSTM's
 * loop over time made its gradient 1.7x slower, the big function compiling worse),
 * and its body, with its own inlinable callees, has at most INLINE_MAX statements.
 * `adjc --no-inline` turns this off (every call then gets a split pair). */
#include "ad/ad.h"

#include <string.h>

bool ad_inline_enabled = true;

enum { INLINE_MAX = 400, INLINE_DEPTH = 8 };

static int count_block(const Block *b) {
  int n = 0;
  for (int i = 0; i < b->len; i++) {
    const Stmt *s = b->items[i];
    n++;
    if (s->kind == ST_IF)
      n += count_block(&s->if_.then_b) + count_block(&s->if_.else_b);
    else if (s->kind == ST_LOOP)
      n += count_block(&s->loop.cond_b) + count_block(&s->loop.body) + count_block(&s->loop.step);
  }
  return n;
}

static bool returns_only_at_end(const Block *b, bool top) {
  for (int i = 0; i < b->len; i++) {
    const Stmt *s = b->items[i];
    if (s->kind == ST_RETURN && !(top && i == b->len - 1))
      return false;
    if (s->kind == ST_BREAK || s->kind == ST_CONTINUE)
      return false;
    if (s->kind == ST_IF &&
        (!returns_only_at_end(&s->if_.then_b, false) || !returns_only_at_end(&s->if_.else_b, false)))
      return false;
    if (s->kind == ST_LOOP &&
        (!returns_only_at_end(&s->loop.cond_b, false) || !returns_only_at_end(&s->loop.body, false) ||
         !returns_only_at_end(&s->loop.step, false)))
      return false;
  }
  return true;
}

/* Does b call a function of the file (with a body)? */
static bool calls_body(const Block *b) {
  for (int i = 0; i < b->len; i++) {
    const Stmt *s = b->items[i];
    if (s->kind == ST_INST && s->inst.op == OP_CALL && s->inst.callee_fn && s->inst.callee_fn->has_body)
      return true;
    if (s->kind == ST_IF && (calls_body(&s->if_.then_b) || calls_body(&s->if_.else_b)))
      return true;
    if (s->kind == ST_LOOP &&
        (calls_body(&s->loop.cond_b) || calls_body(&s->loop.body) || calls_body(&s->loop.step)))
      return true;
  }
  return false;
}

/* Does a loop of b call a function of the file? */
static bool loop_calls(const Block *b) {
  for (int i = 0; i < b->len; i++) {
    const Stmt *s = b->items[i];
    if (s->kind == ST_IF && (loop_calls(&s->if_.then_b) || loop_calls(&s->if_.else_b)))
      return true;
    if (s->kind == ST_LOOP &&
        (calls_body(&s->loop.cond_b) || calls_body(&s->loop.body) || calls_body(&s->loop.step)))
      return true;
  }
  return false;
}

static int inlined_size(const Fn *g, int depth);

/* Size of the calls in b once inlined, or -1 when one of them cannot be. */
static int calls_size(const Block *b, int depth) {
  int n = 0;
  for (int i = 0; i < b->len; i++) {
    const Stmt *s = b->items[i];
    int k = 0;
    if (s->kind == ST_IF) {
      int a = calls_size(&s->if_.then_b, depth), c = calls_size(&s->if_.else_b, depth);
      k = a < 0 || c < 0 ? -1 : a + c;
    } else if (s->kind == ST_LOOP) {
      int a = calls_size(&s->loop.cond_b, depth), c = calls_size(&s->loop.body, depth),
          d = calls_size(&s->loop.step, depth);
      k = a < 0 || c < 0 || d < 0 ? -1 : a + c + d;
    } else if (s->kind == ST_INST && s->inst.op == OP_CALL && s->inst.callee_fn &&
               s->inst.callee_fn->has_body) {
      k = inlined_size(s->inst.callee_fn, depth + 1);
    }
    if (k < 0)
      return -1;
    n += k;
  }
  return n;
}

/* Statements of g with its callees inlined, or -1 when g cannot be inlined. */
static int inlined_size(const Fn *g, int depth) {
  if (depth > INLINE_DEPTH || !g->has_body || g->broken || g->custom_pullback || g->inactive ||
      g->is_variadic || !returns_only_at_end(&g->body, true) || loop_calls(&g->body))
    return -1;
  int inner = calls_size(&g->body, depth);
  if (inner < 0)
    return -1;
  int n = count_block(&g->body) + inner;
  return n <= INLINE_MAX ? n : -1;
}

typedef struct Copy {
  Module *m;
  Fn *f;       /* the caller, receiving the variables */
  int *map;    /* callee variable -> caller variable */
  int loop_base;
  const char *from; /* the inlined helper's name, NULL when copying the caller */
} Copy;

static Operand map_opd(const Copy *c, Operand o) {
  if (o.kind == OPD_VAR)
    o.var = c->map[o.var];
  return o;
}

static Place *map_place(const Copy *c, const Place *p) {
  return p ? ir_place_remap(c->m, p, c->map) : NULL;
}

static void copy_block(const Copy *c, const Block *from, Block *to);

static Stmt *copy_stmt(const Copy *c, const Stmt *s) {
  /* the generated comments say which helper a statement comes from */
  const char *src = s->src && c->from ? arena_printf(c->m->arena, "in %s: %s", c->from, s->src) : s->src;
  Stmt *n = ir_stmt_new(c->m, s->kind, s->loc, src);
  switch (s->kind) {
  case ST_INST:
    n->inst = s->inst;
    n->inst.dst = s->inst.dst >= 0 ? c->map[s->inst.dst] : -1;
    for (int i = 0; i < 3; i++)
      n->inst.args[i] = map_opd(c, s->inst.args[i]);
    n->inst.place = map_place(c, s->inst.place);
    if (s->inst.ncall_args) {
      n->inst.call_args = ARENA_ARRAY(c->m->arena, Operand, s->inst.ncall_args);
      for (int i = 0; i < s->inst.ncall_args; i++)
        n->inst.call_args[i] = map_opd(c, s->inst.call_args[i]);
    }
    break;
  case ST_IF:
    n->if_.cond = map_opd(c, s->if_.cond);
    copy_block(c, &s->if_.then_b, &n->if_.then_b);
    copy_block(c, &s->if_.else_b, &n->if_.else_b);
    break;
  case ST_LOOP:
    n->loop = s->loop;
    n->loop.id = s->loop.id + c->loop_base;
    n->loop.cond = map_opd(c, s->loop.cond);
    n->loop.cond_b = n->loop.body = n->loop.step = (Block){0};
    copy_block(c, &s->loop.cond_b, &n->loop.cond_b);
    copy_block(c, &s->loop.body, &n->loop.body);
    copy_block(c, &s->loop.step, &n->loop.step);
    break;
  case ST_BREAK:
  case ST_CONTINUE:
    n->target = s->target + c->loop_base;
    break;
  case ST_RETURN:
    n->value = map_opd(c, s->value);
    break;
  }
  return n;
}

static void copy_block(const Copy *c, const Block *from, Block *to) {
  for (int i = 0; i < from->len; i++)
    ir_block_push(c->m, to, copy_stmt(c, from->items[i]));
}

/* How often each callee variable is assigned (a parameter never assigned can name
 * the caller's argument directly). */
static void count_assigns(const Block *b, int *n) {
  for (int i = 0; i < b->len; i++) {
    const Stmt *s = b->items[i];
    if (s->kind == ST_INST && s->inst.dst >= 0)
      n[s->inst.dst]++;
    else if (s->kind == ST_IF) {
      count_assigns(&s->if_.then_b, n);
      count_assigns(&s->if_.else_b, n);
    } else if (s->kind == ST_LOOP) {
      count_assigns(&s->loop.cond_b, n);
      count_assigns(&s->loop.body, n);
      count_assigns(&s->loop.step, n);
    }
  }
}

/* The statements replacing call s (to g) in f. */
static Block expand_call(Module *m, Fn *f, const Stmt *s) {
  const Inst *call = &s->inst;
  const Fn *g = call->callee_fn;
  Copy c = {m, f, ARENA_ARRAY(m->arena, int, g->nvars + 1), f->nloops, g->name};
  f->nloops += g->nloops;
  int *assigned = ARENA_ARRAY(m->arena, int, g->nvars + 1);
  count_assigns(&g->body, assigned);
  Block out = {0};
  for (int v = 0; v < g->nvars; v++) {
    const Var *gv = &g->vars[v];
    if (v < g->nparams && v < call->ncall_args) {
      Operand a = call->call_args[v];
      if (a.kind == OPD_VAR && !assigned[v] && !gv->addr_taken && !f->vars[a.var].addr_taken &&
          f->vars[a.var].type == gv->type) {
        c.map[v] = a.var; /* names the argument itself */
        continue;
      }
    }
    if (gv->kind == VAR_GLOBAL) {
      int found = -1;
      for (int u = 0; u < f->nvars && found < 0; u++)
        if (f->vars[u].kind == VAR_GLOBAL && !strcmp(f->vars[u].name, gv->name))
          found = u;
      c.map[v] = found >= 0 ? found : ir_var_new(m, f, gv->name, gv->type, VAR_GLOBAL, gv->loc);
      continue;
    }
    VarKind k = gv->kind == VAR_TEMP ? VAR_TEMP : VAR_LOCAL;
    c.map[v] = ir_var_new(m, f, gv->name, gv->type, k, gv->loc);
    f->vars[c.map[v]].addr_taken = gv->addr_taken;
    if (v < g->nparams && v < call->ncall_args) {
      Stmt *mv = ir_inst_new(m, OP_MOV, gv->type, c.map[v], s->loc, s->src);
      mv->inst.args[0] = call->call_args[v];
      mv->inst.nograd = call->nograd;
      ir_block_push(m, &out, mv);
    }
  }
  const Block *body = &g->body;
  int last = body->len - 1;
  for (int i = 0; i < body->len; i++) {
    const Stmt *b = body->items[i];
    if (i == last && b->kind == ST_RETURN) {
      if (call->dst >= 0 && b->value.kind != OPD_NONE) {
        Stmt *mv = ir_inst_new(m, OP_MOV, f->vars[call->dst].type, call->dst, b->loc,
                               b->src ? arena_printf(m->arena, "in %s: %s", g->name, b->src) : NULL);
        mv->inst.args[0] = map_opd(&c, b->value);
        ir_block_push(m, &out, mv);
      }
      break;
    }
    Stmt *n = copy_stmt(&c, b);
    if (call->nograd && n->kind == ST_INST)
      n->inst.nograd = true;
    ir_block_push(m, &out, n);
  }
  return out;
}

static bool inlinable_call(const Fn *f, const Inst *in) {
  return in->op == OP_CALL && in->callee_fn && in->callee_fn != f &&
         in->callee_fn->nparams <= in->ncall_args && inlined_size(in->callee_fn, 0) >= 0;
}

/* Replace the inlinable calls of block b; true when one was replaced. */
static bool inline_block(Module *m, Fn *f, Block *b) {
  bool changed = false;
  Block out = {0};
  for (int i = 0; i < b->len; i++) {
    Stmt *s = b->items[i];
    if (s->kind == ST_IF) {
      changed |= inline_block(m, f, &s->if_.then_b);
      changed |= inline_block(m, f, &s->if_.else_b);
    } else if (s->kind == ST_LOOP) {
      changed |= inline_block(m, f, &s->loop.cond_b);
      changed |= inline_block(m, f, &s->loop.body);
      changed |= inline_block(m, f, &s->loop.step);
    } else if (s->kind == ST_INST && inlinable_call(f, &s->inst)) {
      Block body = expand_call(m, f, s);
      for (int k = 0; k < body.len; k++)
        ir_block_push(m, &out, body.items[k]);
      changed = true;
      continue;
    }
    ir_block_push(m, &out, s);
  }
  *b = out;
  return changed;
}


static bool has_inlinable_call(const Fn *f, const Block *b) {
  for (int i = 0; i < b->len; i++) {
    const Stmt *s = b->items[i];
    if (s->kind == ST_INST && inlinable_call(f, &s->inst))
      return true;
    if (s->kind == ST_IF &&
        (has_inlinable_call(f, &s->if_.then_b) || has_inlinable_call(f, &s->if_.else_b)))
      return true;
    if (s->kind == ST_LOOP &&
        (has_inlinable_call(f, &s->loop.cond_b) || has_inlinable_call(f, &s->loop.body) ||
         has_inlinable_call(f, &s->loop.step)))
      return true;
  }
  return false;
}

Fn *ad_copy_fn(Module *m, const Fn *P) {
  Fn *f = ARENA_ARRAY(m->arena, Fn, 1);
  *f = *P;
  f->vars = ARENA_ARRAY(m->arena, Var, P->nvars + 1);
  memcpy(f->vars, P->vars, sizeof(Var) * (size_t)P->nvars);
  f->capvars = P->nvars + 1;
  int *id = ARENA_ARRAY(m->arena, int, P->nvars + 1);
  for (int v = 0; v < P->nvars; v++)
    id[v] = v;
  Copy c = {m, f, id, 0, NULL};
  f->body = (Block){0};
  copy_block(&c, &P->body, &f->body);
  return f;
}

const Fn *ad_inline(Module *m, const Fn *P) {
  if (!ad_inline_enabled || !has_inlinable_call(P, &P->body))
    return P;
  /* a copy of P (its variables and statements) that receives the bodies */
  Fn *f = ad_copy_fn(m, P);
  for (int round = 0; round < INLINE_DEPTH && inline_block(m, f, &f->body); round++)
    ;
  return f;
}
