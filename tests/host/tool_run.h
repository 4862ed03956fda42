/* SPDX-License-Identifier: MIT */
/*
 * Tests that run programs -- the built tools, scripts, shell pipelines --
 * and look at what they print: where the tools and the shared models are,
 * and one way to run a command and collect its output and exit status.
 */
#ifndef EDGENPU_TOOL_RUN_H
#define EDGENPU_TOOL_RUN_H

#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

/* $EDGENPU_MODELS, or the shared models beside the repository. */
static inline const char *tool_models_dir(void)
{
	const char *d = getenv("EDGENPU_MODELS");

	return d && *d ? d : "../shared/models";
}

/* $EDGENPU_BIN, or the tree's build/bin. */
static inline const char *tool_bin_dir(void)
{
	const char *b = getenv("EDGENPU_BIN");

	return b && *b ? b : "build/bin";
}

/*
 * Runs @cmd with the shell: its exit status (-1 if it did not exit), and
 * what it wrote to standard output in @out (NUL-terminated, cut at @len).
 */
static inline int tool_run(const char *cmd, char *out, size_t len)
{
	FILE *p = popen(cmd, "r");
	size_t n;
	int st;

	if (!p)
		return -1;
	n = fread(out, 1, len - 1, p);
	out[n] = 0;
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

#endif /* EDGENPU_TOOL_RUN_H */
