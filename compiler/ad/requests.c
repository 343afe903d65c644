/* requests.c — from annotations to generated functions.
 *
 * Each ADJ_GRAD / ADJ_VJP request becomes one public function (f_grad, f_vjp).
 * Calls inside them to other functions of the file need split pairs (g_fwd, g_rev),
 * generated on demand and memoised per (callee, activity pattern); the pair is
 * registered before its body is built, so recursion terminates. Names follow
 * docs/naming.md and never collide with the module's functions. */
#include "ad/ad.h"

#include <string.h>

typedef struct Memo {
  const Fn *callee;
  bool *active;
  RevFns fns;
} Memo;

struct AdCtx {
  Module *m;
  Generated *gens;
  int ngens, capgens;
  Memo *memo;
  int nmemo, capmemo;
  const char **names; /* generated names so far */
  int nnames, capnames;
};

Module *ad_module(AdCtx *ad) { return ad->m; }

static bool name_taken(AdCtx *ad, const char *name) {
  if (ir_module_find(ad->m, name))
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

RevFns ad_split_for(AdCtx *ad, Fn *callee, const bool *active) {
  for (int i = 0; i < ad->nmemo; i++) {
    Memo *mm = &ad->memo[i];
    if (mm->callee == callee && memcmp(mm->active, active, sizeof(bool) * (size_t)callee->nparams) == 0)
      return mm->fns;
  }
  if (ad->nmemo == ad->capmemo) {
    int cap = ad->capmemo ? ad->capmemo * 2 : 8;
    ad->memo = arena_realloc(ad->m->arena, ad->memo, sizeof(Memo) * (size_t)ad->capmemo,
                             sizeof(Memo) * (size_t)cap);
    ad->capmemo = cap;
  }
  int idx = ad->nmemo++;
  bool *pattern = ARENA_ARRAY(ad->m->arena, bool, callee->nparams + 1);
  memcpy(pattern, active, sizeof(bool) * (size_t)callee->nparams);
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

/* Map the names of a request to parameter flags; report unknown or integer ones. */
static bool request_params(const Fn *fn, const Request *rq, bool *active) {
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
    }
  }
  if (rq->nparams == 0) {
    diag_error(rq->loc, "name the parameters to differentiate, e.g. ADJ_GRAD(x, w)",
               "request on '%s' lists no parameters", fn->name);
    ok = false;
  }
  return ok;
}

static void run_request(AdCtx *ad, Fn *fn, const Request *rq) {
  Module *m = ad->m;
  bool *active = ARENA_ARRAY(m->arena, bool, fn->nparams + 1);
  if (!request_params(fn, rq, active))
    return;
  const char *list = active_list(ad, fn, active, ", ");
  switch (rq->kind) {
  case REQ_GRAD:
  case REQ_VJP: {
    bool grad = rq->kind == REQ_GRAD;
    if (grad && !ir_type_is_float(fn->ret)) {
      diag_error(rq->loc, "use ADJ_VJP for functions that return nothing or write arrays",
                 "ADJ_GRAD needs a function returning float or double; '%s' does not", fn->name);
      return;
    }
    const char *name = ad_fresh_name(ad, arena_printf(m->arena, "%s_%s", fn->name, grad ? "grad" : "vjp"));
    RevFns fns = {0};
    ad_reverse(ad, fn, active, grad ? REV_GRAD : REV_VJP, name, NULL, &fns);
    ad_add_generated(ad, fns.rev, fn, rq->kind, true,
                     grad ? arena_printf(m->arena, "gradient of %s with respect to (%s); adds into the d_ arguments, returns %s's value",
                                         fn->name, list, fn->name)
                          : arena_printf(m->arena, "vector-Jacobian product of %s with respect to (%s), cotangent d_ret; adds into the d_ arguments",
                                         fn->name, list));
    return;
  }
  default:
    diag_error(rq->loc, "this version of adjc generates ADJ_GRAD and ADJ_VJP requests",
               "request kind not implemented yet");
    return;
  }
}

AdResult ad_run_requests(Module *m) {
  AdCtx ctx = {.m = m};
  int nfns = m->nfns; /* requests of the input only */
  for (int i = 0; i < nfns; i++) {
    Fn *fn = m->fns[i];
    for (int r = 0; r < fn->nreqs; r++) {
      if (!fn->has_body) {
        diag_error(fn->reqs[r].loc, "define the function in the file given to adjc",
                   "cannot differentiate '%s': no body in this file", fn->name);
        continue;
      }
      run_request(&ctx, fn, &fn->reqs[r]);
    }
  }
  return (AdResult){ctx.gens, ctx.ngens};
}
