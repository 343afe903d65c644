/* test_str.c — unit tests of support/str.c: StrBuf appends, printf and growth. */
#include "check.h"
#include "support/support.h"

static void test_appends(void) {
  StrBuf sb = {0};
  sb_puts(&sb, "d_");
  sb_putc(&sb, 'w');
  sb_putn(&sb, "[i]xyz", 3);
  CHECK_STR(sb.data, "d_w[i]");
  CHECK(sb.len == 6);
  sb_puts(&sb, "");
  CHECK(sb.len == 6);
  sb_free(&sb);
  CHECK(sb.data == NULL && sb.len == 0 && sb.cap == 0);
}

static void test_printf(void) {
  StrBuf sb = {0};
  sb_printf(&sb, "%s = %d * %.1f;", "y", 3, 0.5);
  CHECK_STR(sb.data, "y = 3 * 0.5;");
  sb_printf(&sb, "%s", "");
  CHECK_STR(sb.data, "y = 3 * 0.5;");
  sb_printf(&sb, "\n%05d", 42);
  CHECK_STR(sb.data, "y = 3 * 0.5;\n00042");
  CHECK(sb.len == strlen(sb.data));
  sb_free(&sb);
}

/* Output far beyond the initial capacity, in one printf and in many small ones. */
static void test_growth(void) {
  StrBuf sb = {0};
  sb_printf(&sb, "%3000s", "end");
  CHECK(sb.len == 3000);
  CHECK(sb.cap > sb.len);
  CHECK(sb.data[0] == ' ' && strcmp(sb.data + 2997, "end") == 0);
  sb_free(&sb);

  for (int i = 0; i < 10000; i++)
    sb_printf(&sb, "%d,", i % 10);
  CHECK(sb.len == 20000);
  CHECK(sb.data[19998] == '9' && sb.data[19999] == ',' && sb.data[20000] == 0);
  int ok = 1;
  for (int i = 0; i < 10000; i++)
    ok &= sb.data[2 * i] == '0' + i % 10;
  CHECK(ok);
  sb_free(&sb);
}

static void test_predicates(void) {
  CHECK(str_eq("a", "a"));
  CHECK(!str_eq("a", "ab"));
  CHECK(!str_eq(NULL, "a"));
  CHECK(!str_eq("a", NULL));
  CHECK(str_starts("--emit=ir", "--emit="));
  CHECK(str_starts("abc", ""));
  CHECK(!str_starts("-o", "--"));
}

int main(void) {
  test_appends();
  test_printf();
  test_growth();
  test_predicates();
  return check_summary();
}
