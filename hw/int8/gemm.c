// SPDX-License-Identifier: MIT
/*
 * The unsigned-by-signed GEMM (enpu_gemm.h): packing weights, once
 * (enpu_gemm_weights) or at a call, and running a layer on the packed
 * weights ENPU_GEMM_ROWS rows at a time against ENPU_GEMM_BLOCKS channel
 * blocks at a time (requantised by the kernel), CONV_2D's pixels and
 * FULLY_CONNECTED's batches alike.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "enpu_gemm.h"
#include "enpu_int8_internal.h"
#include "enpu_requant.h"

_Static_assert(ENPU_GEMM_BLOCKS * ENPU_GEMM_BLOCK == ENPU_RQ_CHUNK,
	       "a gemm_u8 call's channels are one requantisation table's");

void enpu_gemm_pack(int8_t *dst, int32_t *sums, const int8_t *w, int32_t channels,
		    size_t k_len)
{
	const size_t k4 = enpu_gemm_k4(k_len);
	const size_t block_bytes = k4 * 4 * ENPU_GEMM_BLOCK;
	const int32_t blocks = (channels + ENPU_GEMM_BLOCK - 1) / ENPU_GEMM_BLOCK;

	memset(dst, 0, enpu_gemm_packed_size(channels, k_len));
	for (int32_t o = 0; o < channels; o++) {
		const int32_t b = o / ENPU_GEMM_BLOCK, b0 = b - b % ENPU_GEMM_BLOCKS;
		/* the step between groups of o's chunk, and where group 0 of o's lane is */
		const size_t step = enpu_gemm_step(blocks - b0 < ENPU_GEMM_BLOCKS ? blocks - b0 :
						   ENPU_GEMM_BLOCKS);
		int8_t *col = dst + (size_t)b0 * block_bytes + (size_t)(b - b0) * ENPU_GEMM_GROUP +
			      (size_t)(o % ENPU_GEMM_BLOCK) * 4;
		const int8_t *row = w + (size_t)o * k_len;
		int32_t sum = 0;
		size_t k;

		if (enpu_gemm_narrow(channels)) {
			memcpy(dst + (size_t)o * enpu_gemv_stride(k4), row, k_len);
		} else {
			for (k = 0; k + 4 <= k_len; k += 4)
				memcpy(col + k / 4 * step, row + k, 4);
			if (k < k_len)
				memcpy(col + k / 4 * step, row + k, k_len - k);
		}
		for (k = 0; k < k_len; k++)
			sum += row[k];
		sums[o] = sum;
	}
}

/* Whether @ops has the kernel a layer of @channels output channels needs. */
static int has_kernel(const struct enpu_dot_ops *ops, int32_t channels)
{
	return enpu_gemm_narrow(channels) ? ops->gemv_u8 != NULL : ops->gemm_u8 != NULL;
}

int enpu_gemm_weights_pack(struct enpu_gemm_weights *pw, const int8_t *w,
			   int32_t channels, size_t k_len)
{
	if (!pw || !w || channels <= 0 || !k_len)
		return -EINVAL;
	memset(pw, 0, sizeof(*pw));
	if (!has_kernel(enpu_dot_ops(), channels) || k_len > ENPU_GEMM_MAX_LEN)
		return -ENOTSUP;
	pw->data = enpu_alloc_lines(enpu_gemm_packed_size(channels, k_len));
	pw->sums = malloc((size_t)channels * sizeof(*pw->sums));
	if (!pw->data || !pw->sums) {
		enpu_gemm_weights_free(pw);
		return -ENOMEM;
	}
	enpu_gemm_pack(pw->data, pw->sums, w, channels, k_len);
	pw->channels = channels;
	pw->k_len = k_len;
	return 0;
}

void enpu_gemm_weights_free(struct enpu_gemm_weights *pw)
{
	if (!pw)
		return;
	free(pw->data);
	free(pw->sums);
	free(pw->rq);
	memset(pw, 0, sizeof(*pw));
}

size_t enpu_rq_tables(int32_t cout)
{
	return ((size_t)cout + ENPU_RQ_CHUNK - 1) / ENPU_RQ_CHUNK;
}

/*
 * The bias the requantisation adds, less x_zero * sums (x_zero is 128 +
 * in_zp, the row byte whose x - in_zp is 0, or in_zp for a signed
 * kernel): the sums' correction comes with it. int32 addition wraps, as
 * TFLite's accumulator plus bias does, and is associative, so the result
 * is the same to the bit.
 */
void enpu_rq_fill(struct enpu_rq_table *rq, const int32_t *sums, int32_t cout,
		  const struct enpu_gemm_rq_key *k)
{
	const uint32_t x_zero = (uint32_t)(k->gemm_signed ? 0 : 128) +
				(uint32_t)k->input_zero_point;

	/* a block's lanes past the last channel are read, and stored masked off */
	memset(rq, 0, enpu_rq_tables(cout) * sizeof(*rq));
	for (size_t i = 0; i < enpu_rq_tables(cout); i++) {
		const int32_t oc0 = (int32_t)i * ENPU_RQ_CHUNK;
		const int n = cout - oc0 < ENPU_RQ_CHUNK ? cout - oc0 : ENPU_RQ_CHUNK;

		enpu_rq_prepare(&rq[i], n, k->bias ? k->bias + oc0 : NULL,
				k->multipliers + oc0 * k->qstep, k->shifts + oc0 * k->qstep,
				k->qstep, k->output_zero_point, k->act_min, k->act_max);
		for (int j = 0; j < n; j++)
			rq[i].bias[j] = (int32_t)((uint32_t)rq[i].bias[j] -
						  (uint32_t)sums[oc0 + j] * x_zero);
	}
}

int enpu_rq_key_same(const struct enpu_gemm_rq_key *a, const struct enpu_gemm_rq_key *b)
{
	return a->bias == b->bias && a->multipliers == b->multipliers &&
	       a->shifts == b->shifts && a->qstep == b->qstep &&
	       a->input_zero_point == b->input_zero_point &&
	       a->output_zero_point == b->output_zero_point && a->act_min == b->act_min &&
	       a->act_max == b->act_max && a->gemm_signed == b->gemm_signed;
}

int enpu_gemm_weights_requant(struct enpu_gemm_weights *pw, const int32_t *bias,
			      const int32_t *multipliers, const int32_t *shifts, size_t qstep,
			      int32_t input_zero_point, int32_t output_zero_point,
			      int32_t act_min, int32_t act_max)
{
	const struct enpu_dot_ops *ops = enpu_dot_ops();
	struct enpu_rq_table *rq;

	if (!pw || !pw->data || qstep > 1 ||
	    enpu_check_quant_array(multipliers, shifts, qstep ? (size_t)pw->channels : 1))
		return -EINVAL;
	rq = enpu_alloc_lines(enpu_rq_tables(pw->channels) * sizeof(*rq));
	if (!rq)
		return -ENOMEM;
	free(pw->rq);
	pw->rq = rq;
	pw->rq_key = (struct enpu_gemm_rq_key){
		.bias = bias, .multipliers = multipliers, .shifts = shifts, .qstep = qstep,
		.input_zero_point = input_zero_point, .output_zero_point = output_zero_point,
		.act_min = act_min, .act_max = act_max, .gemm_signed = ops->gemm_signed,
	};
	enpu_rq_fill(rq, pw->sums, pw->channels, &pw->rq_key);
	return 0;
}

/* @pw's tables, when they were made for @k. */
static const struct enpu_rq_table *made_for(const struct enpu_gemm_weights *pw,
					    const struct enpu_gemm_rq_key *k)
{
	return pw->rq && enpu_rq_key_same(&pw->rq_key, k) ? pw->rq : NULL;
}

static const struct enpu_gemm_weights *usable(const struct enpu_gemm_layer *l)
{
	const struct enpu_gemm_weights *pw = l->packed;

	return pw && pw->data && pw->channels == l->channels && pw->k_len == l->k_len ?
	       pw : NULL;
}

int enpu_gemm_suits(const struct enpu_gemm_layer *l, const struct enpu_dot_ops *ops)
{
	return has_kernel(ops, l->channels) && l->k_len <= ENPU_GEMM_MAX_LEN &&
	       (usable(l) || l->rows >= ENPU_GEMM_MIN_ROWS);
}

/*
 * Bytes of rows a call of enpu_gemm_run() keeps on its stack: a layer
 * with its weights packed and its tables made needs no other memory, and
 * one row of up to ENPU_GEMM_MAX_LEN taps (every batch-1 FC) or
 * ENPU_GEMM_ROWS rows of up to 2,048 fit (more of shorter rows:
 * gemm_call_rows()). A malloc and a free a call cost
 * a small fully-connected layer a third of its time, and micro_speech's
 * (a row of 4,000 taps: freeing it consolidates the heap) more than a
 * quarter; fc_fast() keeps 32 KB of rows on its stack already.
 */
#define GEMM_NEAR_BYTES		ENPU_GEMM_MAX_LEN

/*
 * Rows a gemm_u8 call takes for a filter of @k4 groups: as many as fit
 * GEMM_NEAR_BYTES, up to ENPU_GEMM_CALL_ROWS, in whole kernel steps, and
 * one step when fewer fit. A call costs its arguments, its dispatch and
 * its loop, the same for any filter: at four rows a call, that was a
 * quarter of person_detect's pointwise conv of eight input channels.
 */
static int64_t gemm_call_rows(int64_t rows, size_t k4)
{
	size_t fit;

	if (rows <= ENPU_GEMM_ROWS)	/* one call, whatever fits: FC's batch of one */
		return ENPU_GEMM_ROWS;
	fit = GEMM_NEAR_BYTES / (k4 * 4) / ENPU_GEMM_ROWS * ENPU_GEMM_ROWS;
	return fit < ENPU_GEMM_ROWS ? ENPU_GEMM_ROWS :
	       fit > ENPU_GEMM_CALL_ROWS ? ENPU_GEMM_CALL_ROWS : (int64_t)fit;
}

/*
 * @l's rows on @packed with tables @rq, @per_call rows a call, each row
 * made in @patches when it has to be.
 */
static int gemm_rows(const struct enpu_gemm_layer *l, const struct enpu_dot_ops *ops,
		     const int8_t *packed, const struct enpu_rq_table *rq, int64_t per_call,
		     uint8_t *patches)
{
	const int32_t cout = l->channels;
	const size_t k4 = enpu_gemm_k4(l->k_len), block = k4 * 4 * ENPU_GEMM_BLOCK;
	const uint8_t *const at = l->rows_at;
	const uint8_t *x[ENPU_GEMM_CALL_ROWS];

	for (int64_t i0 = 0; i0 < l->rows; i0 += per_call) {
		const int rows = (int)(l->rows - i0 < per_call ? l->rows - i0 : per_call);

		if (enpu_cancelled(l->cancel))
			return -ECANCELED;
		if (at) {
			const uint8_t *p = at + (size_t)i0 * k4 * 4;

			for (int r = 0; r < rows; r++, p += k4 * 4)
				x[r] = p;
		} else {
			for (int r = 0; r < rows; r++)
				x[r] = l->row(l->ctx, i0 + r, patches + r * k4 * 4);
		}
		if (enpu_gemm_narrow(cout)) {
			for (int r = 0; r < rows; r++)
				ops->gemv_u8(x[r], packed, k4, cout, rq,
					     l->output + (size_t)(i0 + r) * cout);
			continue;
		}
		/* ENPU_GEMM_BLOCKS * ENPU_GEMM_BLOCK channels a call: one table's */
		for (int32_t oc0 = 0; oc0 < cout; oc0 += ENPU_RQ_CHUNK) {
			const int nch = cout - oc0 < ENPU_RQ_CHUNK ? cout - oc0 : ENPU_RQ_CHUNK;

			ops->gemm_u8(x, rows, packed + (size_t)(oc0 / ENPU_GEMM_BLOCK) * block,
				     k4, (nch + ENPU_GEMM_BLOCK - 1) / ENPU_GEMM_BLOCK,
				     &rq[oc0 / ENPU_RQ_CHUNK], 0, nch,
				     l->output + (size_t)i0 * cout + oc0, (size_t)cout);
		}
	}
	return 0;
}

int enpu_gemm_run(const struct enpu_gemm_layer *l, const struct enpu_dot_ops *ops)
{
	const struct enpu_gemm_weights *pw = usable(l);
	const int32_t cout = l->channels;
	const size_t k4 = enpu_gemm_k4(l->k_len);
	const size_t packed_size = pw ? 0 : enpu_gemm_packed_size(cout, l->k_len);
	const struct enpu_gemm_rq_key key = {
		.bias = l->bias, .multipliers = l->multipliers, .shifts = l->shifts,
		.qstep = l->qstep, .input_zero_point = l->input_zero_point,
		.output_zero_point = l->output_zero_point, .act_min = l->act_min,
		.act_max = l->act_max, .gemm_signed = ops->gemm_signed,
	};
	const struct enpu_rq_table *made = pw ? made_for(pw, &key) : NULL;
	const size_t nrq = made ? 0 : enpu_rq_tables(cout);
	/* the sums of weights packed here (packed ones keep theirs) */
	const size_t nsums = pw ? 0 : (size_t)cout;
	const int64_t per_call = gemm_call_rows(l->rows, k4);
	const size_t row_bytes = (size_t)(l->rows < per_call ? l->rows : per_call) * k4 * 4;
	_Alignas(64) uint8_t near[GEMM_NEAR_BYTES];
	const int rows_near = row_bytes <= sizeof(near);
	/*
	 * What this call makes, each part on lines of its own: tables, sums,
	 * rows (where the stack has no room for them), weights. Nothing at
	 * all for weights packed with their tables made: no allocation.
	 */
	const size_t at_sums = enpu_lines(nrq * sizeof(struct enpu_rq_table));
	const size_t at_rows = at_sums + enpu_lines(nsums * sizeof(int32_t));
	const size_t at_packed = at_rows + (rows_near ? 0 : enpu_lines(row_bytes));
	const size_t need = at_packed + packed_size;
	char *mine = NULL;
	const struct enpu_rq_table *rq = made;
	const int8_t *packed;
	const int32_t *sums;
	int ret;

	if (need) {
		mine = enpu_alloc_lines(need);
		if (!mine)
			return -ENOMEM;
	}
	if (pw) {
		packed = pw->data;
		sums = pw->sums;
	} else {
		int8_t *own = (int8_t *)mine + at_packed;
		int32_t *s = (int32_t *)(void *)(mine + at_sums);

		enpu_gemm_pack(own, s, l->weights, cout, l->k_len);
		packed = own;
		sums = s;
	}
	if (!made) {
		struct enpu_rq_table *t = (struct enpu_rq_table *)(void *)mine;

		enpu_rq_fill(t, sums, cout, &key);
		rq = t;
	}
	ret = gemm_rows(l, ops, packed, rq, per_call,
			rows_near ? near : (uint8_t *)mine + at_rows);
	free(mine);
	return ret;
}
