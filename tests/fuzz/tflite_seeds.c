// SPDX-License-Identifier: MIT
/*
 * Writes the forged models of tflite_forge.h (one tiny valid model per
 * supported operator) into a directory, as seeds for `make fuzz`:
 *
 *   tflite_seeds DIR    -> DIR/forged_<name>.tflite
 */
#include <stdio.h>
#include <stdlib.h>

#include "tflite_forge.h"

int main(int argc, char **argv)
{
	char path[4096];
	unsigned int i;

	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	for (i = 0; i < FG_NUM_SEEDS; i++) {
		struct fg_model m;
		uint8_t *p;
		size_t n;
		FILE *f;

		fg_seed(i, &m);
		n = fg_build(&m, &p);
		snprintf(path, sizeof(path), "%s/forged_%s.tflite", argv[1], fg_seed_names[i]);
		f = fopen(path, "wb");
		if (!n || !f || fwrite(p, 1, n, f) != n || fclose(f)) {
			fprintf(stderr, "%s: cannot write %s\n", argv[0], path);
			return 1;
		}
		free(p);
	}
	return 0;
}
