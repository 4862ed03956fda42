/* SPDX-License-Identifier: MIT */
/*
 * The fuzzers' options: "--name VALUE" on the command line, else an
 * environment variable, else a default -- so that make targets and the
 * guest's test runner can set them alike.
 */
#ifndef EDGENPU_FUZZ_ARGS_H
#define EDGENPU_FUZZ_ARGS_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The value of option @opt, else of $@env, else @def. */
static inline const char *arg_str(int argc, char **argv, const char *opt, const char *env,
				  const char *def)
{
	const char *e = env ? getenv(env) : NULL;
	int i;

	for (i = 1; i + 1 < argc; i++)
		if (!strcmp(argv[i], opt))
			return argv[i + 1];
	return e && *e ? e : def;
}

/* The same, as a number (decimal, 0x hex or 0 octal). */
static inline uint64_t arg_or_env(int argc, char **argv, const char *opt, const char *env,
				  uint64_t def)
{
	const char *v = arg_str(argc, argv, opt, env, NULL);

	return v ? strtoull(v, NULL, 0) : def;
}

#endif /* EDGENPU_FUZZ_ARGS_H */
