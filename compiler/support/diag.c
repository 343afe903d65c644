/* diag.c — clang-style diagnostics with the source line and a caret.
 *
 *   file.c:12:9: error: goto is not supported
 *       goto out;
 *       ^
 *   file.c:12:9: note: restructure with break/continue or a flag variable
 *
 * Errors accumulate (a sticky count, as SQLite's) so one run reports every problem;
 * stages stop themselves when diag_errors() is non-zero. Source text comes from the
 * buffers the frontend registers (libclang's own copy) or, failing that, the file. */
#include "support/support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct Source {
  const char *file;
  const char *text;
  size_t len;
  char *owned; /* text read from disk by us, freed by diag_reset */
} Source;

static FILE *out_stream;
static int error_count;
static Source sources[64];
static int nsources;

void diag_set_stream(void *file) { out_stream = file; }
int diag_errors(void) { return error_count; }

void diag_set_source(const char *file, const char *text, size_t len) {
  for (int i = 0; i < nsources; i++) {
    if (str_eq(sources[i].file, file)) {
      sources[i].text = text;
      sources[i].len = len;
      return;
    }
  }
  if (nsources < (int)(sizeof sources / sizeof sources[0]))
    sources[nsources++] = (Source){file, text, len, NULL};
}

void diag_reset(void) {
  for (int i = 0; i < nsources; i++)
    free(sources[i].owned);
  nsources = 0;
  error_count = 0;
}

static const Source *find_source(const char *file) {
  for (int i = 0; i < nsources; i++)
    if (str_eq(sources[i].file, file))
      return &sources[i];
  FILE *f = fopen(file, "rb");
  if (!f || nsources == (int)(sizeof sources / sizeof sources[0])) {
    if (f)
      fclose(f);
    return NULL;
  }
  StrBuf sb = {0};
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0)
    sb_putn(&sb, buf, n);
  fclose(f);
  sources[nsources] = (Source){file, sb.data ? sb.data : "", sb.len, sb.data};
  return &sources[nsources++];
}

/* Print the line `line` of the file and a caret under byte column `col`. */
static void print_caret(FILE *out, Loc loc) {
  const Source *src = find_source(loc.file);
  if (!src)
    return;
  const char *p = src->text, *end = src->text + src->len;
  for (int l = 1; l < loc.line && p < end; p++)
    if (*p == '\n')
      l++;
  if (p >= end)
    return;
  const char *eol = memchr(p, '\n', (size_t)(end - p));
  if (!eol)
    eol = end;
  fprintf(out, "%.*s\n", (int)(eol - p), p);
  for (int c = 1; c < loc.col && p + c - 1 < eol; c++)
    fputc(p[c - 1] == '\t' ? '\t' : ' ', out);
  fputs("^\n", out);
}

void diag_vreport(DiagLevel level, Loc loc, const char *fmt, va_list ap) {
  FILE *out = out_stream ? out_stream : stderr;
  static const char *names[] = {"error", "warning", "note"};
  if (level == DIAG_ERROR)
    error_count++;
  if (loc.line > 0)
    fprintf(out, "%s:%d:%d: %s: ", loc.file, loc.line, loc.col, names[level]);
  else if (loc.file)
    fprintf(out, "%s: %s: ", loc.file, names[level]);
  else
    fprintf(out, "adjc: %s: ", names[level]);
  vfprintf(out, fmt, ap);
  fputc('\n', out);
  if (loc.line > 0 && level != DIAG_NOTE)
    print_caret(out, loc);
  fflush(out);
}

void diag_report(DiagLevel level, Loc loc, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  diag_vreport(level, loc, fmt, ap);
  va_end(ap);
}

void diag_error(Loc loc, const char *hint, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  diag_vreport(DIAG_ERROR, loc, fmt, ap);
  va_end(ap);
  if (hint)
    diag_report(DIAG_NOTE, loc, "%s", hint);
}
