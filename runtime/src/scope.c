/*
 * scope.c — autorelease scopes for expression-style code (ownership rules R1, R2).
 *
 * Key idea: a thread-local stack of scopes, each a growable list of tensor
 * references. Every new tensor is appended to the innermost list; adj_scope_end
 * releases the list; adj_keep moves one entry to the enclosing list (or out to the
 * caller). The list is an array, so scopes cost one append per created tensor.
 */
#include "internal.h"

#include <stdlib.h>

typedef struct Scope {
  AdjTensor **items;
  int count, cap;
} Scope;

static _Thread_local Scope *scopes;
static _Thread_local int depth, scopes_cap;
/* Scopes that could not be opened for lack of memory: their tensors go to the
 * enclosing scope, and the matching adj_scope_end only counts down. */
static _Thread_local int lost;

int adj_scope_depth(void) { return depth + lost; }

void adj_scope_begin(void) {
  if (depth == scopes_cap) {
    int cap = scopes_cap ? 2 * scopes_cap : 8;
    Scope *s = realloc(scopes, (size_t)cap * sizeof *s);
    if (!s) {
      adj_error(ADJ_ERR_MEMORY, "out of memory opening a scope");
      lost++;
      return;
    }
    scopes = s;
    scopes_cap = cap;
  }
  scopes[depth++] = (Scope){NULL, 0, 0};
}

/* Append t to s; out of memory, t is left unowned (a leak, not a crash). */
static void scope_push(Scope *s, AdjTensor *t) {
  if (s->count == s->cap) {
    int cap = s->cap ? 2 * s->cap : 16;
    AdjTensor **items = realloc(s->items, (size_t)cap * sizeof *items);
    if (!items) {
      adj_error(ADJ_ERR_MEMORY, "out of memory in a scope");
      return;
    }
    s->items = items;
    s->cap = cap;
  }
  s->items[s->count++] = t;
}

void adj_scope_add(AdjTensor *t) {
  if (depth > 0)
    scope_push(&scopes[depth - 1], t);
}

void adj_scope_end(void) {
  if (lost > 0) {
    lost--;
    return;
  }
  if (depth == 0) {
    adj_error(ADJ_ERR_RUNTIME, "adj_scope_end() without a matching adj_scope_begin()");
    return;
  }
  Scope s = scopes[--depth];
  for (int i = s.count - 1; i >= 0; i--)
    adj_release(s.items[i]);
  free(s.items);
  if (depth == 0) { /* free the stack so LSan sees nothing at thread exit */
    free(scopes);
    scopes = NULL;
    scopes_cap = 0;
  }
}

AdjTensor *adj_keep(AdjTensor *t) {
  if (!t || depth == 0)
    return t;
  Scope *s = &scopes[depth - 1];
  int i = s->count - 1;
  while (i >= 0 && s->items[i] != t)
    i--;
  if (i >= 0) {
    s->items[i] = s->items[--s->count]; /* order of releases does not matter */
  } else {
    adj_retain(t);
  }
  if (depth > 1)
    scope_push(&scopes[depth - 2], t);
  return t;
}

AdjTensor *adj_scope_return(AdjTensor *t) {
  adj_keep(t);
  adj_scope_end();
  return t;
}
