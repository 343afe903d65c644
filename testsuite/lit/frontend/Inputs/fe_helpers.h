/* A user header for the frontend tests: a static inline helper lowered with its
 * caller, and a dependency for -MD. */
#ifndef FE_HELPERS_H
#define FE_HELPERS_H
static inline double fe_twice(double x) { return 2 * x; }
#endif
