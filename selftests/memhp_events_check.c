// SPDX-License-Identifier: GPL-2.0
/*
 * memhp_events_check ONLINE_DELTA: check memhp's notifier records against
 * the invariant (memhp_lib.h) for shell tests.  Exit 0 when it holds, 1 with
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

	if (argc != 2) {
		fprintf(stderr, "usage: %s ONLINE_BLOCK_DELTA\n", argv[0]);
		return 2;
	}
	n = read_events_filtered(&ev, 0);
	if (n < 0) {
		fprintf(stderr, "cannot read %s/events: %s\n", MEMHP_DIR, strerror(-n));
		return 2;
	}
	if (check_invariant(ev, n, atoi(argv[1]), why, sizeof(why))) {
		fprintf(stderr, "record invariant broken: %s\n", why);
		return 1;
	}
	printf("%d records, invariant holds\n", n);
	return 0;
}
