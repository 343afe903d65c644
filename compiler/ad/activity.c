/* activity.c — which values and which memory carry derivatives.
 *
 * Key idea: a flow-insensitive fixpoint. A variable is varied when some
 * instruction writes it from a varied operand; a memory region is active when some
 * store writes a varied value into it (or it is an active parameter's pointee);
 * pointer variables carry the set of regions they may point into, so loads and
 * stores through `p = w + k` reach w's region. Integer values never carry
 * derivatives. Calls are treated conservatively: a callee given anything active
 * returns a varied value and may write varied values through its non-const pointer
 * arguments. Being flow-insensitive it may call too much active (costing work in
 * the generated code), never too little (which would lose derivatives). */
#include "ad/ad.h"

#include <string.h>

static int nregions(const Activity *a) { return a->nvars + 1; }
static unsigned char *stored(const Activity *a, int r) {
  return a->stored + (size_t)r * (size_t)nregions(a);
}
static unsigned char *pts(const Activity *a, int v) {
  return a->points + (size_t)v * (size_t)nregions(a);
}

static void copy_stored(Activity *a, int from, int to, bool *changed) {
  const unsigned char *src = stored(a, from);
  unsigned char *dst = stored(a, to);
  for (int q = 0; q < nregions(a); q++)
    if (src[q] && !dst[q]) {
      dst[q] = 1;
      *changed = true;
    }
}

static bool is_aggregate(const Type *t) { return t->kind == TY_ARRAY || t->kind == TY_STRUCT; }

void act_place_regions(const Activity *a, const Fn *fn, const Place *p, unsigned char *out) {
  memset(out, 0, (size_t)nregions(a));
  const Var *root = &fn->vars[p->var];
  if (root->kind == VAR_GLOBAL)
    out[a->nvars] = 1;
  else if (root->type->kind == TY_PTR)
    memcpy(out, pts(a, p->var), (size_t)nregions(a));
  else
    out[p->var] = 1;
  /* each further step through a pointer held in memory (rows[r][j], s->data[i])
   * reaches wherever pointers stored into the memory so far point */
  const Type *t = root->type;
  for (int i = 0; i < p->nproj; i++) {
    const Proj *pj = &p->proj[i];
    bool through_pointer = pj->kind != PJ_FIELD && t->kind == TY_PTR;
    if (through_pointer && !(i == 0 && root->type->kind == TY_PTR)) {
      for (int r = 0; r < nregions(a); r++)
        if (out[r]) {
          const unsigned char *st = stored(a, r);
          for (int q = 0; q < nregions(a); q++)
            if (st[q])
              out[q] = 1;
        }
    }
    t = pj->type;
  }
}

static bool any_active(const Activity *a, const unsigned char *set) {
  for (int r = 0; r < nregions(a); r++)
    if (set[r] && a->region[r])
      return true;
  return false;
}

/* Active = varied and useful. While the varied fixpoint runs, `useful` is NULL and
 * only variation counts. */
static bool region_active(const Activity *a, int r) {
  return a->region[r] && (!a->useful_region || a->useful_region[r]);
}

static bool any_region_active(const Activity *a, const unsigned char *set) {
  for (int r = 0; r < nregions(a); r++)
    if (set[r] && region_active(a, r))
      return true;
  return false;
}

bool act_place_active(const Activity *a, const Fn *fn, const Place *p) {
  act_place_regions(a, fn, p, a->scratch);
  return any_region_active(a, a->scratch);
}

bool act_var_active(const Activity *a, const Fn *fn, int v) {
  const Type *t = fn->vars[v].type;
  bool useful = !a->useful || a->useful[v];
  if (ir_type_is_float(t))
    return a->varied[v] && useful;
  if (t->kind == TY_PTR)
    return any_region_active(a, pts(a, v));
  if (is_aggregate(t))
    return (a->region[v] || a->varied[v]) && useful;
  return false;
}

static bool opd_varied(const Activity *a, const Fn *fn, Operand o) {
  return o.kind == OPD_VAR && act_var_active(a, fn, o.var) &&
         fn->vars[o.var].type->kind != TY_PTR;
}

bool act_call_active(const Activity *a, const Fn *fn, const Inst *call) {
  for (int i = 0; i < call->ncall_args; i++) {
    Operand o = call->call_args[i];
    if (o.kind == OPD_VAR && act_var_active(a, fn, o.var))
      return true;
  }
  return false;
}

/* Set flag *f, noting a change. */
static void set(bool *f, bool *changed) {
  if (!*f) {
    *f = true;
    *changed = true;
  }
}

static void join(Activity *a, int dst, const unsigned char *src, bool *changed) {
  unsigned char *d = pts(a, dst);
  for (int r = 0; r < nregions(a); r++)
    if (src[r] && !d[r]) {
      d[r] = 1;
      *changed = true;
    }
}

static void mark_regions(Activity *a, const unsigned char *set_, bool *changed) {
  for (int r = 0; r < nregions(a); r++)
    if (set_[r])
      set(&a->region[r], changed);
}

/* Transfer function of one instruction. */
static void inst(Activity *a, const Fn *fn, const Inst *in, bool *changed) {
  unsigned char *set_ = a->scratch;
  const Type *dt = in->dst >= 0 ? fn->vars[in->dst].type : NULL;
  if (in->op == OP_POP) {
    /* a value from the tape may have been active where it was pushed (g_fwd pushes,
     * g_rev pops): call every popped float active, which is sound */
    if (ir_type_is_float(dt))
      set(&a->varied[in->dst], changed);
    return;
  }
  if (in->nograd || in->op == OP_STOPGRAD || ir_ops[in->op].kind == K_CMP ||
      ir_ops[in->op].kind == K_INT || in->op == OP_PUSH)
    return;
  switch (in->op) {
  case OP_LOAD:
    act_place_regions(a, fn, in->place, set_);
    if (dt->kind == TY_PTR) {
      /* a pointer loaded from region r points into r's own memory (a parameter's
       * structure) or wherever pointers stored into r point */
      join(a, in->dst, set_, changed);
      for (int r = 0; r < nregions(a); r++)
        if (set_[r])
          join(a, in->dst, stored(a, r), changed);
    } else if (ir_type_has_float(dt) && any_active(a, set_)) {
      set(&a->varied[in->dst], changed);
    }
    return;
  case OP_STORE:
  case OP_ADDTO: /* generated code: place += a */
    act_place_regions(a, fn, in->place, set_);
    if (in->args[0].kind == OPD_VAR && fn->vars[in->args[0].var].type->kind == TY_PTR) {
      /* a pointer stored into memory: remember where it points; memory holding a
       * pointer into active memory needs a shadow (holding the shadow pointer) */
      const unsigned char *p = pts(a, in->args[0].var);
      for (int r = 0; r < nregions(a); r++)
        if (set_[r]) {
          unsigned char *st = stored(a, r);
          for (int q = 0; q < nregions(a); q++)
            if (p[q] && !st[q]) {
              st[q] = 1;
              *changed = true;
            }
        }
      if (any_active(a, p))
        mark_regions(a, set_, changed);
    } else if (opd_varied(a, fn, in->args[0])) {
      mark_regions(a, set_, changed);
    }
    return;
  case OP_ADDR:
    act_place_regions(a, fn, in->place, set_);
    join(a, in->dst, set_, changed);
    return;
  case OP_CALL: {
    if (dt && dt->kind == TY_PTR) {
      /* memory a call returns (malloc, a lookup) is unknown to the analysis */
      unsigned char *d = pts(a, in->dst);
      if (!d[a->nvars]) {
        d[a->nvars] = 1;
        *changed = true;
      }
    }
    bool active = false;
    for (int i = 0; i < in->ncall_args; i++) {
      Operand o = in->call_args[i];
      if (o.kind == OPD_VAR && act_var_active(a, fn, o.var))
        active = true;
    }
    if (in->callee_fn && in->callee_fn->inactive)
      active = false;
    if (!active)
      return;
    if (dt && ir_type_has_float(dt) && dt->kind != TY_PTR)
      set(&a->varied[in->dst], changed);
    for (int i = 0; i < in->ncall_args; i++) {
      Operand o = in->call_args[i];
      if (o.kind == OPD_VAR && o.type->kind == TY_PTR && !o.type->elem->is_const &&
          ir_type_has_float(o.type->elem))
        mark_regions(a, pts(a, o.var), changed);
    }
    return;
  }
  default:
    break;
  }
  if (in->dst < 0)
    return;
  if (dt->kind == TY_PTR) {
    /* pointer arithmetic and copies: the result points where the pointer operand does */
    for (int i = 0; i < ir_ops[in->op].arity; i++) {
      Operand o = in->args[i];
      if (o.kind == OPD_VAR && fn->vars[o.var].type->kind == TY_PTR)
        join(a, in->dst, pts(a, o.var), changed);
    }
    return;
  }
  if (!ir_type_has_float(dt))
    return;
  for (int i = 0; i < ir_ops[in->op].arity; i++) {
    if (opd_varied(a, fn, in->args[i]))
      set(&a->varied[in->dst], changed);
    /* a struct copy carries the pointers stored in it */
    if (in->args[i].kind == OPD_VAR && is_aggregate(dt))
      copy_stored(a, in->args[i].var, in->dst, changed);
  }
}

static void block(Activity *a, const Fn *fn, const Block *b, bool *changed) {
  for (int i = 0; i < b->len; i++) {
    const Stmt *s = b->items[i];
    switch (s->kind) {
    case ST_INST:
      inst(a, fn, &s->inst, changed);
      break;
    case ST_IF:
      block(a, fn, &s->if_.then_b, changed);
      block(a, fn, &s->if_.else_b, changed);
      break;
    case ST_LOOP:
      block(a, fn, &s->loop.cond_b, changed);
      block(a, fn, &s->loop.body, changed);
      block(a, fn, &s->loop.step, changed);
      break;
    default:
      break;
    }
  }
}

/* ---- usefulness: a backward fixpoint --------------------------------------------
 * A value is useful when it can reach the result: the returned value, or memory the
 * caller sees through a differentiated parameter. Operands of a useful instruction
 * are useful; a store into useful memory makes its value useful; a load makes the
 * memory it reads useful; a call with anything useful makes all its arguments
 * useful. The tape counts as one memory: a useful pop makes pushes useful. Pointer
 * variables are always useful (they are active through the memory they reach). */
static bool mark(bool *f) {
  if (*f)
    return false;
  *f = true;
  return true;
}

static bool mark_opd(Activity *a, Operand o) {
  return o.kind == OPD_VAR && mark(&a->useful[o.var]);
}

static bool mark_place_regions(Activity *a, const Fn *fn, const Place *p) {
  bool ch = false;
  act_place_regions(a, fn, p, a->scratch);
  for (int r = 0; r < nregions(a); r++)
    if (a->scratch[r])
      ch |= mark(&a->useful_region[r]);
  return ch;
}

static bool any_useful_region(Activity *a, const Fn *fn, const Place *p) {
  act_place_regions(a, fn, p, a->scratch);
  for (int r = 0; r < nregions(a); r++)
    if (a->scratch[r] && a->useful_region[r])
      return true;
  return false;
}

static bool useful_call(Activity *a, const Fn *fn, const Inst *in) {
  bool any = in->dst >= 0 && a->useful[in->dst];
  for (int i = 0; i < in->ncall_args && !any; i++) {
    Operand o = in->call_args[i];
    if (o.kind == OPD_VAR && fn->vars[o.var].type->kind == TY_PTR)
      for (int r = 0; r < nregions(a); r++)
        any |= pts(a, o.var)[r] && a->useful_region[r];
  }
  if (!any)
    return false;
  bool ch = false;
  for (int i = 0; i < in->ncall_args; i++) {
    Operand o = in->call_args[i];
    ch |= mark_opd(a, o);
    if (o.kind == OPD_VAR && fn->vars[o.var].type->kind == TY_PTR)
      for (int r = 0; r < nregions(a); r++)
        if (pts(a, o.var)[r])
          ch |= mark(&a->useful_region[r]);
  }
  return ch;
}

static bool useful_inst(Activity *a, const Fn *fn, const Inst *in) {
  int tape = a->nvars; /* the tape shares the "unknown memory" slot */
  switch (in->op) {
  case OP_STORE:
  case OP_ADDTO:
    return any_useful_region(a, fn, in->place) && mark_opd(a, in->args[0]);
  case OP_PUSH:
    return a->useful_region[tape] && mark_opd(a, in->args[0]);
  case OP_POP:
    return a->useful[in->dst] && mark(&a->useful_region[tape]);
  case OP_CALL:
    return useful_call(a, fn, in);
  default:
    break;
  }
  if (in->dst < 0 || !a->useful[in->dst] || in->op == OP_STOPGRAD || in->nograd)
    return false;
  bool ch = false;
  for (int i = 0; i < ir_ops[in->op].arity && i < 3; i++)
    ch |= mark_opd(a, in->args[i]);
  if (in->op == OP_LOAD || in->op == OP_ADDR)
    ch |= mark_place_regions(a, fn, in->place);
  return ch;
}

static bool useful_block(Activity *a, const Fn *fn, const Block *b) {
  bool ch = false;
  for (int i = b->len - 1; i >= 0; i--) {
    const Stmt *s = b->items[i];
    switch (s->kind) {
    case ST_INST:
      ch |= useful_inst(a, fn, &s->inst);
      break;
    case ST_IF:
      ch |= useful_block(a, fn, &s->if_.then_b);
      ch |= useful_block(a, fn, &s->if_.else_b);
      break;
    case ST_LOOP:
      ch |= useful_block(a, fn, &s->loop.step);
      ch |= useful_block(a, fn, &s->loop.body);
      ch |= useful_block(a, fn, &s->loop.cond_b);
      break;
    case ST_RETURN:
      ch |= mark_opd(a, s->value);
      break;
    default:
      break;
    }
  }
  return ch;
}

static void fill_useful(Arena *arena, Activity *a, const Fn *fn, const bool *active_params) {
  bool *useful = ARENA_ARRAY(arena, bool, fn->nvars + 1);
  bool *useful_region = ARENA_ARRAY(arena, bool, fn->nvars + 1);
  /* memory the caller sees through a differentiated parameter is an output */
  for (int p = 0; p < fn->nparams; p++)
    if (active_params[p])
      useful_region[p] = true;
  for (int v = 0; v < fn->nvars; v++)
    if (fn->vars[v].type->kind == TY_PTR)
      useful[v] = true;
  a->useful = useful;
  a->useful_region = useful_region;
  for (bool ch = true; ch;) {
    ch = useful_block(a, fn, &fn->body);
    /* a float or aggregate variable is also the region of places rooted at it */
    for (int v = 0; v < fn->nvars; v++) {
      const Type *t = fn->vars[v].type;
      if (!(is_aggregate(t) || ir_type_is_float(t)))
        continue;
      if (useful[v])
        ch |= mark(&useful_region[v]);
      if (useful_region[v])
        ch |= mark(&useful[v]);
    }
  }
}

Activity *act_fill(Arena *arena, const Fn *fn, const bool *active_params) {
  Activity *a = ARENA_NEW(arena, Activity);
  a->nvars = fn->nvars;
  a->varied = ARENA_ARRAY(arena, bool, fn->nvars + 1);
  a->region = ARENA_ARRAY(arena, bool, fn->nvars + 1);
  a->scratch = ARENA_ARRAY(arena, unsigned char, fn->nvars + 1);
  a->stored = ARENA_ARRAY(arena, unsigned char, (size_t)(fn->nvars + 1) * (size_t)(fn->nvars + 1));
  a->points = ARENA_ARRAY(arena, unsigned char, (size_t)(fn->nvars + 1) * (size_t)(fn->nvars + 1));
  for (int v = 0; v < fn->nvars; v++) {
    const Var *var = &fn->vars[v];
    /* a pointer parameter points into its own region; globals into "unknown" */
    if (var->type->kind == TY_PTR && var->kind == VAR_PARAM)
      pts(a, v)[v] = 1;
    else if (var->type->kind == TY_PTR && var->kind == VAR_GLOBAL)
      pts(a, v)[a->nvars] = 1;
  }
  for (int p = 0; p < fn->nparams; p++) {
    if (!active_params[p])
      continue;
    const Type *t = fn->vars[p].type;
    if (t->kind == TY_PTR || is_aggregate(t))
      a->region[p] = true;
    if (!(t->kind == TY_PTR))
      a->varied[p] = true;
  }
  bool changed = true;
  while (changed) {
    changed = false;
    block(a, fn, &fn->body, &changed);
    /* an aggregate or float variable is both a value and a memory region (a place
     * rooted at it, or a pointer to it, reaches it): active content makes it varied
     * and the other way round */
    for (int v = 0; v < fn->nvars; v++) {
      bool both = is_aggregate(fn->vars[v].type) || ir_type_is_float(fn->vars[v].type);
      if (both && a->region[v])
        set(&a->varied[v], &changed);
      if (both && a->varied[v])
        set(&a->region[v], &changed);
    }
  }
  fill_useful(arena, a, fn, active_params);
  return a;
}

static void region_name(StrBuf *sb, const Activity *a, const Fn *fn, int r) {
  if (r == a->nvars)
    sb_puts(sb, "<unknown>");
  else if (fn->vars[r].kind == VAR_TEMP)
    sb_printf(sb, "%%%d", r);
  else
    sb_puts(sb, fn->vars[r].name);
}

void act_print(StrBuf *sb, const Activity *a, const Fn *fn) {
  sb_printf(sb, "; activity of %s (varied, useful, active; pointers: regions reached)\n", fn->name);
  for (int v = 0; v < fn->nvars; v++) {
    const Type *t = fn->vars[v].type;
    if (t->kind == TY_PTR) {
      sb_puts(sb, ";   ");
      region_name(sb, a, fn, v);
      sb_puts(sb, " -> {");
      bool first = true;
      for (int r = 0; r < nregions(a); r++)
        if (pts(a, v)[r]) {
          sb_puts(sb, first ? "" : ", ");
          region_name(sb, a, fn, r);
          first = false;
        }
      sb_printf(sb, "}%s\n", act_var_active(a, fn, v) ? " active" : "");
      continue;
    }
    if (!ir_type_has_float(t))
      continue;
    sb_puts(sb, ";   ");
    region_name(sb, a, fn, v);
    sb_printf(sb, ":%s%s%s\n", a->varied[v] ? " varied" : "", a->useful && a->useful[v] ? " useful" : "",
              act_var_active(a, fn, v) ? " active" : "");
  }
}
