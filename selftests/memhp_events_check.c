// SPDX-License-Identifier: GPL-2.0
/*
 * memhp_events_check ONLINE_DELTA | --live: check memhp's notifier records
 * against the invariant (memhp_lib.h) for shell tests and stress runs;
 * --live while hotplug is still running (pending transitions allowed).  Exit 0 when it holds, 1 with
 * the reason on stderr otherwise, 2 when the records cannot be read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memhp_lib.h"

int main(int argc, char **argv)
{
	struct memhp_ev *ev = NULL;
	char why[256];
	int n;

	int live;

	if (argc != 2) {
		fprintf(stderr, "usage: %s ONLINE_BLOCK_DELTA|--live\n", argv[0]);
		return 2;
	}
	live = !strcmp(argv[1], "--live");
	n = read_events_filtered(&ev, 0);
	if (n < 0) {
		fprintf(stderr, "cannot read %s/events: %s\n", MEMHP_DIR, strerror(-n));
		return 2;
	}
	if (check_invariant_opt(ev, n, live ? 0 : atoi(argv[1]), live, why, sizeof(why))) {
		fprintf(stderr, "record invariant broken: %s\n", why);
		return 1;
	}
	printf("%d records, invariant holds\n", n);
	return 0;
}
