// SPDX-License-Identifier: MIT
/*
 * scripts/setup/quiet-build, through which make demo builds: the command's
 * standard output (make's command lines) goes to the log only, its
 * standard error (every long step's progress, compiler errors) to the
 * terminal as well; a failure shows the log's end and keeps the status.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "tool_run.h"

FIXTURE(qb) {
	char log[64], err[64];
};

FIXTURE_SETUP(qb)
{
	int a, b;

	if (access("Makefile", R_OK) || access("scripts/setup", X_OK))
		SKIP(return, "run from the repository's top directory");
	ASSERT_EQ(0, access("scripts/setup/quiet-build", X_OK));
	snprintf(self->log, sizeof(self->log), "/tmp/enpu-qb-log-XXXXXX");
	snprintf(self->err, sizeof(self->err), "/tmp/enpu-qb-err-XXXXXX");
	a = mkstemp(self->log);
	b = mkstemp(self->err);
	ASSERT_LE(0, a);
	ASSERT_LE(0, b);
	close(a);
	close(b);
}

FIXTURE_TEARDOWN(qb)
{
	if (self->log[0])
		unlink(self->log);
	if (self->err[0])
		unlink(self->err);
}

/* Runs quiet-build with @script; its exit status, its stdout in @out. */
static int qb(const char *log, const char *err, const char *script, char *out, size_t len)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "scripts/setup/quiet-build %s sh -c '%s' 2>%s", log, script,
		 err);
	return tool_run(cmd, out, len);
}

static char *slurp(const char *path)
{
	static char buf[8192];
	FILE *f = fopen(path, "r");
	size_t n = 0;

	if (f) {
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
	}
	buf[n] = 0;
	return buf;
}

TEST_F(qb, progress_on_the_terminal_commands_in_the_log)
{
	char out[1024];

	ASSERT_EQ(0, qb(self->log, self->err, "echo cc -c foo.c; echo \"[edgenpu] qemu build  40%\" >&2",
			out, sizeof(out)));
	EXPECT_STREQ("", out);
	EXPECT_STREQ("[edgenpu] qemu build  40%\n", slurp(self->err));
	EXPECT_NE(NULL, strstr(slurp(self->log), "cc -c foo.c\n"));
	EXPECT_NE(NULL, strstr(slurp(self->log), "qemu build  40%"));
}

TEST_F(qb, a_failure_shows_the_end_of_the_log_and_keeps_its_status)
{
	char out[1024];

	ASSERT_EQ(3, qb(self->log, self->err, "echo cc -c bad.c; echo \"bad.c:1: error\" >&2; exit 3",
			out, sizeof(out)));
	EXPECT_STREQ("", out);
	EXPECT_NE(NULL, strstr(slurp(self->err), "bad.c:1: error\n[edgenpu] the build failed (exit 3)"))
		TH_LOG("%s", slurp(self->err));
	EXPECT_NE(NULL, strstr(slurp(self->err), "cc -c bad.c")) TH_LOG("%s", slurp(self->err));
}

/* make demo builds through it (make -n prints the recipe). */
TEST_F(qb, make_demo_builds_through_it)
{
	char out[1024];

	tool_run("make -n --no-print-directory demo 2>/dev/null | grep -c "
		 "'scripts/setup/quiet-build build/demo-build.log'", out, sizeof(out));
	EXPECT_STREQ("1\n", out);
}

TEST_HARNESS_MAIN
