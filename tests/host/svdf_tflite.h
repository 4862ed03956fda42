/* SPDX-License-Identifier: MIT */
/*
 * A small SVDF -- input [1, 5], 3 units of rank 2 (6 filters), memory 4,
 * its state a variable -- its weights, and the same as a one-operator
 * TFLite file written with the test forge: libedgenpu_variable_test's
 * model, and the Python binding's test's (tests/python/svdf_tflite.c).
 */
#ifndef EDGENPU_SVDF_TFLITE_H
#define EDGENPU_SVDF_TFLITE_H

#include <stdint.h>
#include <string.h>

#include <edgenpu/edgenpu.h>

#include "../fuzz/tflite_forge.h"

#define IN	5
#define UNITS	3
#define RANK	2
#define FILT	(UNITS * RANK)
#define MEM	4
#define STATE	(FILT * MEM)

static const float in_s = 0.05f, wf_s = 0.01f, wt_s = 0.0005f, st_s = 0.002f, out_s = 0.03f;
static const int32_t in_zp = 3, out_zp = -7, zero = 0;

struct svdf_graph {
	int8_t wf[FILT * IN];
	int16_t wt[FILT * MEM];
	int32_t bias[UNITS];
	int16_t init[STATE];
	struct enpu_graph *g;
	int x, state, out;
};

static inline void fill(struct svdf_graph *s)
{
	unsigned int v = 12345;
	int i;

	for (i = 0; i < FILT * IN; i++)
		s->wf[i] = (int8_t)((v = v * 1103515245u + 12345u) >> 24);
	for (i = 0; i < FILT * MEM; i++)
		s->wt[i] = (int16_t)((v = v * 1103515245u + 12345u) >> 16);
	for (i = 0; i < UNITS; i++)
		s->bias[i] = (int32_t)((v = v * 1103515245u + 12345u) >> 20) - 2048;
	for (i = 0; i < STATE; i++)
		s->init[i] = (int16_t)((v = v * 1103515245u + 12345u) >> 18) - 8192;
}

/*
 * The SVDF as a one-operator TFLite file: @rank its option (RANK is the
 * shapes'), the state a variable, with data when @state_data (TFLite
 * refuses that).
 */
static inline size_t forge_svdf(const struct svdf_graph *s, int rank, int state_data, uint8_t **buf)
{
	struct fg_model m;
	struct fg_op *op = &m.op[0];
	const float bias_s = st_s * wt_s;

	memset(&m, 0, sizeof(m));
	m.version = 3;
	m.nbuffers = 5;
	m.b[1] = (struct fg_buffer){ .data = s->wf, .len = sizeof(s->wf) };
	m.b[2] = (struct fg_buffer){ .data = s->wt, .len = sizeof(s->wt) };
	m.b[3] = (struct fg_buffer){ .data = s->bias, .len = sizeof(s->bias) };
	m.b[4] = (struct fg_buffer){ .data = s->init, .len = sizeof(s->init) };
	m.ntensors = 6;
	m.t[0] = (struct fg_tensor){ .name = "x", .type = FG_INT8, .rank = 2, .dims = { 1, IN },
				     .nscales = 1, .scales = { in_s }, .nzps = 1,
				     .zps = { in_zp } };
	m.t[1] = (struct fg_tensor){ .name = "wf", .type = FG_INT8, .rank = 2,
				     .dims = { FILT, IN }, .nscales = 1, .scales = { wf_s },
				     .nzps = 1, .buffer = 1 };
	m.t[2] = (struct fg_tensor){ .name = "wt", .type = FG_INT16, .rank = 2,
				     .dims = { FILT, MEM }, .nscales = 1, .scales = { wt_s },
				     .nzps = 1, .buffer = 2 };
	m.t[3] = (struct fg_tensor){ .name = "bias", .type = FG_INT32, .rank = 1,
				     .dims = { UNITS }, .nscales = 1, .scales = { bias_s },
				     .nzps = 1, .buffer = 3 };
	m.t[4] = (struct fg_tensor){ .name = "state", .type = FG_INT16, .rank = 2,
				     .dims = { 1, STATE }, .nscales = 1, .scales = { st_s },
				     .nzps = 1, .is_variable = 1,
				     .buffer = state_data ? 4 : 0 };
	m.t[5] = (struct fg_tensor){ .name = "y", .type = FG_INT8, .rank = 2,
				     .dims = { 1, UNITS }, .nscales = 1, .scales = { out_s },
				     .nzps = 1, .zps = { out_zp } };
	m.nops = 1;
	op->code = 27;	/* SVDF */
	op->nin = 5;
	op->in[0] = 0;
	op->in[1] = 1;
	op->in[2] = 2;
	op->in[3] = 3;
	op->in[4] = 4;
	op->nout = 1;
	op->outs[0] = 5;
	op->nopt = 1;
	op->opt[0].slot = 0;
	op->opt[0].size = 4;
	op->opt[0].val = (uint32_t)rank;
	m.nin = 1;
	m.in[0] = 0;
	m.nout = 1;
	m.out[0] = 5;
	return fg_build(&m, buf);
}

#endif /* EDGENPU_SVDF_TFLITE_H */
