/* test_diag.c — unit tests of support/diag.c: the exact text of clang-style
 * diagnostics (location, source line, caret aligned through tabs, notes), the sticky
 * error count, and diag_reset. Output goes to a tmpfile read back after each report. */
#include "check.h"
#include "support/support.h"

#include <stdio.h>
#include <stdlib.h>

static FILE *out;
static long taken; /* offset of the first byte not yet returned by take() */
static char text[4096];

/* Everything written to the diagnostics stream since the last call. */
static const char *take(void) {
  fflush(out);
  long end = ftell(out);
  if (end < taken || end - taken >= (long)sizeof text || fseek(out, taken, SEEK_SET) != 0)
    abort();
  size_t got = fread(text, 1, (size_t)(end - taken), out);
  text[got] = 0;
  fseek(out, end, SEEK_SET);
  taken = end;
  return text;
}

static const char src[] = "double f(double x) {\n"
                          "  y = x * x;\n"
                          "\tz\t= 1;\n"
                          "  return y;";

static void test_error_with_caret(void) {
  diag_report(DIAG_ERROR, (Loc){"f.c", 2, 5}, "%s", "msg");
  CHECK_STR(take(), "f.c:2:5: error: msg\n"
                    "  y = x * x;\n"
                    "    ^\n");
  CHECK(diag_errors() == 1);
}

/* Tabs before the column are copied into the caret line so it stays aligned. */
static void test_tab_alignment(void) {
  diag_report(DIAG_ERROR, (Loc){"f.c", 3, 4}, "bad %s", "assignment");
  CHECK_STR(take(), "f.c:3:4: error: bad assignment\n"
                    "\tz\t= 1;\n"
                    "\t \t^\n");
  CHECK(diag_errors() == 2);
}

/* The last line has no newline; column 1 puts the caret first. */
static void test_last_line_and_column_one(void) {
  diag_report(DIAG_WARNING, (Loc){"f.c", 4, 1}, "w");
  CHECK_STR(take(), "f.c:4:1: warning: w\n"
                    "  return y;\n"
                    "^\n");
  CHECK(diag_errors() == 2); /* warnings are not counted */
}

/* diag_error adds a note (no caret) at the same location. */
static void test_note(void) {
  diag_error((Loc){"f.c", 2, 3}, "assign to a declared variable", "'%s' undeclared", "y");
  CHECK_STR(take(), "f.c:2:3: error: 'y' undeclared\n"
                    "  y = x * x;\n"
                    "  ^\n"
                    "f.c:2:3: note: assign to a declared variable\n");
  CHECK(diag_errors() == 3);
  diag_error((Loc){"f.c", 1, 1}, NULL, "no hint");
  CHECK_STR(take(), "f.c:1:1: error: no hint\n"
                    "double f(double x) {\n"
                    "^\n");
  CHECK(diag_errors() == 4);
}

/* Without a line there is no caret; without a file the tool names itself. A line
 * past the end of the source prints the location only. */
static void test_without_location(void) {
  diag_report(DIAG_ERROR, (Loc){"f.c", 0, 0}, "cannot read");
  CHECK_STR(take(), "f.c: error: cannot read\n");
  diag_report(DIAG_ERROR, (Loc){0}, "cannot write '%s'", "out.c");
  CHECK_STR(take(), "adjc: error: cannot write 'out.c'\n");
  diag_report(DIAG_ERROR, (Loc){"f.c", 99, 1}, "far");
  CHECK_STR(take(), "f.c:99:1: error: far\n");
  diag_report(DIAG_ERROR, (Loc){"no-such-file.c", 1, 1}, "n");
  CHECK_STR(take(), "no-such-file.c:1:1: error: n\n");
  CHECK(diag_errors() == 8);
}

static void test_reset(void) {
  diag_reset();
  CHECK(diag_errors() == 0);
  /* the registration is dropped (and ctest runs this in testsuite/unit, which has no
   * f.c to read instead), so no caret until the source is registered again */
  diag_report(DIAG_ERROR, (Loc){"f.c", 2, 5}, "again");
  CHECK_STR(take(), "f.c:2:5: error: again\n");
  CHECK(diag_errors() == 1);
  diag_set_source("f.c", src, sizeof src - 1);
  diag_report(DIAG_ERROR, (Loc){"f.c", 2, 5}, "again");
  CHECK_STR(take(), "f.c:2:5: error: again\n  y = x * x;\n    ^\n");
  diag_reset();
}

int main(void) {
  out = tmpfile();
  if (!out)
    return 1;
  diag_set_stream(out);
  diag_set_source("f.c", src, sizeof src - 1);
  test_error_with_caret();
  test_tab_alignment();
  test_last_line_and_column_one();
  test_note();
  test_without_location();
  test_reset();
  diag_set_stream(NULL);
  fclose(out);
  return check_summary();
}
