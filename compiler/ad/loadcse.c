/* loadcse.c — one load per place and block, before reverse mode.
 *
 * `v[i] * v[i]` lowers to two loads of v[i]; reverse mode would tape both values
 * (or repeat both loads). Within a block, a load of a place already loaded into a
 * temporary, with nothing in between that may change the memory or the place's
 * pointer and indices (no store, +=, call, nested statement, or assignment to a
 * variable the place names), is dropped and its temporary's uses read the first
 * temporary instead. Only temporaries used nowhere but later in the same block are
 * renamed. */
#include "ad/ad.h"


/* Reads of each variable anywhere in the function. */
static void count_uses_opd(Operand o, int *uses) {
  if (o.kind == OPD_VAR)
    uses[o.var]++;
}

static void count_uses_place(const Place *p, int *uses) {
  if (!p)
    return;
  uses[p->var]++;
  for (int i = 0; i < p->nproj; i++)
    if (p->proj[i].kind == PJ_INDEX)
      count_uses_opd(p->proj[i].index, uses);
}

static void count_uses(const Block *b, int *uses) {
  for (int i = 0; i < b->len; i++) {
    const Stmt *s = b->items[i];
    switch (s->kind) {
    case ST_INST:
      for (int k = 0; k < 3; k++)
        count_uses_opd(s->inst.args[k], uses);
      count_uses_place(s->inst.place, uses);
      for (int k = 0; k < s->inst.ncall_args; k++)
        count_uses_opd(s->inst.call_args[k], uses);
      break;
    case ST_IF:
      count_uses_opd(s->if_.cond, uses);
      count_uses(&s->if_.then_b, uses);
      count_uses(&s->if_.else_b, uses);
      break;
    case ST_LOOP:
      count_uses_opd(s->loop.cond, uses);
      count_uses(&s->loop.cond_b, uses);
      count_uses(&s->loop.body, uses);
      count_uses(&s->loop.step, uses);
      break;
    case ST_RETURN:
      count_uses_opd(s->value, uses);
      break;
    default:
      break;
    }
  }
}

/* Uses of v in the instructions of b from index `from` on (not in nested blocks). */
static int uses_after(const Block *b, int from, int v) {
  int n = 0;
  for (int i = from; i < b->len; i++) {
    const Stmt *s = b->items[i];
    if (s->kind != ST_INST)
      continue;
    for (int k = 0; k < 3; k++)
      n += s->inst.args[k].kind == OPD_VAR && s->inst.args[k].var == v;
    if (s->inst.place && ir_place_names(s->inst.place, v))
      n++; /* counted once per place; enough to refuse below */
    for (int k = 0; k < s->inst.ncall_args; k++)
      n += s->inst.call_args[k].kind == OPD_VAR && s->inst.call_args[k].var == v;
  }
  return n;
}

static void rename_after(Block *b, int from, int v, int to, const Fn *f) {
  for (int i = from; i < b->len; i++) {
    Stmt *s = b->items[i];
    if (s->kind != ST_INST)
      continue;
    for (int k = 0; k < 3; k++)
      if (s->inst.args[k].kind == OPD_VAR && s->inst.args[k].var == v)
        s->inst.args[k] = ir_opd_var(f, to);
    for (int k = 0; k < s->inst.ncall_args; k++)
      if (s->inst.call_args[k].kind == OPD_VAR && s->inst.call_args[k].var == v)
        s->inst.call_args[k] = ir_opd_var(f, to);
  }
}

typedef struct Avail {
  int var;
  const Place *place;
} Avail;

/* true when something changed */
static bool cse_block(Module *m, Fn *f, Block *b, const int *uses) {
  bool changed = false;
  Avail *av = ARENA_ARRAY(m->arena, Avail, b->len + 1);
  int nav = 0;
  Block out = {0};
  for (int i = 0; i < b->len; i++) {
    Stmt *s = b->items[i];
    if (s->kind == ST_IF) {
      changed |= cse_block(m, f, &s->if_.then_b, uses);
      changed |= cse_block(m, f, &s->if_.else_b, uses);
      nav = 0;
    } else if (s->kind == ST_LOOP) {
      changed |= cse_block(m, f, &s->loop.cond_b, uses);
      changed |= cse_block(m, f, &s->loop.body, uses);
      changed |= cse_block(m, f, &s->loop.step, uses);
      nav = 0;
    } else if (s->kind == ST_INST) {
      Inst *in = &s->inst;
      if (in->op == OP_LOAD && in->dst >= 0 && f->vars[in->dst].kind == VAR_TEMP &&
          !f->vars[in->dst].addr_taken && ir_type_is_float(f->vars[in->dst].type)) {
        int hit = -1;
        for (int k = 0; k < nav && hit < 0; k++)
          if (ir_place_same(av[k].place, in->place) && f->vars[av[k].var].type == f->vars[in->dst].type &&
              av[k].var != in->dst)
            hit = av[k].var;
        /* every read of the temporary is later in this block, as plain operands */
        if (hit >= 0 && uses[in->dst] == uses_after(b, i + 1, in->dst)) {
          rename_after(b, i + 1, in->dst, hit, f);
          changed = true;
          continue; /* the load is dropped */
        }
      }
      if (in->op == OP_STORE || in->op == OP_ADDTO || in->op == OP_CALL)
        nav = 0;
      if (in->dst >= 0) { /* a reassigned variable invalidates the places naming it */
        for (int k = 0; k < nav;) {
          if (ir_place_names(av[k].place, in->dst) || av[k].var == in->dst)
            av[k] = av[--nav];
          else
            k++;
        }
      }
      if (in->op == OP_LOAD && in->dst >= 0 && ir_type_is_float(f->vars[in->dst].type) &&
          !ir_place_names(in->place, in->dst))
        av[nav++] = (Avail){in->dst, in->place};
    } else {
      nav = 0;
    }
    ir_block_push(m, &out, s);
  }
  *b = out;
  return changed;
}

const Fn *ad_cse_loads(Module *m, const Fn *P) {
  Fn *f = ad_copy_fn(m, P);
  int *uses = ARENA_ARRAY(m->arena, int, f->nvars + 1);
  count_uses(&f->body, uses);
  return cse_block(m, f, &f->body, uses) ? f : P;
}
