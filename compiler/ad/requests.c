/* requests.c — from annotations to generated functions.
 *
 * Each ADJ_GRAD / ADJ_VJP request becomes one public function (f_grad, f_vjp).
 * Calls inside them to other functions of the file need split pairs (g_fwd, g_rev),
 * generated on demand and memoised per (callee, activity pattern); the pair is
 * registered before its body is built, so recursion terminates. Names follow
 * docs/naming.md and never collide with the module's functions. */
#include "ad/ad.h"

#include <stdio.h>
#include <string.h>

typedef struct Memo {
  const Fn *callee;
  bool *active;
  RevFns fns;
} Memo;

/* A generated top-level function of some kind for (fn, pattern), for reuse. */
typedef struct Made {
  const Fn *fn;
  ReqKind kind;
  bool *active;
  Fn *made;
} Made;

struct AdCtx {
  Module *m;
  Made *made;
  int nmade, capmade;
  Memo *tmemo; /* tangent functions of callees */
  int ntmemo, captmemo;
  Generated *gens;
  int ngens, capgens;
  Memo *memo;
  int nmemo, capmemo;
  const char **names; /* generated names so far */
  int nnames, capnames;
};

Module *ad_module(AdCtx *ad) { return ad->m; }

const char *ad_derived_name(Module *m, const Fn *fn, const char *prefix, const char *name) {
  const char *n = arena_printf(m->arena, "%s_%s", prefix, name);
  for (int k = 2;; k++) {
    bool taken = false;
    for (int v = 0; v < fn->nvars && !taken; v++)
      taken = strcmp(fn->vars[v].name, n) == 0;
    if (!taken)
      return n;
    n = arena_printf(m->arena, "%s%d_%s", prefix, k, name);
  }
}

FILE *ad_analysis_out;

/* A name is taken by a function of the file with a body, or by a generated one. A
 * declaration without a body does not take it: a prototype of a generated function
 * (to call it, or to request its derivative) is what the generated code defines. */
static bool name_taken(AdCtx *ad, const char *name) {
  Fn *fn = ir_module_find(ad->m, name);
  if (fn && fn->has_body)
    return true;
  for (int i = 0; i < ad->nnames; i++)
    if (strcmp(ad->names[i], name) == 0)
      return true;
  return false;
}

const char *ad_fresh_name(AdCtx *ad, const char *base) {
  const char *name = base;
  for (int k = 2; name_taken(ad, name); k++)
    name = arena_printf(ad->m->arena, "%s_%d", base, k);
  if (ad->nnames == ad->capnames) {
    int cap = ad->capnames ? ad->capnames * 2 : 16;
    ad->names = arena_realloc(ad->m->arena, ad->names, sizeof(char *) * (size_t)ad->capnames,
                              sizeof(char *) * (size_t)cap);
    ad->capnames = cap;
  }
  ad->names[ad->nnames++] = name;
  return name;
}

void ad_add_generated(AdCtx *ad, Fn *fn, const Fn *primal, ReqKind kind, bool is_public,
                      const char *summary) {
  if (ad->ngens == ad->capgens) {
    int cap = ad->capgens ? ad->capgens * 2 : 16;
    ad->gens = arena_realloc(ad->m->arena, ad->gens, sizeof(Generated) * (size_t)ad->capgens,
                             sizeof(Generated) * (size_t)cap);
    ad->capgens = cap;
  }
  ad->gens[ad->ngens++] = (Generated){fn, primal, kind, is_public, summary};
}

/* "x, w" listing the active parameters, for names and comments. */
static const char *active_list(AdCtx *ad, const Fn *fn, const bool *active, const char *sep) {
  StrBuf sb = {0};
  for (int p = 0; p < fn->nparams; p++)
    if (active[p])
      sb_printf(&sb, "%s%s", sb.len ? sep : "", fn->vars[p].name);
  const char *s = arena_strdup(ad->m->arena, sb.data ? sb.data : "");
  sb_free(&sb);
  return s;
}

RevFns ad_split_for(AdCtx *ad, Fn *callee, const bool *active, const bool *stable) {
  if (callee->broken) /* its errors are reported; give the caller something to name */
    return (RevFns){callee, callee};
  /* the pattern: active flags, then stable flags (see ad_reverse) */
  size_t np = (size_t)callee->nparams;
  bool *key = ARENA_ARRAY(ad->m->arena, bool, 2 * np + 1);
  memcpy(key, active, sizeof(bool) * np);
  for (size_t i = 0; i < np; i++)
    key[np + i] = stable && stable[i];
  active = key;
  for (int i = 0; i < ad->nmemo; i++) {
    Memo *mm = &ad->memo[i];
    if (mm->callee == callee && memcmp(mm->active, active, sizeof(bool) * 2 * np) == 0)
      return mm->fns;
  }
  if (ad->nmemo == ad->capmemo) {
    int cap = ad->capmemo ? ad->capmemo * 2 : 8;
    ad->memo = arena_realloc(ad->m->arena, ad->memo, sizeof(Memo) * (size_t)ad->capmemo,
                             sizeof(Memo) * (size_t)cap);
    ad->capmemo = cap;
  }
  int idx = ad->nmemo++;
  bool *pattern = key;
  ad->memo[idx] = (Memo){callee, pattern, {0}};
  /* names: g_fwd / g_rev for the first pattern, then g_fwd_2 ... */
  const char *fwd = ad_fresh_name(ad, arena_printf(ad->m->arena, "%s_fwd", callee->name));
  const char *rev = ad_fresh_name(ad, arena_printf(ad->m->arena, "%s_rev", callee->name));
  RevFns fns = {0};
  /* the memo entry is filled by ad_reverse before it builds bodies (recursion) */
  ad_reverse(ad, callee, pattern, REV_SPLIT, rev, fwd, &ad->memo[idx].fns);
  fns = ad->memo[idx].fns;
  const char *list = active_list(ad, callee, ad->memo[idx].active, ", "); /* memo may have moved */
  ad_add_generated(ad, fns.fwd, callee, REQ_GRAD, false,
                   arena_printf(ad->m->arena, "forward sweep of %s for adjoints of (%s): runs %s and records on the tape",
                                callee->name, list, callee->name));
  ad_add_generated(ad, fns.rev, callee, REQ_GRAD, false,
                   arena_printf(ad->m->arena, "reverse sweep of %s: adds the adjoints of (%s), replaying the tape",
                                callee->name, list));
  return fns;
}

Fn *ad_tangent_for(AdCtx *ad, Fn *callee, const bool *active) {
  if (callee->broken)
    return callee;
  for (int i = 0; i < ad->ntmemo; i++) {
    Memo *mm = &ad->tmemo[i];
    if (mm->callee == callee && memcmp(mm->active, active, sizeof(bool) * (size_t)callee->nparams) == 0)
      return mm->fns.rev;
  }
  if (ad->ntmemo == ad->captmemo) {
    int cap = ad->captmemo ? ad->captmemo * 2 : 8;
    ad->tmemo = arena_realloc(ad->m->arena, ad->tmemo, sizeof(Memo) * (size_t)ad->captmemo,
                              sizeof(Memo) * (size_t)cap);
    ad->captmemo = cap;
  }
  int idx = ad->ntmemo++;
  bool *pattern = ARENA_ARRAY(ad->m->arena, bool, callee->nparams + 1);
  memcpy(pattern, active, sizeof(bool) * (size_t)callee->nparams);
  ad->tmemo[idx] = (Memo){callee, pattern, {0}};
  const char *name = ad_fresh_name(ad, arena_printf(ad->m->arena, "%s_jvp", callee->name));
  Fn *fn = NULL;
  ad_forward(ad, callee, pattern, name, &ad->tmemo[idx].fns.rev);
  fn = ad->tmemo[idx].fns.rev;
  ad_add_generated(ad, fn, callee, REQ_JVP, false,
                   arena_printf(ad->m->arena, "tangent of %s for (%s): returns its value, writes the tangent of the result",
                                callee->name, active_list(ad, callee, pattern, ", ")));
  return fn;
}

static Fn *find_made(AdCtx *ad, const Fn *fn, ReqKind kind, const bool *active) {
  for (int i = 0; i < ad->nmade; i++)
    if (ad->made[i].fn == fn && ad->made[i].kind == kind &&
        memcmp(ad->made[i].active, active, sizeof(bool) * (size_t)fn->nparams) == 0)
      return ad->made[i].made;
  return NULL;
}

static void add_made(AdCtx *ad, const Fn *fn, ReqKind kind, const bool *active, Fn *made) {
  if (ad->nmade == ad->capmade) {
    int cap = ad->capmade ? ad->capmade * 2 : 8;
    ad->made = arena_realloc(ad->m->arena, ad->made, sizeof(Made) * (size_t)ad->capmade,
                             sizeof(Made) * (size_t)cap);
    ad->capmade = cap;
  }
  bool *copy = ARENA_ARRAY(ad->m->arena, bool, fn->nparams + 1);
  memcpy(copy, active, sizeof(bool) * (size_t)fn->nparams);
  ad->made[ad->nmade++] = (Made){fn, kind, copy, made};
}

/* A length written in a request (`w[n]`, `w[n * d]`) is C text evaluated in the
 * generated function: every name in it must be an integer parameter. */
static bool check_length(const Fn *fn, const Request *rq, const char *array, const char *text) {
  for (const char *c = text; *c;) {
    if (!(*c == '_' || (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z'))) {
      c++;
      continue;
    }
    const char *start = c;
    while (*c == '_' || (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9'))
      c++;
    size_t len = (size_t)(c - start);
    int found = -1;
    for (int p = 0; p < fn->nparams; p++)
      if (strlen(fn->vars[p].name) == len && strncmp(fn->vars[p].name, start, len) == 0)
        found = p;
    if (found < 0) {
      diag_error(rq->loc, "write the length with the function's integer parameters, e.g. w[n]",
                 "the length of '%s' names '%.*s', which is not a parameter of '%s'", array,
                 (int)len, start, fn->name);
      return false;
    }
    if (fn->vars[found].type->kind != TY_INT) {
      diag_error(rq->loc, "write the length with the function's integer parameters, e.g. w[n]",
                 "the length of '%s' uses '%s', which is not an integer", array,
                 fn->vars[found].name);
      return false;
    }
  }
  return true;
}

/* Map the names of a request to parameter flags; report unknown or integer ones.
 * sizes[p] receives the text of `p[size]` when written, else NULL. */
static bool request_params(AdCtx *ad, const Fn *fn, const Request *rq, bool *active,
                           const char **sizes) {
  bool ok = true;
  for (int i = 0; i < rq->nparams; i++) {
    const char *name = rq->params[i];
    size_t len = strcspn(name, "[ ");
    int found = -1;
    for (int p = 0; p < fn->nparams; p++)
      if (strlen(fn->vars[p].name) == len && strncmp(fn->vars[p].name, name, len) == 0)
        found = p;
    if (found < 0) {
      diag_error(rq->loc, "the request lists parameters of the function by name",
                 "'%.*s' is not a parameter of '%s'", (int)len, name, fn->name);
      ok = false;
    } else if (!ir_type_has_float(fn->vars[found].type)) {
      diag_error(rq->loc, "only float and double values (and arrays, pointers, structs of them) have derivatives",
                 "cannot differentiate with respect to '%s': its type carries no floating-point value",
                 fn->vars[found].name);
      ok = false;
    } else {
      active[found] = true;
      const char *open = strchr(name, '[');
      const char *close = open ? strrchr(open, ']') : NULL;
      if (open && close && close > open + 1) {
        sizes[found] = arena_strndup(ad->m->arena, open + 1, (size_t)(close - open - 1));
        ok &= check_length(fn, rq, fn->vars[found].name, sizes[found]);
      }
    }
  }
  if (rq->nparams == 0) {
    diag_error(rq->loc, "name the parameters to differentiate, e.g. ADJ_GRAD(x, w)",
               "request on '%s' lists no parameters", fn->name);
    ok = false;
  }
  return ok;
}

/* The reverse-mode function of fn for a pattern (public when requested). */
static Fn *gradient(AdCtx *ad, Fn *fn, const bool *active, ReqKind kind, bool is_public) {
  Fn *made = find_made(ad, fn, kind, active);
  if (made) {
    if (is_public)
      for (int i = 0; i < ad->ngens; i++)
        if (ad->gens[i].fn == made)
          ad->gens[i].is_public = true;
    return made;
  }
  Module *m = ad->m;
  bool grad = kind == REQ_GRAD;
  const char *name = ad_fresh_name(ad, arena_printf(m->arena, "%s_%s", fn->name, grad ? "grad" : "vjp"));
  RevFns fns = {0};
  ad_reverse(ad, fn, active, grad ? REV_GRAD : REV_VJP, name, NULL, &fns);
  const char *list = active_list(ad, fn, active, ", ");
  ad_add_generated(ad, fns.rev, fn, kind, is_public,
                   grad ? arena_printf(m->arena, "gradient of %s with respect to (%s); adds into the d_ arguments, returns %s's value",
                                       fn->name, list, fn->name)
                        : arena_printf(m->arena, "vector-Jacobian product of %s with respect to (%s), cotangent d_ret; adds into the d_ arguments",
                                       fn->name, list));
  add_made(ad, fn, kind, active, fns.rev);
  return fns.rev;
}

/* The Hessian-vector product of fn: tangent of its gradient (forward over
 * reverse), wrapped to take v_p and hv_p. */
static Fn *hvp(AdCtx *ad, Fn *fn, const bool *active, const char **sizes, const Request *rq,
               bool is_public) {
  Fn *made = find_made(ad, fn, REQ_HVP, active);
  if (made)
    return made;
  Module *m = ad->m;
  for (int p = 0; p < fn->nparams; p++)
    if (active[p] && fn->vars[p].type->kind == TY_PTR && !sizes[p]) {
      diag_error(rq->loc, "write the length after the name, e.g. ADJ_HVP(w[n]): the product needs scratch space for the gradient",
                 "array parameter '%s' needs its length", fn->vars[p].name);
      return NULL;
    }
  if (!ir_type_is_float(fn->ret)) {
    diag_error(rq->loc, NULL, "Hessians need a function returning float or double; '%s' does not", fn->name);
    return NULL;
  }
  Fn *g = gradient(ad, fn, active, REQ_GRAD, false);
  /* tangent of the gradient w.r.t. each active parameter and its adjoint */
  bool *gact = ARENA_ARRAY(m->arena, bool, g->nparams + 1);
  for (int p = 0, q = 0; p < fn->nparams; p++) {
    gact[q++] = active[p];
    if (active[p])
      gact[q++] = true;
  }
  Fn *tg = ad_tangent_for(ad, g, gact);
  const char *name = ad_fresh_name(ad, arena_printf(m->arena, "%s_hvp", fn->name));
  Fn *w = ad_hvp_wrapper(ad, fn, active, sizes, tg, name);
  ad_add_generated(ad, w, fn, REQ_HVP, is_public,
                   arena_printf(m->arena, "Hessian-vector product of %s for (%s): adds H v_p into hv_p "
                                          "(forward over reverse: one tangent sweep of the gradient); returns %s's value",
                                fn->name, active_list(ad, fn, active, ", "), fn->name));
  add_made(ad, fn, REQ_HVP, active, w);
  return w;
}

/* The generated function called `name`, if any. */
static Fn *generated_named(AdCtx *ad, const char *name) {
  for (int i = 0; i < ad->ngens; i++)
    if (strcmp(ad->gens[i].fn->name, name) == 0)
      return ad->gens[i].fn;
  return NULL;
}

/* Run request rq, whose parameter names refer to `named`'s parameters, on fn
 * (named == fn, or a declaration of the generated fn). */
static void run_request_on(AdCtx *ad, const Fn *named, Fn *fn, const Request *rq) {
  Module *m = ad->m;
  bool *active = ARENA_ARRAY(m->arena, bool, fn->nparams + 1);
  const char **sizes = ARENA_ARRAY(m->arena, const char *, fn->nparams + 1);
  if (!request_params(ad, named, rq, active, sizes))
    return;
  bool output = fn->ret->kind != TY_VOID;
  for (int p = 0; p < fn->nparams; p++)
    output |= active[p] && fn->vars[p].type->kind == TY_PTR && !fn->vars[p].type->elem->is_const;
  if (!output) {
    diag_error(rq->loc, "list the array it writes, e.g. ADJ_JVP(x, y)",
               "'%s' returns nothing and writes no listed array: its derivative would be empty",
               named->name);
    return;
  }
  switch (rq->kind) {
  case REQ_GRAD:
    if (!ir_type_is_float(fn->ret)) {
      diag_error(rq->loc, "use ADJ_VJP for functions that return nothing or write arrays",
                 "ADJ_GRAD needs a function returning float or double; '%s' does not", fn->name);
      return;
    }
    gradient(ad, fn, active, REQ_GRAD, true);
    return;
  case REQ_VJP:
    gradient(ad, fn, active, REQ_VJP, true);
    return;
  case REQ_JVP: {
    if (find_made(ad, fn, REQ_JVP, active))
      return;
    const char *name = ad_fresh_name(ad, arena_printf(m->arena, "%s_jvp", fn->name));
    Fn *j = NULL;
    ad_forward(ad, fn, active, name, &j);
    ad_add_generated(ad, j, fn, REQ_JVP, true,
                     arena_printf(m->arena, "Jacobian-vector product of %s: tangents t_p of (%s) in, "
                                            "the result's tangent in *t_ret (one forward sweep); returns %s's value",
                                  fn->name, active_list(ad, fn, active, ", "), fn->name));
    add_made(ad, fn, REQ_JVP, active, j);
    return;
  }
  case REQ_HVP:
    hvp(ad, fn, active, sizes, rq, true);
    return;
  case REQ_HESSIAN: {
    int n = 0, which = -1;
    for (int p = 0; p < fn->nparams; p++)
      if (active[p]) {
        n++;
        which = p;
      }
    if (n != 1 || fn->vars[which].type->kind != TY_PTR) {
      diag_error(rq->loc, "differentiate with respect to one array, e.g. ADJ_HESSIAN(w[n])",
                 "ADJ_HESSIAN takes exactly one array parameter with its length");
      return;
    }
    Fn *h = hvp(ad, fn, active, sizes, rq, false);
    if (!h)
      return;
    const char *name = ad_fresh_name(ad, arena_printf(m->arena, "%s_hessian", fn->name));
    Fn *hf = ad_hessian_fn(ad, fn, which, sizes[which], h, name);
    ad_add_generated(ad, hf, fn, REQ_HESSIAN, true,
                     arena_printf(m->arena, "Hessian of %s with respect to %s, written row-major into h_%s "
                                            "(%s x %s); one Hessian-vector product per row; returns %s's value",
                                  fn->name, fn->vars[which].name, fn->vars[which].name, sizes[which],
                                  sizes[which], fn->name));
    return;
  }
  case REQ_JACOBIAN: {
    /* one input array (const pointee) and one output array (written), both with
     * their lengths: ADJ_JACOBIAN(x[n], y[m]) */
    int in = -1, out = -1, count = 0;
    for (int p = 0; p < fn->nparams; p++) {
      if (!active[p])
        continue;
      count++;
      const Type *t = fn->vars[p].type;
      if (t->kind == TY_PTR && t->elem->is_const)
        in = p;
      else if (t->kind == TY_PTR)
        out = p;
    }
    if (count != 2 || in < 0 || out < 0 || !sizes[in] || !sizes[out] ||
        !ir_type_is_float(fn->vars[in].type->elem) || !ir_type_is_float(fn->vars[out].type->elem)) {
      diag_error(rq->loc, "list one input array (const) and one output array, with their lengths: "
                          "ADJ_JACOBIAN(x[n], y[m])",
                 "ADJ_JACOBIAN takes an input array and an output array with their lengths");
      return;
    }
    bool *pat = ARENA_ARRAY(m->arena, bool, fn->nparams + 1);
    pat[in] = pat[out] = true;
    Fn *j = find_made(ad, fn, REQ_JVP, pat);
    if (!j) {
      ad_forward(ad, fn, pat, ad_fresh_name(ad, arena_printf(m->arena, "%s_jvp", fn->name)), &j);
      ad_add_generated(ad, j, fn, REQ_JVP, false,
                       arena_printf(m->arena, "Jacobian-vector product of %s (for %s_jacobian)", fn->name, fn->name));
      add_made(ad, fn, REQ_JVP, pat, j);
    }
    Fn *v = gradient(ad, fn, pat, REQ_VJP, false);
    const char *name = ad_fresh_name(ad, arena_printf(m->arena, "%s_jacobian", fn->name));
    Fn *jf = ad_jacobian_fn(ad, fn, in, sizes[in], out, sizes[out], j, v, name);
    ad_add_generated(ad, jf, fn, REQ_JACOBIAN, true,
                     arena_printf(m->arena,
                                  "Jacobian of %s's output %s (%s) with respect to %s (%s), written row-major "
                                  "into j_%s (%s x %s): one forward sweep per column when %s <= %s, else one "
                                  "reverse sweep per row",
                                  fn->name, fn->vars[out].name, sizes[out], fn->vars[in].name, sizes[in],
                                  fn->vars[out].name, sizes[out], sizes[in], sizes[in], sizes[out]));
    return;
  }
  }
}

static void run_request(AdCtx *ad, Fn *fn, const Request *rq) { run_request_on(ad, fn, fn, rq); }

AdResult ad_run_requests(Module *m) {
  AdCtx ctx = {.m = m};
  int nfns = m->nfns; /* requests of the input only */
  bool *deferred = ARENA_ARRAY(m->arena, bool, nfns + 1);
  /* gradients first, so the other kinds reuse a requested gradient */
  static const ReqKind order[] = {REQ_GRAD, REQ_VJP, REQ_JVP, REQ_HVP, REQ_HESSIAN, REQ_JACOBIAN};
  for (int k = 0; k < (int)(sizeof order / sizeof order[0]); k++)
    for (int i = 0; i < nfns; i++) {
      Fn *fn = m->fns[i];
      for (int r = 0; r < fn->nreqs; r++) {
        if (fn->reqs[r].kind != order[k] || fn->broken)
          continue;
        if (!fn->has_body) {
          deferred[i] = true; /* maybe a function adjc generates: see below */
          continue;
        }
        run_request(&ctx, fn, &fn->reqs[r]);
      }
    }
  /* Requests on the declaration of a generated function (`ADJ_JVP(x, hv_x) double
   * f_hvp(double x, double v_x, double *hv_x);`) differentiate the generated code:
   * any order by composition. Repeat while one request makes another's target. */
  for (bool progress = true; progress;) {
    progress = false;
    for (int i = 0; i < nfns; i++) {
      if (!deferred[i])
        continue;
      Fn *decl = m->fns[i];
      Fn *target = generated_named(&ctx, decl->name);
      if (!target)
        continue;
      deferred[i] = false;
      progress = true;
      if (target->nparams != decl->nparams) {
        diag_error(decl->loc, "declare it with the parameters adjc generates (see --header)",
                   "'%s' is generated with %d parameters, declared here with %d", decl->name,
                   target->nparams, decl->nparams);
        continue;
      }
      for (int r = 0; r < decl->nreqs; r++)
        run_request_on(&ctx, decl, target, &decl->reqs[r]);
    }
  }
  for (int i = 0; i < nfns; i++)
    if (deferred[i])
      diag_error(m->fns[i]->reqs[0].loc,
                 "define the function in the file given to adjc, or declare a function adjc generates",
                 "cannot differentiate '%s': no body in this file", m->fns[i]->name);
  for (int i = 0; i < ctx.ngens; i++)
    ad_simplify_fn(m, ctx.gens[i].fn);
  return (AdResult){ctx.gens, ctx.ngens};
}
