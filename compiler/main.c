/*
 * main.c — adjc, the adjoint compiler driver: the whole pipeline in one function.
 *
 *   parse (frontend/) → verify → structurize → requests (ad/) → emit C (emit/)
 *
 * Exit status: 0 on success, 1 on a diagnosed error (every error of the run is
 * reported before exiting), 2 on bad command-line usage.
 */
#include "ad/ad.h"
#include "emit/emit.h"
#include "frontend/frontend.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum { EMIT_C, EMIT_IR, EMIT_DOT } EmitKind;

typedef struct Options {
  const char *input;
  const char *output;      /* -o; NULL: stdout */
  const char *header;      /* --header */
  const char *depfile;     /* -MF (with -MD) */
  bool md;
  bool line_directives;    /* --no-line clears */
  EmitKind emit;
  const char *print_after; /* --print-after=PASS */
  FeOptions fe;
} Options;

static const char usage[] =
    "usage: adjc [options] input.c [-- compiler flags]\n"
    "\n"
    "Differentiates the functions of input.c marked with ADJ_GRAD, ADJ_VJP, ADJ_JVP,\n"
    "ADJ_HVP, ADJ_HESSIAN or ADJ_JACOBIAN (see <adjoint.h>) and writes the input\n"
    "translation unit followed by the generated functions.\n"
    "\n"
    "options:\n"
    "  -o FILE            write the output to FILE (default, or -o -: standard output)\n"
    "  --header FILE      also write a header with the generated prototypes\n"
    "  --emit=c|ir|dot    what to write: C code (default), the IR after lowering and\n"
    "                     differentiation, or a Graphviz view of the IR\n"
    "  --print-after=PASS print the IR to standard error after PASS\n"
    "                     (lower, structurize, ad)\n"
    "  --print-analysis   print, for each reverse-mode function, its activity\n"
    "                     (varied, useful, active), what the tape records, and\n"
    "                     the pointer facts used, to standard error\n"
    "  --no-line          do not write #line directives into the output\n"
    "  --no-inline        differentiate every call through a forward/reverse pair\n"
    "                     instead of inlining small helpers into their caller\n"
    "  -p DIR             take compiler flags for input.c from DIR/compile_commands.json\n"
    "  -MD                write a make dependency file (with -MF FILE, or OUTPUT.d)\n"
    "  -MF FILE           the dependency file to write\n"
    "  --help             print this help and exit\n"
    "  --version          print the version and exit\n"
    "  -- FLAGS...        compiler flags for parsing input.c (-I, -D, -std=...)\n"
    "\n"
    "exit status: 0 success, 1 diagnosed error in the input, 2 bad usage\n";

/* Print `adjc: error: <before><arg><after>` and the pointer to --help; exit status 2. */
static int usage_error(const char *before, const char *arg, const char *after) {
  fprintf(stderr, "adjc: error: %s%s%s\nadjc: run 'adjc --help' for usage\n", before,
          arg ? arg : "", after ? after : "");
  return 2;
}

/* Parse argv into opt. Returns -1 to go on, else the exit status. */
static int parse_args(int argc, char **argv, Options *opt) {
  opt->line_directives = true;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "--") == 0) {
      /* flags for the parser: copied so their type can be const char ** */
      static const char *flags[1024];
      int n = argc - i - 1;
      if (n > (int)(sizeof flags / sizeof flags[0]))
        return usage_error("too many compiler flags after --", NULL, NULL);
      for (int k = 0; k < n; k++)
        flags[k] = argv[i + 1 + k];
      opt->fe.args = flags;
      opt->fe.nargs = n;
      break;
    } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      fputs(usage, stdout);
      return 0;
    } else if (strcmp(a, "--version") == 0) {
      printf("adjc %s (adjoint source-to-source AD for C)\n", ADJC_VERSION);
      return 0;
    } else if (strcmp(a, "-o") == 0 || strcmp(a, "--header") == 0 ||
               strcmp(a, "-p") == 0 || strcmp(a, "-MF") == 0) {
      if (i + 1 >= argc)
        return usage_error("option '", a, "' needs an argument");
      const char *v = argv[++i];
      if (a[1] == 'o')
        opt->output = strcmp(v, "-") == 0 ? NULL : v; /* -o - is standard output */
      else if (a[1] == 'p')
        opt->fe.compdb_dir = v;
      else if (a[1] == 'M')
        opt->depfile = v;
      else
        opt->header = v;
    } else if (strcmp(a, "-MD") == 0) {
      opt->md = true;
    } else if (strcmp(a, "--print-analysis") == 0) {
      ad_analysis_out = stderr;
    } else if (strcmp(a, "--no-line") == 0) {
      opt->line_directives = false;
    } else if (strcmp(a, "--no-inline") == 0) {
      ad_inline_enabled = false;
    } else if (str_starts(a, "--emit=")) {
      const char *k = a + 7;
      if (strcmp(k, "c") == 0)
        opt->emit = EMIT_C;
      else if (strcmp(k, "ir") == 0)
        opt->emit = EMIT_IR;
      else if (strcmp(k, "dot") == 0)
        opt->emit = EMIT_DOT;
      else
        return usage_error("unknown --emit kind '", k, "' (expected c, ir or dot)");
    } else if (str_starts(a, "--print-after=")) {
      opt->print_after = a + 14;
    } else if (a[0] == '-' && a[1]) {
      return usage_error("unknown option '", a, "'");
    } else if (opt->input) {
      return usage_error("more than one input file ('", a, "')");
    } else {
      opt->input = a;
    }
  }
  if (!opt->input)
    return usage_error("no input file", NULL, NULL);
  opt->fe.input = opt->input;
  return -1;
}

static void print_after(const Options *opt, const char *pass, const Module *m) {
  if (!opt->print_after || strcmp(opt->print_after, pass) != 0)
    return;
  StrBuf sb = {0};
  ir_print_module(&sb, m);
  fprintf(stderr, "; IR after %s\n%s", pass, sb.data ? sb.data : "");
  sb_free(&sb);
}

/* Write text to path (or stdout when path is NULL). Returns false on I/O error. */
static bool write_text(const char *path, const StrBuf *text) {
  FILE *f = path ? fopen(path, "w") : stdout;
  if (!f) {
    diag_report(DIAG_ERROR, (Loc){0}, "cannot write '%s'", path);
    return false;
  }
  if (text->len)
    fwrite(text->data, 1, text->len, f);
  if (path)
    fclose(f);
  return true;
}

static bool write_depfile(const Options *opt, const FeResult *fe) {
  StrBuf path = {0}, dep = {0};
  if (opt->depfile)
    sb_puts(&path, opt->depfile);
  else
    sb_printf(&path, "%s.d", opt->output ? opt->output : "adjc-out");
  sb_printf(&dep, "%s: %s", opt->output ? opt->output : "-", opt->input);
  for (int i = 0; i < fe->ndeps; i++)
    sb_printf(&dep, " \\\n  %s", fe->deps[i]);
  sb_putc(&dep, '\n');
  bool ok = write_text(path.data, &dep);
  sb_free(&path);
  sb_free(&dep);
  return ok;
}

static int run(const Options *opt, Arena *arena) {
  FeResult fe = fe_parse(arena, &opt->fe);
  if (!fe.module)
    return 1;
  /* Functions the frontend could not lower are marked broken; the others go on
   * through AD so one run reports the errors of every stage. */
  Module *m = fe.module;
  print_after(opt, "lower", m);
  ir_verify_module(m);

  ad_structurize_module(m);
  print_after(opt, "structurize", m);
  ir_verify_module(m);

  AdResult ad = ad_run_requests(m);
  if (diag_errors())
    return 1;
  print_after(opt, "ad", m);
  ir_verify_module(m);

  StrBuf out = {0}, header = {0};
  bool ok = true;
  if (opt->emit == EMIT_IR) {
    ir_print_module(&out, m);
  } else if (opt->emit == EMIT_DOT) {
    emit_dot(&out, m);
  } else {
    EmitOptions eo = {opt->input, opt->output, opt->header, opt->line_directives};
    ok = emit_c(&out, opt->header ? &header : NULL, m, &ad, &eo);
  }
  ok = ok && write_text(opt->output, &out);
  if (ok && opt->header && opt->emit == EMIT_C)
    ok = write_text(opt->header, &header);
  if (ok && opt->md)
    ok = write_depfile(opt, &fe);
  sb_free(&out);
  sb_free(&header);
  return ok && !diag_errors() ? 0 : 1;
}

int main(int argc, char **argv) {
  Options opt = {0};
  int status = parse_args(argc, argv, &opt);
  if (status >= 0)
    return status;
  Arena arena = {0};
  status = run(&opt, &arena);
  arena_free(&arena);
  diag_reset();
  return status;
}
