/* source.c — source positions and text for the frontend.
 *
 * Every location is libclang's *expansion* location (where the user wrote the code,
 * also for code built by macros). Each file met in a location is registered once
 * with diag_set_source, from an arena copy of libclang's buffer, so carets work
 * after the translation unit is disposed. Statement text is sliced from the same
 * buffer, widened over macro expansions (libclang extents may stop inside one). */
#include "frontend/fe.h"

#include <stdio.h>
#include <string.h>

const char *fe_str(Fe *fe, CXString s) {
  const char *c = clang_getCString(s);
  const char *r = arena_strdup(fe->arena, c ? c : "");
  clang_disposeString(s);
  return r;
}

/* The name of a libclang file, interned, its text registered for carets. */
static const char *file_name(Fe *fe, CXFile file) {
  for (int i = 0; i < fe->cxfiles.len; i++)
    if (clang_File_isEqual(fe->cxfiles.data[i], file))
      return fe->files.data[i];
  const char *name = fe_str(fe, clang_getFileName(file));
  size_t size = 0;
  const char *text = clang_getFileContents(fe->tu, file, &size);
  if (text)
    diag_set_source(name, arena_strndup(fe->arena, text, size), size);
  vec_push(fe->arena, &fe->cxfiles, file);
  vec_push(fe->arena, &fe->files, name);
  return name;
}

Loc fe_loc_of(Fe *fe, CXSourceLocation sl) {
  CXFile file;
  unsigned line, col, off;
  clang_getExpansionLocation(sl, &file, &line, &col, &off);
  if (!file)
    return (Loc){0};
  return (Loc){file_name(fe, file), (int)line, (int)col};
}

Loc fe_loc(Fe *fe, CXCursor c) { return fe_loc_of(fe, clang_getCursorLocation(c)); }

Loc fe_loc_start(Fe *fe, CXCursor c) {
  return fe_loc_of(fe, clang_getRangeStart(clang_getCursorExtent(c)));
}

bool fe_in_macro(CXCursor c) {
  CXSourceLocation loc = clang_getRangeStart(clang_getCursorExtent(c));
  CXFile f1, f2;
  unsigned l1, c1, o1, l2, c2, o2;
  clang_getExpansionLocation(loc, &f1, &l1, &c1, &o1);
  clang_getSpellingLocation(loc, &f2, &l2, &c2, &o2);
  return o1 != o2 || !clang_File_isEqual(f1, f2);
}

/* Widen [*b, *e) over the macro expansions it starts or ends inside. */
static void widen(Fe *fe, unsigned *b, unsigned *e) {
  for (int i = 0; i < fe->macros.len; i++) {
    Span s = fe->macros.data[i];
    if (s.begin < *b && *b < s.end)
      *b = s.begin;
    if (s.begin <= *e && *e < s.end)
      *e = s.end;
  }
}

bool fe_offsets(Fe *fe, CXCursor c, unsigned *begin, unsigned *end) {
  CXSourceRange r = clang_getCursorExtent(c);
  CXFile f1, f2;
  unsigned line, col;
  clang_getExpansionLocation(clang_getRangeStart(r), &f1, &line, &col, begin);
  clang_getExpansionLocation(clang_getRangeEnd(r), &f2, &line, &col, end);
  if (!f1 || !f2 || !clang_File_isEqual(f1, f2))
    return false;
  const char *name = file_name(fe, f1);
  if (str_eq(name, fe->main_file))
    widen(fe, begin, end);
  if (*end < *begin)
    *end = *begin;
  return true;
}

static bool is_space(char ch) {
  return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f' || ch == '\v';
}

/* The offset just past the comment starting at text[i] (before e). */
static unsigned skip_comment(const char *text, unsigned i, unsigned e) {
  if (text[i + 1] == '/') {
    while (i < e && text[i] != '\n')
      i++;
    return i;
  }
  for (i += 2; i + 1 < e; i++)
    if (text[i] == '*' && text[i + 1] == '/')
      return i + 2;
  return e;
}

/* Copy text[b, e) with comments dropped and every run of whitespace collapsed into
 * one space (the text goes into comments of the generated code, so it must not
 * hold a comment itself). */
static const char *collapse(Fe *fe, const char *text, unsigned b, unsigned e) {
  char *out = arena_alloc(fe->arena, e - b + 1);
  size_t n = 0;
  bool space = false;
  char quote = 0;
  for (unsigned i = b; i < e; i++) {
    char ch = text[i];
    if (!quote && ch == '/' && i + 1 < e && (text[i + 1] == '*' || text[i + 1] == '/')) {
      i = skip_comment(text, i, e) - 1;
      space = n > 0;
      continue;
    }
    if (!quote && is_space(ch)) {
      space = n > 0;
      continue;
    }
    if (quote && ch == '\\' && i + 1 < e) {
      out[n++] = ch;
      out[n++] = text[++i];
      continue;
    }
    if (ch == '"' || ch == '\'')
      quote = quote == ch ? 0 : quote ? quote : ch;
    if (space)
      out[n++] = ' ';
    space = false;
    out[n++] = ch;
  }
  out[n] = 0;
  return out;
}

/* The offset just past the parenthesis closing the first '(' in text[b, e). */
static unsigned paren_end(const char *text, unsigned b, unsigned e) {
  int depth = 0;
  for (unsigned i = b; i < e; i++) {
    if (text[i] == '(')
      depth++;
    else if (text[i] == ')' && --depth == 0)
      return i + 1;
  }
  return e;
}

const char *fe_text(Fe *fe, CXCursor c, bool upto_paren) {
  unsigned b, e;
  if (!fe_offsets(fe, c, &b, &e))
    return NULL;
  CXFile file;
  unsigned line, col, off;
  clang_getExpansionLocation(clang_getRangeStart(clang_getCursorExtent(c)), &file, &line,
                             &col, &off);
  size_t size = 0;
  const char *text = clang_getFileContents(fe->tu, file, &size);
  if (!text || e > size)
    return NULL;
  if (upto_paren)
    e = paren_end(text, b, e);
  return collapse(fe, text, b, e);
}

static unsigned long hash_key(const char *key) {
  unsigned long h = 1469598103934665603UL; /* FNV-1a */
  for (const char *p = key; *p; p++)
    h = (h ^ (unsigned char)*p) * 1099511628211UL;
  return h;
}

/* Record a key; false if it was recorded before. */
static bool first_time(Fe *fe, const char *key) {
  unsigned long h = hash_key(key);
  for (int i = 0; i < fe->reported.len; i++)
    if (fe->reported.data[i] == h)
      return false;
  vec_push(fe->arena, &fe->reported, h);
  return true;
}

/* Report msg unless it was reported at the same place; with per_type, also only
 * once per function being lowered (else per line): an unsupported type is
 * reported where it is first met, not at every use. */
static void report_once(Fe *fe, Loc loc, bool per_type, const char *hint, const char *msg) {
  char key[600];
  snprintf(key, sizeof key, "%s:%d:%d:%s", loc.file ? loc.file : "", loc.line, loc.col, msg);
  bool fresh = first_time(fe, key);
  if (per_type) {
    if (fe->fn_serial)
      snprintf(key, sizeof key, "fn%d:%s", fe->fn_serial, msg);
    else
      snprintf(key, sizeof key, "%s:%d:%s", loc.file ? loc.file : "", loc.line, msg);
    fresh = first_time(fe, key) && fresh;
  }
  if (fresh)
    diag_error(loc, hint, "%s", msg);
}

void fe_error(Fe *fe, Loc loc, const char *hint, const char *fmt, ...) {
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  report_once(fe, loc, false, hint, msg);
}

void fe_error_line(Fe *fe, Loc loc, const char *hint, const char *msg) {
  report_once(fe, loc, true, hint, msg);
}

typedef struct Kids {
  CXCursor *out;
  int n, max;
} Kids;

static enum CXChildVisitResult collect(CXCursor c, CXCursor parent, CXClientData data) {
  (void)parent;
  Kids *k = data;
  if (k->n < k->max && k->out)
    k->out[k->n] = c;
  k->n++;
  return CXChildVisit_Continue;
}

int fe_children(CXCursor c, CXCursor *out, int max) {
  Kids k = {out, 0, max};
  clang_visitChildren(c, collect, &k);
  return k.n;
}

CXCursor fe_child(CXCursor c, int idx) {
  CXCursor kids[8];
  int n = fe_children(c, kids, 8);
  if (idx < 0 || idx >= n || idx >= 8)
    return clang_getNullCursor();
  return kids[idx];
}

CXCursor *fe_kids(Fe *fe, CXCursor c, int *n) {
  int count = fe_children(c, NULL, 0);
  CXCursor *out = ARENA_ARRAY(fe->arena, CXCursor, count ? count : 1);
  *n = fe_children(c, out, count);
  return out;
}
