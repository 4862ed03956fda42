// SPDX-License-Identifier: MIT
/*
 * svdf_tflite FILE: writes a TFLite model with state (an SVDF whose state
 * is a variable tensor, tests/host/svdf_tflite.h) for the Python binding's
 * test of model variables.
 */
#include <stdio.h>
#include <stdlib.h>

#include "../host/svdf_tflite.h"

int main(int argc, char **argv)
{
	struct svdf_graph s = { 0 };
	uint8_t *buf = NULL;
	size_t len;
	FILE *f;

	if (argc != 2) {
		fprintf(stderr, "usage: svdf_tflite FILE\n");
		return 2;
	}
	fill(&s);
	len = forge_svdf(&s, RANK, 0, &buf);
	f = len ? fopen(argv[1], "wb") : NULL;
	if (!f || fwrite(buf, 1, len, f) != len || fclose(f)) {
		fprintf(stderr, "svdf_tflite: cannot write %s\n", argv[1]);
		free(buf);
		return 1;
	}
	free(buf);
	return 0;
}
