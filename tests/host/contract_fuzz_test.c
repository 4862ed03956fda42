// SPDX-License-Identifier: MIT
/*
 * The hardware contract against hostile command streams, a bounded and
 * deterministic run for make check (tests/fuzz/contract_check.h says what
 * is checked). Jobs are made from a seed with the ioctl fuzzer's command
 * generator (tests/fuzz/cmd_gen.h): valid commands over operands inside
 * the buffers, at and past their edges, in the gaps between them, in SRAM
 * and past its end, in read-only buffers and ones not listed for writing;
 * one word mutated now and then; now and then words at random.
 *
 *   contract_fuzz_test [--seed N] [--cases N]   (EDGENPU_CONTRACT_SEED/_CASES)
 *   contract_fuzz_test --input FILE             replay one input (a libFuzzer
 *                                               finding, or one printed here)
 *   contract_fuzz_test --write-corpus DIR       write the inputs as seeds for
 *                                               make fuzz-contract
 *
 * Built with ASan and UBSan.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kselftest.h"

#include "cmd_gen.h"
#include "contract_check.h"
#include "fuzz_args.h"

#define DEFAULT_CASES	10000
#define MAX_INPUT	(1 + CONTRACT_MAX_BUFS + 4 * 512)

struct layout {
	struct rng *r;
	unsigned int nbuf;
	uint32_t size[CONTRACT_MAX_BUFS];
};

/* An operand's VA: in a buffer, at or past its edges, between, in SRAM... */
static uint32_t pick_va(void *p, uint64_t len)
{
	struct layout *l = p;
	struct rng *R = l->r;
	unsigned int b = below(R, l->nbuf);
	uint32_t va = CONTRACT_BUF_VA(b), size = l->size[b];
	uint32_t sram = contract_sram_size();

	switch (below(R, 20)) {
	case 11:	/* across the buffer's end */
	case 12:
		return len <= size ? va + size - (uint32_t)len + 1 + below(R, (uint32_t)len) :
				     va;
	case 13:	/* starting before it */
		return va - 1 - below(R, 64);
	case 14:	/* in SRAM */
	case 15:
	case 16:
		return ENPU_SRAM_VA_BASE + below(R, sram - (uint32_t)len + 1);
	case 17:	/* across SRAM's end */
		return ENPU_SRAM_VA_BASE + sram - (uint32_t)len + 1 + below(R, (uint32_t)len);
	case 18:
	case 19:
		return edge32(R);
	default:	/* inside */
		return va + (len >= size ? 0 : below(R, size - (uint32_t)len + 1));
	}
}

/* Case @index of the run from @seed, into @d; returns its length. */
static size_t make_case(uint64_t seed, unsigned long index, uint8_t *d)
{
	struct rng r = { .s = (seed ^ 0x5bd1e9955bd1e995ull) + index * 0x9e3779b97f4a7c15ull };
	uint32_t words[512];
	struct cmd_gen g = { .r = &r, .va = pick_va, .s = words, .cap = 512 };
	struct layout l = { .r = &r };
	unsigned int i, n;
	size_t len;

	if (!r.s)
		r.s = 1;
	rnd(&r);
	l.nbuf = 1 + below(&r, CONTRACT_MAX_BUFS);
	g.ctx = &l;
	d[0] = (uint8_t)((chance(&r, 10) ? CONTRACT_RAW : 0) | (l.nbuf - 1) << 1);
	for (i = 0; i < l.nbuf; i++) {
		unsigned int pages = 1 + below(&r, CONTRACT_MAX_PAGES);

		l.size[i] = pages * ENPU_PAGE_SIZE;
		d[1 + i] = (uint8_t)((pages - 1) | (chance(&r, 20) ? CONTRACT_BUF_RO : 0) |
				     (chance(&r, 20) ? CONTRACT_BUF_NOWRITE : 0));
	}
	if (chance(&r, 5)) {
		n = 1 + below(&r, 64);
		for (i = 0; i < n; i++)
			words[i] = chance(&r, 50) ? (uint32_t)rnd(&r) : edge32(&r);
	} else {
		n = cmd_gen_stream(&g);
		if (!n)
			words[n++] = ENPU_CMD_HDR(ENPU_OP_END, 1);
	}
	len = 1 + l.nbuf;
	for (i = 0; i < n; i++) {
		d[len++] = (uint8_t)words[i];
		d[len++] = (uint8_t)(words[i] >> 8);
		d[len++] = (uint8_t)(words[i] >> 16);
		d[len++] = (uint8_t)(words[i] >> 24);
	}
	return len;
}

static void print_hex(const uint8_t *d, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		printf("%s%02x", i % 32 ? "" : "\n# ", d[i]);
	printf("\n");
}

static int replay(const char *path)
{
	static uint8_t d[1 + CONTRACT_MAX_BUFS + 4 * CONTRACT_MAX_WORDS];
	struct contract_stats st = { 0 };
	char why[512];
	FILE *f = fopen(path, "rb");
	size_t len;

	if (!f) {
		fprintf(stderr, "contract_fuzz_test: cannot open %s: %s\n", path, strerror(errno));
		return 2;
	}
	len = fread(d, 1, sizeof(d), f);
	fclose(f);
	if (contract_run(d, len, &st, why, sizeof(why))) {
		printf("%s: %s\n", path, why);
		return 1;
	}
	printf("%s: no finding (%s)\n", path,
	       st.accepted ? "accepted" : st.too_costly ? "too costly to run" :
	       st.inputs ? "refused, ran raw" : "too short to be a job");
	return 0;
}

static int write_corpus(const char *dir, uint64_t seed, unsigned long cases)
{
	uint8_t d[MAX_INPUT];
	unsigned long i;
	char path[4096];

	for (i = 0; i < cases; i++) {
		size_t len = make_case(seed, i, d);
		FILE *f;

		snprintf(path, sizeof(path), "%s/gen-%lu", dir, i);
		f = fopen(path, "wb");
		if (!f || fwrite(d, 1, len, f) != len) {
			fprintf(stderr, "contract_fuzz_test: cannot write %s: %s\n", path,
				strerror(errno));
			if (f)
				fclose(f);
			return 2;
		}
		fclose(f);
	}
	return 0;
}

/*
 * The check itself must see an access outside what was granted: a copy
 * inside one buffer, with the last byte of its destination not granted.
 */
static int shadow_catches_overreach(void)
{
	struct enpu_cmd_dma_copy c = {
		.src = CONTRACT_BUF_VA(0), .dst = CONTRACT_BUF_VA(0) + 128, .row_bytes = 64,
		.rows = 1, .planes = 1, .src_row_stride = 64, .dst_row_stride = 64,
	};
	uint32_t w[ENPU_CMD_WORDS_OF(struct enpu_cmd_dma_copy) + 1];
	uint8_t d[2 + sizeof(w)];
	struct contract_stats st = { 0 };
	char why[512];
	int ok, bad;

	memcpy(w, &c, sizeof(c));
	w[0] = ENPU_CMD_HDR(ENPU_OP_DMA_COPY, ENPU_CMD_WORDS_OF(struct enpu_cmd_dma_copy));
	w[ENPU_CMD_WORDS_OF(struct enpu_cmd_dma_copy)] = ENPU_CMD_HDR(ENPU_OP_END, 1);
	d[0] = 0;		/* one buffer, validated */
	d[1] = 0;		/* one writable page */
	memcpy(d + 2, w, sizeof(w));
	ok = contract_run(d, sizeof(d), &st, why, sizeof(why));
	if (ok)
		printf("# the plain copy: %s\n", why);
	contract_grant_short = 1;
	bad = contract_run(d, sizeof(d), &st, why, sizeof(why));
	contract_grant_short = 0;
	if (bad)
		printf("# with its regions granted one byte short: %s\n", why);
	return !ok && bad && st.accepted == 2;
}

int main(int argc, char **argv)
{
	uint64_t seed = arg_or_env(argc, argv, "--seed", "EDGENPU_CONTRACT_SEED", 1);
	unsigned long cases = arg_or_env(argc, argv, "--cases", "EDGENPU_CONTRACT_CASES",
					 DEFAULT_CASES);
	const char *input = arg_str(argc, argv, "--input", NULL, NULL);
	const char *corpus = arg_str(argc, argv, "--write-corpus", NULL, NULL);
	struct contract_stats st = { 0 };
	unsigned long i, failures = 0;
	uint8_t d[MAX_INPUT];
	struct timespec t0, t1;
	char why[512];

	if (input)
		return replay(input);
	if (corpus)
		return write_corpus(corpus, seed, cases);

	ksft_print_header();
	ksft_set_plan(2);
	ksft_test_result(shadow_catches_overreach(),
			 "the shadow reports an access one byte past the regions granted\n");

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < cases; i++) {
		size_t len = make_case(seed, i, d);

		if (!contract_run(d, len, &st, why, sizeof(why)))
			continue;
		if (failures++ < 5) {
			printf("# case %lu (replay: --seed %llu, the input below to a file, "
			       "--input FILE): %s", i, (unsigned long long)seed, why);
			print_hex(d, len);
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("# contract: seed %llu, %lu jobs in %.1f s (host wall time): %lu accepted by "
	       "the kernel's rule, %lu refused by the decoder, %lu for a region; %lu raw "
	       "runs; %lu too costly to run\n",
	       (unsigned long long)seed, st.inputs,
	       (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9,
	       st.accepted, st.refused_decode, st.refused_region, st.raw_runs, st.too_costly);
	printf("# contract: job status:");
	for (i = 0; i < sizeof(st.status) / sizeof(st.status[0]); i++)
		if (st.status[i])
			printf(" %s %lu", contract_status_name(i), st.status[i]);
	printf("; %llu bytes granted in all\n", st.bytes_granted);
	/* a run that accepts or refuses nothing tests one side only */
	if (st.accepted < cases / 10 || st.refused_region < cases / 20)
		printf("# contract: the generator no longer covers both sides of the rule\n");
	ksft_test_result(!failures && st.accepted >= cases / 10 &&
			 st.refused_region >= cases / 20,
			 "%lu jobs: nothing touched outside what the rule grants or the "
			 "pages map (%lu findings)\n", st.inputs, failures);
	ksft_finished();
}
