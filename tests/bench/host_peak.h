/* SPDX-License-Identifier: MIT */
/* The host's measured INT8 MAC peak on one core (host_peak.c). */
#ifndef EDGENPU_HOST_PEAK_H
#define EDGENPU_HOST_PEAK_H

struct host_peak {
	const char *baseline_name;	/* what every x86-64 (or the host) has */
	double baseline;		/* GMAC/s */
	const char *best_name;		/* the widest INT8 dot product it has, or NULL */
	double best;			/* GMAC/s */
};

int host_peak(struct host_peak *p);

#endif /* EDGENPU_HOST_PEAK_H */
