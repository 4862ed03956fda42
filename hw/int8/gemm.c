// SPDX-License-Identifier: MIT
/* Packing weights for the unsigned-by-signed GEMM (enpu_gemm.h). */
#include <string.h>

#include "enpu_gemm.h"

void enpu_gemm_pack(int8_t *dst, int32_t *sums, const int8_t *w, int32_t channels,
		    size_t k_len)
{
	const size_t k4 = enpu_gemm_k4(k_len);
	const size_t block_bytes = k4 * 4 * ENPU_GEMM_BLOCK;

	memset(dst, 0, enpu_gemm_packed_size(channels, k_len));
	for (int32_t o = 0; o < channels; o++) {
		int8_t *col = dst + (size_t)(o / ENPU_GEMM_BLOCK) * block_bytes +
			      (size_t)(o % ENPU_GEMM_BLOCK) * 4;
		const int8_t *row = w + (size_t)o * k_len;
		int32_t sum = 0;
		size_t k;

		for (k = 0; k + 4 <= k_len; k += 4)
			memcpy(col + k * ENPU_GEMM_BLOCK, row + k, 4);
		if (k < k_len)
			memcpy(col + k * ENPU_GEMM_BLOCK, row + k, k_len - k);
		for (k = 0; k < k_len; k++)
			sum += row[k];
		sums[o] = sum;
	}
}
