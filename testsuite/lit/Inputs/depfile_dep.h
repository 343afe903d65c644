/* depfile_dep.h — included by driver/flags.c so its -MD dependency file has a
 * user header to list. */
#define DEP_FACTOR 2.0
