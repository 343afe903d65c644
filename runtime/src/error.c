/*
 * error.c — the error API: a thread-local last message and kind, and one optional
 * process-wide handler called at the point of failure.
 *
 * Key idea: errors are values, not control flow. A failing call records its message
 * (PyTorch's wording) and returns NULL or -1; callers of composite ops see NULL
 * propagate, and adj_error_null keeps the first message so the report names the
 * real cause rather than the NULL it produced.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>

static _Thread_local char last_message[1024];
static _Thread_local AdjErrorKind last_kind = ADJ_OK;
static AdjErrorHandler handler;
static void *handler_ctx;

const char *adj_last_error(void) { return last_message; }

AdjErrorKind adj_last_error_kind(void) { return last_kind; }

void adj_clear_error(void) {
  last_message[0] = '\0';
  last_kind = ADJ_OK;
}

bool adj_error_pending(void) { return last_kind != ADJ_OK; }

AdjErrorHandler adj_set_error_handler(AdjErrorHandler h, void *ctx) {
  AdjErrorHandler old = handler;
  handler = h;
  handler_ctx = ctx;
  return old;
}

void adj_error_abort(AdjErrorKind kind, const char *message, void *ctx) {
  (void)kind;
  (void)ctx;
  fprintf(stderr, "adjoint: error: %s\n", message);
  abort();
}

/* Record the message and kind, then give the handler a look. */
void adj_error(AdjErrorKind kind, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(last_message, sizeof last_message, fmt, ap);
  va_end(ap);
  last_kind = kind;
  if (handler)
    handler(kind, last_message, handler_ctx);
}

void adj_error_null(const char *fn) {
  if (!adj_error_pending())
    adj_error(ADJ_ERR_TYPE, "%s(): expected a tensor argument but got NULL", fn);
}
