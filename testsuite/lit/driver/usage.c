// Command-line errors: bad usage exits 2 with a one-line reason and a pointer to
// --help; an input that cannot be read exits 1 with a diagnostic naming it.
//
// RUN: %expect_exit 2 %adjc --bogus %s 2>&1 | %FileCheck %s --check-prefix=UNKNOWN
// UNKNOWN: adjc: error: unknown option '--bogus'
// UNKNOWN-NEXT: adjc: run 'adjc --help' for usage
//
// RUN: %expect_exit 2 %adjc 2>&1 | %FileCheck %s --check-prefix=NOINPUT
// NOINPUT: adjc: error: no input file
//
// RUN: %expect_exit 2 %adjc %s -o 2>&1 | %FileCheck %s --check-prefix=NOARG
// NOARG: adjc: error: option '-o' needs an argument
//
// RUN: %expect_exit 2 %adjc --emit=asm %s 2>&1 | %FileCheck %s --check-prefix=EMIT
// EMIT: adjc: error: unknown --emit kind 'asm' (expected c, ir or dot)
//
// RUN: %expect_exit 2 %adjc %s %s 2>&1 | %FileCheck %s --check-prefix=TWO
// TWO: adjc: error: more than one input file
//
// RUN: rm -rf %t.dir && mkdir -p %t.dir && cd %t.dir
// RUN: %expect_exit 1 %adjc missing.c -o out.c 2>&1 | %FileCheck %s --check-prefix=MISSING
// MISSING: error: {{.*}}missing.c
// RUN: not test -e out.c
