/* bench_adbench.c — times the ADBench objectives (GMM, bundle adjustment, LSTM) and
 * their derivatives by every tool, side by side, and checks that the tools agree.
 *
 *   bench_adbench [--reps N] [--only NAME] [--list]   timing table (TSV on stdout)
 *   bench_adbench --check                             small sizes: every tool against
 *                                                     central finite differences and
 *                                                     against each other; exit 1 if not
 *
 * Each (benchmark, tool) cell runs in a forked child so its memory figures are its
 * own: the child resets the kernel's peak-RSS mark (/proc/self/clear_refs), runs the
 * tool once (the output it sends back to be compared), then N timed repetitions, and
 * reports the median, the peak RSS above its starting RSS, and the tape bytes (adjc:
 * adj_tape_stats; ADOL-C: tapestats). The parent compares each tool's output with the
 * reference tool's (hand-written where there is one) as max |a - b| / max |b|.
 * Progress goes to stderr; report.py turns the TSV into the markdown table and plot. */
#define _POSIX_C_SOURCE 200809L
#include "adbench.h"

#include <adjoint.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void *xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (!p) {
    fprintf(stderr, "bench_adbench: out of memory (%zu bytes)\n", n);
    exit(2);
  }
  return p;
}

/* ---- one benchmark instance ---- */
enum Kind { GMM, BA, LSTM };

typedef struct Bench {
  const char *name;
  enum Kind kind;
  int a, b, c; /* GMM d, k, n; BA cameras, points, observations; LSTM l, c, b */
} Bench;

static const Bench benches[] = {
    {"gmm_d10_K25", GMM, 10, 25, 1000},
    {"gmm_d64_K25", GMM, 64, 25, 1000},
    {"ba_small", BA, 49, 7776, 31843},
    {"ba_large", BA, 372, 47423, 204472},
    {"lstm_l2_c1024", LSTM, 2, 1024, 14},
    {"lstm_l4_c4096", LSTM, 4, 4096, 14},
};

typedef struct Input {
  enum Kind kind;
  GmmInput gmm;
  BaInput ba;
  LstmInput lstm;
} Input;

static void input_make(Input *in, enum Kind kind, int a, int b, int c) {
  memset(in, 0, sizeof *in);
  in->kind = kind;
  if (kind == GMM)
    gmm_generate(&in->gmm, a, b, c, 42);
  else if (kind == BA)
    ba_generate(&in->ba, a, b, c, 42);
  else
    lstm_generate(&in->lstm, a, b, c, 42);
}

static void input_free(Input *in) {
  if (in->kind == GMM)
    gmm_free(&in->gmm);
  else if (in->kind == BA)
    ba_free(&in->ba);
  else
    lstm_free(&in->lstm);
}

/* Length of a tool's output: the objective's outputs for the primal, else the
 * derivative (gradient, or residuals' Jacobian blocks + Jw). */
static size_t out_len(const Input *in, bool primal) {
  switch (in->kind) {
  case GMM:
    return primal ? 1 : (size_t)gmm_nparams(&in->gmm);
  case LSTM:
    return primal ? 1 : (size_t)lstm_nparams(&in->lstm);
  case BA:
    return primal ? (size_t)in->ba.p * 3 : (size_t)in->ba.p * (2 * BA_NBLOCK + 1);
  }
  return 0;
}

/* ---- the tools ---- */
typedef struct Tool {
  const char *name;
  bool primal;                                /* the objective itself, not a derivative */
  void (*setup)(const Input *in, short tag);  /* untimed, once (ADOL-C records its tape) */
  void (*run)(const Input *in, short tag, double *out);
  size_t (*tape)(short tag);                  /* tape bytes after run, or NULL */
} Tool;

static void gmm_primal(const Input *in, short tag, double *out) {
  (void)tag;
  const GmmInput *g = &in->gmm;
  out[0] = gmm_objective(g->d, g->k, g->n, g->alphas, g->means, g->icf, g->x,
                         g->wishart_gamma, g->wishart_m);
}

static void gmm_adjc(const Input *in, short tag, double *out) {
  (void)tag;
  const GmmInput *g = &in->gmm;
  memset(out, 0, out_len(in, false) * sizeof(double)); /* adjc accumulates */
  gmm_objective_grad(g->d, g->k, g->n, g->alphas, out, g->means, out + g->k, g->icf,
                     out + g->k + g->k * g->d, g->x, g->wishart_gamma, g->wishart_m);
}

static void gmm_hand(const Input *in, short tag, double *out) {
  (void)tag;
  gmm_hand_grad(&in->gmm, out);
}

static void gmm_adolc_setup(const Input *in, short tag) { adolc_gmm_record(tag, &in->gmm); }

static void gmm_adolc(const Input *in, short tag, double *out) {
  adolc_gmm_grad(tag, &in->gmm, out);
}

static void lstm_primal(const Input *in, short tag, double *out) {
  (void)tag;
  const LstmInput *s = &in->lstm;
  out[0] = lstm_objective(s->l, s->c, s->b, s->main_params, s->extra_params, s->state,
                          s->sequence);
}

static void lstm_adjc(const Input *in, short tag, double *out) {
  (void)tag;
  const LstmInput *s = &in->lstm;
  memset(out, 0, out_len(in, false) * sizeof(double));
  lstm_objective_grad(s->l, s->c, s->b, s->main_params, out, s->extra_params,
                      out + 2 * s->l * 4 * s->b, s->state, s->sequence);
}

static void lstm_hand(const Input *in, short tag, double *out) {
  (void)tag;
  lstm_hand_grad(&in->lstm, out);
}

static void lstm_adolc_setup(const Input *in, short tag) { adolc_lstm_record(tag, &in->lstm); }

static void lstm_adolc(const Input *in, short tag, double *out) {
  adolc_lstm_grad(tag, &in->lstm, out);
}

/* BA outputs: [J (p*30) | Jw (p)] for derivatives, [reproj_err (2p) | w_err (p)] for
 * the primal. The derivative tools also compute the residuals, into scratch. */
static void ba_primal(const Input *in, short tag, double *out) {
  (void)tag;
  ba_objective(&in->ba, out, out + 2 * in->ba.p);
}

/* reverse mode: one VJP per residual row, seeds e_0 and e_1 */
static void ba_adjc_vjp(const Input *in, short tag, double *out) {
  (void)tag;
  const BaInput *b = &in->ba;
  double *J = out, *Jw = out + (size_t)b->p * 2 * BA_NBLOCK;
  for (int i = 0; i < b->p; i++) {
    const double *cam = &b->cams[b->obs[2 * i] * BA_NCAM], *x = &b->x[b->obs[2 * i + 1] * 3];
    for (int r = 0; r < 2; r++) {
      double *row = &J[((size_t)i * 2 + r) * BA_NBLOCK];
      double err[2], d_err[2] = {r == 0, r == 1};
      memset(row, 0, BA_NBLOCK * sizeof(double));
      ba_reproj_vjp(cam, row, x, row + BA_NCAM, b->w[i], row + BA_NCAM + 3, b->feats[2 * i],
                    b->feats[2 * i + 1], err, d_err);
    }
    Jw[i] = -2.0 * b->w[i];
  }
}

/* forward mode: one JVP per input direction (15) */
static void ba_adjc_jvp(const Input *in, short tag, double *out) {
  (void)tag;
  const BaInput *b = &in->ba;
  double *J = out, *Jw = out + (size_t)b->p * 2 * BA_NBLOCK;
  for (int i = 0; i < b->p; i++) {
    const double *cam = &b->cams[b->obs[2 * i] * BA_NCAM], *x = &b->x[b->obs[2 * i + 1] * 3];
    for (int j = 0; j < BA_NBLOCK; j++) {
      double t[BA_NBLOCK] = {0}, err[2], t_err[2];
      t[j] = 1.0;
      ba_reproj_jvp(cam, t, x, t + BA_NCAM, b->w[i], t[BA_NCAM + 3], b->feats[2 * i],
                    b->feats[2 * i + 1], err, t_err);
      J[((size_t)i * 2) * BA_NBLOCK + j] = t_err[0];
      J[((size_t)i * 2 + 1) * BA_NBLOCK + j] = t_err[1];
    }
    Jw[i] = -2.0 * b->w[i];
  }
}

static double *ba_scratch(const Input *in) {
  static double *scratch; /* residuals the derivative tools also compute */
  static size_t len;
  size_t need = (size_t)in->ba.p * 3;
  if (len < need) {
    free(scratch);
    scratch = xmalloc(need * sizeof(double));
    len = need;
  }
  return scratch;
}

static void ba_hand(const Input *in, short tag, double *out) {
  (void)tag;
  double *res = ba_scratch(in);
  ba_hand_jacobian(&in->ba, res, res + 2 * in->ba.p, out,
                   out + (size_t)in->ba.p * 2 * BA_NBLOCK);
}

static void ba_adolc_setup(const Input *in, short tag) { adolc_ba_record(tag, &in->ba); }

static void ba_adolc(const Input *in, short tag, double *out) {
  double *res = ba_scratch(in);
  if (adolc_ba_jacobian(tag, &in->ba, res, res + 2 * in->ba.p, out,
                        out + (size_t)in->ba.p * 2 * BA_NBLOCK) != 0) {
    fprintf(stderr, "bench_adbench: ADOL-C failed on the BA Jacobian\n");
    exit(3);
  }
}

static size_t adjc_tape(short tag) {
  (void)tag;
  return adj_tape_stats().peak_bytes;
}

/* The first derivative tool of each list is the reference of the comparison. */
static const Tool gmm_tools[] = {
    {"primal", true, NULL, gmm_primal, NULL},
    {"hand", false, NULL, gmm_hand, NULL},
    {"adjc", false, NULL, gmm_adjc, adjc_tape},
    {"adolc", false, gmm_adolc_setup, gmm_adolc, adolc_tape_bytes},
};
static const Tool ba_tools[] = {
    {"primal", true, NULL, ba_primal, NULL},
    {"hand", false, NULL, ba_hand, NULL},
    {"adjc", false, NULL, ba_adjc_vjp, adjc_tape},
    {"adjc-jvp", false, NULL, ba_adjc_jvp, adjc_tape},
    {"adolc", false, ba_adolc_setup, ba_adolc, adolc_tape_bytes},
};
static const Tool lstm_tools[] = {
    {"primal", true, NULL, lstm_primal, NULL},
    {"hand", false, NULL, lstm_hand, NULL},
    {"adjc", false, NULL, lstm_adjc, adjc_tape},
    {"adolc", false, lstm_adolc_setup, lstm_adolc, adolc_tape_bytes},
};

static const Tool *tools_of(enum Kind k, int *n) {
  switch (k) {
  case GMM:
    *n = (int)(sizeof gmm_tools / sizeof *gmm_tools);
    return gmm_tools;
  case BA:
    *n = (int)(sizeof ba_tools / sizeof *ba_tools);
    return ba_tools;
  case LSTM:
    *n = (int)(sizeof lstm_tools / sizeof *lstm_tools);
    return lstm_tools;
  }
  *n = 0;
  return NULL;
}

/* ---- measuring one cell in a child process ---- */
typedef struct Cell {
  double median_s, min_s, record_s;
  int reps;
  size_t tape_bytes;
  long rss_kb; /* peak RSS above the child's starting RSS */
} Cell;

static long status_kb(const char *field) {
  FILE *f = fopen("/proc/self/status", "r");
  if (!f)
    return -1;
  char line[256];
  long kb = -1;
  size_t n = strlen(field);
  while (fgets(line, sizeof line, f))
    if (!strncmp(line, field, n) && line[n] == ':') {
      kb = atol(line + n + 1);
      break;
    }
  fclose(f);
  return kb;
}

/* Reset the peak-RSS mark (VmHWM) to the current RSS; false where unsupported. */
static bool reset_peak_rss(void) {
  FILE *f = fopen("/proc/self/clear_refs", "w");
  if (!f)
    return false;
  bool ok = fputs("5", f) >= 0;
  return fclose(f) == 0 && ok;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static bool write_all(int fd, const void *buf, size_t n) {
  const char *p = buf;
  while (n) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0)
      return false;
    p += w, n -= (size_t)w;
  }
  return true;
}

static bool read_all(int fd, void *buf, size_t n) {
  char *p = buf;
  while (n) {
    ssize_t r = read(fd, p, n);
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0)
      return false;
    p += r, n -= (size_t)r;
  }
  return true;
}

static void child_measure(const Input *in, const Tool *t, int reps, int fd) {
  short tag = 1;
  size_t n = out_len(in, t->primal);
  Cell c = {0};
  bool hwm = reset_peak_rss();
  long rss0 = status_kb("VmRSS");
  double *out = xmalloc(n * sizeof(double));
  if (t->setup) {
    double t0 = now();
    t->setup(in, tag);
    c.record_s = now() - t0;
  }
  adj_tape_stats_reset();
  t->run(in, tag, out); /* warm-up; its output is compared */
  if (t->tape)
    c.tape_bytes = t->tape(tag);
  double *times = xmalloc((size_t)reps * sizeof(double));
  for (int r = 0; r < reps; r++) {
    double t0 = now();
    t->run(in, tag, out);
    times[r] = now() - t0;
  }
  qsort(times, (size_t)reps, sizeof *times, cmp_double);
  c.reps = reps;
  c.min_s = times[0];
  c.median_s = reps % 2 ? times[reps / 2] : 0.5 * (times[reps / 2 - 1] + times[reps / 2]);
  c.rss_kb = hwm && rss0 >= 0 ? status_kb("VmHWM") - rss0 : -1;
  if (t->setup)
    adolc_release(tag);
  if (!write_all(fd, &c, sizeof c) || !write_all(fd, out, n * sizeof(double)))
    _exit(4);
  _exit(0);
}

/* Runs one cell in a child; fills c and out (out_len doubles). False on failure. */
static bool measure(const Input *in, const Tool *t, int reps, Cell *c, double *out) {
  int fds[2];
  if (pipe(fds) != 0) {
    perror("pipe");
    return false;
  }
  fflush(NULL);
  pid_t pid = fork();
  if (pid < 0) {
    perror("fork");
    return false;
  }
  if (pid == 0) {
    close(fds[0]);
    child_measure(in, t, reps, fds[1]);
  }
  close(fds[1]);
  bool ok = read_all(fds[0], c, sizeof *c) &&
            read_all(fds[0], out, out_len(in, t->primal) * sizeof(double));
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  return ok && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* max |a - b| / max |b| (normwise relative difference, infinity norm) */
static double rel_diff(const double *a, const double *b, size_t n) {
  double num = 0.0, den = 0.0;
  for (size_t i = 0; i < n; i++) {
    double d = fabs(a[i] - b[i]);
    if (d > num || d != d)
      num = d;
    if (fabs(b[i]) > den)
      den = fabs(b[i]);
  }
  return den > 0.0 ? num / den : num;
}

static int run_table(int reps, const char *only) {
  printf("bench\ttool\tmedian_ms\tmin_ms\treps\tratio\tmaxdiff\treference\ttape_bytes\t"
         "peak_rss_kb\trecord_ms\n");
  int failures = 0;
  for (size_t bi = 0; bi < sizeof benches / sizeof *benches; bi++) {
    const Bench *B = &benches[bi];
    if (only && !strstr(B->name, only))
      continue;
    Input in;
    input_make(&in, B->kind, B->a, B->b, B->c);
    int ntools;
    const Tool *tools = tools_of(B->kind, &ntools);
    size_t n = out_len(&in, false);
    double *ref = xmalloc(n * sizeof(double));
    double *out = xmalloc((n > out_len(&in, true) ? n : out_len(&in, true)) * sizeof(double));
    const char *ref_name = NULL;
    double primal_s = 0.0;
    for (int ti = 0; ti < ntools; ti++) {
      const Tool *t = &tools[ti];
      fprintf(stderr, "%-14s %-9s ...", B->name, t->name);
      Cell c;
      if (!measure(&in, t, reps, &c, out)) {
        fprintf(stderr, " failed\n");
        failures++;
        continue;
      }
      fprintf(stderr, " %10.3f ms\n", 1e3 * c.median_s);
      double diff = 0.0;
      if (t->primal) {
        primal_s = c.median_s;
      } else if (!ref_name) {
        memcpy(ref, out, n * sizeof(double));
        ref_name = t->name;
      } else {
        diff = rel_diff(out, ref, n);
      }
      printf("%s\t%s\t%.6f\t%.6f\t%d\t%.3f\t%.3g\t%s\t%zu\t%ld\t%.3f\n", B->name, t->name,
             1e3 * c.median_s, 1e3 * c.min_s, c.reps, primal_s > 0 ? c.median_s / primal_s : 0.0,
             diff, t->primal ? "-" : ref_name, c.tape_bytes, c.rss_kb, 1e3 * c.record_s);
      fflush(stdout);
    }
    free(ref);
    free(out);
    input_free(&in);
  }
  return failures ? 1 : 0;
}

/* ---- --check: small sizes, every tool against finite differences ---- */

/* The objective as a function of the flattened parameters (GMM, LSTM). */
static double objective_at(Input *in, const double *p) {
  if (in->kind == GMM) {
    GmmInput *g = &in->gmm;
    size_t k = (size_t)g->k, kd = k * g->d, icf = (size_t)gmm_nparams(g) - k - kd;
    memcpy(g->alphas, p, k * sizeof(double));
    memcpy(g->means, p + k, kd * sizeof(double));
    memcpy(g->icf, p + k + kd, icf * sizeof(double));
    return gmm_objective(g->d, g->k, g->n, g->alphas, g->means, g->icf, g->x,
                         g->wishart_gamma, g->wishart_m);
  }
  LstmInput *s = &in->lstm;
  size_t nm = (size_t)2 * s->l * 4 * s->b;
  memcpy(s->main_params, p, nm * sizeof(double));
  memcpy(s->extra_params, p + nm, (size_t)3 * s->b * sizeof(double));
  return lstm_objective(s->l, s->c, s->b, s->main_params, s->extra_params, s->state,
                        s->sequence);
}

static void params_of(const Input *in, double *p) {
  if (in->kind == GMM) {
    const GmmInput *g = &in->gmm;
    size_t k = (size_t)g->k, kd = k * g->d, icf = (size_t)gmm_nparams(g) - k - kd;
    memcpy(p, g->alphas, k * sizeof(double));
    memcpy(p + k, g->means, kd * sizeof(double));
    memcpy(p + k + kd, g->icf, icf * sizeof(double));
  } else {
    const LstmInput *s = &in->lstm;
    size_t nm = (size_t)2 * s->l * 4 * s->b;
    memcpy(p, s->main_params, nm * sizeof(double));
    memcpy(p + nm, s->extra_params, (size_t)3 * s->b * sizeof(double));
  }
}

/* Central differences of the derivative output (step h, relative to 1 + |x|). */
static void finite_differences(Input *in, double *fd) {
  const double h = 1e-6;
  if (in->kind == BA) {
    const BaInput *b = &in->ba;
    for (int i = 0; i < b->p; i++) {
      double v[BA_NBLOCK];
      memcpy(v, &b->cams[b->obs[2 * i] * BA_NCAM], BA_NCAM * sizeof(double));
      memcpy(v + BA_NCAM, &b->x[b->obs[2 * i + 1] * 3], 3 * sizeof(double));
      v[BA_NCAM + 3] = b->w[i];
      for (int j = 0; j < BA_NBLOCK; j++) {
        double e[2][2], saved = v[j], step = h * (1.0 + fabs(saved));
        for (int s = 0; s < 2; s++) {
          v[j] = saved + (s ? -step : step);
          ba_reproj(v, v + BA_NCAM, v[BA_NCAM + 3], b->feats[2 * i], b->feats[2 * i + 1], e[s]);
        }
        v[j] = saved;
        for (int r = 0; r < 2; r++)
          fd[((size_t)i * 2 + r) * BA_NBLOCK + j] = (e[0][r] - e[1][r]) / (2 * step);
      }
      fd[(size_t)b->p * 2 * BA_NBLOCK + i] = -2.0 * b->w[i]; /* d(1 - w^2)/dw */
    }
    return;
  }
  size_t n = out_len(in, false);
  double *p = xmalloc(n * sizeof(double));
  params_of(in, p);
  for (size_t j = 0; j < n; j++) {
    double saved = p[j], step = h * (1.0 + fabs(saved));
    p[j] = saved + step;
    double up = objective_at(in, p);
    p[j] = saved - step;
    double down = objective_at(in, p);
    p[j] = saved;
    fd[j] = (up - down) / (2 * step);
  }
  objective_at(in, p); /* restore the input */
  free(p);
}

static int run_check(void) {
  /* small instances, one with a zero camera rotation (the other Rodrigues branch) */
  static const Bench small[] = {
      {"gmm_d3_K4", GMM, 3, 4, 10},   {"gmm_d7_K5", GMM, 7, 5, 20},
      {"ba_n3_p10", BA, 3, 5, 10},    {"lstm_l2_c5_b4", LSTM, 2, 5, 4},
      {"lstm_l3_c7_b5", LSTM, 3, 7, 5},
  };
  const double tol_fd = 1e-6, tol_tools = 1e-8;
  int bad = 0;
  for (size_t bi = 0; bi < sizeof small / sizeof *small; bi++) {
    const Bench *B = &small[bi];
    Input in;
    input_make(&in, B->kind, B->a, B->b, B->c);
    if (B->kind == BA)
      memset(&in.ba.cams[BA_NCAM + BA_ROT_IDX], 0, 3 * sizeof(double)); /* camera 1 */
    size_t n = out_len(&in, false);
    double *fd = xmalloc(n * sizeof(double)), *out = xmalloc(n * sizeof(double));
    double *ref = xmalloc(n * sizeof(double));
    finite_differences(&in, fd);
    int ntools;
    const Tool *tools = tools_of(B->kind, &ntools);
    const char *ref_name = NULL;
    for (int ti = 0; ti < ntools; ti++) {
      const Tool *t = &tools[ti];
      if (t->primal)
        continue;
      if (t->setup)
        t->setup(&in, 7);
      t->run(&in, 7, out);
      if (t->setup)
        adolc_release(7);
      double dfd = rel_diff(out, fd, n);
      double dref = ref_name ? rel_diff(out, ref, n) : 0.0;
      bool ok = dfd <= tol_fd && dref <= tol_tools;
      printf("%-14s %-9s vs fd %.2e (tol %.0e)  vs %-5s %.2e (tol %.0e)  %s\n", B->name, t->name,
             dfd, tol_fd, ref_name ? ref_name : "-", dref, tol_tools, ok ? "ok" : "FAIL");
      bad += !ok;
      if (!ref_name) {
        memcpy(ref, out, n * sizeof(double));
        ref_name = t->name;
      }
    }
    free(fd), free(out), free(ref);
    input_free(&in);
  }
  printf("%s\n", bad ? "FAILED" : "all tools agree");
  return bad ? 1 : 0;
}

/* ADOL-C spills tapes that outgrow its buffers to files in the working directory:
 * work in a fresh temporary directory and remove it afterwards. */
static char workdir[] = "/tmp/adbench.XXXXXX";

static void remove_workdir(void) {
  DIR *d = opendir(workdir);
  if (!d)
    return;
  struct dirent *e;
  char path[sizeof workdir + 256];
  while ((e = readdir(d)))
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
      snprintf(path, sizeof path, "%s/%s", workdir, e->d_name);
      remove(path);
    }
  closedir(d);
  rmdir(workdir);
}

static bool enter_workdir(void) {
  if (!mkdtemp(workdir) || chdir(workdir) != 0) {
    perror("bench_adbench: temporary directory");
    return false;
  }
  atexit(remove_workdir);
  return true;
}

int main(int argc, char **argv) {
  int reps = 10;
  const char *only = NULL;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--check"))
      return enter_workdir() ? run_check() : 2;
    if (!strcmp(argv[i], "--reps") && i + 1 < argc)
      reps = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--only") && i + 1 < argc)
      only = argv[++i];
    else if (!strcmp(argv[i], "--list")) {
      for (size_t b = 0; b < sizeof benches / sizeof *benches; b++)
        printf("%s\n", benches[b].name);
      return 0;
    } else {
      fprintf(stderr, "usage: %s [--reps N] [--only NAME] [--list] | --check\n", argv[0]);
      return 2;
    }
  }
  if (reps < 1) {
    fprintf(stderr, "bench_adbench: --reps needs a positive count\n");
    return 2;
  }
  return enter_workdir() ? run_table(reps, only) : 2;
}
